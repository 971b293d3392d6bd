package gocell

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/goeval/overflow"
)

// BenchmarkParse measures a long cell that mixes declarations, statements and loops.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&sb, "func f%d(ch chan int) int { return <-ch }\nx%d := %d\nfor i := 0; i < x%d; i++ {\n\tgo f%d(nil)\n}\nfmt.Println(x%d)\n", i, i, i, i, i, i)
	}
	cell := sb.String()
	env := testEnv()
	b.SetBytes(int64(len(cell)))
	for b.Loop() {
		if _, err := env.Parse(cell); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexLoop measures, in the interpreter, a function summing 100,000 elements of
// a slice by index: as written (no guard, the interpreter's own check only), with the
// bounds guard that Parse puts in front of xs[i] when the loop bound is not len(xs), and
// the loops whose index Parse leaves unguarded (i < len(xs), range). The last two cases
// add a call of an interpreted function beside the index, which keeps the guard from the
// front of the statement: as written, and with the check Parse makes inline instead; the
// last two assign the call's result to the element, as written and with the call hoisted
// in front of the guard.
func BenchmarkIndexLoop(b *testing.B) {
	const besideCall = "func one(i int) int { return 1 }\nfunc sum(xs []int, n int) int {\n\tt := 0\n\tfor i := 0; i < n; i++ {\n\t\tt += one(i) + xs[i]\n\t}\n\treturn t\n}"
	const assignCall = "func one(i int) int { return 1 }\nfunc sum(xs []int, n int) int {\n\tfor i := 0; i < n; i++ {\n\t\txs[i] = one(i)\n\t}\n\treturn 0\n}"
	const loop = "func sum(xs []int, n int) int {\n\tt := 0\n\tfor i := 0; i < n; i++ {\n\t\tt += xs[i]\n\t}\n\treturn t\n}"
	cases := []struct {
		name, src string
		parse     bool
		hook      string // the check Parse writes, if any
	}{
		{"unguarded", loop, false, ""},
		{"guarded", loop, true, IndexName},
		{"exempt counting loop", "func sum(xs []int, n int) int {\n\tt := 0\n\tfor i := 0; i < len(xs); i++ {\n\t\tt += xs[i]\n\t}\n\treturn t\n}", true, ""},
		{"exempt range loop", "func sum(xs []int, n int) int {\n\tt := 0\n\tfor i := range xs {\n\t\tt += xs[i]\n\t}\n\treturn t\n}", true, ""},
		{"beside a call, unchecked", besideCall, false, ""},
		{"beside a call, checked inline", besideCall, true, AtName},
		{"assigned a call, unchecked", assignCall, false, ""},
		{"assigned a call, hoisted and guarded", assignCall, true, IndexName},
	}
	xs := make([]int, 100_000)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var env *Env
			if c.parse {
				e := testEnv()
				env = &e
			}
			src, v := interpreted(b, map[string]reflect.Value{"Index": reflect.ValueOf(IndexPanic), "At": reflect.ValueOf(IndexAt)},
				"var "+IndexName+" = hooks.Index\nvar "+AtName+" = hooks.At", env, c.src, "sum")
			for _, hook := range []string{IndexName, AtName} {
				if got := strings.Contains(src, hook+"("); got != (hook == c.hook) {
					b.Fatalf("calls %s: %v, want %v:\n%s", hook, got, hook == c.hook, src)
				}
			}
			sum := v.Interface().(func([]int, int) int)
			for b.Loop() {
				sum(xs, len(xs))
			}
		})
	}
}

// BenchmarkInterfaceSwitch measures, in the interpreter, a function that sorts 1,000
// values into kinds with a type switch that has a case of an interface type, and one that
// asserts each to error with comma-ok: as written (where yaegi's answers are wrong, see
// Interface) and as Parse rewrites them with Env.Interfaces.
func BenchmarkInterfaceSwitch(b *testing.B) {
	const switched = "func count(vs []any) int {\n\tn := 0\n\tfor _, v := range vs {\n\t\tswitch x := v.(type) {\n\t\tcase int:\n\t\t\tn += x\n\t\tcase error:\n\t\t\tn += len(x.Error())\n\t\tdefault:\n\t\t\t_ = x\n\t\t}\n\t}\n\treturn n\n}"
	const asserted = "func count(vs []any) int {\n\tn := 0\n\tfor _, v := range vs {\n\t\tif _, ok := v.(error); ok {\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}"
	cases := []struct {
		name, src string
		parse     bool
	}{
		{"type switch, as written", switched, false},
		{"type switch, rewritten", switched, true},
		{"comma-ok, as written", asserted, false},
		{"comma-ok, rewritten", asserted, true},
	}
	vs := make([]any, 1000)
	for k := range vs {
		switch k % 3 {
		case 0:
			vs[k] = k
		case 1:
			vs[k] = fmt.Errorf("e%d", k)
		default:
			vs[k] = "s"
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var env *Env
			if c.parse {
				e := testEnv()
				e.Interfaces = true
				env = &e
			}
			src, v := interpreted(b, map[string]reflect.Value{"Iface": reflect.ValueOf(Interface)},
				"var "+IfaceName+" = hooks.Iface", env, c.src, "count")
			if got := strings.Contains(src, IfaceName+"("); got != c.parse {
				b.Fatalf("calls %s: %v, want %v:\n%s", IfaceName, got, c.parse, src)
			}
			count := v.Interface().(func([]any) int)
			for b.Loop() {
				count(vs)
			}
		})
	}
}

// BenchmarkStackChecks measures, in the interpreter, a recursive Fibonacci function that
// makes 21,891 calls: as written, and with the count-down that Env.StackChecks starts each
// function body with, calling the evaluator's stack guard when the count runs out.
func BenchmarkStackChecks(b *testing.B) {
	const fib = "func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}"
	for _, checked := range []bool{false, true} {
		name := "as written"
		if checked {
			name = "with stack checks"
		}
		b.Run(name, func(b *testing.B) {
			var guard overflow.Guard
			var env *Env
			if checked {
				e := testEnv()
				e.StackChecks = true
				env = &e
			}
			src, v := interpreted(b, map[string]reflect.Value{"Stack": reflect.ValueOf(guard.Check)},
				"var "+CallsName+" int\nvar "+StackName+" = hooks.Stack", env, fib, "fib")
			if got := strings.Contains(src, StackName+"("); got != checked {
				b.Fatalf("calls %s: %v, want %v:\n%s", StackName, got, checked, src)
			}
			f := v.Interface().(func(int) int)
			for b.Loop() {
				if f(20) != 6765 {
					b.Fatal("fib(20) != 6765")
				}
			}
		})
	}
}

// interpreted evaluates cell in a new interpreter, as written or, with a non-nil env, as
// env parses it (its first segment), after the declarations vars, which bind the
// evaluator's names to hooks, the members of package bench/hooks. It returns the source
// evaluated and the value of the function named fn.
func interpreted(b *testing.B, hooks map[string]reflect.Value, vars string, env *Env, cell, fn string) (string, reflect.Value) {
	b.Helper()
	i := interp.New(interp.Options{})
	if err := i.Use(interp.Exports{"bench/hooks/hooks": hooks}); err != nil {
		b.Fatal(err)
	}
	src := "package main\n" + cell
	if env != nil {
		plan, err := env.Parse(cell)
		if err != nil {
			b.Fatal(err)
		}
		src = plan.Segments[0].Source
	}
	for _, s := range []string{`import hooks "bench/hooks"`, vars, src} {
		if _, err := i.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
	v, err := i.Eval(fn)
	if err != nil {
		b.Fatal(err)
	}
	return src, v
}

// BenchmarkMinMax measures, in the interpreter, the smallest of 1,000 values found with
// an if statement, as one writes it without the builtin, with a function of the cell, and
// with min, which the kernel rewrites into a call of a generic helper that compares in
// compiled code.
func BenchmarkMinMax(b *testing.B) {
	for _, c := range []struct{ name, cell string }{
		{"if statement", "func least(xs []int) int {\n\tm := 1 << 62\n\tfor _, x := range xs {\n\t\tif x < m {\n\t\t\tm = x\n\t\t}\n\t}\n\treturn m\n}"},
		{"function", "func lesser(a, b int) int {\n\tif b < a {\n\t\treturn b\n\t}\n\treturn a\n}\nfunc least(xs []int) int {\n\tm := 1 << 62\n\tfor _, x := range xs {\n\t\tm = lesser(m, x)\n\t}\n\treturn m\n}"},
		{"min", "func least(xs []int) int {\n\tm := 1 << 62\n\tfor _, x := range xs {\n\t\tm = min(m, x)\n\t}\n\treturn m\n}"},
	} {
		b.Run(c.name, func(b *testing.B) {
			env := testEnv()
			src, v := interpreted(b, map[string]reflect.Value{"MinPick": reflect.ValueOf(MinPick), "MaxPick": reflect.ValueOf(MaxPick)},
				"var "+MinPickName+" = hooks.MinPick\nvar "+MaxPickName+" = hooks.MaxPick\n"+MinMaxPrelude(), &env, c.cell, "least")
			if c.name == "min" && !strings.Contains(src, MinName+"(") {
				b.Fatalf("min was not rewritten:\n%s", src)
			}
			xs := make([]int, 1000)
			for i := range xs {
				xs[i] = (i * 7919) % 1000
			}
			f := v.Interface().(func([]int) int)
			for b.Loop() {
				if f(xs) != 0 {
					b.Fatal("least != 0")
				}
			}
		})
	}
}
