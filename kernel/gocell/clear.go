package gocell

import (
	"fmt"
	"reflect"
)

// Clear does what the builtin clear does, for the evaluator to bind to [ClearName]: it
// deletes every entry of a map and sets every element of a slice to its zero value. A
// nil map or slice is left alone. Any other value panics, as the builtin would not
// compile with it.
func Clear(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("clear(%T): argument must be a map or a slice", v))
	}
}
