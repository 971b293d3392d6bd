package goeval

import "testing"

func TestCallSite(t *testing.T) {
	const twoAts = "type A struct{}\ntype B struct{}\nfunc (A) at() int {\n\treturn 1\n}\nfunc (B) at() int {\n\tx := 0\n\treturn step(x)\n}"
	tests := []struct {
		name, code, fn string
		inside         int
		callee         string
		line, col      int // 0: no call site
	}{
		{"call", "func outer() int {\n\tv := 0\n\tv += mid(1)\n\treturn v\n}", "outer", 2, "mid", 3, 7},
		{"method call", "func mid(t *T) int {\n\tx := 2\n\treturn t.at(5) + 1\n}", "mid", 2, "at", 3, 11},
		{"calls on one line", "func fib(n int) int {\n\tif n < 2 {\n\t\treturn n\n\t}\n\treturn fib(n-1) + fib(n-2)\n}", "fib", 2, "fib", 5, 9},
		{"generic function", "func apply[T any](x T) T {\n\treturn id(x)\n}", "apply", 2, "id", 2, 9},
		{"one-line function", "x := 1\nfunc one() int { return two() }", "one", 2, "two", 2, 25},
		{"the declaration across the line", twoAts, "at", 7, "step", 8, 9},
		{"names in strings and comments", "func f() {\n\t// g() here\n\ts := \"g()\"\n\t_ = s\n\tg()\n}", "f", 2, "g", 5, 2},
		{"calls on two lines", "func f() {\n\tg()\n\tg()\n}", "f", 2, "g", 0, 0},
		{"value", "func f() {\n\tg()\n\tsort.Slice(xs, g)\n}", "f", 2, "g", 0, 0},
		{"deferred", "func f() {\n\tdefer g()\n}", "f", 2, "g", 0, 0},
		{"deferred method", "func f(x T) {\n\tdefer x.g()\n}", "f", 2, "g", 0, 0},
		{"go statement", "func f() {\n\tgo g()\n}", "f", 2, "g", 0, 0},
		{"not named", "func f() {\n\th()\n}", "f", 2, "g", 0, 0},
		{"another declaration", twoAts, "at", 4, "step", 0, 0},
		{"function not in the cell", "func f() {\n\tg()\n}", "h", 2, "g", 0, 0},
		{"declaration without a body", "func f()\nfunc g() {\n\tf()\n}", "f", 1, "g", 0, 0},
		{"result of a struct type written out", "func f() struct{ n int } {\n\treturn g()\n}", "f", 2, "g", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col, ok := callSite(tt.code, tt.fn, tt.inside, tt.callee)
			if ok != (tt.line > 0) || line != tt.line || col != tt.col {
				t.Errorf("callSite = %d:%d, %v; want %d:%d", line, col, ok, tt.line, tt.col)
			}
		})
	}
}
