package gocell

import (
	"errors"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// testEnv knows a few packages and session names.
func testEnv(session ...string) Env {
	return Env{
		Package: func(name string) (string, bool) {
			switch name {
			case "fmt", "strings", "sort", "time", "sync", "log", "errors", "math":
				return name, true
			case "thread", "process":
				return "github.com/gokernel/gokernel/runtime/" + name, true
			case "rand":
				return "math/rand/v2", true
			}
			return "", false
		},
		Declared: func(name string) bool {
			for _, s := range session {
				if s == name {
					return true
				}
			}
			return false
		},
	}
}

// mustParse parses a cell that must be accepted and checks the invariants every plan
// keeps: each segment is valid Go after its prefix, and keeps the cell's line count.
func mustParse(t *testing.T, env Env, cell string) *Plan {
	t.Helper()
	plan, err := env.Parse(cell)
	if err != nil {
		t.Fatalf("Parse(%q): %v", cell, err)
	}
	checkSegments(t, cell, plan)
	return plan
}

func checkSegments(t *testing.T, cell string, plan *Plan) {
	t.Helper()
	lines := strings.Split(cell, "\n")
	sources := make([]string, 0, len(plan.Segments)+1)
	for _, s := range plan.Segments {
		sources = append(sources, s.Source)
	}
	if plan.Result != nil {
		sources = append(sources, plan.Result.ValueSource)
	}
	for k, src := range sources {
		seg := plan.Segments[min(k, len(plan.Segments)-1)]
		prefix := stmtPrefix
		wrapped := "package p\nfunc _() {\n" + src + "\n}"
		if seg.Kind == Declarations {
			prefix, wrapped = declPrefix, src
		}
		if !strings.HasPrefix(src, prefix) || seg.FirstLine != 2 {
			t.Errorf("segment %d of %q: source %q, first line %d; want prefix %q on line 1", k, cell, src, seg.FirstLine, prefix)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", wrapped, 0); err != nil {
			t.Errorf("segment %d of %q is not valid Go: %v\n%s", k, cell, err, src)
		}
		// The last source line holds the segment's last cell line, which is not blank.
		last := seg.CellLine(strings.Count(src, "\n") + 1)
		if last < seg.Line || last > len(lines) || strings.TrimSpace(lines[last-1]) == "" {
			t.Errorf("segment %d of %q: its %d lines end at cell line %d", k, cell, strings.Count(src, "\n")+1, last)
		}
	}
}

func TestParseSegments(t *testing.T) {
	type seg struct {
		kind SegmentKind
		line int
		has  string // text the segment's source contains
	}
	tests := []struct {
		name string
		cell string
		want []seg
	}{
		{"only a function", "func f() int {\n\treturn 1\n}", []seg{{Declarations, 1, "func f()"}}},
		{"method", "func (t T) M() {}", []seg{{Declarations, 1, "func (t T) M()"}}},
		{"function literal call is a statement", "func() { println(1) }()", []seg{{Statements, 1, "func() { println(1) }()"}}},
		{"mixed order", "x := 1\nfunc f() int { return x }\ntype T int\ny := f()\nprintln(y)",
			[]seg{{Statements, 1, "x := 1"}, {Declarations, 2, "type T int"}, {Statements, 4, "println(y)"}}},
		{"semicolons on one line", "a := 1; func g() {}; b := a", []seg{{Statements, 1, "a := 1"}, {Declarations, 1, "func g()"}, {Statements, 1, "b := a"}}},
		{"imports leave the segments", "import \"fmt\"\nfmt.Println()\nimport \"strings\"\nstrings.ToUpper(\"a\")",
			[]seg{{Statements, 2, "fmt.Println()"}, {Statements, 4, "strings.ToUpper"}}},
		{"var with a value is a statement", "var n int\nvar m = n + 1\nconst c = 2",
			[]seg{{Declarations, 1, "var n int"}, {Statements, 2, "var m = n + 1"}, {Declarations, 3, "const c = 2"}}},
		{"for header semicolons stay together", "for i := 0; i < 3; i++ {\n\tprintln(i)\n}\nz := 1",
			[]seg{{Statements, 1, "i < 3; i++"}}},
		{"if header with composite literal", "if v := []int{1}; len(v) > 0 {\n} else if w := 2; w > 1 {\n}",
			[]seg{{Statements, 1, "else if w := 2; w > 1"}}},
		{"labelled loop", "outer:\nfor {\n\tbreak outer\n}", []seg{{Statements, 1, "outer:"}}},
		{"package clause is dropped", "package main\n\nfunc h() {}", []seg{{Declarations, 3, "func h()"}}},
		{"trailing comment stays with its piece", "x := 1 // one\n// doc\nfunc k() {}", []seg{{Statements, 1, "// one"}, {Declarations, 2, "// doc"}}},
		{"comments only", "// nothing\n/* here */", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := mustParse(t, testEnv(), tt.cell)
			if len(plan.Segments) != len(tt.want) {
				t.Fatalf("%d segments, want %d: %+v", len(plan.Segments), len(tt.want), plan.Segments)
			}
			for i, w := range tt.want {
				s := plan.Segments[i]
				if s.Kind != w.kind || s.Line != w.line || !strings.Contains(s.Source, w.has) {
					t.Errorf("segment %d: %v at line %d %q; want %v at line %d containing %q", i, s.Kind, s.Line, s.Source, w.kind, w.line, w.has)
				}
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		cell         string
		line, column int
		msg          string
		more         bool
	}{
		{"x := 1\ny := (2 +\n", 3, 1, "expected", false},
		{"x := 1\nfunc f( {\n}", 2, 9, "expected ')'", true},
		{"a := 1\nb := \"open\nc := 2", 2, 6, "string literal not terminated", false},
		{"for i := 0; i < 3; i++ {\n\tx :=\n}\ny := 2", 3, 1, "expected operand", true},
		{"x := 1 +", 1, 9, "found end of statement", false},
		{"type T struct {\n\tA int\n", 3, 1, "expected", false},
		{"package main extra", 1, 1, "package clause", false},
		{"import \"fmt\" junk", 1, 14, "expected", false},
	}
	for _, tt := range tests {
		_, err := testEnv().Parse(tt.cell)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want *Error", tt.cell, err)
			continue
		}
		if e.Line != tt.line || e.Column != tt.column || !strings.Contains(e.Msg, tt.msg) || e.Unsupported {
			t.Errorf("%q: %d:%d %q (unsupported %v); want %d:%d containing %q", tt.cell, e.Line, e.Column, e.Msg, e.Unsupported, tt.line, tt.column, tt.msg)
		}
		if want := strings.Split(tt.cell, "\n")[e.Line-1]; e.Text != want {
			t.Errorf("%q: text %q, want %q", tt.cell, e.Text, want)
		}
		if (e.More > 0) != tt.more {
			t.Errorf("%q: %d more errors, want more: %v", tt.cell, e.More, tt.more)
		}
	}
}

func TestParseUnsupported(t *testing.T) {
	tests := []struct {
		name, cell   string
		line, column int
		msg          string
	}{
		{"top-level definition around min", "x := 3\ny := min(x, 2) + 1", 2, 6, "expression around min or max"},
		{"top-level var around max", "x := 3\nvar y = -max(x, 2)", 2, 9, "expression around min or max"},
		{"min in one of two top-level definitions", "x := 3\ny, z := min(x, 2), 1", 2, 9, "define y"},
		{"range over func literal", "for x := range func(yield func(int) bool) {} {\n\t_ = x\n}", 1, 16, "range over a function"},
		{"range over slices.Backward", "import \"slices\"\nfor i := range slices.Backward(s) {\n\t_ = i\n}", 2, 16, "slices.Backward"},
		{"range over cell iterator", "func count(yield func(int) bool) { yield(1) }\nfor x := range count {\n\t_ = x\n}", 2, 16, "range over a function"},
		{"top-level comma-ok receive", "ch := make(chan int)\nv, ok := <-ch", 2, 10, "<-ch at the top level"},
		{"top-level return", "x := 1\nif x > 0 {\n\treturn\n}", 3, 2, "return is not allowed"},
		{"func main", "func main() {\n}", 1, 6, "func main"},
		{"generic call defines a session variable", "func Id[T any](v T) T { return v }\na := Id(5)", 2, 6, "generic function Id"},
		{"generic package call defines a session variable", "import \"slices\"\nys := slices.Clone(xs)", 2, 7, "generic function slices.Clone"},
		{"impure map index at top level", "v, ok := lookup()[k]", 1, 10, "simple map and key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testEnv().Parse(tt.cell)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want *Error", err)
			}
			if e.Line != tt.line || e.Column != tt.column || !strings.Contains(e.Msg, tt.msg) || !e.Unsupported {
				t.Errorf("%d:%d %q (unsupported %v); want %d:%d containing %q, unsupported", e.Line, e.Column, e.Msg, e.Unsupported, tt.line, tt.column, tt.msg)
			}
		})
	}
}

func TestParseShadowedBuiltinsAreAllowed(t *testing.T) {
	cells := []struct {
		cell    string
		session []string
	}{
		{"func min(a, b int) int { if a < b { return a }; return b }\nx := min(1, 2)", nil},
		{"x := min(1, 2)", []string{"min"}},
		{"func f() { max := 3; _ = max }", nil},
		{"func main2() { main := 1; _ = main }", nil},
		{"func g(clear func()) { clear() }", nil},
		{"y := 0\nfor x := range f {\n\ty += x\n}", []string{"f"}},
	}
	for _, c := range cells {
		plan := mustParse(t, testEnv(c.session...), c.cell)
		if strings.Contains(plan.Segments[len(plan.Segments)-1].Source, ClearName) {
			t.Errorf("%q: a local clear was replaced", c.cell)
		}
	}
}

func TestParseAutoImports(t *testing.T) {
	tests := []struct {
		name    string
		cell    string
		session []string
		want    []string // automatic import paths
	}{
		{"used without import", "strings.ToUpper(\"a\")\ntime.Sleep(1)", nil, []string{"strings", "time"}},
		{"imported explicitly", "import \"strings\"\nstrings.ToUpper(\"a\")", nil, nil},
		{"imported under another name", "import str \"strings\"\nstr.ToUpper(\"a\")\nstrings.ToLower(\"B\")", nil, []string{"strings"}},
		{"parameter shadows", "func f(strings []string) string { return strings[0] }", nil, nil},
		{"receiver shadows", "type S struct{}\nfunc (sort S) Len() int { return sort.n() }", nil, nil},
		{"local variable shadows", "func g() {\n\ttime := 3\n\t_ = time.String\n}", nil, nil},
		{"shadowing ends with its scope", "func g() {\n\t{\n\t\tsort := 1\n\t\t_ = sort\n\t}\n\tsort.Ints(nil)\n}", nil, []string{"sort"}},
		{"use before the shadowing declaration", "func g() {\n\tsort.Ints(nil)\n\tsort := 1\n\t_ = sort\n}", nil, []string{"sort"}},
		{"cell variable shadows", "fmt := 3\nfmt.String()", nil, nil},
		{"cell type shadows", "type log struct{}\nfunc (log) Print() {}\nvar l log\nl.Print()\nlog.Print()", nil, nil},
		{"session variable shadows", "errors.New(\"x\")", []string{"errors"}, nil},
		{"struct field is not a package", "type T struct{ math int }\nfunc (t T) M() int { return t.math }", nil, nil},
		{"composite literal key is a field", "type P struct{ sync int }\np := P{sync: 1}", nil, nil},
		{"type switch variable shadows", "func h(v any) {\n\tswitch math := v.(type) {\n\tcase int:\n\t\t_ = math\n\t}\n}", nil, nil},
		{"package used in a type", "type Guard struct{ mu sync.Mutex }", nil, []string{"sync"}},
		{"name that is not a package", "x := y.z", nil, nil},
		{"runtime package", "thread.Start(nil)", nil, []string{"github.com/gokernel/gokernel/runtime/thread"}},
		{"versioned path", "rand.IntN(3)", nil, []string{"math/rand/v2"}},
		{"one import per package", "fmt.Print(1)\nfmt.Print(2)", nil, []string{"fmt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := mustParse(t, testEnv(tt.session...), tt.cell)
			var got []string
			for _, im := range plan.Imports {
				if im.Auto {
					got = append(got, im.Path)
					if im.PackageName() == "_" || im.Line != 0 {
						t.Errorf("automatic import %+v", im)
					}
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("automatic imports %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseImports(t *testing.T) {
	plan := mustParse(t, testEnv(), "import (\n\t\"fmt\"\n\tstr \"strings\"\n\t_ \"embed\"\n)\nimport . \"math\"\nfmt.Println(str.ToUpper(\"a\"), Pi)")
	want := []Import{
		{Path: "fmt", Line: 2, Column: 2},
		{Name: "str", Path: "strings", Line: 3, Column: 2},
		{Name: "_", Path: "embed", Line: 4, Column: 2},
		{Name: ".", Path: "math", Line: 6, Column: 8},
	}
	if !reflect.DeepEqual(plan.Imports, want) {
		t.Errorf("imports %+v, want %+v", plan.Imports, want)
	}
	sources := []string{`import "fmt"`, `import str "strings"`, `import _ "embed"`, `import . "math"`}
	for i, im := range plan.Imports {
		if im.Source() != sources[i] {
			t.Errorf("Source() = %q, want %q", im.Source(), sources[i])
		}
	}
}

func TestDefaultName(t *testing.T) {
	tests := map[string]string{
		"fmt":                    "fmt",
		"math/rand":              "rand",
		"math/rand/v2":           "rand",
		"gopkg.in/yaml.v3":       "yaml",
		"github.com/x/go-colors": "colors",
		"example.com/some-thing": "some_thing",
	}
	for path, want := range tests {
		if got := DefaultName(path); got != want {
			t.Errorf("DefaultName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestParseResult(t *testing.T) {
	tests := []struct {
		cell    string
		session []string
		expr    string // "" when there is no result
	}{
		{"x := 1\nx + 1", nil, "x + 1"},
		{"42", nil, "42"},
		{"s := []int{1}\ns[0]", nil, "s[0]"},
		{"type P struct{ X int }\nP{X: 1}", nil, "P{X: 1}"},
		{"strings.Repeat(\"a\", 2)", nil, `strings.Repeat("a", 2)`},
		{"fmt.Println(1)", nil, ""},
		{"fmt.Printf(\"%d\", 1)", nil, ""},
		{"fmt.Fprintln(w, 1)", nil, ""},
		{"fmt.Sprint(1)", nil, "fmt.Sprint(1)"},
		{"log.Printf(\"x\")", nil, ""},
		{"println(1)", nil, ""},
		{"close(ch)", nil, ""},
		{"panic(1)", nil, ""},
		{"func f() {}\nf()", nil, ""},
		{"func g() int { return 1 }\ng()", nil, "g()"},
		{"h()", []string{"h"}, "h()"},
		{"fmt := myFormatter\nfmt.Println(1)", nil, "fmt.Println(1)"},
		{"log.Print(1)", []string{"log"}, "log.Print(1)"},
		{"x := 1", nil, ""},
		{"x := 1\nfunc k() {}", nil, ""},
		{"for {\n\tbreak\n}", nil, ""},
		{"<-ch", nil, "<-ch"},
	}
	for _, tt := range tests {
		plan := mustParse(t, testEnv(tt.session...), tt.cell)
		if tt.expr == "" {
			if plan.Result != nil {
				t.Errorf("%q: result %q, want none", tt.cell, plan.Result.Expr)
			}
			continue
		}
		r := plan.Result
		if r == nil {
			t.Errorf("%q: no result, want %q", tt.cell, tt.expr)
			continue
		}
		lines := strings.Split(tt.cell, "\n")
		if r.Expr != tt.expr || r.Line != len(lines) || r.Column != strings.Index(lines[len(lines)-1], tt.expr)+1 {
			t.Errorf("%q: result %q at %d:%d, want %q on the last line", tt.cell, r.Expr, r.Line, r.Column, tt.expr)
		}
		last := plan.Segments[len(plan.Segments)-1].Source
		if want := strings.Replace(last, tt.expr, ShowName+"("+tt.expr+")", 1); r.ValueSource != want {
			t.Errorf("%q: value source %q, want %q", tt.cell, r.ValueSource, want)
		}
	}
}

func TestParseRewrites(t *testing.T) {
	tests := []struct {
		name    string
		cell    string
		has     []string // texts the sources contain
		hasNot  []string // texts they do not contain
		session []string
	}{
		{name: "go with arguments",
			cell: "go work(a, b)",
			has:  []string{SpawnName + "(func() func() {", ":= work, a, b; return func() {"}, hasNot: []string{"go "}},
		{name: "go keeps constants in the call",
			cell: "go work(1.5, nil, x)",
			has:  []string{":= work, x; return func() {", "(1.5, nil, " + GeneratedPrefix}},
		{name: "go variadic",
			cell: "go sum(\"s\", xs...)",
			has:  []string{":= sum, xs;", `("s", ` + GeneratedPrefix, "...) } }())"}},
		{name: "go builtin",
			cell: "go println(\"hi\", x)",
			has:  []string{":= x; return func() { println(\"hi\", " + GeneratedPrefix}, hasNot: []string{":= println"}},
		{name: "go method",
			cell: "go c.Add(1)",
			has:  []string{":= c.Add; return func() {"}},
		{name: "go function literal over lines",
			cell: "go func(i int) {\n\tprintln(i)\n}(\n\ti,\n)",
			has:  []string{":= func(i int) {", "}, \ni; return func() {"}},
		{name: "go in a function",
			cell: "func f() {\n\tgo g()\n}",
			has:  []string{SpawnName + "(func() func() {"}},
		{name: "top-level loop runs in a function",
			cell: "for i := 0; i < 3; i++ {\n}",
			has:  []string{"func() { for i := 0;", "} }()"}},
		{name: "goto keeps top-level statements as they are",
			cell:   "i := 0\nloop:\nif i < 3 {\n\ti++\n\tgoto loop\n}",
			hasNot: []string{"func() {"}},
		{name: "per-iteration variables",
			cell: "func f() {\n\tfor i, j := 0, 0; i < 3; i++ {\n\t\tdefer println(i, j)\n\t}\n\tfor k, v := range m {\n\t\tgo use(k, v)\n\t}\n}",
			has:  []string{"{ i, j := i, j;", "{ k, v := k, v;"}},
		{name: "no copies without closures",
			cell:   "func f() {\n\tfor i := 0; i < 3; i++ {\n\t\tprintln(i)\n\t}\n}",
			hasNot: []string{"i := i"}},
		{name: "no copies when the body changes the variable",
			cell:   "func f() {\n\tfor i := 0; i < 3; i++ {\n\t\ti++\n\t\tdefer println(i)\n\t}\n}",
			hasNot: []string{"i := i"}},
		{name: "function literal arguments are parenthesized",
			cell: "thread.Start(func() {\n\tprintln(1)\n})",
			has:  []string{"thread.Start((func() {", "}))"}},
		{name: "return receive",
			cell: "func f(ch chan int) (int, error) { return <-ch, nil }",
			has:  []string{"return (<-ch), nil"}},
		{name: "assign receive",
			cell: "func f(ch chan int) (v int) { v = <-ch; a[0], b = <-ch, 1; return }",
			has:  []string{"v = (<-ch)", "a[0], b = (<-ch), 1"}},
		{name: "comma-ok receive with blank value",
			cell: "func f(ch chan int) (ok bool) { _, ok = <-ch; return }",
			has:  []string{"func() { " + GeneratedPrefix, ":= <-ch; _ = "}, hasNot: []string{"_, ok = <-ch"}},
		{name: "comma-ok receive with blank ok",
			cell: "func f(ch chan int) (v int) { v, _ = <-ch; return }",
			has:  []string{"v = (<-ch)"}},
		{name: "select assignment",
			cell: "func f(ch chan int) (v int, ok bool) {\n\tselect {\n\tcase v, ok = <-ch:\n\t}\n\treturn\n}",
			has:  []string{"case " + GeneratedPrefix, "v, ok = " + GeneratedPrefix}, hasNot: []string{"case v, ok ="}},
		{name: "branches out of a select",
			cell: "func f(ch chan int) {\nloop:\n\tfor {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tbreak loop\n\t\tdefault:\n\t\t\tcontinue\n\t\t}\n\t}\n}",
			has:  []string{"{ break loop }", "{ continue }"}},
		{name: "range assignment",
			cell: "k := 0\nfor k = range xs {\n}",
			has:  []string{"for " + GeneratedPrefix, "{ k = " + GeneratedPrefix}},
		{name: "range over integer literal",
			cell: "for i := range 10 {\n}",
			has:  []string{"< " + GeneratedPrefix, "i := " + GeneratedPrefix}, hasNot: []string{"range"}},
		{name: "range over len",
			cell:   "for range len(xs) {\n}",
			hasNot: []string{"range"}},
		{name: "range over a cell integer",
			cell:   "const n = 3\nm := n * 2\nfor i := range m {\n}",
			hasNot: []string{"range"}},
		{name: "range over a typed parameter",
			cell:   "func f(n int64) {\n\tfor i := range n {\n\t\t_ = i\n\t}\n}",
			hasNot: []string{"range"}},
		{name: "range over a slice stays",
			cell: "for i := range xs {\n}",
			has:  []string{"for i := range xs"}},
		{name: "range over a string sum stays",
			cell: "for i := range s + \"x\" {\n}",
			has:  []string{"range s + \"x\""}},
		{name: "clear",
			cell: "clear(m)",
			has:  []string{ClearName + "(m)"}},
		{name: "a cell function handed to process.New is named",
			cell: "func sq(n int) int { return n * n }\np := process.New(sq, 3)",
			has:  []string{"process.New(" + NamedName + `("sq", sq), 3)`}},
		{name: "a cell function handed to a pool is named",
			cell: "func sq(n int) int { return n * n }\nex.Map(sq, xs)\nex.Submit(sq, 2)",
			has:  []string{"ex.Map(" + NamedName + `("sq", sq), xs)`, "ex.Submit(" + NamedName + `("sq", sq), 2)`}},
		{name: "closures and locals are not named",
			cell:   "f := func(n int) int { return n }\nex.Map(f, xs)\nfunc g(sq func()) { process.New(sq) }",
			hasNot: []string{NamedName}},
		{name: "top-level comma-ok map",
			cell: "v, ok := m[k]",
			has:  []string{"v, ok := m[k], false; v, ok = m[k]"}},
		{name: "top-level comma-ok type assertion",
			cell: "n, ok := a.(int)",
			has:  []string{"n, ok := *new(int), false; n, ok = a.(int)"}},
		{name: "top-level comma-ok var",
			cell: "var n, ok = a.(int)",
			has:  []string{"var n, ok = *new(int), false; n, ok = a.(int)"}},
		{name: "comma-ok in a function stays",
			cell: "func f() { v, ok := m[k]; _, _ = v, ok }",
			has:  []string{"v, ok := m[k];"}, hasNot: []string{"false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSources(t, mustParse(t, testEnv(tt.session...), tt.cell), tt.has, tt.hasNot)
		})
	}
}

// checkSources checks that plan's sources, one after another, contain each text of has
// and none of hasNot.
func checkSources(t *testing.T, plan *Plan, has, hasNot []string) {
	t.Helper()
	var all strings.Builder
	for _, s := range plan.Segments {
		all.WriteString(s.Source)
		all.WriteString("\n")
	}
	for _, h := range has {
		if !strings.Contains(all.String(), h) {
			t.Errorf("sources lack %q:\n%s", h, all.String())
		}
	}
	for _, h := range hasNot {
		if strings.Contains(all.String(), h) {
			t.Errorf("sources contain %q:\n%s", h, all.String())
		}
	}
}

func TestParseKeepsLines(t *testing.T) {
	// Each marker comment // Lk sits on cell line k; it must stay on the source line
	// that maps to line k, whatever the rewrites did around it.
	cell := `import "fmt" // L1

// f is documented. // L3
func f(ch chan int) int { // L4
	go g(1,
		2) // L6
	return <-ch // L7
} // L8
for i := range 3 { // L9
	go func() { // L10
		fmt.Println(i) // L11
	}() // L12
} // L13
v, ok := m["k"] // L14
_, ok = <-ch // L15
fmt.Println(v, ok) // L16
f(nil) // L17`
	plan := mustParse(t, testEnv(), cell)
	markers := 0
	for _, s := range plan.Segments {
		src := strings.Split(s.Source, "\n")
		if len(src) < s.FirstLine {
			t.Fatalf("segment %q has no cell lines", s.Source)
		}
		for i := s.FirstLine; i <= len(src); i++ {
			k := s.CellLine(i)
			marker := "// L" + strconv.Itoa(k)
			if strings.Contains(strings.Split(cell, "\n")[k-1], marker) {
				markers++
				if !strings.Contains(src[i-1], marker) {
					t.Errorf("source line %d %q does not hold %q", i, src[i-1], marker)
				}
			}
		}
	}
	if markers != 14 { // every marker but the import's
		t.Errorf("checked %d markers, want 14", markers)
	}
}

func TestSegmentLines(t *testing.T) {
	s := Segment{Kind: Statements, Source: ";\nx := 1\ny := 2", Line: 5, FirstLine: 2}
	for src, cell := range map[int]int{1: 5, 2: 5, 3: 6} {
		if got := s.CellLine(src); got != cell {
			t.Errorf("CellLine(%d) = %d, want %d", src, got, cell)
		}
	}
	shifted := s.Shift(3)
	if !strings.HasSuffix(shifted.Source, s.Source) || strings.Count(shifted.Source, "\n") != 5 {
		t.Errorf("Shift(3) source %q", shifted.Source)
	}
	if got := shifted.CellLine(6); got != 6 {
		t.Errorf("shifted CellLine(6) = %d, want 6", got)
	}
}

func TestParseDecls(t *testing.T) {
	cell := "// Point is a place.\ntype Point struct{ X, Y int }\n\n// Dist measures.\nfunc (p *Point) Dist() int {\n\treturn p.X + p.Y\n}\nfunc Map[T any](xs []T) []T { return xs }\nconst (\n\tA = iota\n\t// B follows A.\n\tB\n)\nvar n, m = 1, 2\nx, _ := f()\nvar count int"
	plan := mustParse(t, testEnv(), cell)
	want := []Decl{
		{Name: "Point", Kind: TypeDecl, Doc: "Point is a place.\n", Signature: "type Point struct{ X, Y int }", Source: "type Point struct{ X, Y int }", Line: 2},
		{Name: "Dist", Kind: MethodDecl, Recv: "Point", Doc: "Dist measures.\n", Signature: "func (p *Point) Dist() int", Source: "func (p *Point) Dist() int {\n\treturn p.X + p.Y\n}", Line: 5},
		{Name: "Map", Kind: FuncDecl, Signature: "func Map[T any](xs []T) []T", Source: "func Map[T any](xs []T) []T { return xs }", Generic: true, Line: 8},
		{Name: "A", Kind: ConstDecl, Signature: "const A = iota", Source: "const (\n\tA = iota\n\t// B follows A.\n\tB\n)", Line: 10},
		{Name: "B", Kind: ConstDecl, Doc: "B follows A.\n", Signature: "const B", Source: "const (\n\tA = iota\n\t// B follows A.\n\tB\n)", Line: 12},
		{Name: "n", Kind: VarDecl, Signature: "var n, m = 1, 2", Source: "var n, m = 1, 2", Line: 14},
		{Name: "m", Kind: VarDecl, Signature: "var n, m = 1, 2", Source: "var n, m = 1, 2", Line: 14},
		{Name: "x", Kind: VarDecl, Signature: "var x, _ = f()", Source: "var x, _ = f()", Line: 15},
		{Name: "count", Kind: VarDecl, Signature: "var count int", Source: "var count int", Line: 16},
	}
	if len(plan.Decls) != len(want) {
		t.Fatalf("decls %+v\nwant %+v", plan.Decls, want)
	}
	for i := range want {
		if !reflect.DeepEqual(plan.Decls[i], want[i]) {
			t.Errorf("decl %d: %+v\nwant %+v", i, plan.Decls[i], want[i])
		}
	}
	for _, k := range []DeclKind{FuncDecl, MethodDecl, TypeDecl, VarDecl, ConstDecl} {
		if s := k.String(); s == "" || strings.HasPrefix(s, "DeclKind(") {
			t.Errorf("DeclKind %d has no name", k)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Line: 2, Column: 5, Msg: "bad"}, "2:5: bad"},
		{Error{Line: 1, Column: 1, Msg: "bad", More: 1}, "1:1: bad (and 1 more error)"},
		{Error{Line: 1, Column: 1, Msg: "bad", More: 3}, "1:1: bad (and 3 more errors)"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestClear(t *testing.T) {
	m := map[string]int{"a": 1, "b": 2}
	Clear(m)
	if len(m) != 0 {
		t.Errorf("map has %d entries after Clear", len(m))
	}
	s := []int{1, 2, 3}
	Clear(s[1:])
	if !reflect.DeepEqual(s, []int{1, 0, 0}) {
		t.Errorf("slice %v after Clear of its tail", s)
	}
	var nilMap map[int]int
	Clear(nilMap)
	defer func() {
		if recover() == nil {
			t.Error("Clear(3) did not panic")
		}
	}()
	Clear(3)
}

func TestDeclResult(t *testing.T) {
	tests := []struct{ cell, want string }{
		{"func f() []string { return nil }", "[]string"},
		{"func f() [3]int { return [3]int{} }", "[3]int"},
		{"func f() (n int) { return }", "int"},
		{"func f() map[string][]byte { return nil }", "map[string][]byte"},
		{"func f() *[]error { return nil }", "*[]error"},
		{"type T int\nfunc f() []T { return nil }", "[]T"},
		{"type P struct{ X int }\nfunc f() map[string]*P { return nil }", "map[string]*P"},
		{"func f() []session { return nil }", ""}, // not known to be a type
		{"func f() []time.Duration { return nil }", "[]time.Duration"},
		{"import tm \"time\"\nfunc f() map[string]*tm.Location { return nil }", "map[string]*tm.Location"},
		{"func f() []time.duration { return nil }", ""},            // not exported
		{"time := 1\nfunc f() []time.Duration { return nil }", ""}, // not a package
		{"func f() []nopkg.T { return nil }", ""},
		{"func f() (int, error) { return 0, nil }", ""},
		{"func f() [n]int { return [n]int{} }\nconst n = 2", ""},
		{"type string2 = string\nfunc f() string2 { return \"\" }", "string2"},
		{"func f() []struct{ X int } { return nil }", ""},
		{"func f[T any]() []T { return nil }", ""},
		{"type R struct{}\nfunc (R) f() []int { return nil }", ""},
	}
	// A session that declares a type named int.
	if plan, err := testEnv("int").Parse("func f() []int { return nil }"); err != nil || plan.Decls[0].Result != "" {
		t.Errorf("with the session's own int: %v, %+v", err, plan)
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			plan, err := testEnv("session").Parse(tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range plan.Decls {
				if d.Name == "f" {
					if d.Result != tt.want {
						t.Errorf("Result = %q, want %q", d.Result, tt.want)
					}
					return
				}
			}
			t.Fatal("no declaration of f")
		})
	}
}
