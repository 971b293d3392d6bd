package overflow

import (
	"strings"
	"sync"
	"testing"
)

// recurse calls itself without end, asking the guard every time its count runs out, as a
// rewritten cell function does.
func recurse(g *Guard, calls *int, depth int) int {
	if *calls--; *calls < 0 {
		*calls = g.Check("main.recurse", 3, 1)
	}
	//lint:ignore SA5007 the guard must stop a recursion that never ends
	return recurse(g, calls, depth+1) + 1
}

// TestGuardStopsARecursion runs recursions under guards of several limits: each must be
// reported once, with the function it was given and the goroutine's outermost function,
// and end its goroutine with its deferred calls run.
func TestGuardStopsARecursion(t *testing.T) {
	for _, limit := range []int{2_000, 20_000, 100_000} {
		var reports []Overflow
		var mu sync.Mutex
		g := &Guard{Max: limit, Report: func(o Overflow) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, o)
		}}
		deferred := make(chan bool, 1)
		ended := make(chan bool)
		go func() {
			defer close(ended)
			defer func() { deferred <- recover() == nil }()
			calls := 0
			recurse(g, &calls, 0)
			t.Error("the recursion returned")
		}()
		<-ended
		if !<-deferred {
			t.Errorf("limit %d: the goroutine panicked instead of exiting", limit)
		}
		if len(reports) != 1 {
			t.Fatalf("limit %d: %d reports, want 1", limit, len(reports))
		}
		o := reports[0]
		if o.Func != "main.recurse" || o.Cell != 3 || o.Line != 1 || o.Frames != limit {
			t.Errorf("limit %d: report %+v", limit, o)
		}
		if !strings.Contains(o.Outermost, "TestGuardStopsARecursion") {
			t.Errorf("limit %d: outermost function %q, want the test's goroutine", limit, o.Outermost)
		}
		if !strings.Contains(o.Error(), "stack overflow") || !strings.Contains(o.Error(), "main.recurse") {
			t.Errorf("limit %d: message %q", limit, o.Error())
		}
	}
}

// TestGuardLetsShallowGoroutinesRun checks the counts Check returns where the stack is
// shallow: enough calls that a measure is rare, few enough that the stack cannot pass twice
// the limit before the next one.
func TestGuardLetsShallowGoroutinesRun(t *testing.T) {
	for _, limit := range []int{0, 1_000, 400_000} {
		g := &Guard{Max: limit, Report: func(o Overflow) { t.Errorf("shallow goroutine reported: %+v", o) }}
		want := limit
		if want == 0 {
			want = DefaultMax
		}
		n := g.Check("main.f", 1, 1)
		if n < want/(2*framesPerCall) || n*framesPerCall > 2*want {
			t.Errorf("limit %d: Check returned %d calls", limit, n)
		}
	}
}
