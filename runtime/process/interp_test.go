package process_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/runtime/process"
)

// These tests run functions defined in the yaegi interpreter in child
// processes, the way the gokernel kernel does: the parent passes Named
// functions, and the child builds an interpreter from the same declarations
// and resolves names in it through Serve.

// interpEnv makes the test binary serve as a child with interpResolver.
const interpEnv = "PROCESS_TEST_INTERP"

// declarations stand for the cells a notebook has run.
const declarations = `
import (
	"fmt"

	"github.com/gokernel/gokernel/runtime/process"
)

type job struct {
	ID   int
	name string
	Tags []string
}

func square(n int) int { return n * n }

func describe(j job) string { return fmt.Sprintf("%d:%s:%v in %s", j.ID, j.name, j.Tags, process.Current().Name()) }

func makeJob(id int) job { return job{ID: id, name: "made", Tags: []string{"a"}} }

func count(q *process.Queue, n int) {
	for i := 0; i < n; i++ {
		q.Put(i * i)
	}
}
`

// interpSymbols exports, by hand, what the declarations use.
func interpSymbols() interp.Exports {
	return interp.Exports{
		"fmt/fmt": {
			"Sprintf": reflect.ValueOf(fmt.Sprintf),
			"Println": reflect.ValueOf(fmt.Println),
		},
		"github.com/gokernel/gokernel/runtime/process/process": {
			"New":     reflect.ValueOf(process.New),
			"Named":   reflect.ValueOf(process.Named),
			"Current": reflect.ValueOf(process.Current),
			"Process": reflect.ValueOf((*process.Process)(nil)),
			"Target":  reflect.ValueOf((*process.Target)(nil)),
			"Queue":   reflect.ValueOf((*process.Queue)(nil)),
		},
	}
}

// newInterpreter returns an interpreter that has evaluated the declarations.
func newInterpreter() (*interp.Interpreter, error) {
	i := interp.New(interp.Options{Stdout: os.Stdout, Stderr: os.Stderr})
	if err := i.Use(interpSymbols()); err != nil {
		return nil, err
	}
	if _, err := i.Eval(declarations); err != nil {
		return nil, fmt.Errorf("declarations: %w", err)
	}
	return i, nil
}

// interpResolver is the Resolver of the children in these tests.
func interpResolver(name string) (any, error) {
	i, err := newInterpreter()
	if err != nil {
		return nil, err
	}
	v, err := i.Eval(name)
	if err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

func useInterpreterChildren(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	process.SetLauncher(func() (process.Command, error) {
		return process.Command{Path: exe, Env: []string{interpEnv + "=1"}}, nil
	})
	t.Cleanup(func() { process.SetLauncher(nil) })
}

func TestInterpretedFunctions(t *testing.T) {
	useInterpreterChildren(t)
	i, err := newInterpreter()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call string // an expression of type *process.Process
		want string // the result, formatted with %v
	}{
		{"int", `process.New(process.Named("square", square), 7)`, "49"},
		{"interpreted struct argument", `process.New(process.Named("describe", describe), job{ID: 3, name: "x", Tags: []string{"t"}}).Named("P9")`, "3:x:[t] in P9"},
		{"interpreted struct result", `process.New(process.Named("makeJob", makeJob), 5)`, "{5 made [a]}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := i.Eval(tc.call)
			if err != nil {
				t.Fatal(err)
			}
			p := v.Interface().(*process.Process)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			got, err := p.Result()
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprintf("%v", got); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestInterpretedQueue(t *testing.T) {
	useInterpreterChildren(t)
	i, err := newInterpreter()
	if err != nil {
		t.Fatal(err)
	}
	q := process.NewQueue()
	p := process.New(process.Named("count", evalFunc(t, i, "count")), q, 4)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	for want := range 4 {
		if got := q.Get(); got != want*want {
			t.Errorf("Get() = %v, want %d", got, want*want)
		}
	}
}

func evalFunc(t *testing.T, i *interp.Interpreter, name string) any {
	t.Helper()
	v, err := i.Eval(name)
	if err != nil {
		t.Fatal(err)
	}
	return v.Interface()
}

func TestInterpretedFunctionWithoutName(t *testing.T) {
	i, err := newInterpreter()
	if err != nil {
		t.Fatal(err)
	}
	err = process.New(evalFunc(t, i, "square"), 2).Start()
	if err == nil || !strings.Contains(err.Error(), "cannot run an anonymous function") {
		t.Errorf("Start() = %v, want the anonymous function error", err)
	}
}
