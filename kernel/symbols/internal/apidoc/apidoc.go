// Package apidoc extracts the documented API of Go packages: their source files with function
// bodies removed and comments kept, enough for go/doc to show signatures and doc comments
// where the package's source is not at hand (in an installed kernel, far from the module).
package apidoc

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
)

// Extract returns, for every import path, its non-test Go files (as the go command selects
// them for this platform) with function bodies removed.
func Extract(paths []string) (map[string][]string, error) {
	args := append([]string{"list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \" \"}}"}, paths...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w", strings.Join(paths, " "), err)
	}
	api := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("go list: unexpected line %q", line)
		}
		for _, name := range strings.Fields(fields[2]) {
			src, err := declarations(filepath.Join(fields[1], name))
			if err != nil {
				return nil, err
			}
			api[fields[0]] = append(api[fields[0]], src)
		}
	}
	return api, nil
}

// declarations returns the file at path without imports, function bodies and unexported
// declarations, and without the comments that were inside them or documented them.
func declarations(path string) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return "", fmt.Errorf("apidoc: %w", err)
	}
	type span struct{ from, to token.Pos }
	var dropped []span // whose comments go too
	var decls []ast.Decl
	for _, d := range f.Decls {
		whole := span{d.Pos(), d.End()}
		if doc := docOf(d); doc != nil {
			whole.from = doc.Pos()
		}
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				dropped = append(dropped, span{d.Body.Pos(), d.Body.End()})
				d.Body = nil
			}
			if !exportedFunc(d) {
				dropped = append(dropped, whole)
				continue
			}
		case *ast.GenDecl:
			// Imports go too: documentation needs none, and api.json then changes only
			// when the API or its doc comments do.
			if d.Tok == token.IMPORT || !exportedSpecs(d) {
				dropped = append(dropped, whole)
				continue
			}
		}
		decls = append(decls, d)
	}
	f.Decls = decls
	f.Imports = nil
	var kept []*ast.CommentGroup
	for _, c := range f.Comments {
		inside := false
		for _, n := range dropped {
			inside = inside || (n.from <= c.Pos() && c.End() <= n.to)
		}
		if !inside {
			kept = append(kept, c)
		}
	}
	f.Comments = kept
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, f); err != nil {
		return "", fmt.Errorf("apidoc: printing %s: %w", path, err)
	}
	return b.String(), nil
}

// exportedFunc reports whether a function or method is part of the package's API.
func exportedFunc(fn *ast.FuncDecl) bool {
	if !fn.Name.IsExported() {
		return false
	}
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return true
	}
	t := fn.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.IsExported()
		default:
			return false
		}
	}
}

// exportedSpecs drops the unexported specs of a const, var or type declaration and reports
// whether any is left. A const group keeps its unexported names when one is exported, since
// iota counts them.
func exportedSpecs(d *ast.GenDecl) bool {
	var specs []ast.Spec
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			if s.Name.IsExported() {
				specs = append(specs, s)
			}
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if n.IsExported() {
					specs = append(specs, s)
					break
				}
			}
		}
	}
	if d.Tok == token.CONST && len(specs) > 0 {
		return true
	}
	d.Specs = specs
	return len(specs) > 0
}

// docOf returns the doc comment of a declaration, or nil.
func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}
