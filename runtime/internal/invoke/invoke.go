// Package invoke calls functions whose type is only known at run time, the way
// the gokernel runtime calls the targets of threads and pool tasks.
//
// A target may be any function, compiled or interpreted, that takes the given
// arguments and returns nothing, a value, an error, or a value and an error.
// Prepare checks the function against its arguments once and reports a
// mismatch as an ordinary error that names the function and the expected
// types; Call.Run then calls it and turns a panic into a *PanicError.
//
// Arguments are matched as a Go call with constant arguments would match them,
// as far as that can be told after the arguments were boxed in an interface:
//   - a value assignable to the parameter type is passed as is;
//   - an untyped nil is passed as the zero value of a pointer, interface, map,
//     slice, function or channel parameter;
//   - a number is converted to another numeric type when the value survives:
//     3 may be passed for an int64 or float64 parameter, but 300 is refused
//     for an int8, 2.5 for an int and -1 for a uint;
//   - a bool or string is converted to a named type of the same kind.
package invoke

import (
	"bytes"
	"errors"
	"fmt"
	callstack "github.com/gokernel/gokernel/runtime/stack"
	"math"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
)

// ErrGoexit is the error recorded for a target that ended its goroutine with
// runtime.Goexit instead of returning.
var ErrGoexit = errors.New("target called runtime.Goexit")

var errorType = reflect.TypeFor[error]()

// Call is a function checked against its arguments and ready to run.
type Call struct {
	fn reflect.Value
	in []reflect.Value
}

// Prepare checks that f is a function that accepts args and returns no
// result, one result, or a value and an error, and converts the arguments to
// the parameter types.
//
// A named function (a value with a method Func() any, such as process.Target) stands for
// its function, so that code written for child processes also runs in threads.
func Prepare(f any, args []any) (Call, error) {
	if t, ok := f.(interface{ Func() any }); ok {
		f = t.Func()
	}
	fn := reflect.ValueOf(f)
	if f == nil || fn.Kind() != reflect.Func {
		return Call{}, fmt.Errorf("target is %s, want a function", describeValue(f))
	}
	if fn.IsNil() {
		return Call{}, fmt.Errorf("target is a nil %s", fn.Type())
	}
	ft := fn.Type()
	name := Name(f)
	if err := checkResults(name, ft); err != nil {
		return Call{}, err
	}
	fixed := ft.NumIn()
	if ft.IsVariadic() {
		fixed--
	}
	if len(args) < fixed || (!ft.IsVariadic() && len(args) > fixed) {
		return Call{}, fmt.Errorf("%s takes %s, got %s", name, describeParams(ft), describeArgs(args))
	}
	in := make([]reflect.Value, len(args))
	for i, arg := range args {
		var want reflect.Type
		if i < fixed {
			want = ft.In(i)
		} else {
			want = ft.In(fixed).Elem()
		}
		v, err := convert(arg, want)
		if err != nil {
			return Call{}, fmt.Errorf("%s: argument %d is %w", name, i+1, err)
		}
		in[i] = v
	}
	return Call{fn: fn, in: in}, nil
}

// Run calls the prepared function and returns its result and error. A
// function with no result returns (nil, nil); a function whose only result is
// an error returns (nil, err). A panic is recovered and returned as a
// *PanicError. If the function calls runtime.Goexit, Run does not return; the
// caller's deferred functions run as the goroutine ends.
func (c Call) Run() (any, error) {
	return Guard(func() (any, error) {
		return results(c.fn.Call(c.in))
	})
}

// Guard calls fn and returns its results, turning a panic into a
// *PanicError that carries the panic value and the stack of the panic.
func Guard(fn func() (any, error)) (value any, err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// recover returns nil only during runtime.Goexit, which cannot be
		// stopped; panic(nil) arrives as a *runtime.PanicNilError.
		if r := recover(); r != nil {
			v := unwrapValue(r)
			stack := panicStack(debug.Stack())
			// An interpreter that knows its own call stack better than the host's
			// (source lines instead of interpreter internals) panics with a value
			// that carries it.
			if s, ok := v.(interface{ PanicStack() string }); ok {
				stack = []byte(s.PanicStack())
				if u, ok := v.(interface{ PanicValue() any }); ok {
					v = u.PanicValue()
				}
			} else if s, ok := callstack.Describe(v); ok {
				stack = []byte(s)
			}
			value, err = nil, &PanicError{Value: v, Stack: stack}
		}
	}()
	value, err = fn()
	returned = true
	return value, err
}

// Name describes f for messages: the qualified name of a compiled function,
// such as "main.worker", or "function" and its type, such as
// "function func(int) error", for closures whose name the runtime does not
// know, including functions defined in the interpreter.
func Name(f any) string {
	fn := reflect.ValueOf(f)
	if fn.Kind() != reflect.Func {
		return describeValue(f)
	}
	if !fn.IsNil() {
		if rf := runtime.FuncForPC(fn.Pointer()); rf != nil {
			name := strings.TrimSuffix(rf.Name(), "-fm")
			if name != "" && !strings.HasPrefix(name, "reflect.") {
				return name
			}
		}
	}
	return "function " + fn.Type().String()
}

// PanicError reports a panic in a target. Its message follows the shape of
// Go's own crash report: the panic value, a blank line, and the stack of the
// panicking goroutine from the panic on.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the formatted stack of the goroutine at the panic.
	Stack []byte
}

// Error returns "panic: " followed by the panic value and the stack.
func (e *PanicError) Error() string {
	msg := "panic: " + fmt.Sprint(e.Value)
	if len(e.Stack) == 0 {
		return msg
	}
	return msg + "\n\n" + strings.TrimRight(string(e.Stack), "\n")
}

// Unwrap returns the panic value if it is an error, so that errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// unwrapValue returns the value inside a reflect.Value, which is how the
// interpreter delivers the values of panics raised in interpreted code.
func unwrapValue(r any) any {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		return v.Interface()
	}
	return r
}

// panicStack keeps the header line of a stack dump and the frames from the
// first panic call on, dropping the frames of the recovery itself.
func panicStack(stack []byte) []byte {
	header, rest, found := bytes.Cut(stack, []byte("\n"))
	if !found {
		return stack
	}
	i := bytes.Index(rest, []byte("\npanic("))
	if i < 0 {
		return stack
	}
	out := append([]byte{}, header...)
	return append(out, rest[i:]...)
}

// checkResults accepts no result, one result, or a value and an error.
func checkResults(name string, ft reflect.Type) error {
	switch ft.NumOut() {
	case 0, 1:
		return nil
	case 2:
		if isError(ft.Out(1)) {
			return nil
		}
	}
	outs := make([]string, ft.NumOut())
	for i := range outs {
		outs[i] = ft.Out(i).String()
	}
	return fmt.Errorf("%s returns (%s), want no result, one result, or a value and an error",
		name, strings.Join(outs, ", "))
}

// isError reports whether t is an interface type that includes error.
func isError(t reflect.Type) bool {
	return t.Kind() == reflect.Interface && t.Implements(errorType)
}

// results turns the outputs of a call accepted by checkResults into a value
// and an error.
func results(out []reflect.Value) (any, error) {
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		if isError(out[0].Type()) {
			return nil, asError(out[0])
		}
		return asAny(out[0]), nil
	default:
		return asAny(out[0]), asError(out[1])
	}
}

func asAny(v reflect.Value) any {
	if v.Kind() == reflect.Interface && v.IsNil() {
		return nil
	}
	return v.Interface()
}

func asError(v reflect.Value) error {
	if v.IsNil() {
		return nil
	}
	return v.Interface().(error)
}

// convert turns arg into a value of type want, following the rules in the
// package documentation.
func convert(arg any, want reflect.Type) (reflect.Value, error) {
	if arg == nil {
		switch want.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice,
			reflect.Func, reflect.Chan, reflect.UnsafePointer:
			return reflect.Zero(want), nil
		}
		return reflect.Value{}, fmt.Errorf("nil, want %s", want)
	}
	v := reflect.ValueOf(arg)
	have := v.Type()
	if have.AssignableTo(want) {
		return v, nil
	}
	hk, wk := have.Kind(), want.Kind()
	switch {
	case (hk == reflect.Bool || hk == reflect.String) && hk == wk:
		return v.Convert(want), nil
	case isNumeric(hk) && isNumeric(wk):
		if c, ok := convertNumber(v, want); ok {
			return c, nil
		}
		return reflect.Value{}, fmt.Errorf("%s %v, which does not fit %s", have, arg, want)
	}
	return reflect.Value{}, fmt.Errorf("%s, want %s", have, want)
}

func isNumeric(k reflect.Kind) bool {
	return isInt(k) || isFloat(k) || isComplex(k)
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}

func isFloat(k reflect.Kind) bool {
	return k == reflect.Float32 || k == reflect.Float64
}

func isComplex(k reflect.Kind) bool {
	return k == reflect.Complex64 || k == reflect.Complex128
}

// convertNumber converts v to want if the value survives: exactly for integer
// targets, without overflow to infinity for floating-point targets. Complex
// numbers convert only to complex types.
func convertNumber(v reflect.Value, want reflect.Type) (reflect.Value, bool) {
	hk, wk := v.Kind(), want.Kind()
	if isComplex(hk) != isComplex(wk) {
		return reflect.Value{}, false
	}
	if isFloat(hk) && (math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)) && isInt(wk) {
		return reflect.Value{}, false
	}
	c := v.Convert(want)
	switch {
	case isInt(wk):
		// Exact if converting back gives the same value and the sign survived.
		if !c.Convert(v.Type()).Equal(v) || isNegative(v) != isNegative(c) {
			return reflect.Value{}, false
		}
	case isFloat(wk):
		if math.IsInf(c.Float(), 0) && !(isFloat(hk) && math.IsInf(v.Float(), 0)) {
			return reflect.Value{}, false
		}
	}
	return c, true
}

func isNegative(v reflect.Value) bool {
	switch {
	case v.Kind() >= reflect.Int && v.Kind() <= reflect.Int64:
		return v.Int() < 0
	case isFloat(v.Kind()):
		return v.Float() < 0
	}
	return false
}

func describeValue(f any) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprintf("%T (%v)", f, f)
}

// describeParams renders the parameter list of ft, such as
// "2 arguments (int, string)" or "at least 1 argument (string, ...int)".
func describeParams(ft reflect.Type) string {
	types := make([]string, ft.NumIn())
	for i := range types {
		types[i] = ft.In(i).String()
	}
	n := ft.NumIn()
	quantity := ""
	if ft.IsVariadic() {
		types[n-1] = "..." + ft.In(n-1).Elem().String()
		n--
		quantity = "at least "
	}
	return fmt.Sprintf("%s%s (%s)", quantity, plural(n, "argument"), strings.Join(types, ", "))
}

// describeArgs renders the dynamic types of args, such as "2 (int, string)".
func describeArgs(args []any) string {
	types := make([]string, len(args))
	for i, a := range args {
		if a == nil {
			types[i] = "nil"
		} else {
			types[i] = reflect.TypeOf(a).String()
		}
	}
	return fmt.Sprintf("%d (%s)", len(args), strings.Join(types, ", "))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
