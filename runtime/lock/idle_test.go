//go:build unix

package lock

import (
	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"testing"
	"time"
)

// TestBlockedCallsDoNotSpin parks a goroutine in every blocking call and
// checks that the process stays nearly idle while they wait.
func TestBlockedCallsDoNotSpin(t *testing.T) {
	var (
		l    Lock
		r    RLock
		sem  = NewSemaphore(0)
		ev   Event
		cond = NewCondition(new(Lock))
		bar  = NewBarrier(2)
	)
	l.Lock()
	<-testutil.GoDone(r.Lock)
	blocked := []func(){
		l.Lock,
		r.Lock,
		sem.Acquire,
		func() { sem.AcquireTimeout(time.Hour) },
		ev.Wait,
		func() { ev.WaitTimeout(time.Hour) },
		func() { cond.Lock(); cond.Wait(); cond.Unlock() },
		func() { bar.Wait() },
	}
	done := make([]<-chan struct{}, len(blocked))
	for i, f := range blocked {
		done[i] = testutil.GoDone(f)
	}
	time.Sleep(50 * time.Millisecond) // let them all park

	const window = 300 * time.Millisecond
	before := testutil.CPUTime(t)
	time.Sleep(window)
	used := testutil.CPUTime(t) - before
	// A single spinning goroutine would use about the whole window.
	if used > window/3 {
		t.Fatalf("process used %v of CPU in %v while every goroutine was blocked", used, window)
	}
	t.Logf("CPU used while blocked: %v in %v", used, window)
	for i, d := range done {
		select {
		case <-d:
			t.Fatalf("blocking call %d returned instead of blocking", i)
		default:
		}
	}

	// Release everything so the goroutines end.
	l.Unlock()
	sem.Release()
	sem.Release()
	ev.Set()
	cond.With(cond.NotifyAll)
	bar.Wait()
}
