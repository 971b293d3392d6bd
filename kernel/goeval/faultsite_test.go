package goeval

import (
	"slices"
	"strings"
	"testing"
)

// TestRuntimeErrorsPointAtTheirLine checks where the innermost frame of a runtime error is
// placed: at the one line of the function that can raise it, as in Go, and at the start of
// the function (the interpreter's place) when more than one line could.
func TestRuntimeErrorsPointAtTheirLine(t *testing.T) {
	s := newSession(t)
	cases := []struct {
		name, cell string
		value      string // the panic's text
		frame      string // the end of the innermost frame
	}{
		{"a division", "func div(a, b int) int {\n\th := a / 2\n\t_ = h\n\treturn a / b\n}\ndiv(1, 0)",
			"runtime error: integer divide by zero", "] line 4: return a / b)"},
		{"a remainder beside a division in a function literal", "func rem(a, b int) int {\n\tfmt.Sprint(a)\n\tg := func(x int) int { return x / b }\n\t_ = g\n\treturn a % b\n}\nrem(1, 0)",
			"runtime error: integer divide by zero", "] line 5: return a % b)"},
		// The interpreter names the frame of a function whose first statement holds a
		// function literal after the literal (main.rem.func), so both lines could be.
		{"a function that starts with a function literal", "func rem2(a, b int) int {\n\tg := func(x int) int { return x / b }\n\t_ = g\n\treturn a % b\n}\nrem2(1, 0)",
			"runtime error: integer divide by zero", "] line 2: g := func(x int) int { return x / b })"},
		{"in a function literal", "func lit() {\n\tf := func(k int) int {\n\t\tx := k\n\t\treturn 10 / x\n\t}\n\tf(0)\n}\nlit()",
			"runtime error: integer divide by zero", "] line 4: return 10 / x)"},
		{"a store in a nil map", "func put(m map[string]int) {\n\tn := 1\n\t_ = n\n\tm[\"a\"] = n\n}\nput(nil)",
			"assignment to entry in nil map", "] line 4: m[\"a\"] = n)"},
		{"an increment in a nil map", "func bump(m map[string]int) {\n\tn := []int{1}\n\t_ = n[0]\n\tm[\"a\"]++\n}\nbump(nil)",
			"assignment to entry in nil map", "] line 4: m[\"a\"]++)"},
		{"a store in a tuple assignment", "func tup(m map[string]int) {\n\tn := 1\n\t_ = n\n\tm[\"a\"], n = 1, 2\n}\ntup(nil)",
			"assignment to entry in nil map", "] line 4: m[\"a\"], n = 1, 2)"},
		{"a send on a closed channel", "func snd(ch chan int) {\n\tv := <-ch\n\tclose(ch)\n\tch <- v\n}\nc1 := make(chan int, 1)\nc1 <- 5\nsnd(c1)",
			"send on closed channel", "] line 4: ch <- v)"},
		{"a slice beside a map literal", "func sl(xs []int) []int {\n\tm := map[string]int{\"a\": 1}\n\t_ = m\n\treturn xs[2:5]\n}\nsl(nil)",
			"runtime error: slice bounds out of range", "] line 4: return xs[2:5])"},
		{"make with a negative length", "func mk(n int) []int {\n\ty := 1\n\t_ = y\n\treturn make([]int, n)\n}\nmk(-1)",
			"runtime error: makeslice: len out of range", "] line 4: return make([]int, n))"},
		{"two lines that could", "func cl() {\n\tch := make(chan int)\n\tclose(ch)\n\tclose(ch)\n}\ncl()",
			"close of closed channel", "] line 2: ch := make(chan int))"},
		{"a kind many expressions raise", "type pt struct{ x int }\nfunc (p *pt) get() int {\n\ty := 2\n\t_ = y\n\treturn p.x\n}\nvar np *pt\nnp.get()",
			"runtime error: invalid memory address or nil pointer dereference", "] line 3: y := 2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.fails(c.cell)
			if err.Value != c.value {
				t.Errorf("value %q, want %q", err.Value, c.value)
			}
			if len(err.Traceback) < 4 || !strings.HasSuffix(err.Traceback[3], c.frame) {
				t.Errorf("traceback %q, want the innermost frame to end %q", err.Traceback, c.frame)
			}
		})
	}
}

// TestRuntimeErrorsInGoroutinesPointAtTheirLine checks the same for panics that other
// goroutines report: a goroutine of the cell, a thread of the runtime and a task of a pool,
// each running a function literal of the cell's statements or a function of the cell. A
// goroutine's outermost frame is the go statement that started it.
func TestRuntimeErrorsInGoroutinesPointAtTheirLine(t *testing.T) {
	s := newSession(t)
	cases := []struct{ name, cell, frame, created string }{
		{"a goroutine's function literal", "var wg sync.WaitGroup\nvar counts map[string]int\nwg.Add(1)\ngo func() {\n\tdefer wg.Done()\n\tx := 1\n\tcounts[\"a\"] = x\n}()\nwg.Wait()\ntime.Sleep(20 * time.Millisecond)",
			"] line 7: counts[\"a\"] = x)", "created by go statement  (In [1] line 4: go func() {)"},
		{"a goroutine's function", "func worker(id int, out chan int) {\n\tx := id\n\tout <- 10 / x\n}\nch := make(chan int, 2)\ngo worker(0, ch)\ntime.Sleep(50 * time.Millisecond)",
			"main.worker  (In [2] line 3: out <- 10 / x)", "created by go statement  (In [2] line 6: go worker(0, ch))"},
		{"a thread's function literal", "th := thread.Go(func() {\n\tvar m map[int]int\n\tm[1] = 2\n})\nfmt.Println(th.Join())",
			"] line 3: m[1] = 2)", ""},
		{"a pool's task", "func task(n int) int {\n\tvar m map[int]int\n\tm[n] = 2\n\treturn n\n}\nex := pool.Threads(2)\n_, err := ex.Submit(task, 3).Result()\nfmt.Println(err)\nex.Close()",
			"main.task  (In [4] line 3: m[n] = 2)", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, rec := s.run(c.cell)
			report := rec.out() + rec.errText()
			if !strings.Contains(report, c.frame) {
				t.Errorf("report lacks %q:\n%s", c.frame, report)
			}
			if !strings.Contains(report, c.created) {
				t.Errorf("report lacks %q:\n%s", c.created, report)
			}
		})
	}
}

// TestFaultCandidates checks the tokens each kind of runtime error is looked for at.
func TestFaultCandidates(t *testing.T) {
	cases := []struct {
		name  string
		find  func([]tok) []tok
		body  string
		lines []int
	}{
		{"divisions by literals cannot fail", divisions, "a := x / 2\nb := x % 3.0\nc := x / y\nc /= z", []int{3, 4}},
		{"stores, not loads", indexStores, "a := m[k]\nm[k] = 1\nm[k] += 2\nf(m[k], 1)\nm[k], b = 1, 2\nm[k]--", []int{2, 3, 5, 6}},
		{"close, not a method named close", builtinCalls("close"), "f.close()\nclose(ch)", []int{2}},
		{"sends, not receives or channel types", sends, "v := <-ch\nch <- v\nvar c chan<- int\nf(<-ch)\nxs[0] <- 1\nselect {\ncase out <- v:\n}", []int{2, 5, 7}},
		{"slices, not map literals, cases or labels", sliceColons, "m := map[int]int{1: 2}\nL:\nswitch x {\ncase 1:\n}\ns := xs[1:]\nt := xs[a:b:c]\n_ = xs[m[1]:]", []int{6, 7, 7, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []int
			for _, tk := range c.find(scanTokens(c.body)) {
				got = append(got, tk.line)
			}
			if !slices.Equal(got, c.lines) {
				t.Errorf("lines %v, want %v", got, c.lines)
			}
		})
	}
	// The tokens of function literals belong to the literals' frames.
	own, literals := splitLiterals(scanTokens("f := func(x int) int { return x / y }\nvar g func(int) int\nz := a / b"))
	if d := divisions(own); len(d) != 1 || d[0].line != 3 {
		t.Errorf("own divisions %v, want the one on line 3", d)
	}
	if d := divisions(literals); len(d) != 1 || d[0].line != 1 {
		t.Errorf("the literal's divisions %v, want the one on line 1", d)
	}
}

// TestFramesThatCalledALiteral checks where the frame of a function that called one of its
// function literals is placed: at the call when the literal is the function's only one,
// bound to a name called on one line; at the function's start otherwise.
func TestFramesThatCalledALiteral(t *testing.T) {
	s := newSession(t)
	cases := []struct{ name, cell, frame string }{
		{"called on one line", "func lit() {\n\tf := func(k int) int {\n\t\treturn 10 / k\n\t}\n\tfmt.Println(\"start\")\n\tfmt.Println(f(1), f(0))\n}\nlit()",
			"main.lit  (In [1] line 6: fmt.Println(f(1), f(0)))"},
		{"one line, once", "func lit1() {\n\tf := func(k int) int {\n\t\treturn 10 / k\n\t}\n\tn := 0\n\tf(n)\n}\nlit1()",
			"main.lit1  (In [2] line 6: f(n))"},
		{"called on two lines", "func lit2() {\n\tf := func(k int) int {\n\t\treturn 10 / k\n\t}\n\tf(1)\n\tf(0)\n}\nlit2()",
			"main.lit2  (In [3] line 2: f := func(k int) int {)"},
		{"beside another literal", "func lit3() {\n\tf := func(k int) int {\n\t\treturn 10 / k\n\t}\n\tsort.Slice([]int{2, 1}, func(i, j int) bool { return f(0) > 0 })\n}\nlit3()",
			"main.lit3  (In [4] line 2: f := func(k int) int {)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.fails(c.cell)
			if !slices.ContainsFunc(err.Traceback, func(l string) bool { return strings.TrimSpace(l) == c.frame }) {
				t.Errorf("traceback lacks %q:\n%s", c.frame, strings.Join(err.Traceback, "\n"))
			}
		})
	}
}
