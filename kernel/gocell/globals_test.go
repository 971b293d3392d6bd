package gocell

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// globalsEnv is symbolEnv with package time, whose Now returns a compiled struct with
// methods, and a session variable sws declared from a compiled []string.
func globalsEnv() Env {
	env := symbolEnv(map[string]reflect.Kind{"sws": reflect.Slice, "sfl": reflect.Slice, "stimes": reflect.Slice})
	symbol := env.Symbol
	env.Symbol = func(pkgPath, name string) reflect.Type {
		if pkgPath == "time" && name == "Now" {
			return reflect.TypeOf(time.Now)
		}
		return symbol(pkgPath, name)
	}
	known := env.Package
	env.Package = func(name string) (string, bool) {
		if name == "time" {
			return "time", true
		}
		return known(name)
	}
	env.Compiled = func(name string) reflect.Type {
		switch name {
		case "sws":
			return reflect.TypeFor[[]string]()
		case "stimes":
			return reflect.TypeFor[[]time.Time]()
		}
		return nil // sfl: declared in the session, but not from a compiled value
	}
	return env
}

func TestTopLevelDefinitionsAreTyped(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want string // in the segments' sources
		not  string // not in them
	}{
		{"index of a package variable", `x := os.Args[0]`, `x := (string)(os.Args[0])`, ""},
		{"index of a package function's result", `z := strings.Split("a,b", ",")[1]`, `z := (string)(` + CheckedName + `(strings.Split("a,b", ","), 1, 1).([]string)[1])`, ""},
		{"index of a method's result", `c := time.Now().String()[0]`, `c := (byte)(` + CheckedName + `(time.Now().String(), 0, 1).(string)[0])`, ""},
		{"index of a compiled session variable", `w := sws[1]`, `w := (string)(sws[1])`, ""},
		{"inside an operand", `y := sws[0] + "!"`, `y := (string)(sws[0]) + "!"`, ""},
		{"address of an element", `p := &sws[0]`, `p := (*string)(&sws[0])`, ""},
		{"address of a package variable's element", `b := &os.Args[0]`, `b := (*string)(&os.Args[0])`, ""},
		{"a session variable of no known compiled type", `f := sfl[0]`, `f := sfl[0]`, "(int)("},
		{"the cell's own compiled variable", "ws := strings.Fields(\"a b\")\nw := ws[1]", `w := (string)(ws[1])`, ""},
		{"var declarations", `var v = sws[1]`, `var v = (string)(sws[1])`, ""},
		{"not inside function literals", `g := func() string { return sws[0] }`, `return sws[0]`, "(string)("},
		{"not with a declared type", `var s string = sws[0]`, `var s string = sws[0]`, "(string)("},
		{"not in assignments", `sws[0] = "x"`, `sws[0] = "x"`, "(string)("},
		{"element of a package's type", "t0 := stimes[0]", "t0 := (time.Time)(stimes[0])", ""},
		{"address of an element of a package's type", "p := &stimes[0]", "p := (*time.Time)(&stimes[0])", ""},
		{"not where the package's name stands for something else", "time := 3\nt1 := stimes[0]", "t1 := stimes[0]", "(time.Time)("},
		{"not where the package's name is another package's", "import time \"strings\"\nt2 := stimes[0]", "t2 := stimes[0]", "(time.Time)("},
		{"rune literal", `r := '世'`, `r := (rune)('世')`, ""},
		{"rune arithmetic", "var r = -('a' + 1)", "var r = (rune)(-('a' + 1))", ""},
		{"not integer literals", `n := 1 + 2`, `n := 1 + 2`, "(rune)("},
		{"not runes with floats", `f := 'a' * 1.5`, `f := 'a' * 1.5`, "(rune)("},
		{"not runes in functions", "func f() {\n\tr := 'x'\n\t_ = r\n}", "r := 'x'", "(rune)("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := globalsEnv().Parse(tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			var src strings.Builder
			for _, s := range plan.Segments {
				src.WriteString(s.Source + "\n")
			}
			if !strings.Contains(src.String(), tt.want) {
				t.Errorf("sources lack %q:\n%s", tt.want, src.String())
			}
			if tt.not != "" && strings.Contains(src.String(), tt.not) {
				t.Errorf("sources have %q:\n%s", tt.not, src.String())
			}
		})
	}
}

// A package whose name the rewriter writes into a conversion is imported, as when the
// cell names it; one the cell imports itself is not imported again.
func TestPackageOfAConversionIsImported(t *testing.T) {
	tests := []struct {
		cell string
		want []Import
	}{
		{"t0 := stimes[0]", []Import{{Path: "time", Auto: true}}},
		{"import \"time\"\nt0 := stimes[0]", []Import{{Path: "time", Line: 1, Column: 8}}},
		{"n := sws[0]", nil},
		{"k := 1\nd := sdurs()[k]", []Import{{Path: "time", Auto: true}}},
	}
	for _, tt := range tests {
		plan, err := globalsEnv().Parse(tt.cell)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plan.Imports, tt.want) {
			t.Errorf("%q imports %+v, want %+v", tt.cell, plan.Imports, tt.want)
		}
	}
}

func TestDeclsCarryCompiledTypes(t *testing.T) {
	plan, err := globalsEnv().Parse("ws := strings.Fields(\"a b\")\nvar args = os.Args\nn := 3\nvar now = time.Now()\nc := now.String()")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]reflect.Type{}
	for _, d := range plan.Decls {
		got[d.Name] = d.Compiled
	}
	want := map[string]reflect.Type{
		"ws":   reflect.TypeFor[[]string](),
		"args": reflect.TypeFor[[]string](),
		"n":    nil,
		"now":  reflect.TypeFor[time.Time](),
		"c":    reflect.TypeFor[string](),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Compiled = %v, want %v", got, want)
	}
}

func TestUndefinedNames(t *testing.T) {
	tests := []struct {
		name string
		cell string
		want []Ident
	}{
		{"in a definition", "a := 1\nb := a + missing", []Ident{{"missing", 2, 10}}},
		{"first use only", "b := nope * nope + 1\nvar c = other", []Ident{{"nope", 1, 6}, {"other", 2, 9}}},
		{"declared by the cell, the session or the universe", "d := sws[0] + string(rune(len(e)))\nvar e = \"x\"\nf := true || false", nil},
		{"qualifiers, fields and function literals are not looked at", "g := time.Now().Year()\nh := func() int { return q }\ni := struct{ X int }{X: 1}", nil},
		{"not in statements or typed declarations", "fmt.Println(zz)\nvar j int = yy", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := globalsEnv().Parse(tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plan.Undefined, tt.want) {
				t.Errorf("Undefined = %v, want %v", plan.Undefined, tt.want)
			}
		})
	}
}

func TestMarkLines(t *testing.T) {
	env := globalsEnv()
	env.MarkLines = true
	cell := "x := 1\nfunc f() int {\n\ty := 2\n\treturn y\n}\nfor i := range 2 {\n\tfmt.Println(i)\n}\nvar z = f()\nz + x"
	plan, err := env.Parse(cell)
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, s := range plan.Segments {
		src.WriteString(s.Source + "\n")
	}
	for _, want := range []string{LineName + "(1); x := 1", LineName + "(6); ", LineName + "(9); var z = f()", LineName + "(10); "} {
		if !strings.Contains(src.String(), want) {
			t.Errorf("sources lack %q:\n%s", want, src.String())
		}
	}
	if n := strings.Count(src.String(), LineName+"("); n != 4 {
		t.Errorf("%d marks, want 4 (top-level statements only):\n%s", n, src.String())
	}
	// Columns after a mark map back to the cell's.
	for _, s := range plan.Segments {
		for i, line := range strings.Split(s.Source, "\n") {
			if k := strings.Index(line, "x := 1"); k >= 0 && strings.Contains(line, LineName) {
				if col := s.CellColumn(i+1, k+1); col != 1 {
					t.Errorf("x := 1 at source column %d maps to cell column %d, want 1", k+1, col)
				}
			}
		}
	}
}

func TestMarkPanics(t *testing.T) {
	tests := []struct {
		name, cell string
		want       []string // in the sources
		not        string
	}{
		{"in a function and at the top level", "func f(xs []int) {\n\tif len(xs) == 0 {\n\t\tpanic(\"empty\")\n\t}\n}\npanic(fmt.Sprint(1))",
			[]string{"panic(" + PanicName + "(\"empty\", 3))", "panic(" + PanicName + "(fmt.Sprint(1), 6))"}, ""},
		{"around the value's own rewrites", "func f(xs []int, g func() int) {\n\tpanic(xs[g()])\n\tpanic(fmt.Sprint(g(), xs[1]))\n}",
			[]string{"panic(" + PanicName + "(xs[__gk_v1], 2))", "panic(" + PanicName + "(fmt.Sprint(g(), xs[" + AtName + "(1, len(xs), 3)]), 3))"}, ""},
		{"a panic of the cell's own", "func panic(v any) {}\npanic(1)", nil, PanicName},
		{"a shadowed panic", "func f(panic func(any)) {\n\tpanic(1)\n}", nil, PanicName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := globalsEnv()
			env.MarkLines = true
			plan := mustParse(t, env, tt.cell)
			var src strings.Builder
			for _, s := range plan.Segments {
				src.WriteString(s.Source + "\n")
			}
			for _, want := range tt.want {
				if !strings.Contains(src.String(), want) {
					t.Errorf("sources lack %q:\n%s", want, src.String())
				}
			}
			if tt.not != "" && strings.Contains(src.String(), tt.not) {
				t.Errorf("sources have %q:\n%s", tt.not, src.String())
			}
			env.MarkLines = false
			if plan := mustParse(t, env, tt.cell); strings.Contains(plan.Segments[0].Source, PanicName) {
				t.Errorf("without MarkLines, a panic is marked:\n%s", plan.Segments[0].Source)
			}
		})
	}
}

func TestUnwrapRecover(t *testing.T) {
	tests := []struct {
		name, cell string
		unwrap     bool
		want       string // in the sources; "" for no rewrite
	}{
		{"in a deferred function", "func f() (r any) {\n\tdefer func() { r = recover() }()\n\treturn\n}", true, "r = " + RecoverName + "(recover())"},
		{"in a condition", "func f() {\n\tdefer func() {\n\t\tif r := recover(); r != nil {\n\t\t}\n\t}()\n}", true, "if r := " + RecoverName + "(recover()); r != nil"},
		{"a shadowed recover", "func f(recover func() any) any {\n\treturn recover()\n}", true, ""},
		{"not asked for", "func f() (r any) {\n\tdefer func() { r = recover() }()\n\treturn\n}", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := globalsEnv()
			env.UnwrapRecover = tt.unwrap
			plan := mustParse(t, env, tt.cell)
			src := plan.Segments[0].Source
			if tt.want == "" && strings.Contains(src, RecoverName) || !strings.Contains(src, tt.want) {
				t.Errorf("source, want %q:\n%s", tt.want, src)
			}
		})
	}
}
