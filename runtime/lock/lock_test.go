package lock

import (
	"fmt"
	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	_ sync.Locker = (*Lock)(nil)
	_ sync.Locker = (*RLock)(nil)
	_ sync.Locker = (*Condition)(nil)
)

func TestLockersExcludeEachOther(t *testing.T) {
	tests := []struct {
		name string
		with func(f func())
	}{
		{name: "Lock", with: new(Lock).With},
		{name: "RLock", with: new(RLock).With},
		{name: "Semaphore(1)", with: NewSemaphore(1).With},
		{name: "BoundedSemaphore(1)", with: NewBoundedSemaphore(1).With},
		{name: "Condition", with: NewCondition(nil).With},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const goroutines, rounds = 8, 200
			counter := 0 // deliberately not atomic: the race detector checks the exclusion
			var inside, most atomic.Int32
			var wg sync.WaitGroup
			for range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						tt.with(func() {
							n := inside.Add(1)
							if n > most.Load() {
								most.Store(n)
							}
							counter++
							inside.Add(-1)
						})
					}
				}()
			}
			wg.Wait()
			if counter != goroutines*rounds {
				t.Errorf("counter = %d, want %d", counter, goroutines*rounds)
			}
			if most.Load() != 1 {
				t.Errorf("%d goroutines were inside at once", most.Load())
			}
		})
	}
}

func TestMisusePanicsWithMessage(t *testing.T) {
	heldElsewhere := new(RLock)
	<-testutil.GoDone(heldElsewhere.Lock)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{name: "unlock unlocked Lock", f: func() { new(Lock).Unlock() }, want: "lock: Unlock of unlocked Lock"},
		{name: "unlock unlocked RLock", f: func() { new(RLock).Unlock() }, want: "lock: Unlock of RLock not held by the calling thread"},
		{name: "unlock RLock of another thread", f: heldElsewhere.Unlock, want: "not held by the calling thread"},
		{name: "over-release bounded", f: func() { NewBoundedSemaphore(2).Release() }, want: "BoundedSemaphore released too many times (bound 2)"},
		{name: "negative semaphore", f: func() { NewSemaphore(-1) }, want: "NewSemaphore(-1): count must not be negative"},
		{name: "negative bounded semaphore", f: func() { NewBoundedSemaphore(-2) }, want: "NewBoundedSemaphore(-2)"},
		{name: "empty barrier", f: func() { NewBarrier(0) }, want: "NewBarrier(0): need at least 1 party"},
		{name: "wait without lock", f: func() { NewCondition(new(Lock)).Wait() }, want: "Condition.Wait called without holding the lock"},
		{name: "wait without RLock", f: func() { NewCondition(nil).WaitTimeout(time.Millisecond) }, want: "Condition.Wait called without holding the lock"},
		{name: "notify without lock", f: func() { NewCondition(new(Lock)).Notify() }, want: "Condition.Notify called without holding the lock"},
		{name: "notify all without lock", f: func() { NewCondition(nil).NotifyAll() }, want: "Condition.NotifyAll called without holding the lock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
					t.Fatalf("panic = %v, want one containing %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
}

func TestLockTryAndTimeout(t *testing.T) {
	var l Lock
	if l.Locked() {
		t.Fatal("zero Lock is locked")
	}
	if !l.TryLock() {
		t.Fatal("TryLock on a free Lock failed")
	}
	tests := []struct {
		name    string
		attempt func() bool
		minWait time.Duration
	}{
		{name: "TryLock", attempt: l.TryLock},
		{name: "LockTimeout(0)", attempt: func() bool { return l.LockTimeout(0) }},
		{name: "LockTimeout(30ms)", attempt: func() bool { return l.LockTimeout(30 * time.Millisecond) }, minWait: 30 * time.Millisecond},
	}
	for _, tt := range tests {
		start := time.Now()
		if tt.attempt() {
			t.Errorf("%s on a held Lock succeeded", tt.name)
		}
		if waited := time.Since(start); waited < tt.minWait {
			t.Errorf("%s gave up after %v, want at least %v", tt.name, waited, tt.minWait)
		}
	}
	// Python allows another thread to release a Lock; so does Lock.
	<-testutil.GoDone(l.Unlock)
	if !l.LockTimeout(time.Second) {
		t.Fatal("LockTimeout on a free Lock failed")
	}
	if !l.Locked() {
		t.Fatal("Locked() = false after LockTimeout succeeded")
	}
	// A timed wait that the holder ends in time takes the lock; the helpers
	// of the attempts that gave up above must not have kept it.
	go func() {
		time.Sleep(20 * time.Millisecond)
		l.Unlock()
	}()
	if start := time.Now(); !l.LockTimeout(5*time.Second) || time.Since(start) < 15*time.Millisecond {
		t.Fatal("LockTimeout(5s) did not wait for the Unlock and take the lock")
	}
	var gotIt bool
	done := testutil.GoDone(func() { gotIt = l.LockTimeout(-1) })
	testutil.StillBlocked(t, "LockTimeout(-1) on a held Lock", done)
	l.Unlock()
	testutil.Eventually(t, "LockTimeout(-1) after Unlock", done)
	if !gotIt || !l.Locked() {
		t.Fatal("LockTimeout(-1) returned without the lock")
	}
}

func TestRLockIsReentrantPerThread(t *testing.T) {
	var r RLock
	r.Lock()
	r.Lock()
	if !r.TryLock() {
		t.Fatal("TryLock by the holder failed")
	}
	tryElsewhere := func() bool {
		var ok bool
		<-testutil.GoDone(func() {
			if ok = r.TryLock(); ok {
				r.Unlock()
			}
		})
		return ok
	}
	for depth := 3; depth > 0; depth-- {
		if tryElsewhere() {
			t.Fatalf("another goroutine took the RLock while held %d deep", depth)
		}
		r.Unlock()
	}
	if !tryElsewhere() {
		t.Fatal("another goroutine could not take the RLock after full release")
	}

	calls := 0
	var nested func(n int)
	nested = func(n int) {
		r.With(func() {
			calls++
			if n > 0 {
				nested(n - 1)
			}
		})
	}
	nested(4)
	if calls != 5 || !tryElsewhere() {
		t.Fatalf("nested With: calls = %d, or lock not released", calls)
	}
}

func TestWithUnlocksOnPanic(t *testing.T) {
	tests := []struct {
		name string
		with func(func())
	}{
		{name: "Lock", with: new(Lock).With},
		{name: "RLock", with: new(RLock).With},
		{name: "Semaphore", with: NewSemaphore(1).With},
		{name: "Condition", with: NewCondition(nil).With},
	}
	for _, tt := range tests {
		func() {
			defer func() { recover() }()
			tt.with(func() { panic("inside") })
		}()
		select {
		case <-testutil.GoDone(func() { tt.with(func() {}) }):
		case <-time.After(5 * time.Second):
			t.Errorf("%s still held after a panic inside With", tt.name)
		}
	}
}

func TestSemaphoreLimitsHolders(t *testing.T) {
	tests := []struct {
		name  string
		sem   *Semaphore
		limit int32
	}{
		{name: "Semaphore(3)", sem: NewSemaphore(3), limit: 3},
		{name: "BoundedSemaphore(2)", sem: NewBoundedSemaphore(2), limit: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inside, most atomic.Int32
			var wg sync.WaitGroup
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tt.sem.With(func() {
						n := inside.Add(1)
						for {
							m := most.Load()
							if n <= m || most.CompareAndSwap(m, n) {
								break
							}
						}
						time.Sleep(20 * time.Millisecond)
						inside.Add(-1)
					})
				}()
			}
			wg.Wait()
			if most.Load() != tt.limit {
				t.Errorf("at most %d holders at once, want exactly %d", most.Load(), tt.limit)
			}
		})
	}
}

func TestSemaphoreCounting(t *testing.T) {
	s := NewSemaphore(1)
	if !s.TryAcquire() {
		t.Fatal("TryAcquire with a unit free failed")
	}
	if s.TryAcquire() || s.AcquireTimeout(20*time.Millisecond) {
		t.Fatal("acquired an exhausted semaphore")
	}
	s.Release()
	s.Release() // unbounded: may exceed the initial count
	got := 0
	for s.TryAcquire() {
		got++
	}
	if got != 2 {
		t.Fatalf("after two releases, took %d units, want 2", got)
	}
	done := testutil.GoDone(s.Acquire)
	testutil.StillBlocked(t, "Acquire on an exhausted semaphore", done)
	s.Release()
	testutil.Eventually(t, "Acquire after Release", done)

	var zero Semaphore // the zero value holds no units
	if zero.TryAcquire() {
		t.Fatal("zero Semaphore had a unit")
	}
	zero.Release()
	if !zero.TryAcquire() {
		t.Fatal("zero Semaphore lost a released unit")
	}
}

func TestEvent(t *testing.T) {
	var ev Event
	if ev.IsSet() || ev.WaitTimeout(0) || ev.WaitTimeout(20*time.Millisecond) {
		t.Fatal("zero Event reports set")
	}
	const waiters = 4
	var woke atomic.Int32
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() { defer wg.Done(); ev.Wait(); woke.Add(1) }()
	}
	timed := make(chan bool, 1)
	go func() { timed <- ev.WaitTimeout(10 * time.Second) }()
	time.Sleep(20 * time.Millisecond)
	if woke.Load() != 0 {
		t.Fatal("Wait returned before Set")
	}
	ev.Set()
	ev.Clear() // waiters woken by Set return even though the flag is cleared
	testutil.Eventually(t, "waiters woken by Set", testutil.GoDone(wg.Wait))
	if !<-timed {
		t.Error("WaitTimeout woken by Set returned false")
	}
	if ev.IsSet() {
		t.Error("IsSet after Clear")
	}
	ev.Set()
	if !ev.IsSet() || !ev.WaitTimeout(0) {
		t.Error("set Event not reported as set")
	}
	testutil.Eventually(t, "Wait on a set Event", testutil.GoDone(ev.Wait))
}

func TestConditionProducerConsumer(t *testing.T) {
	tests := []struct {
		name string
		l    sync.Locker
	}{
		{name: "Lock", l: new(Lock)},
		{name: "RLock", l: nil},
		{name: "sync.Mutex", l: new(sync.Mutex)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCondition(tt.l)
			var items []int
			var got []int
			done := testutil.GoDone(func() {
				for len(got) < 10 {
					c.With(func() {
						c.WaitFor(func() bool { return len(items) > 0 })
						got = append(got, items[0])
						items = items[1:]
					})
				}
			})
			for i := range 10 {
				c.With(func() {
					items = append(items, i)
					c.Notify()
				})
			}
			testutil.Eventually(t, "consumer receiving every item", done)
			if !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Errorf("consumer got %v", got)
			}
		})
	}
}

func TestConditionNotifyWakesInOrder(t *testing.T) {
	c := NewCondition(new(Lock))
	const n = 3
	order := make(chan int, n)
	for i := range n {
		go func() {
			c.Lock()
			c.Wait()
			order <- i
			c.Unlock()
		}()
		// The waiter is registered once Wait has released the lock.
		for c.waiting() < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	for want := range n {
		c.With(c.Notify)
		select {
		case got := <-order:
			if got != want {
				t.Fatalf("Notify woke waiter %d, want %d", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Notify woke nobody")
		}
	}
}

// waiting returns the number of registered waiters, for tests.
func (c *Condition) waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func TestConditionNotifyAllAndTimeout(t *testing.T) {
	c := NewCondition(nil) // RLock
	var woke atomic.Int32
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.With(func() {
				c.Lock() // held twice: Wait must release both levels
				if c.WaitTimeout(10 * time.Second) {
					woke.Add(1)
				}
				c.Unlock()
			})
		}()
	}
	for c.waiting() < 3 {
		time.Sleep(time.Millisecond)
	}
	c.With(c.NotifyAll)
	testutil.Eventually(t, "NotifyAll waking every waiter", testutil.GoDone(wg.Wait))
	if woke.Load() != 3 {
		t.Fatalf("%d of 3 waiters reported a notification", woke.Load())
	}

	c.Lock()
	start := time.Now()
	if c.WaitTimeout(30 * time.Millisecond) {
		t.Error("WaitTimeout without Notify reported a notification")
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Errorf("WaitTimeout returned after %v", waited)
	}
	if c.waiting() != 0 {
		t.Errorf("timed-out waiter still registered")
	}
	c.Unlock() // panics unless WaitTimeout took the lock back
}

func TestBarrier(t *testing.T) {
	const parties, rounds = 4, 3
	b := NewBarrier(parties)
	if b.Parties() != parties {
		t.Fatalf("Parties() = %d", b.Parties())
	}
	for round := range rounds {
		indices := make(chan int, parties)
		var wg sync.WaitGroup
		for range parties - 1 {
			wg.Add(1)
			go func() { defer wg.Done(); indices <- b.Wait() }()
		}
		passed := testutil.GoDone(wg.Wait)
		for b.Waiting() < parties-1 {
			time.Sleep(time.Millisecond)
		}
		testutil.StillBlocked(t, fmt.Sprintf("round %d with a party missing", round), passed)
		indices <- b.Wait()
		testutil.Eventually(t, "all parties passing", passed)
		close(indices)
		var got []int
		for i := range indices {
			got = append(got, i)
		}
		slices.Sort(got)
		if !slices.Equal(got, []int{0, 1, 2, 3}) {
			t.Fatalf("round %d arrival indices = %v, want 0..3 once each", round, got)
		}
		if b.Waiting() != 0 {
			t.Fatalf("Waiting() = %d after the round", b.Waiting())
		}
	}
}
