//go:build unix

package queue

import (
	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"testing"
	"time"
)

// TestBlockedCallsDoNotSpin parks goroutines in every blocking call and
// checks that the process stays nearly idle while they wait.
func TestBlockedCallsDoNotSpin(t *testing.T) {
	empty, full := New(0), New(1)
	full.Put("x")
	full.Get() // leaves one unfinished item for Join
	full.Put("y")
	blocked := []func(){
		func() { empty.Get() },
		func() { empty.GetTimeout(time.Hour) },
		func() { defer func() { recover() }(); full.Put("z") },
		full.Join,
	}
	done := make([]<-chan struct{}, len(blocked))
	for i, f := range blocked {
		done[i] = testutil.GoDone(f)
	}
	time.Sleep(50 * time.Millisecond)

	const window = 300 * time.Millisecond
	before := testutil.CPUTime(t)
	time.Sleep(window)
	if used := testutil.CPUTime(t) - before; used > window/3 {
		t.Fatalf("process used %v of CPU in %v while every goroutine was blocked", used, window)
	}
	for i, d := range done {
		select {
		case <-d:
			t.Fatalf("blocking call %d returned instead of blocking", i)
		default:
		}
	}
	empty.Close()
	full.Close()
}
