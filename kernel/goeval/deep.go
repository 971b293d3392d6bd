package goeval

import (
	"fmt"
	"os"
	"strings"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/goeval/overflow"
)

// evalGoroutine is the function at the bottom of the goroutine in which the interpreter
// evaluates a cell (yaegi v0.16.1 starts it in EvalWithContext).
const evalGoroutine = "github.com/traefik/yaegi/interp.(*Interpreter).EvalWithContext.func1"

// overflowError is the error of an Eval whose goroutine the stack guard stopped.
type overflowError struct{ o overflow.Overflow }

func (e overflowError) Error() string { return e.o.Error() }

// overflowed receives the report of a goroutine that the stack guard is about to stop. The
// interpreter's own goroutine ends its Eval, which evalRaw turns into the cell's error; any
// other goroutine's report goes to its cell at once, as a panic's would (in a child
// process, to standard error, which leads to the cell that started the child).
func (e *Engine) overflowed(o overflow.Overflow) {
	if o.Outermost == evalGoroutine {
		e.evalOverflow.Store(&o)
		return
	}
	var b strings.Builder
	b.WriteString("fatal error in goroutine: stack overflow\n")
	for _, l := range e.overflowTrace(o) {
		b.WriteString("    " + l + "\n")
	}
	if e.opts.Direct { // a child process: its standard error leads to the cell that started it
		fmt.Fprint(os.Stderr, b.String())
		return
	}
	e.router.Fail(b.String())
}

// overflowTrace describes where the guard stopped a goroutine: the function whose call
// went too deep, and what happened instead of Go's fatal error.
func (e *Engine) overflowTrace(o overflow.Overflow) []string {
	where := o.Func
	for k := len(e.spans) - 1; k >= 0; k-- {
		if s := e.spans[k]; s.count == o.Cell {
			where = frameText(o.Func, position{count: o.Cell, line: o.Line, code: s.code})
			break
		}
	}
	return []string{where,
		fmt.Sprintf("[calls nested more than %d interpreter frames deep: a compiled Go program would crash here;", o.Frames),
		" gokernel stopped only this goroutine]"}
}

// overflowCellError is the error of a cell whose own goroutine the guard stopped.
func (e *Engine) overflowCellError(o overflow.Overflow) *engine.Error {
	tb := []string{"fatal error: stack overflow", "", "goroutine of the cell:"}
	for _, l := range e.overflowTrace(o) {
		tb = append(tb, "    "+l)
	}
	return &engine.Error{Name: "fatal error", Value: "stack overflow in " + o.Func, Traceback: tb}
}
