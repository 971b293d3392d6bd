package process

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/gokernel/gokernel/runtime/internal/invoke"
)

// Target is a function together with the name under which a child process
// finds it. Create one with Named.
type Target struct {
	name string
	fn   any
}

// Named returns f under name, for New, Worker.Call and process pools. A
// child process resolves name to its own copy of the function: through
// Register in a compiled program, or through the Resolver given to Serve.
// Named is how functions that the runtime cannot name, such as functions
// defined in the gokernel interpreter, are run in child processes:
//
//	p := process.New(process.Named("square", square), 3)
func Named(name string, f any) Target {
	return Target{name: name, fn: f}
}

// Name returns the name under which a child finds the function.
func (t Target) Name() string { return t.name }

// Func returns the function.
func (t Target) Func() any { return t.fn }

// Resolver returns the function known by name in a child process. The
// function's parameter types tell how the arguments are decoded.
type Resolver func(name string) (any, error)

// registry holds the functions of a compiled program that may run in child
// processes. It is process-wide, as the child must find by name what the
// parent registered in the same program.
var registry = funcRegistry{byName: make(map[string]reflect.Value)}

type funcRegistry struct {
	mu     sync.Mutex
	byName map[string]reflect.Value
}

// Register makes f, a function, runnable in child processes under name, and
// lets New recognize f when it is passed without a name. A compiled program
// registers its functions in init or at the top of main, before calling Main,
// so that the parent and its children, which run the same program, agree:
//
//	func init() { process.Register("square", square) }
//
// Register panics if f is not a function or name is empty or taken.
func Register(name string, f any) {
	fn := reflect.ValueOf(f)
	if f == nil || fn.Kind() != reflect.Func || fn.IsNil() {
		panic(fmt.Sprintf("process: Register(%q): %T is not a function", name, f))
	}
	if name == "" {
		panic("process: Register: empty name")
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, taken := registry.byName[name]; taken {
		panic(fmt.Sprintf("process: Register: %q is already registered", name))
	}
	registry.byName[name] = fn
}

// Lookup returns the function registered under name. It is the Resolver that
// Main uses.
func Lookup(name string) (any, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	fn, ok := registry.byName[name]
	if !ok {
		return nil, fmt.Errorf("process: no function is registered as %q in this program", name)
	}
	return fn.Interface(), nil
}

// nameOf returns the name under which fn is registered, comparing code
// pointers. Functions made by reflect, which include every function of the
// interpreter, share one code pointer and are never matched this way.
func (r *funcRegistry) nameOf(fn reflect.Value) string {
	if isReflectMade(fn) {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, reg := range r.byName {
		if reg.Type() == fn.Type() && reg.Pointer() == fn.Pointer() {
			return name
		}
	}
	return ""
}

// codeName returns the qualified name of the code of fn, such as
// "main.square", or "" if the runtime does not know it.
func codeName(fn reflect.Value) string {
	if rf := runtime.FuncForPC(fn.Pointer()); rf != nil {
		return rf.Name()
	}
	return ""
}

func isReflectMade(fn reflect.Value) bool {
	name := codeName(fn)
	return name == "" || strings.HasPrefix(name, "reflect.")
}

// closureName matches the names the compiler gives to function literals.
var closureName = regexp.MustCompile(`\.func\d+(\.\d+)*$`)

// errAnonymous is the error for a function that a child process cannot find.
var errAnonymous = errors.New("cannot run an anonymous function (closure or func literal) in a child process; pass a top-level function")

// target returns the name under which a child finds f, and f as a function.
func target(f any) (string, reflect.Value, error) {
	if t, ok := f.(Target); ok {
		fn := reflect.ValueOf(t.fn)
		if t.name == "" {
			return "", fn, errors.New("Named: empty name")
		}
		if t.fn == nil || fn.Kind() != reflect.Func || fn.IsNil() {
			return "", fn, fmt.Errorf("Named(%q): %T is not a function", t.name, t.fn)
		}
		return t.name, fn, nil
	}
	fn := reflect.ValueOf(f)
	if f == nil || fn.Kind() != reflect.Func {
		return "", fn, fmt.Errorf("target is %T, want a function", f)
	}
	if fn.IsNil() {
		return "", fn, fmt.Errorf("target is a nil %s", fn.Type())
	}
	if name := registry.nameOf(fn); name != "" {
		return name, fn, nil
	}
	code := codeName(fn)
	switch {
	case isReflectMade(fn), closureName.MatchString(code):
		return "", fn, errAnonymous
	case strings.HasSuffix(code, "-fm"):
		return "", fn, fmt.Errorf("cannot run the method value %s in a child process; pass a top-level function", strings.TrimSuffix(code, "-fm"))
	}
	short := code[strings.LastIndex(code, ".")+1:]
	return "", fn, fmt.Errorf("function %s is not registered; call process.Register(%q, %s) in an init function", code, short, short)
}

// call is a function call checked and encoded, ready to be sent to a child.
type call struct {
	name string       // the name the child resolves
	args [][]byte     // each argument encoded with its parameter's type
	out  reflect.Type // the type of the function's value result; nil if none
}

// prepare checks that f can run in a child process with args and encodes the
// arguments. Every error that can be known before a child runs is reported
// here: an unknown function, arguments that do not fit, and parameter or
// result types that cannot cross a process boundary. Its errors, like those
// of startChild, lack the package prefix, which the exported caller adds
// with its own context.
func prepare(f any, args []any) (*call, error) {
	name, fn, err := target(f)
	if err != nil {
		return nil, err
	}
	if _, err := invoke.Prepare(fn.Interface(), args); err != nil {
		if strings.HasPrefix(invoke.Name(fn.Interface()), "function ") {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, err
	}
	ft := fn.Type()
	c := &call{name: name, args: make([][]byte, len(args))}
	if ft.NumOut() > 0 && ft.Out(0) != errorType {
		c.out = ft.Out(0)
		if err := checkType(c.out); err != nil {
			return nil, fmt.Errorf("%s: result: %w", name, err)
		}
	}
	for i := range ft.NumIn() {
		if err := checkType(ft.In(i)); err != nil {
			return nil, fmt.Errorf("%s: parameter %d: %w", name, i+1, err)
		}
	}
	for i, a := range args {
		want := paramType(ft, i)
		b, err := encode(want, convertArg(a, want))
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", name, i+1, err)
		}
		c.args[i] = b
	}
	return c, nil
}

// paramType returns the type of argument i of a function of type ft.
func paramType(ft reflect.Type, i int) reflect.Type {
	if ft.IsVariadic() && i >= ft.NumIn()-1 {
		return ft.In(ft.NumIn() - 1).Elem()
	}
	return ft.In(i)
}

// convertArg returns a, already checked by invoke.Prepare, as a value of type
// want.
func convertArg(a any, want reflect.Type) reflect.Value {
	v := reflect.New(want).Elem()
	if a == nil {
		return v
	}
	av := reflect.ValueOf(a)
	if av.Type().AssignableTo(want) {
		v.Set(av)
	} else {
		v.Set(av.Convert(want))
	}
	return v
}

// outcome returns the function's value and error as the child's reply
// reports them: a function that returned has its value, decoded into its
// result type, even alongside an error; a call that panicked, exited or
// failed has none.
func (c *call) outcome(rep reply) (any, error) {
	err := rep.err()
	if err != nil && rep.Outcome != outcomeReturned {
		return nil, err
	}
	value, derr := c.result(rep.Result)
	if derr != nil {
		return nil, derr
	}
	return value, err
}

// result decodes the value a child returned into the result type of the
// function.
func (c *call) result(b []byte) (any, error) {
	if c.out == nil || len(b) == 0 {
		return nil, nil
	}
	v := reflect.New(c.out).Elem()
	if err := decode(b, v); err != nil {
		return nil, fmt.Errorf("process: %s: decode result: %w", c.name, err)
	}
	if c.out.Kind() == reflect.Interface && v.IsNil() {
		return nil, nil
	}
	return v.Interface(), nil
}
