package gocell

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// kindEnv is testEnv with session names of the given kinds.
func kindEnv(kinds map[string]reflect.Kind) Env {
	var names []string
	for n := range kinds {
		names = append(names, n)
	}
	env := testEnv(names...)
	env.Kind = func(name string) reflect.Kind { return kinds[name] }
	return env
}

// symbolEnv is kindEnv with the session types of the kinds, two session variables of
// struct types (sst, and spt pointing to one), two session functions (swords returning
// a slice, smk a pointer to sst's type), three session types (the struct SBag, the slice
// SStack and the map SMap), the package os and a few package members.
func symbolEnv(kinds map[string]reflect.Kind) Env {
	env := kindEnv(kinds)
	st := reflect.StructOf([]reflect.StructField{
		{Name: "Xitems", Type: reflect.TypeFor[[]int]()},
		{Name: "Names", Type: reflect.TypeFor[[]string]()},
		{Name: "Xm", Type: reflect.TypeFor[map[int]int]()},
	})
	types := map[string]reflect.Type{"sst": st, "spt": reflect.PointerTo(st),
		"swords": reflect.TypeFor[func() []string](), "scount": reflect.TypeFor[func() int](), "smk": reflect.FuncOf(nil, []reflect.Type{reflect.PointerTo(st)}, false)}
	typeDefs := map[string]reflect.Type{"SBag": st, "SStack": reflect.TypeFor[[]string](), "SMap": reflect.TypeFor[map[string][]int]()}
	env.TypeDef = func(name string) reflect.Type { return typeDefs[name] }
	for n, k := range kinds {
		switch k {
		case reflect.Slice:
			types[n] = reflect.TypeFor[[]int]()
		case reflect.String:
			types[n] = reflect.TypeFor[string]()
		case reflect.Array:
			types[n] = reflect.TypeFor[[3]int]()
		case reflect.Int:
			types[n] = reflect.TypeFor[int]()
		case reflect.Map:
			types[n] = reflect.TypeFor[map[int]int]()
		case reflect.Interface:
			types[n] = reflect.TypeFor[any]()
		}
	}
	env.Type = func(name string) reflect.Type { return types[name] }
	declared := env.Declared
	env.Declared = func(name string) bool { return types[name] != nil || typeDefs[name] != nil || declared(name) }
	known := env.Package
	env.Package = func(name string) (string, bool) {
		if name == "os" {
			return "os", true
		}
		return known(name)
	}
	symbols := map[string]reflect.Type{
		"strings.Split":   reflect.TypeOf(strings.Split),
		"strings.Fields":  reflect.TypeOf(strings.Fields),
		"strings.ToUpper": reflect.TypeOf(strings.ToUpper),
		"strings.Count":   reflect.TypeOf(strings.Count),
		"sort.Strings":    reflect.TypeOf(sort.Strings),
		"os.Args":         reflect.TypeOf(os.Args),
		"github.com/gokernel/gokernel/runtime/thread.Table": reflect.TypeFor[func() map[int]int](),
	}
	env.Symbol = func(pkgPath, name string) reflect.Type { return symbols[pkgPath+"."+name] }
	// snamed returns a slice of a type of the session, which its reflect type does not
	// show; its Result is empty.
	types["snamed"] = reflect.TypeFor[func() []float64]()
	types["slist"] = reflect.TypeFor[func() []string]()
	types["sbags"] = reflect.FuncOf(nil, []reflect.Type{reflect.SliceOf(st)}, false)
	types["sdurs"] = reflect.TypeFor[func() []time.Duration]()
	// sother was declared as returning []time.Duration where time named another package.
	types["sother"] = reflect.TypeFor[func() []string]()
	env.Result = func(name string) string {
		return map[string]string{"slist": "[]string", "sbags": "[]SBag", "sdurs": "[]time.Duration", "sother": "[]time.Duration"}[name]
	}
	return env
}

var guardPattern = regexp.MustCompile(`if (?:[^;{]*? && )?uint64\(len\((.*?)\)\) <= uint64\((.*?)\) \{ ` + IndexName + `\((.*?), len\((.*?)\), \d+\) \};`)

// guardsOf returns the index expressions x[i] that the sources of plan guard, in order.
func guardsOf(t *testing.T, plan *Plan) []string {
	t.Helper()
	var out []string
	for _, s := range plan.Segments {
		for _, m := range guardPattern.FindAllStringSubmatch(s.Source, -1) {
			if m[1] != m[4] || m[2] != m[3] {
				t.Errorf("malformed guard %q", m[0])
			}
			out = append(out, m[1]+"["+m[2]+"]")
		}
	}
	return out
}

func TestParseBoundsGuards(t *testing.T) {
	session := map[string]reflect.Kind{"sxs": reflect.Slice, "sstr": reflect.String, "sarr": reflect.Array,
		"sn": reflect.Int, "smap": reflect.Map, "sany": reflect.Interface, "IDs": reflect.Invalid, "rxs": reflect.Map}
	tests := []struct {
		name   string
		cell   string
		guards []string // the guarded index expressions, in order
		has    []string // texts the sources contain
	}{
		// Guarded: the sequence and the index are certainly what they must be.
		{name: "var slice, constant index", cell: "var xs []int\n_ = xs[5]", guards: []string{"xs[5]"}},
		{name: "make", cell: "xs := make([]int, 3)\ni := 4\nxs[i] = 1", guards: []string{"xs[i]"}},
		{name: "string variable", cell: "s := \"abc\"\nn := 7\nb := s[n]", guards: []string{"s[n]"}},
		{name: "string literal", cell: "n := 7\nb := \"abc\"[n]", guards: []string{`"abc"[n]`}},
		{name: "array", cell: "var a [3]int\nk := 4\nfmt.Println(a[k])", guards: []string{"a[k]"}},
		{name: "parameters", cell: "func at(xs []string, i int) string {\n\treturn xs[i]\n}", guards: []string{"xs[i]"}},
		{name: "named type of the cell", cell: "type IDs2 []int\nfunc (ids IDs2) At(i int) int { return ids[i] }", guards: []string{"ids[i]"}},
		{name: "grid, its rows and a slice of one", cell: "grid := [][]int{{1}}\nrow := grid[0][1:]\ni, j := 1, 2\n_ = grid[i][j] + row[i]",
			guards: []string{"grid[0]", "grid[i]", "grid[i][j]", "row[i]"}},
		{name: "range value", cell: "func sum(grid [][]int, k int) int {\n\tt := 0\n\tfor _, row := range grid {\n\t\tt += row[k]\n\t}\n\treturn t\n}", guards: []string{"row[k]"}},
		{name: "range key of another slice", cell: "func cp(a, b []int) {\n\tfor i := range a {\n\t\tb[i] = a[i]\n\t}\n}", guards: []string{"b[i]"}},
		{name: "session variables", cell: "v := sxs[sn] + int(sstr[sn]) + sarr[sn]", guards: []string{"sxs[sn]", "sstr[sn]", "sarr[sn]"}},
		{name: "result of a cell function", cell: "func mk() []int { return nil }\nys := mk()\nk := 1\nys[k]++", guards: []string{"ys[k]"}},
		{name: "argument of the only call", cell: "xs := []int{}\ni := 1\nfmt.Println(xs[i])\nxs = append(xs, xs[i])", guards: []string{"xs[i]", "xs[i]"}},
		{name: "if condition, switch tag, return, send", cell: "func f(xs []int, i int, ch chan int) int {\n\tif xs[i] > 0 {\n\t}\n\tswitch xs[i+1] {\n\t}\n\tch <- xs[i]\n\treturn xs[len(xs)-i]\n}",
			guards: []string{"xs[i]", "xs[i+1]", "xs[i]", "xs[len(xs)-i]"}},
		{name: "for init and range expression of a slice", cell: "func f(g [][]int, k int) {\n\tfor j := g[k][0]; j < 3; j++ {\n\t}\n\tfor range g[k+1] {\n\t}\n}", guards: []string{"g[k]", "g[k][0]", "g[k+1]"}},
		{name: "value before the assigned index", cell: "func f(xs, ys []int, i, j int) {\n\txs[i] = ys[j]\n\txs[i] += ys[j]\n}", guards: []string{"ys[j]", "xs[i]", "xs[i]", "ys[j]"}},
		{name: "division after the index", cell: "func f(xs []int, i, d int) int {\n\treturn xs[i] / d\n}", guards: []string{"xs[i]"}},
		{name: "range loop whose body calls", cell: "func f(xs []int, g func(int) int) int {\n\tt := 0\n\tfor i := range xs {\n\t\tt += g(xs[i])\n\t}\n\treturn t\n}", guards: []string{"xs[i]"}},
		{name: "division in the index", cell: "func f(xs []int, s string, i, d int) int {\n\treturn xs[i%d] + xs[i/2] + int(s[(i+1)%len(s)])\n}", guards: []string{"xs[i%d]", "xs[i/2]", "s[(i+1)%len(s)]"}},
		{name: "division in a map's key before an index", cell: "func f(xs []int, m map[int]int, i, d int) int {\n\treturn m[i/d] + xs[i]\n}",
			guards: []string{"xs[i]"}, has: []string{"\t_ = (i) / (d); if uint64(len(xs)) <= uint64(i) {"}},
		{name: "division before an index, repeated first", cell: "func f(xs []int, i, d int) int {\n\tv := i/d + xs[i]\n\tw := i % d\n\treturn v + w/d\n}\nk, n := 1, 0\nfmt.Println(k/n + sxs[k])",
			guards: []string{"xs[i]", "sxs[k]"}, has: []string{"\t_ = (i) / (d); if uint64(len(xs)) <= uint64(i) {", "\n\tw := i % d\n\treturn v + w/d\n", "_ = (k) / (n); if uint64(len(sxs)) <= uint64(k) {"}},
		{name: "division in an index, then a field through a pointer", cell: "type bag struct{ items []int }\nfunc f(xs []int, p *bag, i, d int) int {\n\treturn xs[i/d] + p.items[i]\n}", guards: []string{"xs[i/d]", "p.items[i]"}},
		{name: "division in an index with an index in it", cell: "func f(xs, ys []int, i, d int) int {\n\treturn xs[ys[i]/d] + xs[i]\n}", guards: []string{"ys[i]"}},
		{name: "inside a function literal, in its own statement", cell: "func f(xs []int, i int) func() int {\n\treturn func() int { return xs[i] }\n}",
			guards: []string{"xs[i]"}, has: []string{"return func() int { if uint64("}},
		{name: "key of a map", cell: "func f(m map[int]int, xs []int, i int) {\n\tm[xs[i]]++\n}", guards: []string{"xs[i]"}},
		{name: "trailing expression", cell: "xs := []int{}\nxs[3]", guards: []string{"xs[3]"}},
		{name: "results of package functions", cell: "parts := strings.Split(s, \",\")\nk := 2\n_ = parts[k]\nfor _, f := range strings.Fields(s) {\n\t_ = f[1]\n}\nu := strings.ToUpper(s)\n_ = u[k]",
			guards: []string{"parts[k]", "f[1]", "u[k]"}},
		{name: "package variable", cell: "n := 1\n_ = os.Args[n]\nargs := os.Args\nfmt.Println(args[n])", guards: []string{"os.Args[n]", "args[n]"}},
		{name: "fields of a struct of the cell", cell: "type bag struct {\n\titems []int\n\tname string\n\tm map[int]int\n}\nvar b bag\nk := 1\n_ = b.items[k] + int(b.name[k])\nc := bag{}\nc.items[k] = b.items[k]",
			guards: []string{"b.items[k]", "b.name[k]", "b.items[k]", "c.items[k]"}},
		{name: "field through a pointer, then nothing", cell: "type bag struct{ items []int }\nfunc (b *bag) at(xs []int, i int) int {\n\treturn b.items[i] + xs[i]\n}\nfunc at2(b *bag, xs []int, i int) int {\n\treturn xs[i] + b.items[i]\n}\npb := &bag{}\npb.items[1]++\nnb := new(bag)\n_ = nb.items[2]",
			guards: []string{"b.items[i]", "xs[i]", "b.items[i]", "pb.items[1]", "nb.items[2]"}},
		{name: "chain of fields", cell: "type inner struct{ xs []string }\ntype outer struct {\n\tin inner\n\tp  *inner\n}\nvar o outer\nk := 1\n_ = o.in.xs[k]\n_ = o.p.xs[k] + o.in.xs[k]",
			guards: []string{"o.in.xs[k]", "o.p.xs[k]"}},
		{name: "fields of session struct variables", cell: "k := 1\n_ = sst.items[k]\n_ = spt.Names[k]", guards: []string{"sst.items[k]", "spt.Names[k]"}},
		{name: "field in a loop the body changes", cell: "type bag struct{ items []int }\nfunc f(b bag) int {\n\tt := 0\n\tfor i := range b.items {\n\t\tt += b.items[i]\n\t}\n\tfor i := range b.items {\n\t\tb.items = b.items[1:]\n\t\tt += b.items[i]\n\t}\n\treturn t\n}",
			guards: []string{"b.items[i]"}, has: []string{"\t\tt += b.items[i]\n\t}\n\tfor"}},
		{name: "field through a pointer in a range loop", cell: "type bag struct{ items []int }\nfunc f(p *bag) (t int) {\n\tfor i := range p.items {\n\t\tt += p.items[i]\n\t}\n\treturn\n}", guards: []string{"p.items[i]"}},

		{name: "types of an earlier cell", cell: "func f(b SBag, p *SBag, st SStack, k int) int {\n\t_ = b.items[k]\n\t_ = p.Names[k]\n\treturn len(st[k])\n}\nvar sb SBag\n_ = sb.items[1]",
			guards: []string{"b.items[k]", "p.Names[k]", "st[k]", "sb.items[1]"}},
		{name: "results of functions of an earlier cell", cell: "ws := swords()\nk := 1\n_ = ws[k]\nb := smk()\n_ = b.items[k]\nids := SStack(ws)\n_ = ids[k]",
			guards: []string{"ws[k]", "b.items[k]", "ids[k]"}},
		{name: "struct result of a cell function", cell: "type bag struct{ items []int }\nfunc mk() *bag { return &bag{} }\nb := mk()\nk := 1\n_ = b.items[k]", guards: []string{"b.items[k]"}},

		{name: "promoted fields", cell: "type base struct{ items []int }\ntype mid struct{ *base }\ntype top struct {\n\tmid\n\tname string\n}\nvar t top\nk := 1\n_ = t.items[k]\n_ = t.name[k]\n_ = t.mid.base.items[k]\ntype overSession struct{ SBag }\nvar os2 overSession\n_ = os2.Names[k]",
			guards: []string{"t.items[k]", "t.name[k]", "t.mid.base.items[k]", "os2.Names[k]"}},
		{name: "values of maps", cell: "m := map[string][]int{}\nk, i := \"a\", 2\n_ = m[k][i]\nfor _, v := range m {\n\t_ = v[i]\n}\ncounts := map[int]int{}\nxs := []int{}\n_ = counts[i] + xs[i]\nvar sm SMap\n_ = sm[k][i]",
			guards: []string{"m[k][i]", "v[i]", "xs[i]", "sm[k][i]"}},

		{name: "dereferenced indexes", cell: "func f(xs []int, p *int, q *string) int {\n\t_ = xs[*q]\n\treturn xs[*p]\n}\nk := 1\npk := &k\nnk := new(int)\nvar vk *int = pk\nfmt.Println(sxs[*pk], sxs[*nk], sxs[*vk])",
			guards: []string{"xs[*p]", "sxs[*pk]", "sxs[*nk]", "sxs[*vk]"}},
		{name: "pointers to arrays", cell: "func f(p *[3]int, k int) int { return p[k] }\nvar arr [2]string\npa := &arr\nk := 5\n_ = pa[k]\nfor i := range pa {\n\t_ = pa[i]\n}\nvar grid [2][3]int\npg := &grid\n_ = len(pg[k])",
			guards: []string{"p[k]", "pa[k]"}},
		{name: "tuple assignments", cell: "func f(xs []int, s string, i, j int) {\n\txs[i], xs[j] = xs[j], xs[i]\n\ta, b := xs[i], s[j]\n\t_, _ = a, b\n}",
			guards: []string{"xs[i]", "xs[j]", "xs[i]", "s[j]"}},
		{name: "go and defer statements", cell: "func f(xs []int, i int) {\n\tdefer fmt.Println(xs[i])\n\tgo fmt.Println(xs[i+1])\n}\ni := 2\nys := []int{}\ndefer fmt.Println(ys[i])\ngo func(v int) {}(ys[i])",
			guards: []string{"xs[i]", "xs[i+1]", "ys[i]", "ys[i]"}},
		{name: "right operands of && and ||", cell: "func f(xs []int, s string, i int, ok bool) bool {\n\tif i < len(xs) && xs[i] > 0 || !ok && s[i] == 'a' {\n\t}\n\treturn ok || (i >= 0 && xs[i] != 0)\n}",
			guards: []string{"xs[i]", "s[i]", "xs[i]"}, has: []string{"if (i < len(xs)) && uint64(len(xs))", "if !(i < len(xs) && xs[i] > 0) && (!ok) && uint64(len(s))", "if !(ok) && (i >= 0) && uint64("}},
		{name: "variables of unknown types", cell: "func f(get func() []int, i int) {\n\tv := get()\n\t_ = v[i]\n\tok := i > 0 && v[i-1] > 0\n\t_ = ok\n}\nvar sb strings.Builder\nw := sb.String()\n_ = w[3]",
			has: []string{"__gk_check(v, i, 3); _ = v[i]", "if (i > 0) { __gk_check(v, i-1, 4) }; ok :=", "__gk_check(w, 3, 9); _ = w[3]"}},

		{name: "direct index of a call result", cell: "k := 1\n_ = strings.Split(s, \",\")[k]\nfmt.Println(strings.Fields(s)[k])\nfunc mk() []int { return nil }\nfunc f(xs []int, i int) int {\n\treturn mk()[i+1] + mk()[xs[i]] + len(strings.Fields(s)[i])\n}\nstrings.Split(s, \",\")[k]",
			guards: []string{"__gk_v1[k]", "__gk_v2[k]", "__gk_v3[i+1]", "__gk_v4[k]"},
			has:    []string{"{ __gk_v1 := strings.Split(s, \",\"); if", "; _ = __gk_v1[k] }\n", "fmt.Println(__gk_v2[k]) }", "\t__gk_v3 := mk(); if", "return __gk_v3[i+1] + mk()[xs[" + AtName + "(i, len(xs), 6)]] + len(" + CheckedName + "(strings.Fields(s), i, 6).([]string)[i])", "__gk_v4[k] }\n"}},
		{name: "call assigned to an index", cell: "func f(xs []int, i int, g func(int) int) {\n\txs[i] = g(i)\n\tfor k := range xs {\n\t\txs[k] = g(xs[0])\n\t}\n}\nk := 3\nsxs[k] = strings.Count(sstr, \"a\")",
			guards: []string{"xs[i]", "xs[0]", "xs[k]", "sxs[k]"},
			has: []string{"\t__gk_v1 := g(i); if uint64(len(xs)) <= uint64(i) { __gk_index(i, len(xs), 2) }; xs[i] = __gk_v1\n",
				"if uint64(len(xs)) <= uint64(0) { __gk_index(0, len(xs), 4) }; __gk_v2 := g(xs[0]); if uint64(len(xs)) <= uint64(k) { __gk_index(k, len(xs), 4) }; xs[k] = __gk_v2\n",
				"{ __gk_v3 := strings.Count(sstr, \"a\"); if uint64(len(sxs)) <= uint64(k) { __gk_index(k, len(sxs), 8) }; sxs[k] = __gk_v3 }"}},
		{name: "call assigned to an index of an index", cell: "func f(grid [][]int, rows [][2]int, r, c int, g func() int) {\n\tgrid[r][c] = g()\n\trows[r][1] = g()\n}",
			guards: []string{"grid[r]", "grid[r][c]", "rows[r]"},
			has:    []string{"\t__gk_v1 := g(); if uint64(len(grid)) <= uint64(r) { __gk_index(r, len(grid), 2) }; if uint64(len(grid[r])) <= uint64(c) { __gk_index(c, len(grid[r]), 2) }; grid[r][c] = __gk_v1\n"}},
		{name: "arithmetic on calls assigned to an index", cell: "func f(xs []int, ws []string, i int, g func() int, h func() string) {\n\txs[i] = g() + g()\n\txs[i] = -2*g() + len(xs)\n\tws[i] = h() + \"!\"\n}",
			guards: []string{"xs[i]", "xs[i]", "ws[i]"},
			has: []string{"\t__gk_v1 := g() + g(); if uint64(len(xs)) <= uint64(i) { __gk_index(i, len(xs), 2) }; xs[i] = __gk_v1\n",
				"\t__gk_v2 := -2*g() + len(xs); if", "; xs[i] = __gk_v2\n", "\t__gk_v3 := h() + \"!\"; if uint64(len(ws)) <= uint64(i) { __gk_index(i, len(ws), 4) }; ws[i] = __gk_v3\n"}},
		{name: "call assigned to an index made by an index", cell: "func f(xs []int, grid [][]int, m map[int][]int, i int, g func() int) {\n\tgrid[xs[i]][i] = g()\n\tm[i][i] = g()\n}",
			guards: []string{"xs[i]", "grid[xs[i]]", "grid[xs[i]][i]", "m[i][i]"},
			has: []string{"\t__gk_v1 := g(); if uint64(len(xs)) <= uint64(i) { __gk_index(i, len(xs), 2) }; if uint64(len(grid)) <= uint64(xs[i]) { __gk_index(xs[i], len(grid), 2) }; if uint64(len(grid[xs[i]])) <= uint64(i) { __gk_index(i, len(grid[xs[i]]), 2) }; grid[xs[i]][i] = __gk_v1\n",
				"\t__gk_v2 := g(); if uint64(len(m[i])) <= uint64(i) { __gk_index(i, len(m[i]), 3) }; m[i][i] = __gk_v2\n"}},
		{name: "call assigned to an index, not hoisted", cell: "func f(xs []int, bs []bool, us []uint64, a [3]int, i int, g func() int, chs []chan int) {\n\txs[g()] = g()\n\ta[1] = g()\n\txs[i] = len(xs)\n\txs[i] = g(\n\t)\n\tus[i] = 1 << g()\n\tbs[i] = g() > 0\n\txs[i] = <-chs[0]\n}\nfunc h(cs []complex64, fs []float64, i int) {\n\tcs[i] = complex(1, 2)\n\tfs[i] = real(2i)\n\tfs[i] = real(2i) + 1\n}",
			guards: []string{"xs[i]", "chs[0]"}, has: []string{"\tcs[i] = complex(1, 2)\n\tfs[i] = real(2i)\n\tfs[i] = real(2i) + 1\n", "\txs[g()] = g()\n", "\ta[1] = g()\n", "\tus[i] = 1 << g()\n\tbs[i] = g() > 0\n", "}; xs[i] = (<-chs[0])\n"}},
		{name: "receive assigned to an index", cell: "func f(xs []int, i int, ch chan int) {\n\txs[i] = <-ch\n}\nk := 0\nsxs[k] = <-sch",
			guards: []string{"xs[i]", "sxs[k]"},
			has:    []string{"\t__gk_v1 := <-ch; if uint64(len(xs)) <= uint64(i) { __gk_index(i, len(xs), 2) }; xs[i] = __gk_v1\n", "{ __gk_v2 := <-sch; if uint64(len(sxs)) <= uint64(k) { __gk_index(k, len(sxs), 5) }; sxs[k] = __gk_v2 }"}},
		{name: "no hoisting in top-level declarations", cell: "k := 1\nx := strings.Split(s, \",\")[k]\nvar y = strings.Split(s, \",\")[k]"},
		{name: "direct index of a method's result", cell: "var sb strings.Builder\nk := 2\n_ = sb.String()[k]\n_ = swords()[k] + len(sb.String())\n_ = sany.(string) + swords()[k]\n_ = swords()[k] + sb.String()[k]",
			guards: []string{"__gk_v2[k]"}, has: []string{"{ __gk_v1 := sb.String(); " + CheckName + "(__gk_v1, k, 3); _ = __gk_v1[k] }", "\n_ = sany.(string) + swords()[k]\n_ = swords()[k] + sb.String()[k]"}},

		// Not guarded.
		{name: "map with interface keys", cell: "m := map[any][]int{}\nxs := []int{}\nk, i := 1, 2\n_ = m[k][i]\n_ = len(m[k]) + xs[i]"},
		{name: "range key of a map", cell: "func f(m map[int]int, xs []int) {\n\tfor k := range m {\n\t\t_ = xs[k]\n\t}\n}"},
		{name: "map type of an earlier cell", cell: "var m SMap\nk := \"a\"\n_ = m[k]\nw := swords\n_ = w"},
		{name: "map", cell: "m := map[int]int{}\nk := 1\n_ = m[k]\n_ = smap[k]"},
		{name: "unknown types", cell: "_ = v[1]\n_ = sany[1]"},
		{name: "right operands of && and || after an effect or a condition with one", cell: "func f(xs []int, i int, m map[any]int) bool {\n\tif g() && xs[i] > 0 {\n\t}\n\treturn i < g() && xs[i] > 0 || m[i] > 0 && xs[i] > 0\n}"},
		{name: "function literal is not run by its statement", cell: "func f(xs []int, i int) {\n\tg := func() { xs[i]++ }\n\t_ = g\n}", has: []string{"g := func() { if uint64"}, guards: []string{"xs[i]"}},
		{name: "calls the compiler may make first", cell: "func f(xs []int, i int) {\n\tfmt.Println(g(), xs[i])\n\tfmt.Println(xs[i], g())\n\t_ = xs[i] + g()\n}"},
		{name: "method call", cell: "func f(b *strings.Builder, s string, i int) {\n\tb.WriteByte(s[i])\n}"},
		{name: "receive, dereference, float or conditional division before the index", cell: "func f(xs []int, i, d int, ch chan int, p *int, x, y float64) {\n\t_ = <-ch + xs[i]\n\t_ = *p + xs[i]\n\t_ = x/y + float64(xs[i])\n\t_ = i > 0 && i/d > 0 && xs[i] > 0\n}"},
		{name: "range key over the same slice", cell: "func sum(xs []int) int {\n\tt := 0\n\tfor i := range xs {\n\t\tt += xs[i]\n\t}\n\tfor i, v := range xs {\n\t\tt += xs[i] * v\n\t}\n\treturn t\n}"},
		{name: "counting loops over the same slice", cell: "func sum(xs []int) int {\n\tt := 0\n\tfor i := 0; i < len(xs); i++ {\n\t\tt += xs[i]\n\t}\n\tfor i := len(xs) - 1; i >= 0; i-- {\n\t\tt += xs[i]\n\t}\n\treturn t\n}"},
		{name: "tuple assignments with calls", cell: "func f(xs []int, i, j int) {\n\txs[i], xs[j] = xs[j], g()\n\ta, b := g(), xs[j]\n\t_, _ = a, b\n}"},
		{name: "len of an array element is not evaluated", cell: "func f(g [][3]int, k int) int {\n\tfor range g[k] {\n\t}\n\treturn len(g[k])\n}"},
		{name: "constant index of an array, negative constant", cell: "var a [3]int\n_ = a[1]\nconst m = -1\nfunc f(xs []int) int { return xs[m] }"},
		{name: "type parameter", cell: "func at[S ~[]int](s S, i int) int {\n\treturn s[i]\n}"},
		{name: "type the session defined first", cell: "type IDs []int\nvar ids IDs\nk := 1\n_ = ids[k]"},
		{name: "session variable before the cell redefines it", cell: "k := 1\n_ = rxs[k]\nrxs := []int{}\n_ = rxs[k]", guards: []string{"rxs[k]"}, has: []string{"\n_ = rxs[k]\n"}},
		{name: "index of unknown type", cell: "func f(xs []int, y float64, g func() int) {\n\t_ = xs[n]\n}"},
		{name: "index that is a call", cell: "func f(xs []int, g func() int, h func(int) int) {\n\t_ = xs[g()]\n\tfmt.Println(xs[h(g())])\n}",
			guards: []string{"xs[__gk_v1]", "xs[__gk_v2]"}, has: []string{"__gk_v2 := h(g()); if uint64(len(xs)) <= uint64(__gk_v2) { __gk_index(__gk_v2, len(xs), 3) }; fmt.Println(xs[__gk_v2])"}},
		{name: "index that is a call, not hoisted", cell: "func f(xs []int, m map[int]int, g func() int, p *[]int) {\n\t_ = m[g()]\n\t_ = xs[len(xs)]\n\tfmt.Println(g(), xs[g()])\n\t_ = (*p)[g()]\n\t_ = xs[g()+1]\n}\nk := 1\nv := xs0[g0()]",
			guards: []string{"xs[len(xs)]"}},
		{name: "labelled statement", cell: "func f(xs []int, i int) {\nL:\n\tfor range xs[i:] {\n\t\tbreak L\n\t}\n}"},
		{name: "direct index of a call result after another call", cell: "k := 1\n_ = g() + strings.Split(s, \",\")[k]\nfmt.Println(g(), strings.Fields(s)[k])\nok := k > 0 && strings.Fields(s)[k] == \"\""},
		{name: "hoisted call whose text another rewrite edits", cell: "func f(fn func() []int, m map[int]int, k int) int {\n\treturn f(func() []int { return nil }, m, k)[k]\n}\nk := 1\nfmt.Println(strings.Fields(s)[k])",
			guards: []string{"__gk_v2[k]"}, has: []string{"return f((func() []int { return nil }), m, k)[k]\n"}},
		{name: "map-returning and unknown package functions", cell: "m := thread.Table()\nk := 1\n_ = m[k]\nu := strings.Nope(s)\n_ = u[k]\nv := sort.Strings\n_ = v[k]"},
		{name: "package name shadowed", cell: "func f(strings interface{ Split(string) map[int]string }, k int) string {\n\tparts := strings.Split(\",\")\n\treturn parts[k]\n}"},
		{name: "fields of map and unknown types", cell: "type bag struct {\n\titems []int\n\tm     map[int]int\n}\ntype wrap struct{ bag }\nvar b bag\nvar w wrap\nk := 1\n_ = b.m[k]\n_ = w.m[k]\n_ = sst.m[k]\n_ = sany.items[k]"},
		{name: "ambiguous, opaque and shadowed promoted fields", cell: "type a struct{ xs []int }\ntype b struct{ xs []int }\ntype ab struct {\n\ta\n\tb\n}\ntype withBuilder struct {\n\tstrings.Builder\n}\ntype out struct {\n\ta\n\txs map[int]int\n}\nvar v ab\nvar wb withBuilder\nvar o out\nk := 1\n_ = v.xs[k]\n_ = wb.buf[k]\n_ = o.xs[k]"},
		{name: "assignment through a pointer field", cell: "type bag struct{ items []int }\nfunc f(p *bag, i int) {\n\tp.items[i] = 1\n}"},
		{name: "shadowed len", cell: "func f(xs []int, i int, len func([]int) int) int {\n\treturn xs[i]\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := mustParse(t, symbolEnv(session), tt.cell)
			got := guardsOf(t, plan)
			if fmt.Sprint(got) != fmt.Sprint(tt.guards) {
				t.Errorf("guards %q, want %q", got, tt.guards)
			}
			all := ""
			for _, s := range plan.Segments {
				all += s.Source + "\n"
			}
			for _, h := range tt.has {
				if !strings.Contains(all, h) {
					t.Errorf("sources do not contain %q:\n%s", h, all)
				}
			}
			if t.Failed() {
				t.Logf("sources:\n%s", all)
			}
		})
	}
}

func TestParseInlineChecks(t *testing.T) {
	session := map[string]reflect.Kind{"sxs": reflect.Slice, "sstr": reflect.String, "sarr": reflect.Array,
		"sn": reflect.Int, "smap": reflect.Map, "sany": reflect.Interface}
	at := func(x, i string, line int) string {
		return x + "[" + AtName + "(" + i + ", len(" + x + "), " + fmt.Sprint(line) + ")]"
	}
	const g = "func g() int { return 0 }\n"
	tests := []struct {
		name string
		cell string
		has  []string // inline checks and other texts the sources contain
		n    int      // how many inline checks there are
	}{
		// Checked inline: the statement makes a call that no guard may run before.
		{name: "beside a call", cell: g + "k := 5\nfmt.Println(g(), sxs[k])", has: []string{at("sxs", "k", 3)}, n: 1},
		{name: "call inside the index", cell: g + "_ = sxs[g()+1]", has: []string{at("sxs", "g()+1", 2)}, n: 1},
		{name: "string and array", cell: g + "k := 1\nfmt.Println(g(), sstr[k], sarr[k])", has: []string{at("sstr", "k", 3), at("sarr", "k", 3)}, n: 2},
		{name: "in a function", cell: g + "func f(xs []int) int {\n\treturn xs[g()*2]\n}", has: []string{at("xs", "g()*2", 3)}, n: 1},
		{name: "index of an index", cell: g + "_ = sxs[sxs[g()+1]]", has: []string{"sxs[" + AtName + "(" + at("sxs", "g()+1", 2) + ", len(sxs), 2)]"}, n: 2},
		{name: "right operand of && after a call", cell: g + "k := 1\nok := g() > 0 && sxs[k] > 0", has: []string{at("sxs", "k", 3)}, n: 1},
		{name: "compound assignment", cell: g + "k := 1\nsxs[k] += g()", has: []string{at("sxs", "k", 3)}, n: 1},
		{name: "field", cell: g + "k := 1\nfmt.Println(g(), sst.Names[k])", has: []string{at("sst.Names", "k", 3)}, n: 1},
		{name: "range loop whose body calls", cell: g + "for i := range sxs {\n\tfmt.Println(g(), sxs[i])\n}", has: []string{at("sxs", "i", 3)}, n: 1},
		{name: "constant index of a slice", cell: g + "fmt.Println(g(), sxs[5])", has: []string{at("sxs", "5", 2)}, n: 1},
		{name: "top-level definition from a call's result", cell: "k := 1\nw := strings.Split(s, \",\")[k]", has: []string{CheckedName + "(strings.Split(s, \",\"), k, 2).([]string)[k]"}, n: 1},
		{name: "top-level definition from a cell function's result", cell: "func mk() []int { return nil }\nfunc word() (s string) { return }\nk := 1\nv := mk()[k]\nw := slist()[k]\nb := word()[k]",
			has: []string{CheckedName + "(mk(), k, 4).([]int)[k]", CheckedName + "(slist(), k, 5).([]string)[k]", CheckedName + "(word(), k, 6).(string)[k]"}, n: 3},
		{name: "top-level definition from a result of the cell's and the session's types", cell: "type celsius float64\nfunc mk() []celsius { return nil }\nk := 1\nv := mk()[k]\nw := sbags()[k]",
			has: []string{CheckedName + "(mk(), k, 4).([]celsius)[k]", CheckedName + "(sbags(), k, 5).([]SBag)[k]"}, n: 2},
		{name: "top-level definition from a result of a package's type", cell: "func mk() map[int]*time.Location { return nil }\nfunc ds() [2]time.Duration { return [2]time.Duration{} }\nk := 1\nd := sdurs()[k]\nloc := ds()[k]",
			has: []string{CheckedName + "(sdurs(), k, 4).([]time.Duration)[k]", CheckedName + "(ds(), k, 5).([2]time.Duration)[k]"}, n: 2},
		{name: "call result after another call", cell: g + "k := 1\n_ = g() + len(strings.Fields(s)[k+1])", has: []string{CheckedName + "(strings.Fields(s), k+1, 3).([]string)[k+1]"}, n: 1},
		{name: "index of an index with a call in the index", cell: g + "grid := [][]int{{1}}\nfmt.Println(grid[0][g()])",
			has: []string{"grid[" + AtName + "(0, len(grid), 3)][" + AtName + "(g(), len(grid[0]), 3)]"}, n: 2},
		{name: "index made by a package function, a function literal, a session function", cell: g + "fmt.Println(g(), sxs[strings.Count(s, \"a\")])\nfmt.Println(g(), sxs[func() int { return 1 }()])\nfmt.Println(g(), sxs[scount()])",
			has: []string{at("sxs", "strings.Count(s, \"a\")", 2), at("sxs", "func() int { return 1 }()", 3), at("sxs", "scount()", 4)}, n: 3},
		{name: "multi-line statement: the index's own line", cell: g + "k := 1\nfmt.Println(g(),\n\tsxs[k])", has: []string{at("sxs", "k", 4)}, n: 1},

		// Left alone.
		{name: "guarded in front instead", cell: "k := 1\nfmt.Println(sxs[k])"},
		{name: "no call in the statement", cell: "k, j := 1, 2\n_ = sxs[k/j]"},
		{name: "assigned index, checked after the value", cell: g + "k := 1\nsxs[k] = g()"},
		{name: "constant index of an array", cell: g + "fmt.Println(g(), sarr[2])"},
		{name: "constant string", cell: g + "const cs = \"abc\"\nfmt.Println(g(), cs[1])"},
		{name: "index of an index", cell: g + "k := 1\ngrid := [][]int{{1}}\nfmt.Println(g(), grid[0][k])",
			has: []string{"grid[" + AtName + "(0, len(grid), 4)][" + AtName + "(k, len(grid[0]), 4)]"}, n: 2},
		{name: "map, unknown type, call result", cell: g + "k := 1\nfmt.Println(g(), smap[k], sany[k], swords()[k])"},
		{name: "inside a hoisted call", cell: g + "func h(int) int { return 0 }\n_ = sxs[h(sxs[g()+1])]", has: []string{"__gk_v1 := h(sxs[g()+1])"}},
		{name: "range loop whose body makes no call", cell: g + "for i := range sxs {\n\t_ = sxs[i] / sn\n}"},
		{name: "shadowed len", cell: "func f(xs []int, i int, len func([]int) int) int {\n\treturn xs[len(xs)]\n}"},
		{name: "call results of unknown types", cell: g + "k := 1\nw := smk()[k]\nm := thread.Table()[k]\nx := snamed()[k]"},
		{name: "result of a package's type that names another package now", cell: "k := 1\nd := sother()[k]"},
		{name: "result of a package's type whose name stands for something else", cell: "time := 2\nd := sdurs()[time]"},
		{name: "result of a type the session's name no longer stands for", cell: "SBag := 3\nk := 1\nv := sbags()[k]"},
		{name: "session function that the cell redefines later", cell: "k := 1\nv := slist()[k]\nfunc slist() []int { return nil }"},
		{name: "call result with an index in the index", cell: "k := 1\nw := strings.Split(s, \",\")[sxs[k]]", has: []string{"(strings.Split(s, \",\")[" + at("sxs", "k", 2) + "]"}, n: 1}, // only sxs[k]
		{name: "call result assigned to", cell: g + "k := 1\nstrings.Fields(s)[k] = strings.ToUpper(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := mustParse(t, symbolEnv(session), tt.cell)
			all := ""
			for _, s := range plan.Segments {
				all += s.Source + "\n"
			}
			if n := strings.Count(all, AtName+"(") + strings.Count(all, CheckedName+"("); n != tt.n {
				t.Errorf("%d inline checks, want %d:\n%s", n, tt.n, all)
			}
			for _, h := range tt.has {
				if !strings.Contains(all, h) {
					t.Errorf("sources do not contain %q:\n%s", h, all)
				}
			}
		})
	}
}

// TestRewritesKeepColumns checks that columns on a rewritten cell line map back to the
// cell: around and inside a guard, a hoisted call and an inline check.
func TestRewritesKeepColumns(t *testing.T) {
	type col struct{ at, want string } // text in the source line, text of the cell line there
	tests := []struct {
		name, cell string
		line       int    // the cell line checked
		has        string // text its source line must contain
		cols       []col
	}{
		{name: "guard", cell: "xs := []int{}\nk := 2; y := xs[k] + \"s\"\n_ = y", line: 2, has: IndexName,
			cols: []col{{"k := 2", "k := 2"}, {"y := xs[k]", "y := xs[k]"}, {"\"s\"", "\"s\""},
				{IndexName, "y := xs[k]"}}}, // inside the guard: the statement
		{name: "hoist", cell: "func mk(n int) []int { return make([]int, n) }\nk := 2; y = mk(k)[k] + \"s\"; z := undefined", line: 2,
			has: "{ __gk_v1 := mk(k); if uint64(len(",
			cols: []col{{"k := 2", "k := 2"},
				{"mk(k)", "mk(k)"},         // the copy in the guard: the call
				{"(k);", "(k)["},           // inside the copy
				{IndexName, "y = mk(k)"},   // inside the guard: the statement
				{"{ __gk", "y = mk(k)"},    // the block's start: the statement
				{"__gk_v1[k]", "mk(k)[k]"}, // the variable: the call
				{"[k] + ", "[k] + "}, {"\"s\"", "\"s\""}, {"undefined", "undefined"}}},
		{name: "inline check", cell: "func g() int { return 0 }\nxs := []int{}\nk := 1\nfmt.Println(g(), xs[k], undefined)", line: 4, has: AtName,
			cols: []col{{"fmt", "fmt"}, {"k, len", "k]"}, {"undefined", "undefined"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := mustParse(t, testEnv(), tt.cell)
			cellLine := strings.Split(tt.cell, "\n")[tt.line-1]
			for _, seg := range plan.Segments {
				for i, text := range strings.Split(seg.Source, "\n") {
					srcLine := i + 1
					if srcLine < seg.FirstLine || seg.CellLine(srcLine) != tt.line {
						continue
					}
					if !strings.Contains(text, tt.has) {
						t.Fatalf("source line %q lacks %q", text, tt.has)
					}
					for _, c := range tt.cols {
						col := strings.Index(text, c.at) + 1
						want := strings.Index(cellLine, c.want) + 1
						if got := seg.CellColumn(srcLine, col); got != want {
							t.Errorf("column of %q: %d, want %d (source line %q)", c.at, got, want, text)
						}
					}
					return
				}
			}
			t.Fatalf("no source line holds cell line %d", tt.line)
		})
	}
}

func TestIndexPanic(t *testing.T) {
	tests := []struct {
		i    any
		n    int
		want string
	}{
		{5, 0, "runtime error: index out of range [5] with length 0"},
		{-1, 3, "runtime error: index out of range [-1]"},
		{int8(-3), 1, "runtime error: index out of range [-3]"},
		{uint8(200), 10, "runtime error: index out of range [200] with length 10"},
		{^uint64(0), 1, "runtime error: index out of range [18446744073709551615] with length 1"},
		{3, 3, "runtime error: index out of range [3] with length 3"},
		{2, 3, ""}, // in range: no panic
	}
	for _, tt := range tests {
		got := func() (s string) {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(runtime.Error); !ok {
						s = fmt.Sprintf("not a runtime.Error: %v", r)
						return
					}
					s = fmt.Sprint(r)
				}
			}()
			IndexPanic(tt.i, tt.n, 1)
			return ""
		}()
		if got != tt.want {
			t.Errorf("IndexPanic(%v, %d): %q, want %q", tt.i, tt.n, got, tt.want)
		}
	}
}

func TestEvalBoundsGuards(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nimport \"errors\"\nimport \"runtime\"\nxs := []int{10, 20, 30}\nvar arr [3]int\nstr := \"abc\"\ngrid := [][]int{{1, 2}, {3}}")
	runs := []struct {
		name, cell, want string
	}{
		{"in range", "i := 2\nfmt.Println(xs[i], arr[i], str[i], grid[1][0])", "30 0 99 3\n"},
		{"guarded right operand not evaluated", "i := 5\nif i < len(xs) && xs[i] > 0 {\n\tfmt.Println(\"no\")\n}\nfmt.Println(i >= len(xs) || xs[i] > 0)", "true\n"},
		{"missing map key", "m := map[int]int{}\nk := 7\nfmt.Println(m[k])", "0\n"},
		{"swap", "a, b := 0, 2\nxs[a], xs[b] = xs[b], xs[a]\nfmt.Println(xs)", "[30 20 10]\n"},
		{"exempt loops", "t := 0\nfor i := range xs {\n\tt += xs[i]\n}\nfor i := 0; i < len(xs); i++ {\n\tt += xs[i]\n}\nfor i := len(xs) - 1; i >= 0; i-- {\n\tt += xs[i]\n}\nfmt.Println(t)", "180\n"},
		{"appending loop", "ys := []int{1}\nfor i := 0; i < 3; i++ {\n\tys = append(ys, ys[i]*2)\n}\nfmt.Println(ys)", "[1 2 4 8]\n"},
		{"op assignment and increment", "j := 1\nxs[j] += 5\nxs[j]++\nfmt.Println(xs[j])", "26\n"},
		{"recovered in the cell", "func at(i int) (v int, err error) {\n\tdefer func() {\n\t\tif r := recover(); r != nil {\n\t\t\terr = r.(error)\n\t\t}\n\t}()\n\treturn xs[i], nil\n}\n_, err := at(9)\n_, isRuntime := err.(runtime.Error)\nfmt.Println(err, isRuntime, errors.Is(err, err))", "runtime error: index out of range [9] with length 3 true true\n"},
	}
	for _, tt := range runs {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if out := s.must(tt.cell); out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
	panics := []struct {
		name, cell, want string
	}{
		{"slice", "n := 5\n_ = xs[n]", "runtime error: index out of range [5] with length 3"},
		{"negative", "n := -1\nfmt.Println(xs[n])", "runtime error: index out of range [-1]"},
		{"array", "n := 3\narr[n] = 1", "runtime error: index out of range [3] with length 3"},
		{"string", "n := 4\n_ = str[n]", "runtime error: index out of range [4] with length 3"},
		{"row of a grid", "i, j := 1, 1\n_ = grid[i][j]", "runtime error: index out of range [1] with length 1"},
		{"function of an earlier cell", "func get(i int) int { return xs[i] }", ""},
		{"its call", "get(7)", "runtime error: index out of range [7] with length 3"},
	}
	for _, tt := range panics {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			_, err := s.run(tt.cell)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want == "":
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
