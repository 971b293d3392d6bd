// Package stdsource holds Go source of the standard library's generic packages, slices and
// maps, written in forms the interpreter can run. Compiled functions with type parameters
// cannot be handed to the interpreter, so these packages exist in a session only as
// interpreted source: the evaluator compiles [Sources] after the standard library's
// symbols, and the functions here take the place of the interpreter's own.
package stdsource

import _ "embed" // for go:embed

//go:embed slices/slices.go
var slicesSource string

//go:embed maps/maps.go
var mapsSource string

// Sources returns the source files to compile, one package each.
func Sources() []string {
	return []string{slicesSource, mapsSource}
}
