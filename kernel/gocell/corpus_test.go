package gocell

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseStandardLibraryBodies runs the bodies of the standard library's non-generic
// functions through Parse as cells: real Go that uses every statement form. Parse must
// never panic (a panic here once took the kernel down on switch {}), and what it accepts
// must rewrite into valid Go that keeps the cell's lines. Rejections are fine: bodies
// refer to names no cell declares, and some use features the interpreter lacks.
func TestParseStandardLibraryBodies(t *testing.T) {
	root := filepath.Join(build.Default.GOROOT, "src")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no standard library sources at %s: %v", root, err)
	}
	dirs := []string{"bufio", "bytes", "container", "encoding", "fmt", "go", "net/http", "regexp", "sort", "strconv", "strings", "sync", "text", "time", "unicode"}
	if testing.Short() {
		dirs = dirs[:4]
	}
	cells, accepted := 0, 0
	for _, dir := range dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				return nil // a file for another toolchain
			}
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || fd.Body == nil || fd.Type.TypeParams != nil || fd.Recv != nil && len(fd.Recv.List) > 0 && hasTypeParams(fd.Recv.List[0].Type) {
					continue
				}
				cell := string(src[fset.Position(fd.Body.Lbrace).Offset+1 : fset.Position(fd.Body.Rbrace).Offset])
				cells++
				if parseNoPanic(t, path, fd.Name.Name, cell) {
					accepted++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d function bodies, %d accepted", cells, accepted)
	if cells < 1000 || accepted < cells/4 {
		t.Errorf("%d bodies, %d accepted: the corpus is not what this test expects", cells, accepted)
	}
}

// hasTypeParams reports whether receiver type t is instantiated (T[K]).
func hasTypeParams(t ast.Expr) bool {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t.(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}

// parseNoPanic parses cell, the body of function fn in file path, and checks what Parse
// accepts. It reports whether Parse accepted the cell.
func parseNoPanic(t *testing.T, path, fn, cell string) (accepted bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Parse panicked on the body of %s in %s: %v", fn, path, r)
		}
	}()
	env := testEnv("session")
	env.StackChecks = true
	plan, err := env.Parse(cell)
	if err != nil {
		return false
	}
	checkSegments(t, cell, plan)
	return true
}
