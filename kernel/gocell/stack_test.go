package gocell

import (
	"strings"
	"testing"
)

// TestParseStackChecks checks which function bodies Env.StackChecks starts with a stack
// check, and the function, cell and line each check passes on.
func TestParseStackChecks(t *testing.T) {
	check := func(fn string, line string) string {
		return "if " + CallsName + "--; " + CallsName + " < 0 { " + CallsName + " = " + StackName + `("` + fn + `", 7, ` + line + ") }; "
	}
	cases := []struct {
		name, cell string
		has        []string
		hasNot     []string
	}{
		{"a recursive function", "func f(n int) int {\n\treturn f(n-1)\n}",
			[]string{"func f(n int) int {\n\t" + check("main.f", "1") + "return f(n-1)"}, nil},
		{"a call of a package function", "\n\nfunc g() { fmt.Println(1) }",
			[]string{"func g() { " + check("main.g", "3") + "fmt.Println(1) }"}, nil},
		{"a method with a pointer receiver", "type T struct{}\nfunc (t *T) m() { t.m() }",
			[]string{check("main.(*T).m", "2")}, nil},
		{"a method with a value receiver", "type T struct{}\nfunc (t T) m() { t.m() }",
			[]string{check("main.T.m", "2")}, nil},
		{"a function literal in a function", "func f() {\n\tg := func() { f() }\n\tg()\n}",
			[]string{check("main.f", "1"), "g := func() { " + check("main.f.func", "2")}, nil},
		{"a function literal in the cell", "h := func(n int) { fmt.Println(n) }\nh(1)",
			[]string{"h := func(n int) { " + check("main.func", "1")}, nil},
		{"only builtins and conversions", "func sq(xs []int) float64 {\n\tys := append(xs, len(xs))\n\treturn float64(ys[0] * ys[0])\n}",
			nil, []string{StackName}},
		{"a literal that calls, in a function that does not", "func mk() func() {\n\treturn func() { mk() }\n}",
			[]string{"return func() { " + check("main.mk.func", "2")}, []string{"func mk() func() {\n\tif"}},
		{"a literal called where it stands", "func now() int {\n\treturn func() int { return 1 }()\n}",
			[]string{"func now() int {\n\t" + check("main.now", "1")}, nil},
		{"a builtin's name used for something else", "func sh() int {\n\tlen := func(s string) int { return sh() }\n\treturn len(\"x\")\n}",
			[]string{"func sh() int {\n\t" + check("main.sh", "1")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnv()
			env.StackChecks = true
			env.Count = 7
			plan := mustParse(t, env, c.cell)
			checkSources(t, plan, c.has, c.hasNot)
			checkSegments(t, c.cell, plan)
		})
	}
	// Without StackChecks nothing changes.
	plan := mustParse(t, testEnv(), "func f(n int) int {\n\treturn f(n-1)\n}")
	for _, s := range plan.Segments {
		if strings.Contains(s.Source, StackName) {
			t.Errorf("stack check without Env.StackChecks:\n%s", s.Source)
		}
	}
}
