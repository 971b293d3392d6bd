package goeval

import "testing"

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
