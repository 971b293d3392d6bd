package goeval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
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
	var failed []string
	run := func(en entry) {
		// Blank lines in front keep the declaration on its line of its cell, so that a
		// panic's trace names the notebook's own lines.
		src := strings.Repeat("\n", max(en.Line-1, 0)) + en.Source
		res := e.Execute(context.Background(), engine.ExecuteRequest{Code: src, Count: en.Count, Silent: true}, discard{})
		if res.Err != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(en.Source), "\n")
			failed = append(failed, fmt.Sprintf("%s: %s", first, res.Err.Value))
		}
	}
	for _, im := range r.Imports {
		run(im)
	}
	for _, d := range r.Decls {
		run(d)
	}
	if len(failed) > 0 {
		return fmt.Errorf("goeval: %d declarations could not be rebuilt: %s", len(failed), strings.Join(failed, "; "))
	}
	return nil
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
				trace := e.mapTrace(e.router.TakeTrace(router.Goid()))
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
