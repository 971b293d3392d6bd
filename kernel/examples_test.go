package main

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// exampleLimits lists the standard library examples the kernel cannot run, each with the
// interpreter limit it hits (README, "Known limits"). The test checks that they still
// fail, so that the list shrinks when the interpreter grows.
var exampleLimits = map[string]string{
	"bytes.ExampleLines":                           "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"bytes.ExampleSplitSeq":                        "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"bytes.ExampleSplitAfterSeq":                   "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"bytes.ExampleFieldsSeq":                       "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"bytes.ExampleFieldsFuncSeq":                   "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"strings.ExampleLines":                         "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"strings.ExampleSplitSeq":                      "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"strings.ExampleSplitAfterSeq":                 "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"strings.ExampleFieldsSeq":                     "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"strings.ExampleFieldsFuncSeq":                 "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"errors.ExampleAsType":                         "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"errors.ExampleAsType_custom_match":            "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"sync.ExampleOnceValue":                        "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"sync.ExampleOnceValues":                       "Go 1.21+ API missing from the interpreter's standard library (yaegi v0.16.1)",
	"bufio.ExampleWriter_ReadFrom":                 "return at the top level of a cell",
	"encoding/base64.Example":                      "return at the top level of a cell",
	"encoding/base64.ExampleEncoding_DecodeString": "return at the top level of a cell",
	"encoding/base64.ExampleEncoding_Decode":       "return at the top level of a cell",
	"encoding/json.Example_customMarshalJSON":      "compiled code does not see the methods of a cell's types",
	"encoding/json.Example_textMarshalJSON":        "compiled code does not see the methods of a cell's types",
	"errors.ExampleIs_custom_match":                "compiled code does not see the methods of a cell's types",
	"errors.ExampleAs_custom_match":                "compiled code does not see the methods of a cell's types",
	"errors.ExampleJoin":                           "compiled code does not see the methods of a cell's types",
	"sort.Example":                                 "compiled code does not see the methods of a cell's types",
	"strings.ExampleClone":                         "package unsafe is not offered",
}

// TestStandardLibraryExamples runs the examples of standard library packages, whose
// documented output ("// Output:") says what real Go prints, as notebook cells on the
// kernel: the declarations of each example file in one cell, then each example's body in
// a cell of its own. Each file gets a fresh kernel, since files redeclare types.
func TestStandardLibraryExamples(t *testing.T) {
	root := filepath.Join(build.Default.GOROOT, "src")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no standard library sources at %s: %v", root, err)
	}
	dirs := []string{"bufio", "bytes", "container/heap", "container/list", "container/ring", "encoding/base64",
		"encoding/hex", "encoding/json", "errors", "fmt", "io", "math", "regexp", "sort", "strconv", "strings",
		"sync", "text/template", "unicode/utf8"}
	ran, passed := 0, 0
	seen := map[string]bool{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "example*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			decls, examples := exampleFile(t, path)
			if len(examples) == 0 {
				continue
			}
			k := launch(t)
			if decls != "" {
				if err := execute(t, k, decls).Err(); err != nil {
					t.Errorf("%s: the file's declarations: %v", path, err)
					continue
				}
			}
			for _, ex := range examples {
				name := dir + "." + ex.name
				seen[name] = true
				r := execute(t, k, ex.body)
				ran++
				ok := r.Err() == nil && normalize(r.Stdout()) == normalize(ex.want)
				if ok {
					passed++
				}
				limit, known := exampleLimits[name]
				switch {
				case !ok && !known:
					t.Errorf("%s: error %v\nstdout %q\nwant   %q", name, r.Err(), r.Stdout(), ex.want)
				case ok && known:
					t.Errorf("%s now runs; remove it from exampleLimits (%s)", name, limit)
				}
			}
		}
	}
	var stale []string
	for name := range exampleLimits {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("exampleLimits names examples that were not found: %v", stale)
	}
	t.Logf("%d examples with output ran, %d gave it", ran, passed)
}

// An example is the body of an Example function and the output it documents.
type example struct{ name, body, want string }

// exampleFile returns the declarations of an example file other than imports and Example
// functions, as one cell, and its examples that document an ordered output.
func exampleFile(t *testing.T, path string) (decls string, examples []example) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	text := func(from, to token.Pos) string {
		return string(src[fset.Position(from).Offset:fset.Position(to).Offset])
	}
	var parts []string
	for _, d := range f.Decls {
		fd, isFunc := d.(*ast.FuncDecl)
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		if !isFunc || !strings.HasPrefix(fd.Name.Name, "Example") {
			parts = append(parts, text(d.Pos(), d.End()))
			continue
		}
		for _, c := range f.Comments {
			if c.Pos() < fd.Body.Lbrace || c.End() > fd.Body.Rbrace {
				continue
			}
			if out, ok := strings.CutPrefix(c.Text(), "Output:"); ok {
				examples = append(examples, example{name: fd.Name.Name, body: text(fd.Body.Lbrace+1, fd.Body.Rbrace), want: out})
			}
		}
	}
	return strings.Join(parts, "\n\n"), examples
}

// normalize trims the output and each of its lines, as go test compares example output.
func normalize(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
