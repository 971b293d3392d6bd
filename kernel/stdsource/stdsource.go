// Package stdsource holds Go source of the standard library's generic packages, slices and
// maps, written in forms the interpreter can run. Compiled functions with type parameters
// cannot be handed to the interpreter, so these packages exist in a session only as
// interpreted source: the evaluator compiles [Sources] after the standard library's
// symbols, and the functions here take the place of the interpreter's own.
package stdsource

import (
	_ "embed" // for go:embed
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
)

//go:embed slices/slices.go
var slicesSource string

//go:embed maps/maps.go
var mapsSource string

// Sources returns the source files to compile, one package each.
func Sources() []string {
	return []string{slicesSource, mapsSource}
}

// Members returns the import path of each package of [Sources] with the names it exports,
// for completion: the interpreter lists no symbols for them.
func Members() (map[string][]string, error) {
	members := map[string][]string{}
	for _, src := range Sources() {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("stdsource: parse: %w", err)
		}
		var names []string
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				names = append(names, fd.Name.Name)
			}
		}
		members[f.Name.Name] = names
	}
	return members, nil
}
