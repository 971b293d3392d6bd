// Package goeval runs Go notebook cells with the yaegi interpreter.
//
// An Engine holds one interpreter for the whole session, so declarations and variables persist
// from cell to cell. Each cell is split and rewritten by package gocell, evaluated segment by
// segment, and everything it prints is routed (package router) to the cell that printed it.
// The engine implements engine.Engine and knows nothing of Jupyter messages or sockets.
package goeval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/gocell"
	"github.com/gokernel/gokernel/kernel/goeval/deadlock"
	"github.com/gokernel/gokernel/kernel/goeval/interrupt"
	"github.com/gokernel/gokernel/kernel/goeval/overflow"
	"github.com/gokernel/gokernel/kernel/goeval/router"
	"github.com/gokernel/gokernel/kernel/stdsource"
	"github.com/gokernel/gokernel/runtime/display"
	"github.com/gokernel/gokernel/runtime/process"
	"github.com/gokernel/gokernel/runtime/stack"
	"github.com/gokernel/gokernel/runtime/thread"
)

// Version is the engine's version, shown in kernel_info.
const Version = "0.1.0"

// Options configure an Engine.
type Options struct {
	// CaptureFDs redirects the process's file descriptors 1 and 2 into the cells' output.
	// The kernel sets it; tests that run in the test binary's own process leave it off.
	CaptureFDs bool
	// Log receives the engine's own diagnostics. Nil discards them.
	Log *log.Logger
	// Symbols are extra compiled packages to preload, such as the runtime.
	Symbols []interp.Exports
	// APIDocs returns the declarations and doc comments of a preloaded package that is not in
	// the standard library, as Go source files, for inspection. Nil leaves such packages
	// without documentation.
	APIDocs func(path string) ([]string, error)
	// Direct sends what cells print straight to the process's standard output and error
	// instead of routing it to cells. A child process running a notebook function uses it:
	// its descriptors lead to the parent kernel, which routes the output.
	Direct bool
}

// Engine evaluates Go cells. Create one with New.
type Engine struct {
	opts    Options
	log     *log.Logger
	router  *router.Router
	capture *router.Capture
	stdin   *stdinReader
	pkgs    *packages

	mu       sync.Mutex // serialises Execute
	i        *interp.Interpreter
	lines    int                             // interpreter source lines used so far; see span
	spans    []span                          // where each evaluated segment's lines came from
	topLine  atomic.Int64                    // the cell line of the running cell's current top-level statement
	timers   timers                          // timers cells created, which the deadlock watch waits for
	deadlock atomic.Pointer[deadlock.Report] // what the deadlock watch found when it stopped a cell
	panics   panicSites                      // the latest calls of panic in cells, with their lines
	imported map[string]string               // package names the session has imported -> import path
	docs     *docIndex

	guard overflow.Guard // stops goroutines whose calls nest too deep
	// evalOverflow holds the overflow that stopped the interpreter's own goroutine during
	// the running Eval, which then returns as if nothing had happened.
	evalOverflow atomic.Pointer[overflow.Overflow]

	nameMu sync.RWMutex      // guards names and decls, which completion reads during a cell
	names  map[string]string // session-level names -> kind ("func", "var", ...)
	decls  map[string]gocell.Decl
	rich   richTypes // the session's types with rich-display methods
	replay replay    // the session's imports and declarations, for child processes

	// parse rewrites a cell (gocell.Env.Parse; a test may make it fail).
	parse func(gocell.Env, string) (*gocell.Plan, error)

	runMu  sync.Mutex
	cancel context.CancelFunc // cancels the running cell
	result *resultHolder      // receives the value of a cell's trailing expression
	defers []func()           // the running cell's top-level deferred calls
}

// span maps interpreter lines [first, first+n) to cell count's lines starting at cellLine.
type span struct {
	first, n int
	count    int
	seg      gocell.Segment
	code     string
}

// New creates an engine with a fresh interpreter.
func New(opts Options) (*Engine, error) {
	lg := opts.Log
	if lg == nil {
		lg = log.New(io.Discard, "", 0)
	}
	e := &Engine{
		opts:     opts,
		log:      lg,
		router:   router.New(),
		imported: map[string]string{},
		names:    map[string]string{},
		decls:    map[string]gocell.Decl{},
		rich:     richTypes{},
		docs:     &docIndex{extra: opts.APIDocs},
		parse:    gocell.Env.Parse,
	}
	e.guard.Report = e.overflowed
	e.stdin = &stdinReader{current: e.router.Current}
	// Runtime threads may outlive their cell like goroutines do; the router must then tell
	// writers apart.
	e.router.SetOthers(func() int { return thread.Count() - 1 })
	if opts.CaptureFDs {
		if err := os.Setenv(display.EnvVar, "1"); err != nil {
			return nil, fmt.Errorf("goeval: %w", err)
		}
		c, err := router.CaptureFDs(e.router)
		if err != nil {
			return nil, fmt.Errorf("goeval: %w", err)
		}
		e.capture = c
		e.stdin.sync = c.Sync
		e.log.SetOutput(c.Stderr)
	}
	if err := e.reset(); err != nil {
		return nil, err
	}
	// Threads and pool tasks that panic report the notebook's frames, not the interpreter's.
	stack.SetDescriber(func(v any) string {
		trace := e.mapTrace(e.router.TakeTrace(router.Goid()), v, 0)
		if len(trace) == 0 {
			return ""
		}
		return "goroutine of the cell:\n    " + strings.Join(trace, "\n    ")
	})
	return e, nil
}

// reset builds the interpreter and its preloaded symbols.
func (e *Engine) reset() error {
	stdout, stderr := e.streams()
	i := interp.New(interp.Options{
		Stdin:        e.stdin,
		Stdout:       stdout,
		Stderr:       traceFilter{e.router, stderr},
		Unrestricted: true,
		Args:         []string{"gokernel"},
	})
	exports := []interp.Exports{stdlibSymbols(), e.overrides()}
	exports = append(exports, e.opts.Symbols...)
	exports = append(exports, kernelOwned())
	for _, x := range exports {
		if err := i.Use(x); err != nil {
			return fmt.Errorf("goeval: load symbols: %w", err)
		}
	}
	for _, src := range stdsource.Sources() {
		if _, err := i.Compile(src); err != nil {
			return fmt.Errorf("goeval: compile generic standard packages: %w", err)
		}
	}
	e.i = i
	e.pkgs = newPackages(exports)
	members, err := stdsource.Members()
	if err != nil {
		return fmt.Errorf("goeval: %w", err)
	}
	e.pkgs.addSource(members)
	for _, src := range []string{
		`import __gk "` + hooksPath + `"`,
		"var " + gocell.SpawnName + " = __gk.Go\nvar __gk_enter = __gk.Enter\nvar " + gocell.ShowName + " = __gk.Show\n" +
			richHooks +
			"var " + gocell.ClearName + " = __gk.Clear\nvar " + gocell.IndexName + " = __gk.Index\nvar " + gocell.AtName + " = __gk.At\nvar " + gocell.CheckedName + " = __gk.Checked\nvar " + gocell.CheckName + " = __gk.Check\nvar " + gocell.LineName + " = __gk.Line\nvar " + gocell.PanicName + " = __gk.Panic\nvar " + gocell.RecoverName + " = __gk.Recovered\nvar " + gocell.IfaceName + " = __gk.Iface\nvar " + gocell.DeferName + " = __gk.Defer\nvar " + timeitFunc + " func()\n" +
			"var " + gocell.NamedName + " = __gk.Named\nvar " + gocell.CallsName + " int\nvar " + gocell.StackName + " = __gk.Stack\n" +
			"var " + gocell.MinPickName + " = __gk.MinPick\nvar " + gocell.MaxPickName + " = __gk.MaxPick",
		gocell.MinMaxPrelude(),
	} {
		if _, err := e.evalRaw(context.Background(), src); err != nil {
			return fmt.Errorf("goeval: prepare interpreter: %w", err)
		}
	}
	return nil
}

// streams returns where what cells print goes: the router, or with Options.Direct the
// process's own standard output and error.
func (e *Engine) streams() (stdout, stderr io.Writer) {
	if e.opts.Direct {
		return os.Stdout, os.Stderr
	}
	return e.router.Writer(router.Stdout), e.router.Writer(router.Stderr)
}

// Info describes Go and this engine.
func (e *Engine) Info() engine.Info {
	v := strings.TrimPrefix(runtime.Version(), "go")
	return engine.Info{
		Implementation:        "gokernel",
		ImplementationVersion: Version,
		Banner: "gokernel " + Version + ": Go " + v + " interpreted by yaegi, with the thread, lock, queue, " +
			"pool, process, display and timeline packages preloaded.\nType %help for magics, limits and packages.",
		Language: engine.LanguageInfo{
			Name:           "go",
			Version:        v,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
		HelpLinks: []engine.HelpLink{
			{Text: "Go language specification", URL: "https://go.dev/ref/spec"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "gokernel runtime packages", URL: "https://pkg.go.dev/github.com/gokernel/gokernel/runtime"},
		},
	}
}

// Interrupt stops the running cell: its evaluation ends, every sleep, lock and wait the
// interpreter is blocked in (in any goroutine) is broken, and every child process is killed.
func (e *Engine) Interrupt() {
	e.runMu.Lock()
	cancel := e.cancel
	e.runMu.Unlock()
	if cancel != nil {
		cancel()
	}
	interrupt.Fire()
	process.KillAll()
}

// Close restores the process's descriptors.
func (e *Engine) Close() error {
	e.Interrupt()
	if e.capture != nil {
		return e.capture.Close()
	}
	return nil
}

// errInterrupted is the cause of a cell's context when it is interrupted.
var errInterrupted = errors.New("interrupted")

// Execute runs one cell.
func (e *Engine) Execute(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	e.mu.Lock()
	defer e.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	e.runMu.Lock()
	e.cancel = func() { cancel(errInterrupted) }
	e.runMu.Unlock()
	defer func() {
		e.runMu.Lock()
		e.cancel = nil
		e.runMu.Unlock()
		cancel(nil)
	}()

	e.router.Begin(req.Count, out)
	e.stdin.begin(ctx, req.AllowStdin)
	e.deadlock.Store(nil)
	defer e.watchDeadlock(ctx, cancel)()
	res := e.executeSafely(ctx, req, out)
	if err := e.runDefers(); err != nil && res.Err == nil {
		res = engine.ExecuteResult{Err: err}
	}
	// A goroutine that has just delivered the cell's result is usually about to return:
	// give it a moment before calling it still running.
	for wait := 0; wait < 10 && e.router.Live(req.Count) > 0 && ctx.Err() == nil; wait++ {
		time.Sleep(5 * time.Millisecond)
	}
	if e.capture != nil {
		e.capture.Sync()
	}
	live, panics := e.router.End(req.Count)
	if res.Err == nil && len(panics) > 0 {
		res.Err = &engine.Error{
			Name:      "panic",
			Value:     "a goroutine started by this cell panicked (see its report above)",
			Traceback: []string{"a goroutine started by this cell panicked; its report is printed above"},
		}
		res.Data = nil
	}
	if live > 0 && context.Cause(ctx) == nil {
		s := "s are"
		if live == 1 {
			s = " is"
		}
		out.Stream(router.Stderr, fmt.Sprintf("note: %d goroutine%s still running after this cell ended "+
			"(a Go program would have stopped them); their output will be marked [In %d].\n", live, s, req.Count))
	}
	return res
}

// executeSafely runs the cell, turning a panic that escapes the kernel's own code (the
// cell rewriter, say; the interpreter's crashes are caught where it is called) into an
// error for the cell, so that the kernel and its session survive it.
func (e *Engine) executeSafely(ctx context.Context, req engine.ExecuteRequest, out engine.Output) (res engine.ExecuteResult) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Printf("goeval: internal error on cell %d: %v\n%s", req.Count, r, debug.Stack())
			res = engine.ExecuteResult{Err: newError("InternalError",
				fmt.Sprintf("gokernel failed on this cell (%v); the session and its state are intact, and this is a kernel bug worth reporting", r))}
		}
	}()
	return e.execute(ctx, req, out)
}

// runGo runs Go source: the cell's segments in order. Code may be part of a cell, with blank
// lines in front so that line numbers stay those of the cell.
func (e *Engine) runGo(ctx context.Context, req engine.ExecuteRequest) engine.ExecuteResult {
	code := req.Code
	e.topLine.Store(0)
	kind, typ, typeDef := e.kinds(ctx)
	env := gocell.Env{Package: e.pkgs.lookup, Declared: e.declared, Kind: kind, Type: typ, TypeDef: typeDef,
		Symbol: e.symbol, Compiled: e.compiled, Result: e.resultText, MarkLines: true, UnwrapRecover: true,
		PackageType: e.packageType, Interfaces: true, StackChecks: true, Count: req.Count}
	plan, err := e.parse(env, code)
	if err != nil {
		return engine.ExecuteResult{Err: cellError(err, code)}
	}
	for _, im := range plan.Imports {
		name := im.PackageName()
		if name == "_" || e.imported[name] == im.Path {
			continue
		}
		if _, err := e.evalRaw(ctx, im.Source()); err != nil {
			if im.Line > 0 {
				return engine.ExecuteResult{Err: cellError(&gocell.Error{Line: im.Line, Column: im.Column,
					Msg: "cannot import " + im.Path + ": " + err.Error()}, code)}
			}
			return engine.ExecuteResult{Err: &engine.Error{Name: "ImportError", Value: err.Error(),
				Traceback: []string{"ImportError: cannot import " + im.Path + ": " + err.Error()}}}
		}
		e.imported[name] = im.Path
	}
	// The cell's names are known from here on: a child process started by this very cell
	// must find the functions it declares.
	e.remember(plan, req.Count)
	var result resultHolder
	var hasResult bool
	for k := 0; k < len(plan.Segments); k++ {
		seg := plan.Segments[k]
		last := k == len(plan.Segments)-1
		src := seg.Source
		if seg.Kind == gocell.Statements {
			src = enterStatements(src)
		}
		var err error
		if last && plan.Result != nil && !req.Silent {
			var v resultHolder
			v, err = e.evalWithResult(ctx, req.Count, code, seg, plan.Result)
			result, hasResult = v, v.ok
		} else {
			_, err = e.evalSegment(ctx, req.Count, code, seg, src)
		}
		if err == nil {
			continue
		}
		if seg.Hoisted() && !env.NoHoist && ctx.Err() == nil && compileFailure(err) {
			// Evaluate the segment again as written, for the interpreter's plain words.
			env.NoHoist = true
			if p, perr := e.parse(env, code); perr == nil && len(p.Segments) == len(plan.Segments) {
				plan = p
				k--
				continue
			}
		}
		if u, ok := e.undefinedName(plan, err); ok {
			return engine.ExecuteResult{Err: undefinedError(u, req.Count, code)}
		}
		return engine.ExecuteResult{Err: e.describe(ctx, err, req.Count)}
	}
	if !hasResult {
		return engine.ExecuteResult{}
	}
	data, md := formatResult(result.v, result.rich)
	return engine.ExecuteResult{Data: data, Metadata: md}
}

// remember records the names a cell declared, for completion, inspection and auto-imports.
func (e *Engine) remember(plan *gocell.Plan, count int) {
	e.nameMu.Lock()
	defer e.nameMu.Unlock()
	for _, im := range plan.Imports {
		e.replay.addImport(im.PackageName(), im.Source())
	}
	for _, d := range plan.Decls {
		e.names[d.Name] = d.Kind.String()
		e.decls[d.Name] = d
		key := d.Name
		if d.Kind == gocell.MethodDecl {
			key = d.Recv + "." + d.Name
		}
		e.replay.addDecl(key, d.Source, count, d.Line)
		e.rich.add(d)
	}
}

// kinds returns the Env.Kind, Env.Type and Env.TypeDef of the cell about to run. Kind is
// reflect.Func for the session's functions, and the kind of the static type of the
// session's variables and constants, except those holding functions (which are not
// functions to hand to a child process). The interpreter's globals are read once, when
// first asked.
func (e *Engine) kinds(ctx context.Context) (kind func(string) reflect.Kind, typ, typeDef func(string) reflect.Type) {
	var globals map[string]reflect.Value
	global := func(name string) (reflect.Value, string) {
		e.nameMu.RLock()
		k := e.names[name]
		e.nameMu.RUnlock()
		if k != "var" && k != "const" {
			return reflect.Value{}, k
		}
		if globals == nil {
			globals = e.globals()
		}
		return globals[name], k
	}
	// Functions and types are not among the interpreter's globals: their types come
	// from evaluating the function's name and a zero value of the type, once per cell.
	evaluated := map[string]reflect.Type{}
	typeOf := func(src string) reflect.Type {
		if t, ok := evaluated[src]; ok {
			return t
		}
		var t reflect.Type
		if v, err := e.evalRaw(ctx, src); err == nil && v.IsValid() {
			t = v.Type()
		}
		evaluated[src] = t
		return t
	}
	kind = func(name string) reflect.Kind {
		v, k := global(name)
		if k == "func" {
			return reflect.Func
		}
		if v.Kind() == reflect.Func {
			return reflect.Invalid
		}
		return v.Kind()
	}
	typ = func(name string) reflect.Type {
		v, k := global(name)
		switch {
		case v.IsValid():
			return v.Type()
		case k == "func":
			if t := typeOf(name); t != nil && t.Kind() == reflect.Func {
				return t
			}
		}
		return nil
	}
	typeDef = func(name string) reflect.Type {
		if _, k := global(name); k == "type" {
			return typeOf("*new(" + name + ")")
		}
		return nil
	}
	return kind, typ, typeDef
}

// symbol is gocell.Env.Symbol: the type of a preloaded package's member. It answers nothing
// about a package whose preloaded name the session has imported under another path, since
// a cell's pkg.Name then need not mean that package's member.
func (e *Engine) symbol(pkgPath, name string) reflect.Type {
	if e.renamed(pkgPath) {
		return nil
	}
	return e.pkgs.symbol(pkgPath, name)
}

// packageType is gocell.Env.PackageType: the type a preloaded package's exported type
// denotes, with nothing said about a renamed package, as for symbol.
func (e *Engine) packageType(pkgPath, name string) reflect.Type {
	if e.renamed(pkgPath) {
		return nil
	}
	return e.pkgs.typeSymbol(pkgPath, name)
}

// renamed reports whether the session has imported another package under the name of
// preloaded package pkgPath.
func (e *Engine) renamed(pkgPath string) bool {
	for n, p := range e.imported {
		if p != pkgPath {
			if q, _ := e.pkgs.lookup(n); q == pkgPath {
				return true
			}
		}
	}
	return false
}

// globals returns the interpreter's global variables and constants, or an empty map when it
// cannot list them: after a cell whose top-level definition failed to compile, yaegi keeps a
// symbol without storage, and listing the globals panics.
func (e *Engine) globals() (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return e.i.Globals()
}

// markLine is bound to gocell.LineName: it records the cell line of the top-level
// statement about to run.
func (e *Engine) markLine(line int) { e.topLine.Store(int64(line)) }

// compiled is gocell.Env.Compiled: the compiled type a session variable was declared
// from, as the cell that declared it found.
func (e *Engine) compiled(name string) reflect.Type {
	e.nameMu.RLock()
	defer e.nameMu.RUnlock()
	if d, ok := e.decls[name]; ok && d.Kind == gocell.VarDecl {
		return d.Compiled
	}
	return nil
}

// resultText is gocell.Env.Result: the text of the predeclared result type of session
// function name, as the cell that declared it found.
func (e *Engine) resultText(name string) string {
	e.nameMu.RLock()
	defer e.nameMu.RUnlock()
	if d, ok := e.decls[name]; ok && d.Kind == gocell.FuncDecl {
		return d.Result
	}
	return ""
}

// declared reports whether name is a session-level identifier.
func (e *Engine) declared(name string) bool {
	e.nameMu.RLock()
	defer e.nameMu.RUnlock()
	_, ok := e.names[name]
	return ok
}

// enterStatements makes a statement segment register its goroutine with the running cell
// first, on the prefix line so that line numbers do not move.
func enterStatements(src string) string {
	if strings.HasPrefix(src, ";") {
		return ";__gk_enter();" + src[1:]
	}
	return src
}

// evalSegment evaluates one segment's source, numbered after every earlier segment.
func (e *Engine) evalSegment(ctx context.Context, count int, code string, seg gocell.Segment, src string) (reflect.Value, error) {
	numbered, sp := e.place(count, code, seg, src)
	e.record(sp)
	return e.evalRaw(ctx, numbered)
}

// place returns src with blank lines in front, so that its lines come after every line the
// interpreter has numbered so far, and the span that maps them to the cell. Record the span
// once src is given to the interpreter.
func (e *Engine) place(count int, code string, seg gocell.Segment, src string) (string, span) {
	sp := span{first: e.lines + 1, n: strings.Count(src, "\n") + 1, count: count, seg: seg, code: code}
	return strings.Repeat("\n", sp.first-1) + src, sp
}

// record notes that the interpreter's lines of sp are taken.
func (e *Engine) record(sp span) {
	e.spans = append(e.spans, sp)
	e.lines += sp.n
}

// evalRaw evaluates src, turning interpreter crashes that escape Eval into errors.
func (e *Engine) evalRaw(ctx context.Context, src string) (v reflect.Value, err error) {
	defer catchCrash(&err)
	v, err = e.i.EvalWithContext(ctx, src)
	if o := e.evalOverflow.Swap(nil); o != nil && err == nil {
		return reflect.Value{}, overflowError{*o}
	}
	return v, err
}

// internalError is an interpreter crash caught outside Eval.
type internalError struct{ value any }

func (e internalError) Error() string { return fmt.Sprint(e.value) }

// catchCrash, deferred by a call into the interpreter, turns a panic that escaped it into an
// internalError in *err.
func catchCrash(err *error) {
	if r := recover(); r != nil {
		*err = internalError{value: r}
	}
}

// evalWithResult evaluates the final segment so that its trailing expression's value is kept.
// A value of a notebook type with rich-display methods gets its rich forms too (see
// evalRich). When the expression has no value (a call of a function without results), the
// plain form runs.
func (e *Engine) evalWithResult(ctx context.Context, count int, code string, seg gocell.Segment, r *gocell.Result) (resultHolder, error) {
	holder := &resultHolder{}
	e.setResultSink(holder)
	defer e.setResultSink(nil)
	if ran, err := e.evalRich(ctx, count, code, seg, r); ran {
		return *holder, err
	}
	withValue := seg
	withValue.Source = r.ValueSource
	_, err := e.evalSegment(ctx, count, code, withValue, enterStatements(r.ValueSource))
	if err == nil {
		return *holder, nil
	}
	if !isNoValue(err) {
		return resultHolder{}, err
	}
	_, err = e.evalSegment(ctx, count, code, seg, enterStatements(seg.Source))
	return resultHolder{}, err
}

// deferCall registers f to run when the running cell ends (a top-level defer statement).
func (e *Engine) deferCall(f func()) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.defers = append(e.defers, f)
}

// runDefers runs the cell's deferred calls, last first, and reports the first panic.
func (e *Engine) runDefers() *engine.Error {
	e.runMu.Lock()
	defers := e.defers
	e.defers = nil
	e.runMu.Unlock()
	var first *engine.Error
	for i := len(defers) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if v := recover(); v != nil && first == nil && !isStop(v) {
					first = &engine.Error{Name: "panic", Value: panicText(v),
						Traceback: []string{"panic in a deferred call: " + panicText(v)}}
				}
			}()
			defers[i]()
		}()
	}
	return first
}

// setResultSink directs the next trailing-expression value to h.
func (e *Engine) setResultSink(h *resultHolder) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.result = h
}

// sink returns where a trailing expression's value goes, or nil.
func (e *Engine) sink() *resultHolder {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.result
}

// show receives a trailing expression's value from the interpreter.
func (e *Engine) show(v any) {
	if h := e.sink(); h != nil {
		h.set(v, false)
	}
}

// isNoValue reports whether err says an expression used as a value has none.
func isNoValue(err error) bool {
	s := err.Error()
	for _, m := range []string{"used as value", "cannot use func", "as type ()", "no value", "multiple-value", "assignment mismatch", "too many arguments"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
