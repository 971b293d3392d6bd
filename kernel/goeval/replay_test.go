package goeval

import (
	"path/filepath"
	"testing"
)

// TestCallsFunctions checks which declarations a child process rebuilds only on demand: those
// whose initial values call functions.
func TestCallsFunctions(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"var results = ex.Map(f, xs)", true},
		{"var n = compute()", true},
		{"var s = strings.Repeat(\"a\", 3)", true},
		{"var xs = append([]int{1}, double(2))", true}, // a call inside a builtin's arguments
		{"var n = 3", false},
		{"var xs = make([]int, 3)", false},
		{"var m = map[string]int{\"a\": len(\"ab\")}", false},
		{"var f = float64(2)", false},
		{"var b = []byte(\"x\")", false},
		{"var ch = (chan int)(nil)", false},
		{"var f = func() int { return compute() }", false}, // the body does not run
		{"func f() int { return compute() }", false},
		{"type T struct{ X int }", false},
		{"var (", false}, // does not parse
	}
	for _, tt := range tests {
		if got := callsFunctions(tt.src); got != tt.want {
			t.Errorf("callsFunctions(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

// TestReplayRebuildsHeldBackVariables replays a session into a fresh engine, as a child
// process does: variables whose initial values call functions are built only when a
// declaration needs them.
func TestReplayRebuildsHeldBackVariables(t *testing.T) {
	s := newSession(t)
	s.ok("var calls int\nfunc compute(n int) int { calls++; return n * 10 }")
	s.ok("var a = compute(1)\nvar b = compute(2)\nvar unused = compute(3)")
	s.ok("func total() int { return a + b }")
	s.ok("var c = compute(a)\nfunc chained() int { return c }")
	path := filepath.Join(t.TempDir(), "replay.json")
	if err := s.e.WriteReplay(path); err != nil {
		t.Fatal(err)
	}
	child := newSession(t)
	if err := child.e.Replay(path); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	if _, v := child.ok("[]int{total(), chained(), calls}"); v != "[30 100 3]" {
		t.Fatalf("total(), chained() and calls in the child: %s, want [30 100 3] (a, b and c built, unused not)", v)
	}
}
