package goeval

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/gocell"
	"github.com/gokernel/gokernel/kernel/goeval/router"
)

// newError returns the error name with the message msg, whose traceback is the one line
// "name: msg".
func newError(name, msg string) *engine.Error {
	return &engine.Error{Name: name, Value: msg, Traceback: []string{name + ": " + msg}}
}

// interruptedError is the error of a cell that an interrupt stopped.
func interruptedError() *engine.Error { return newError("Interrupt", "the cell was interrupted") }

// position is a place in a cell.
type position struct {
	count, line, col int
	code             string
}

// cellPos maps an interpreter line and column to the cell they came from.
func (e *Engine) cellPos(line, col int) (position, bool) {
	for k := len(e.spans) - 1; k >= 0; k-- {
		s := e.spans[k]
		if line >= s.first && line < s.first+s.n {
			l := s.seg.CellLine(line - s.first + 1)
			if l < 1 {
				l = 1
			}
			if col > 0 {
				col = max(1, s.seg.CellColumn(line-s.first+1, col))
			}
			return position{count: s.count, line: l, col: col, code: s.code}, true
		}
	}
	return position{}, false
}

// where names a cell position for a traceback.
func (p position) where() string {
	if p.count > 0 {
		return fmt.Sprintf("In [%d] line %d", p.count, p.line)
	}
	return fmt.Sprintf("line %d", p.line)
}

// excerpt returns the source line at p with a caret under the column.
func (p position) excerpt() []string {
	lines := strings.Split(p.code, "\n")
	if p.line < 1 || p.line > len(lines) {
		return nil
	}
	text := strings.ReplaceAll(lines[p.line-1], "\t", "    ")
	out := []string{fmt.Sprintf("%5d | %s", p.line, text)}
	if p.col > 0 {
		col := visualColumn(lines[p.line-1], p.col)
		out = append(out, "      | "+strings.Repeat(" ", col)+"^")
	}
	return out
}

// visualColumn converts a 1-based byte column into a 0-based display column with tabs
// expanded to four spaces.
func visualColumn(line string, col int) int {
	n := 0
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			n += 4
		} else {
			n++
		}
	}
	return n
}

// cellError describes an error that gocell found before anything ran.
func cellError(err error, code string) *engine.Error {
	var ce *gocell.Error
	if errors.As(err, &ce) {
		p := position{line: ce.Line, col: ce.Column, code: code}
		name := "SyntaxError"
		switch {
		case ce.Unsupported:
			name = "UnsupportedError"
		case ce.Invalid:
			name = "CompileError"
		}
		head := fmt.Sprintf("%s: line %d:%d: %s", name, ce.Line, ce.Column, ce.Msg)
		return &engine.Error{
			Name:      name,
			Value:     fmt.Sprintf("line %d:%d: %s", ce.Line, ce.Column, ce.Msg),
			Traceback: append([]string{head}, p.excerpt()...),
		}
	}
	return newError("SyntaxError", err.Error())
}

// compilePos matches "L:C: message", optionally after a file name.
var compilePos = regexp.MustCompile(`^(?:[^:\s]*\.go:)?(\d+):(\d+): (.*)$`)

// describe turns an evaluation error into a Jupyter error with cell positions.
func (e *Engine) describe(ctx context.Context, err error, count int) *engine.Error {
	if errors.Is(context.Cause(ctx), errDeadlock) {
		e.router.TakeCellTrace(count)
		return e.deadlockError(count)
	}
	if errors.Is(context.Cause(ctx), errInterrupted) {
		e.router.TakeCellTrace(count)
		return &engine.Error{Name: "Interrupt", Value: "the cell was interrupted",
			Traceback: []string{"Interrupt: the cell was interrupted (Kernel > Interrupt); the session's state is kept"}}
	}
	if ctx.Err() != nil {
		return newError("Interrupt", ctx.Err().Error())
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return e.describePanic(p.Value, count)
	}
	var oe overflowError
	if errors.As(err, &oe) {
		return e.overflowCellError(oe.o)
	}
	var ie internalError
	if errors.As(err, &ie) {
		if x, ok := unwrap(ie.value).(exitRequest); ok {
			return exitError(x)
		}
		return &engine.Error{Name: "InternalError", Value: ie.Error(),
			Traceback: []string{"InternalError: the interpreter failed on this cell: " + ie.Error(),
				"The kernel and the session's state are intact."}}
	}
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return e.compileError("SyntaxError", fmt.Sprintf("%d:%d: %s", list[0].Pos.Line, list[0].Pos.Column, list[0].Msg), len(list)-1)
	}
	return e.compileError("CompileError", err.Error(), 0)
}

// compileFailure reports whether err, from evaluating a segment, says that it did not
// compile: it ran nothing.
func compileFailure(err error) bool {
	var p interp.Panic
	var ie internalError
	var oe overflowError
	return !errors.As(err, &p) && !errors.As(err, &ie) && !errors.As(err, &oe)
}

// compileError maps the position in an interpreter error message to the cell.
func (e *Engine) compileError(name, msg string, more int) *engine.Error {
	first, _, _ := strings.Cut(msg, "\n")
	m := compilePos.FindStringSubmatch(first)
	if m == nil {
		return newError(name, msg)
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	text := strings.TrimPrefix(m[3], "CFG post-order panic: ")
	text = compilePos.ReplaceAllStringFunc(text, func(s string) string { return compilePos.FindStringSubmatch(s)[3] })
	p, ok := e.cellPos(line, col)
	if !ok {
		return newError(name, text)
	}
	value := fmt.Sprintf("line %d:%d: %s", p.line, p.col, text)
	if more > 0 {
		value += fmt.Sprintf(" (and %d more)", more)
	}
	tb := []string{name + ": " + p.where() + ", column " + strconv.Itoa(p.col) + ": " + text}
	return &engine.Error{Name: name, Value: value, Traceback: append(tb, p.excerpt()...)}
}

// exitError describes os.Exit or log.Fatal in a cell.
func exitError(x exitRequest) *engine.Error {
	msg := fmt.Sprintf("%s was called: the cell stopped here; the kernel keeps running with its state", x.Error())
	return newError("Exit", msg)
}

// describePanic reports a panic of the cell's own goroutine.
func (e *Engine) describePanic(v any, count int) *engine.Error {
	trace := e.mapTrace(e.router.TakeCellTrace(count), v, int(e.topLine.Load()))
	if x, ok := unwrap(v).(exitRequest); ok {
		return exitError(x)
	}
	if isStop(v) {
		return interruptedError()
	}
	text := panicText(v)
	tb := []string{"panic: " + text, ""}
	if len(trace) > 0 {
		tb = append(tb, "goroutine of the cell:")
		for _, t := range trace {
			tb = append(tb, "    "+t)
		}
	}
	return &engine.Error{Name: "panic", Value: text, Traceback: tb}
}

// mapTrace rewrites interpreter trace lines ("L:C: panic: main.f(...)") to cell positions,
// with the source line of each frame. The interpreter places each frame at the start of its
// function, and the cell's own frame at the start of the segment. When v, the panic's
// value, is a guard's [gocell.IndexError], the innermost frame is placed at the guarded
// statement instead, and when it is a failed type assertion ([gocell.Conversion]), at
// the assertion; when top is not 0, it is the cell line of the top-level statement
// that was running ([gocell.LineName]), where the cell's frame is placed. An innermost
// frame whose panic came from a call of panic with the value v is placed at that call
// ([gocell.PanicName]). A frame of a cell's function that called the next one in is
// placed at that call when its source shows where that is (see callSite).
func (e *Engine) mapTrace(lines []string, v any, top int) []string {
	at := 0
	if ie, ok := unwrap(v).(gocell.IndexError); ok {
		at = ie.Line
	}
	if c, ok := gocell.Conversion(unwrap(v)); ok {
		if p, ok := e.cellPos(c.Line, c.Column); ok {
			at = p.line
		}
	}
	var out []string
	callee := "" // the function of the frame before, which this one called
	prevFn := "" // the frame before's name, as the trace gives it
	for _, l := range lines {
		if strings.HasPrefix(l, router.GapPrefix) {
			out = append(out, l)
			callee, prevFn = "", "" // the frame after a gap called one that was not kept
			continue
		}
		fn, line, col, ok := traceFrame(l)
		if !ok {
			continue
		}
		called, calledFn := callee, prevFn
		callee, prevFn = cellFunc(fn), fn
		p, ok := e.cellPos(line, col)
		if !ok {
			out = append(out, fn)
			continue
		}
		site, fromPanic := 0, false
		if len(out) == 0 && at == 0 && v != nil {
			site, fromPanic = e.panics.take(unwrap(v))
		}
		faultLine, faultCol, fault := 0, 0, false
		if len(out) == 0 && at == 0 && !fromPanic && v != nil {
			faultLine, faultCol, fault = faultSite(p.code, fn, p.line, panicText(v))
		}
		switch {
		case at > 0 && len(out) == 0:
			p.line, p.col = at, 0
		case fromPanic:
			p.line, p.col = site, 0
		case fault:
			p.line, p.col = faultLine, faultCol
		case top > 0 && fn == "cell":
			p.line, p.col = top, 0
		case len(out) > 0 && called != "" && callee != "":
			if l, c, ok := callSite(p.code, callee, p.line, called); ok {
				p.line, p.col = l, c
			}
		case len(out) > 0 && callee != "" && calledFn == "main."+callee+".func":
			if l, c, ok := literalCallSite(p.code, callee, p.line); ok {
				p.line, p.col = l, c
			}
		}
		out = append(out, frameText(fn, p))
	}
	return collapseRepeats(out)
}

// traceFrame reads one of the lines the interpreter writes for each frame of a panicking
// stack: the frame's function ("cell" for the cell's own statements) and its interpreter
// line and column.
func traceFrame(l string) (fn string, line, col int, ok bool) {
	m := traceLine.FindStringSubmatch(l)
	if m == nil {
		return "", 0, 0, false
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	switch fn = strings.TrimSuffix(m[3], "(...)"); fn {
	case "":
		fn = "?"
	case "main":
		fn = "cell"
	}
	return fn, line, col, true
}

// frameText writes a frame of a trace: the function, where it is and the source line.
func frameText(fn string, p position) string {
	src := ""
	if ex := p.excerpt(); len(ex) > 0 {
		src = ": " + strings.TrimSpace(strings.SplitN(ex[0], "|", 2)[1])
	}
	return fmt.Sprintf("%s  (%s%s)", fn, p.where(), src)
}

// collapseRepeats shortens each run of three or more identical frames, as a recursion
// leaves them, to its first frame and a line that counts the others.
func collapseRepeats(frames []string) []string {
	var out []string
	for i := 0; i < len(frames); {
		j := i + 1
		for j < len(frames) && frames[j] == frames[i] {
			j++
		}
		out = append(out, frames[i])
		switch n := j - i - 1; {
		case n == 1:
			out = append(out, frames[i])
		case n > 1:
			out = append(out, fmt.Sprintf("[previous frame repeated %d more times]", n))
		}
		i = j
	}
	return out
}

// cellFunc returns the name of a function or method declared at the top level of a
// cell from its name in a trace line ("main.f"), or "" for a function literal
// ("main.f.func") or the cell itself.
func cellFunc(fn string) string {
	name, ok := strings.CutPrefix(fn, "main.")
	if !ok || strings.Contains(name, ".") {
		return ""
	}
	return name
}

// unwrap returns the value inside the reflect.Value (or reflect.Values) the interpreter may
// wrap a panic in.
func unwrap(v any) any {
	for {
		rv, ok := v.(reflect.Value)
		switch {
		case !ok:
			return v
		case !rv.IsValid():
			return nil
		case !rv.CanInterface():
			return v
		}
		v = rv.Interface()
	}
}

// reflectWording maps messages of the reflect package, which the interpreter surfaces for
// runtime errors, to the words a compiled Go program uses.
var reflectWording = []struct{ from, to string }{
	{"reflect: slice index out of range", "runtime error: index out of range"},
	{"reflect: array index out of range", "runtime error: index out of range"},
	{"reflect: string index out of range", "runtime error: index out of range"},
	{"reflect.Value.Slice: slice index out of bounds", "runtime error: slice bounds out of range"},
	{"reflect.Value.Slice3: slice index out of bounds", "runtime error: slice bounds out of range"},
	{"reflect.Value.Slice: string slice index out of bounds", "runtime error: slice bounds out of range"},
	{"reflect: call of reflect.Value.Elem on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	{"reflect: call of reflect.Value.Field on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	// Storing through a nil pointer: *p = v.
	{"reflect: call of reflect.Value.Set on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	// Indexing a nil pointer to an array, and (where Go would not panic) its len.
	{"reflect: call of reflect.Value.Index on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	{"reflect: call of reflect.Value.Len on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	{"reflect: indirection through nil pointer to embedded struct", "runtime error: invalid memory address or nil pointer dereference"},
	{"reflect.Value.SetMapIndex: assignment to entry in nil map", "assignment to entry in nil map"},
	{"reflect: call of reflect.Value.SetMapIndex on zero Value", "assignment to entry in nil map"},
	{"reflect.MakeSlice: negative len", "runtime error: makeslice: len out of range"},
	{"reflect.MakeSlice: negative cap", "runtime error: makeslice: cap out of range"},
	{"reflect.MakeSlice: len > cap", "runtime error: makeslice: cap out of range"},
	{"reflect.MakeChan: negative buffer size", "runtime error: makechan: size out of range"},
}

// panicText formats a panic value as Go prints it.
func panicText(v any) string {
	v = unwrap(v)
	if c, ok := gocell.Conversion(v); ok {
		return c.Msg
	}
	var s string
	switch x := v.(type) {
	case error:
		s = x.Error()
	case string:
		s = x
	case fmt.Stringer:
		s = x.String()
	default:
		s = fmt.Sprintf("%v", x)
	}
	for _, w := range reflectWording {
		if strings.HasPrefix(s, w.from) {
			return w.to + strings.TrimPrefix(s, w.from)
		}
	}
	// Any other method of a zero reflect.Value: the interpreter read through a nil
	// pointer (*p += 1 reads *p with Value.Int).
	if rest, ok := strings.CutPrefix(s, "reflect: call of reflect.Value."); ok && strings.HasSuffix(rest, " on zero Value") {
		return "runtime error: invalid memory address or nil pointer dereference"
	}
	return s
}

// undefinedName returns the name to blame when err, from evaluating a segment of plan,
// is the interpreter's "definition loop": it says that for a top-level definition that
// uses a name nothing declares. Not after a dot import, whose names the plan cannot see.
func (e *Engine) undefinedName(plan *gocell.Plan, err error) (gocell.Ident, bool) {
	if len(plan.Undefined) == 0 || !compileFailure(err) || !strings.Contains(err.Error(), "definition loop") {
		return gocell.Ident{}, false
	}
	// The cell's own imports were added to e.imported before its segments ran.
	if _, dot := e.imported["."]; dot {
		return gocell.Ident{}, false
	}
	return plan.Undefined[0], true
}

// undefinedError reports u, an undefined name of cell count, in the words of the Go
// compiler.
func undefinedError(u gocell.Ident, count int, code string) *engine.Error {
	p := position{count: count, line: u.Line, col: u.Column, code: code}
	text := "undefined: " + u.Name
	tb := []string{"CompileError: " + p.where() + ", column " + strconv.Itoa(p.col) + ": " + text}
	return &engine.Error{Name: "CompileError", Value: fmt.Sprintf("line %d:%d: %s", p.line, p.col, text),
		Traceback: append(tb, p.excerpt()...)}
}
