package goeval

import (
	"bufio"
	"context"
	"fmt"
	"go/constant"
	"io"
	"log"
	"os"
	"path"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/gocell"
	"github.com/gokernel/gokernel/kernel/goeval/interrupt"
	"github.com/gokernel/gokernel/kernel/goeval/router"
	"github.com/gokernel/gokernel/runtime/process"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// hooksPath is the import path of the kernel's hooks inside the interpreter. Rewritten cells
// call them through the __gk_* variables.
const hooksPath = "gokernel/hooks"

// stdlibSymbols returns yaegi's standard library symbols.
func stdlibSymbols() interp.Exports { return stdlib.Symbols }

// exitRequest is the panic value of os.Exit and log.Fatal in a cell.
type exitRequest struct{ code int }

func (x exitRequest) Error() string { return fmt.Sprintf("os.Exit(%d)", x.code) }

// overrides replaces standard-library symbols that would block an interrupt, end the kernel,
// escape the cell's output or read the kernel's own standard input.
func (e *Engine) overrides() interp.Exports {
	_, stderr := e.streams()
	// A cell's os.Exit ends the cell; in a child process (Direct) it ends the process, as the
	// function running there expects.
	exit := func(code int) { panic(exitRequest{code}) }
	if e.opts.Direct {
		exit = os.Exit
	}
	fatal := func(msg string) {
		_ = log.New(stderr, "", log.LstdFlags).Output(3, msg)
		exit(1)
	}
	return interp.Exports{
		hooksPath + "/hooks": {
			"Go":        reflect.ValueOf(e.spawn),
			"Enter":     reflect.ValueOf(e.enter),
			"Show":      reflect.ValueOf(e.show),
			"Rich":      reflect.ValueOf(e.showRich),
			"Form":      reflect.ValueOf(e.addForm),
			"Fail":      reflect.ValueOf(e.formFailed),
			"Clear":     reflect.ValueOf(gocell.Clear),
			"MinPick":   reflect.ValueOf(gocell.MinPick),
			"MaxPick":   reflect.ValueOf(gocell.MaxPick),
			"Index":     reflect.ValueOf(gocell.IndexPanic),
			"Check":     reflect.ValueOf(gocell.IndexCheck),
			"At":        reflect.ValueOf(gocell.IndexAt),
			"Checked":   reflect.ValueOf(gocell.IndexChecked),
			"Line":      reflect.ValueOf(e.markLine),
			"Panic":     reflect.ValueOf(e.panics.record),
			"Recovered": reflect.ValueOf(gocell.Recovered),
			"Iface":     reflect.ValueOf(gocell.Interface),
			"Stack":     reflect.ValueOf(e.guard.Check),
			"Defer":     reflect.ValueOf(e.deferCall),
			"Named":     reflect.ValueOf(func(name string, f any) any { return process.Named(name, f) }),
		},
		"time/time": {
			"Sleep":     reflect.ValueOf(sleep),
			"AfterFunc": reflect.ValueOf(e.afterFunc),
			// Timers are remembered for the deadlock watch.
			"After":     reflect.ValueOf(func(d time.Duration) <-chan time.Time { e.timers.add(d); return time.After(d) }),
			"NewTimer":  reflect.ValueOf(func(d time.Duration) *time.Timer { e.timers.add(d); return time.NewTimer(d) }),
			"Tick":      reflect.ValueOf(func(d time.Duration) <-chan time.Time { e.timers.forever.Store(true); return time.Tick(d) }),
			"NewTicker": reflect.ValueOf(func(d time.Duration) *time.Ticker { e.timers.forever.Store(true); return time.NewTicker(d) }),
		},
		"context/context": {
			"WithTimeout": reflect.ValueOf(func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
				e.timers.add(d)
				return context.WithTimeout(ctx, d)
			}),
			"WithDeadline": reflect.ValueOf(func(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
				e.timers.add(time.Until(t))
				return context.WithDeadline(ctx, t)
			}),
		},
		"sync/sync": {
			"Mutex":     reflect.ValueOf((*interrupt.Mutex)(nil)),
			"RWMutex":   reflect.ValueOf((*interrupt.RWMutex)(nil)),
			"WaitGroup": reflect.ValueOf((*interrupt.WaitGroup)(nil)),
		},
		"os/os": {
			"Exit": reflect.ValueOf(exit),
		},
		"log/log": {
			"Fatal":   reflect.ValueOf(func(v ...any) { fatal(fmt.Sprint(v...)) }),
			"Fatalf":  reflect.ValueOf(func(f string, v ...any) { fatal(fmt.Sprintf(f, v...)) }),
			"Fatalln": reflect.ValueOf(func(v ...any) { fatal(fmt.Sprintln(v...)) }),
		},
		"bufio/bufio": {
			"NewReader":     reflect.ValueOf(func(r io.Reader) *bufio.Reader { return bufio.NewReader(e.stdinFor(r)) }),
			"NewReaderSize": reflect.ValueOf(func(r io.Reader, n int) *bufio.Reader { return bufio.NewReaderSize(e.stdinFor(r), n) }),
			"NewScanner":    reflect.ValueOf(func(r io.Reader) *bufio.Scanner { return bufio.NewScanner(e.stdinFor(r)) }),
		},
		"io/io": {
			"ReadAll": reflect.ValueOf(func(r io.Reader) ([]byte, error) { return io.ReadAll(e.stdinFor(r)) }),
		},
	}
}

// stdinFor replaces the process's standard input by the frontend's input box.
func (e *Engine) stdinFor(r io.Reader) io.Reader {
	if f, ok := r.(*os.File); ok && f == os.Stdin {
		return e.stdin
	}
	return r
}

// spawn runs a cell's go statement: f runs in a goroutine of the cell, and a panic in it is
// reported instead of ending the kernel. A timeline being recorded gets a row for it.
func (e *Engine) spawn(f func()) {
	e.router.Spawn(timeline.Wrap(f), isStop, e.goroutinePanic)
}

// enter is called first by each statement segment, on the interpreter's goroutine: that
// goroutine belongs to the running cell, and is the cell's main thread in a timeline.
func (e *Engine) enter() {
	e.router.Enter()
	timeline.NameCurrent("MainThread")
}

// sleep is time.Sleep for cells: an interrupt breaks it, and a timeline shows it.
func sleep(d time.Duration) {
	defer timeline.Begin(timeline.Sleeping, "time.Sleep").End()
	interrupt.Sleep(d)
}

// afterFunc is time.AfterFunc with the callback guarded like a go statement.
func (e *Engine) afterFunc(d time.Duration, f func()) *time.Timer {
	e.timers.add(d)
	return time.AfterFunc(d, func() { e.spawn(f) })
}

// isStop reports whether a recovered value is an interrupt or an exit of the cell.
func isStop(v any) bool {
	switch unwrap(v).(type) {
	case interrupt.Stopped, *interrupt.Stopped:
		return true
	}
	return false
}

// goroutinePanic describes a panic recovered in goroutine g.
func (e *Engine) goroutinePanic(g uint64, v any) string {
	raw := e.router.TakeTrace(g)
	trace := e.mapTrace(raw, v, 0)
	if len(raw) > 0 && len(trace) > 0 {
		if f, ok := e.goStatementFrame(raw[len(raw)-1]); ok {
			trace[len(trace)-1] = f
		}
	}
	var b strings.Builder
	if x, ok := unwrap(v).(exitRequest); ok {
		fmt.Fprintf(&b, "%s called in a goroutine: the goroutine stopped (the kernel keeps running)\n", x.Error())
		return b.String()
	}
	fmt.Fprintf(&b, "panic in goroutine: %s\n", panicText(v))
	for _, t := range trace {
		b.WriteString("    " + t + "\n")
	}
	return b.String()
}

// traceLine matches the lines yaegi writes to stderr for each frame of a panicking stack.
var traceLine = regexp.MustCompile(`^(\d+):(\d+): panic(?:: (.*))?\n?$`)

// traceFilter separates the interpreter's panic trace lines from what a cell writes to stderr.
type traceFilter struct {
	r *router.Router
	w io.Writer
}

func (t traceFilter) Write(p []byte) (int, error) {
	if len(p) < 256 && traceLine.Match(p) {
		t.r.AddTrace(router.Goid(), strings.TrimRight(string(p), "\n"))
		return len(p), nil
	}
	return t.w.Write(p)
}

// packages knows the preloaded packages by name, for automatic imports and completion.
type packages struct {
	byName  map[string]string                   // package name -> import path
	members map[string]map[string]bool          // import path -> exported names
	values  map[string]map[string]reflect.Value // import path -> name -> symbol, as loaded
}

// preferred settles package names that several import paths share.
var preferred = map[string]string{
	"rand":     "math/rand",
	"template": "text/template",
	"scanner":  "text/scanner",
	"pprof":    "runtime/pprof",
	"constant": "go/constant",
	"parser":   "go/parser",
	"ast":      "go/ast",
	"build":    "go/build",
	"doc":      "go/doc",
	"format":   "go/format",
	"token":    "go/token",
	"types":    "go/types",
	"printer":  "go/printer",
	"json":     "encoding/json",
	"xml":      "encoding/xml",
	"big":      "math/big",
	"trace":    "runtime/trace",
	"debug":    "runtime/debug",
	"sync":     "sync",
	"atomic":   "sync/atomic",
	"heap":     "container/heap",
	"list":     "container/list",
	"ring":     "container/ring",
	"url":      "net/url",
	"http":     "net/http",
	"html":     "golang.org/x/net/html", // a superset of the standard html package, and an HTML parser
	"cmplx":    "math/cmplx",
	"bits":     "math/bits",
	"utf8":     "unicode/utf8",
	"utf16":    "unicode/utf16",
	"filepath": "path/filepath",
	"path":     "path",
	"signal":   "os/signal",
	"exec":     "os/exec",
	"user":     "os/user",
	"fs":       "io/fs",
	"slog":     "log/slog",
}

func newPackages(exports []interp.Exports) *packages {
	p := &packages{byName: map[string]string{}, members: map[string]map[string]bool{},
		values: map[string]map[string]reflect.Value{}}
	for _, x := range exports {
		for key, syms := range x {
			dir, name := path.Dir(key), path.Base(key)
			// The interpreter's Use lets a later export of a symbol replace an earlier one.
			if p.values[dir] == nil {
				p.values[dir] = map[string]reflect.Value{}
			}
			for s, v := range syms {
				p.values[dir][s] = v
			}
			if dir == hooksPath || strings.Contains(dir, "internal") || strings.HasPrefix(dir, "syscall") && dir != "syscall" {
				continue
			}
			m := p.members[dir]
			if m == nil {
				m = map[string]bool{}
				p.members[dir] = m
			}
			for s := range syms {
				if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
					m[s] = true
				}
			}
			if old, ok := p.byName[name]; ok && old != dir {
				if pref, ok := preferred[name]; ok {
					p.byName[name] = pref
					continue
				}
				if len(dir) < len(old) {
					p.byName[name] = dir
				}
				continue
			}
			p.byName[name] = dir
		}
	}
	return p
}

// addSource adds packages that exist only as interpreted source, given as import path and
// exported names.
func (p *packages) addSource(members map[string][]string) {
	for dir, names := range members {
		m := p.members[dir]
		if m == nil {
			m = map[string]bool{}
			p.members[dir] = m
		}
		for _, n := range names {
			m[n] = true
		}
		if _, ok := p.byName[path.Base(dir)]; !ok {
			p.byName[path.Base(dir)] = dir
		}
	}
}

// symbol returns the type of member name of the package with import path pkgPath as a cell
// sees it (see gocell.Env.Symbol): a function's, a variable's or a typed constant's type,
// string for an untyped string constant, nil for a type or an unknown name.
func (p *packages) symbol(pkgPath, name string) reflect.Type {
	v, ok := p.values[pkgPath][name]
	switch {
	case !ok || !v.IsValid():
		return nil
	case v.CanAddr(): // a variable: reflect.ValueOf(&pkg.V).Elem()
		return v.Type()
	case v.Kind() == reflect.Pointer && v.IsNil(): // a type: reflect.ValueOf((*pkg.T)(nil))
		return nil
	}
	if c, ok := v.Interface().(constant.Value); ok { // an untyped constant
		if c.Kind() == constant.String {
			return reflect.TypeFor[string]()
		}
		return nil
	}
	return v.Type()
}

// typeSymbol returns the type that exported type name of preloaded package pkgPath
// denotes, or nil.
func (p *packages) typeSymbol(pkgPath, name string) reflect.Type {
	v, ok := p.values[pkgPath][name]
	if !ok || !v.IsValid() || v.Kind() != reflect.Pointer || !v.IsNil() || v.CanAddr() {
		return nil
	}
	return v.Type().Elem()
}

// lookup returns the import path of a preloaded package name.
func (p *packages) lookup(name string) (string, bool) {
	path, ok := p.byName[name]
	return path, ok
}

// stdinReader reads lines from the frontend's input box for the running cell.
type stdinReader struct {
	current func() engine.Output
	sync    func() // delivers what the cell printed so far, such as its prompt; may be nil

	mu      sync.Mutex
	ctx     context.Context
	allowed bool
	buf     []byte
}

// Read implements io.Reader, asking the frontend for a line when its buffer is empty.
func (s *stdinReader) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) == 0 {
		out := s.current()
		if out == nil || !s.allowed {
			return 0, engine.ErrNoStdin
		}
		if s.sync != nil {
			s.sync()
		}
		line, err := out.Input(s.ctx, "", false)
		if err != nil {
			return 0, err
		}
		s.buf = []byte(line + "\n")
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// begin prepares the reader for a new cell.
func (s *stdinReader) begin(ctx context.Context, allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx, s.allowed, s.buf = ctx, allowed, nil
}

// kernelOwned replaces the parts of the process package that belong to the program embedding
// it, which in a notebook is the kernel: a cell that changed how children start, or turned the
// kernel into a child, would break every later cell that starts a process.
func kernelOwned() interp.Exports {
	refuse := func(name string) string {
		return "process." + name + " is managed by the kernel and cannot be called from a notebook"
	}
	return interp.Exports{
		"github.com/gokernel/gokernel/runtime/process/process": {
			"Main":        reflect.ValueOf(func() { panic(refuse("Main")) }),
			"Serve":       reflect.ValueOf(func(process.Resolver) { panic(refuse("Serve")) }),
			"SetLauncher": reflect.ValueOf(func(process.Launcher) { panic(refuse("SetLauncher")) }),
		},
	}
}
