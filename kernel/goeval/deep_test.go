package goeval

import (
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/goeval/overflow"
)

// TestStackOverflowStopsOnlyItsGoroutine runs recursions that never end, which would end
// a compiled program (and the kernel) with Go's fatal stack overflow: the guard stops the
// goroutine, its deferred calls run, the cell fails with a report that names the
// function's line, and the session goes on with its state. The guard's limit is lowered
// here to keep the test fast; TestStackOverflowAtTheDefaultLimit uses the real one.
func TestStackOverflowStopsOnlyItsGoroutine(t *testing.T) {
	s := newSession(t)
	s.e.guard.Max = 20_000
	s.ok("kept := 42\nfunc f(n int) int { return f(n+1) + 1 }")
	cases := []struct {
		name, cell string
		errName    string
		report     []string // in the traceback, or in stderr for other goroutines
		stdout     string
	}{
		{"a function of an earlier cell", "f(0)", "fatal error",
			[]string{"fatal error: stack overflow", "main.f  (In [1] line 2: func f(n int) int { return f(n+1) + 1 })", "gokernel stopped only this goroutine"}, ""},
		{"mutual recursion", "\nfunc ping(n int) int { return pong(n) + 1 }\nfunc pong(n int) int { return ping(n) + 1 }\nping(0)", "fatal error",
			[]string{"stack overflow", "main.p", "func p"}, ""},
		{"a method", "type node struct{ next *node }\nfunc (n *node) walk() int {\n\treturn n.walk() + 1\n}\n(&node{}).walk()", "fatal error",
			[]string{"main.(*node).walk  (In [", "line 2: func (n *node) walk() int {"}, ""},
		{"deferred calls run as it unwinds", "func deep(n int) {\n\tdefer func() {\n\t\tif n == 0 {\n\t\t\tfmt.Println(\"unwound\")\n\t\t}\n\t}()\n\tdeep(n + 1)\n}\ndeep(0)", "fatal error",
			[]string{"main.deep"}, "unwound\n"},
		{"a goroutine of the cell", "done := make(chan bool)\ngo func() {\n\tdefer close(done)\n\tf(0)\n}()\n<-done\ntime.Sleep(20 * time.Millisecond)", "panic",
			[]string{"fatal error in goroutine: stack overflow", "main.f  (In [1] line 2"}, ""},
		{"a thread of the runtime", "th := thread.Go(f, 0)\nth.Join()\ntime.Sleep(20 * time.Millisecond)", "panic",
			[]string{"fatal error in goroutine: stack overflow", "main.f  (In [1] line 2"}, ""},
		{"through a callback of compiled code", "func r(s string) string {\n\treturn strings.Map(func(c rune) rune { r(s); return c }, s)\n}\nr(\"ab\")", "fatal error",
			[]string{"stack overflow", "main.r"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			res, rec := s.run(c.cell)
			if res.Err == nil || res.Err.Name != c.errName {
				t.Fatalf("error %+v, want %q; stderr %q", res.Err, c.errName, rec.errText())
			}
			report := strings.Join(res.Err.Traceback, "\n") + "\n" + rec.errText()
			for _, want := range c.report {
				if !strings.Contains(report, want) {
					t.Errorf("report lacks %q:\n%s", want, report)
				}
			}
			if rec.out() != c.stdout {
				t.Errorf("stdout %q, want %q", rec.out(), c.stdout)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			if _, v := s.ok("kept + 1"); v != "43" {
				t.Fatalf("after the overflow kept + 1 = %q, want 43", v)
			}
		})
	}
	// Deep recursion that ends is left alone.
	if _, v := s.ok("func depth(n int) int {\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn depth(n-1) + 1\n}\ndepth(2000)"); v != "2000" {
		t.Errorf("depth(2000) = %q", v)
	}
}

// TestStackOverflowAtTheDefaultLimit checks that the guard's real limit is reached, in
// reasonable time, before Go's own limit would end the process, and that a recursion of
// 20,000 calls, which a compiled program runs, runs in the kernel too.
func TestStackOverflowAtTheDefaultLimit(t *testing.T) {
	s := newSession(t)
	if s.e.guard.Max != 0 {
		t.Fatalf("the engine's guard has Max %d, want the default", s.e.guard.Max)
	}
	if _, v := s.ok("func down(n int) int {\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn down(n-1) + 1\n}\ndown(20000)"); v != "20000" {
		t.Errorf("down(20000) = %q", v)
	}
	start := time.Now()
	err := s.fails("func up(n int) int { return up(n+1) + 1 }\nup(0)")
	d := time.Since(start)
	if err.Name != "fatal error" || !strings.Contains(strings.Join(err.Traceback, "\n"), "more than 400000 interpreter frames") {
		t.Fatalf("error %s: %s\n%s", err.Name, err.Value, strings.Join(err.Traceback, "\n"))
	}
	t.Logf("stopped at %d frames after %v", overflow.DefaultMax, d)
	if d > 60*time.Second {
		t.Errorf("took %v", d)
	}
}
