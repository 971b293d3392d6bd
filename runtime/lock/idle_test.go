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
	<-goDone(r.Lock)
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
	for _, f := range blocked {
		go f()
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

	// Release everything so the goroutines end.
	l.Unlock()
	sem.Release()
	sem.Release()
	ev.Set()
	cond.With(cond.NotifyAll)
	bar.Wait()
}
