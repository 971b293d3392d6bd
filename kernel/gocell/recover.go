package gocell

import "reflect"

// Recovered returns the value of a panic that recover returned in a cell: yaegi hands
// a deferred function the value of panic(v), called in interpreted code, wrapped in a
// reflect.Value, so that r.(error) fails and %T prints reflect.Value; Recovered unwraps
// it. The error of a failed type assertion becomes Go's runtime error ([Conversion]).
// Other values, nil and runtime errors among them, pass through. The evaluator binds it
// to [RecoverName].
func Recovered(v any) any {
	v = unwrapValue(v)
	if c, ok := Conversion(v); ok {
		return c
	}
	return v
}

// unwrapValue returns the value inside v when v is a reflect.Value the interpreter
// wrapped it in, and v otherwise.
func unwrapValue(v any) any {
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		return rv.Interface()
	}
	return v
}
