package goeval

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strings"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/goeval/router"
)

// replay is what a child process needs to rebuild the session's top-level names: the imports
// and the declarations (functions, methods, types, variables, constants), in the order they
// were last defined. Statements are not replayed: a child starts from freshly initialised
// globals, as Python's "spawn" start method does.
type replay struct {
	Imports []entry `json:"imports"`
	Decls   []entry `json:"decls"`
}

type entry struct {
	Key    string `json:"key"`
	Source string `json:"source"`
	Count  int    `json:"count,omitempty"` // the cell it came from, for positions in traces
	Line   int    `json:"line,omitempty"`  // its first line in that cell
}

// set replaces the entry with key or appends it; a redefinition moves to the end, after the
// names it may use.
func set(list []entry, en entry) []entry {
	for i, old := range list {
		if old.Key == en.Key {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	return append(list, en)
}

func (r *replay) addImport(name, source string) {
	r.Imports = set(r.Imports, entry{Key: name, Source: source})
}

func (r *replay) addDecl(key, source string, count, line int) {
	r.Decls = set(r.Decls, entry{Key: key, Source: source, Count: count, Line: line})
}

// WriteReplay writes the session's imports and declarations to path, for a child process.
func (e *Engine) WriteReplay(path string) error {
	e.nameMu.RLock()
	b, err := json.Marshal(e.replay)
	e.nameMu.RUnlock()
	if err != nil {
		return fmt.Errorf("goeval: encode replay: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("goeval: write replay: %w", err)
	}
	return nil
}

// Replay rebuilds a session's names from a file written by WriteReplay. A declaration that
// fails (for example one whose initial value needs state that statements created) is
// skipped; the errors are returned together for the caller to report if a needed name is
// missing.
func (e *Engine) Replay(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("goeval: read replay: %w", err)
	}
	var r replay
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("goeval: decode replay: %w", err)
	}
	// A variable whose initial value calls functions (results := ex.Map(f, xs)) is rebuilt
	// only when a declaration needs it: running it again in every child would repeat its
	// work and its side effects.
	lazy := map[string]entry{}
	done := map[string]bool{} // sources already run: names declared together share one
	var failed []failure
	run := func(en entry) *engine.Error {
		if done[en.Source] {
			return nil
		}
		done[en.Source] = true
		// Blank lines in front keep the declaration on its line of its cell, so that a
		// panic's trace names the notebook's own lines.
		src := strings.Repeat("\n", max(en.Line-1, 0)) + en.Source
		res := e.Execute(context.Background(), engine.ExecuteRequest{Code: src, Count: en.Count, Silent: true}, discard{})
		return res.Err
	}
	for _, im := range r.Imports {
		run(im)
	}
	for _, d := range r.Decls {
		if callsFunctions(d.Source) {
			lazy[d.Key] = d
			continue
		}
		if err := run(d); err != nil {
			failed = append(failed, failure{d, err})
		}
	}
	// Build the held-back variables that failures name, then retry the failures, until none
	// names one. Each round builds at least one, so this ends.
	for {
		var built []entry
		for _, f := range failed {
			if m := undefinedName.FindStringSubmatch(f.err.Value); m != nil {
				if v, ok := lazy[m[1]]; ok {
					delete(lazy, m[1])
					built = append(built, v)
				}
			}
		}
		if len(built) == 0 {
			break
		}
		retry := failed
		failed = nil
		for _, v := range built {
			if err := run(v); err != nil {
				failed = append(failed, failure{v, err})
			}
		}
		for _, f := range retry {
			done[f.en.Source] = false
			if err := run(f.en); err != nil {
				failed = append(failed, failure{f.en, err})
			}
		}
	}
	if len(failed) > 0 {
		var msgs []string
		for _, f := range failed {
			first, _, _ := strings.Cut(strings.TrimSpace(f.en.Source), "\n")
			msgs = append(msgs, fmt.Sprintf("%s: %s", first, f.err.Value))
		}
		return fmt.Errorf("goeval: %d declarations could not be rebuilt: %s", len(failed), strings.Join(msgs, "; "))
	}
	return nil
}

// failure is a declaration that could not be rebuilt, and why.
type failure struct {
	en  entry
	err *engine.Error
}

// undefinedName finds the name in an "undefined: name" error.
var undefinedName = regexp.MustCompile(`undefined: ([A-Za-z_][A-Za-z0-9_]*)`)

// callsFunctions reports whether a variable declaration's initial value calls a function
// (conversions and the builtins that only build values do not count).
func callsFunctions(src string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+src, 0)
	if err != nil {
		return false
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if fn, ok := n.(*ast.FuncDecl); ok && fn.Body != nil {
			return false // a function's body does not run when it is declared
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		c, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
			switch id.Name {
			case "make", "new", "len", "cap", "append", "complex", "real", "imag",
				"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
				"float32", "float64", "string", "byte", "rune", "bool":
				return true
			}
		}
		switch ast.Unparen(c.Fun).(type) {
		case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType:
			return true // a conversion
		}
		found = true
		return false
	})
	return found
}

// Lookup returns the value of a session-level name, such as a function to run in a child
// process. A function is returned wrapped so that a panic in it carries the notebook's own
// call stack (cell and line of each frame) rather than the interpreter's.
func (e *Engine) Lookup(name string) (any, error) {
	v, err := e.evalRaw(context.Background(), name)
	if err != nil {
		return nil, fmt.Errorf("goeval: %s: %w", name, err)
	}
	if !v.IsValid() || !v.CanInterface() {
		return nil, fmt.Errorf("goeval: %s has no value", name)
	}
	if v.Kind() != reflect.Func {
		return v.Interface(), nil
	}
	wrapped := reflect.MakeFunc(v.Type(), func(args []reflect.Value) []reflect.Value {
		defer func() {
			if r := recover(); r != nil {
				if isStop(r) {
					panic(r)
				}
				if x, ok := unwrap(r).(exitRequest); ok {
					os.Exit(x.code)
				}
				trace := e.mapTrace(e.router.TakeTrace(router.Goid()), r, 0)
				panic(&cellPanic{value: unwrap(r), trace: trace})
			}
		}()
		if v.Type().IsVariadic() {
			return v.CallSlice(args)
		}
		return v.Call(args)
	})
	return wrapped.Interface(), nil
}

// cellPanic is a panic of a notebook function in a child process, with the notebook's call
// stack.
type cellPanic struct {
	value any
	trace []string
}

func (p *cellPanic) Error() string { return panicText(p.value) }

// PanicValue returns the value the function panicked with.
func (p *cellPanic) PanicValue() any { return panicText(p.value) }

// PanicStack returns the notebook's call stack, innermost frame first.
func (p *cellPanic) PanicStack() string {
	var b strings.Builder
	b.WriteString("goroutine of the child process:\n")
	for _, t := range p.trace {
		b.WriteString("    " + t + "\n")
	}
	return b.String()
}

// discard is an engine.Output that drops everything.
type discard struct{}

func (discard) Stream(string, string)                                {}
func (discard) Display(map[string]any, map[string]any, string, bool) {}
func (discard) Clear(bool)                                           {}
func (discard) Input(context.Context, string, bool) (string, error)  { return "", engine.ErrNoStdin }
