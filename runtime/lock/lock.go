// Package lock provides the synchronization primitives of Python's threading
// module: Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and
// Barrier.
//
// Python code maps onto it like this:
//
//	lock = threading.Lock()              var mu lock.Lock
//	with lock: ...                       mu.With(func() { ... })
//	lock.acquire(); lock.release()       mu.Lock(); mu.Unlock()
//	lock.acquire(blocking=False)         mu.TryLock()
//	lock.acquire(timeout=1)              mu.LockTimeout(time.Second)
//	threading.RLock()                    var r lock.RLock
//	threading.Semaphore(3)               lock.NewSemaphore(3)
//	threading.BoundedSemaphore(3)        lock.NewBoundedSemaphore(3)
//	sem.acquire(); sem.release()         sem.Acquire(); sem.Release()
//	threading.Event()                    var ev lock.Event
//	ev.set(); ev.clear(); ev.is_set()    ev.Set(); ev.Clear(); ev.IsSet()
//	ev.wait(); ev.wait(timeout=1)        ev.Wait(); ev.WaitTimeout(time.Second)
//	threading.Condition(lock)            lock.NewCondition(&mu)
//	cond.wait(); cond.wait_for(pred)     cond.Wait(); cond.WaitFor(pred)
//	cond.notify(); cond.notify_all()     cond.Notify(); cond.NotifyAll()
//	threading.Barrier(3); b.wait()       lock.NewBarrier(3); b.Wait()
//
// Misuse that Python reports with an exception, such as releasing a lock that
// is not held or releasing a BoundedSemaphore too often, panics with a message
// that names the primitive. Such a panic is an ordinary, recoverable Go panic,
// unlike the fatal error of unlocking an unlocked sync.Mutex.
//
// Blocking methods park the calling goroutine until it can proceed. Lock and
// RLock are built on sync.Mutex and behave like it: a thread that releases a
// lock may take it again at once, ahead of threads waiting for it, as in
// CPython, until a waiter has waited for a millisecond; from then on the lock
// passes to the waiters in turn. A waiter may spin briefly before it parks.
//
// While a recording of package timeline runs, the primitives report when a
// thread waits for them, acquires and releases them, so that the chart shows
// who held a lock and who waited for it. Methods whose name ends in Timeout
// give up after the duration, like Python's timeout arguments: a duration of
// zero makes them try once without blocking, and a negative one waits
// without limit. The methods without a limit do not call them, so that a dump
// of the goroutines names a method ending in Timeout only for a wait with a
// time limit: a deadlock detector (gokernel's) can then tell the two apart.
package lock

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/goid"
	"github.com/gokernel/gokernel/runtime/internal/notify"
	"github.com/gokernel/gokernel/runtime/internal/record"
)

// Lock is a mutual exclusion lock, like Python's threading.Lock. The zero
// value is an unlocked Lock. A Lock must not be copied after first use.
//
// As in Python, and as with sync.Mutex, a Lock is not tied to the thread that
// locked it: one thread may unlock a Lock that another locked. *Lock
// implements sync.Locker.
type Lock struct {
	mu   sync.Mutex
	held atomic.Bool // set while mu is locked through l, for Locked and Unlock's check
}

// Lock locks l, waiting until it is available.
func (l *Lock) Lock() {
	l.lockAs(l, "Lock")
}

// lockAs locks l. A timeline records the wait and the acquisition as those
// of obj, the lock the caller sees, of type typ.
func (l *Lock) lockAs(obj any, typ string) {
	if !record.Enabled() {
		l.mu.Lock()
		l.held.Store(true)
		return
	}
	if !l.mu.TryLock() {
		record.Emit(record.Wait, obj, typ)
		l.mu.Lock()
	}
	l.held.Store(true)
	record.Emit(record.Acquire, obj, typ)
}

// TryLock locks l if it is available at once and reports whether it did.
func (l *Lock) TryLock() bool {
	return l.tryLockAs(l, "Lock")
}

func (l *Lock) tryLockAs(obj any, typ string) bool {
	if !l.mu.TryLock() {
		return false
	}
	l.held.Store(true)
	record.Emit(record.Acquire, obj, typ)
	return true
}

// LockTimeout locks l, waiting at most d, and reports whether it did.
// A negative d waits without limit, as Lock does.
func (l *Lock) LockTimeout(d time.Duration) bool {
	switch {
	case d == 0:
		return l.TryLock()
	case d < 0:
		l.Lock()
		return true
	}
	if l.TryLock() {
		return true
	}
	record.Emit(record.Wait, l, "Lock")
	// sync.Mutex cannot give up waiting, so a helper waits in the caller's
	// place. If the caller has given up by the time the helper gets the
	// lock, the helper unlocks it again.
	got := make(chan struct{})
	abandoned := make(chan struct{})
	go func() {
		l.mu.Lock()
		select {
		case got <- struct{}{}:
		case <-abandoned:
			l.mu.Unlock()
		}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-got:
	case <-t.C:
		select {
		case <-got: // the helper got the lock just in time
		default:
			close(abandoned)
			record.Emit(record.GiveUp, l, "Lock")
			return false
		}
	}
	l.held.Store(true)
	record.Emit(record.Acquire, l, "Lock")
	return true
}

// Unlock unlocks l. It panics if l is not locked.
func (l *Lock) Unlock() {
	l.unlockAs(l, "Lock")
}

// unlockAs unlocks l. A timeline records the release as that of obj, of
// type typ; it is recorded before l is free, so that it comes before the
// acquisition by the next holder.
func (l *Lock) unlockAs(obj any, typ string) {
	if record.Enabled() && l.held.Load() {
		record.Emit(record.Release, obj, typ)
	}
	if !l.held.Swap(false) {
		panic("lock: Unlock of unlocked Lock")
	}
	l.mu.Unlock()
}

// Locked reports whether l is locked at this moment.
func (l *Lock) Locked() bool {
	return l.held.Load()
}

// With locks l, calls f and unlocks l, also if f panics. It is the
// counterpart of Python's "with lock:".
func (l *Lock) With(f func()) {
	l.Lock()
	defer l.Unlock()
	f()
}

// RLock is a re-entrant lock, like Python's threading.RLock: the thread that
// holds it may lock it again, and must unlock it as many times as it locked
// it. Ownership belongs to the goroutine that locked it, which is the thread
// when called from a thread's target. The zero value is an unlocked RLock. An
// RLock must not be copied after first use. *RLock implements sync.Locker.
//
// The name follows Python; RLock is unrelated to the read lock of
// sync.RWMutex.
type RLock struct {
	lock  Lock
	owner atomic.Int64 // goroutine id of the holder, 0 when unlocked
	depth int          // times locked by the owner; only the owner touches it
}

// Lock locks r, waiting until it is available unless the calling thread
// already holds it.
func (r *RLock) Lock() {
	me := goid.ID()
	if r.owner.Load() == me {
		r.depth++
		return
	}
	r.lock.lockAs(r, "RLock")
	r.own(me, 1)
}

// TryLock locks r if the calling thread holds it or it is available at once,
// and reports whether it did.
func (r *RLock) TryLock() bool {
	me := goid.ID()
	if r.owner.Load() == me {
		r.depth++
		return true
	}
	if !r.lock.tryLockAs(r, "RLock") {
		return false
	}
	r.own(me, 1)
	return true
}

// Unlock undoes one Lock by the calling thread, and releases r when that was
// the last one. It panics if the calling thread does not hold r.
func (r *RLock) Unlock() {
	r.mustHold("Unlock of RLock")
	r.depth--
	if r.depth == 0 {
		r.owner.Store(0)
		r.lock.unlockAs(r, "RLock")
	}
}

// With locks r, calls f and unlocks r, also if f panics.
func (r *RLock) With(f func()) {
	r.Lock()
	defer r.Unlock()
	f()
}

func (r *RLock) own(id int64, depth int) {
	r.owner.Store(id)
	r.depth = depth
}

func (r *RLock) heldByCaller() bool {
	return r.owner.Load() == goid.ID()
}

func (r *RLock) mustHold(what string) {
	if !r.heldByCaller() {
		panic("lock: " + what + " not held by the calling thread")
	}
}

// releaseAll releases r however deeply the caller holds it and returns the
// depth, for restore.
func (r *RLock) releaseAll() int {
	depth := r.depth
	r.depth = 0
	r.owner.Store(0)
	r.lock.unlockAs(r, "RLock")
	return depth
}

// restore locks r again to the depth returned by releaseAll.
func (r *RLock) restore(depth int) {
	r.lock.lockAs(r, "RLock")
	r.own(goid.ID(), depth)
}

// Semaphore is a counting semaphore, like Python's threading.Semaphore and,
// when made with NewBoundedSemaphore, threading.BoundedSemaphore. Acquire
// takes one unit, waiting while there is none; Release returns one.
type Semaphore struct {
	mu      sync.Mutex
	value   int
	bound   int // largest value allowed; meaningful if bounded
	bounded bool
	changed notify.Signal
}

// NewSemaphore returns a semaphore holding n units. Release may raise the
// count above n. NewSemaphore panics if n is negative.
func NewSemaphore(n int) *Semaphore {
	if n < 0 {
		panic(fmt.Sprintf("lock: NewSemaphore(%d): count must not be negative", n))
	}
	return &Semaphore{value: n}
}

// NewBoundedSemaphore returns a semaphore holding n units that panics if
// Release would raise the count above n, which reveals a Release without a
// matching Acquire. It panics if n is negative.
func NewBoundedSemaphore(n int) *Semaphore {
	if n < 0 {
		panic(fmt.Sprintf("lock: NewBoundedSemaphore(%d): count must not be negative", n))
	}
	return &Semaphore{value: n, bound: n, bounded: true}
}

// Acquire takes a unit, waiting until one is available.
func (s *Semaphore) Acquire() {
	s.acquire(-1)
}

// TryAcquire takes a unit if one is available at once and reports whether it
// did.
func (s *Semaphore) TryAcquire() bool {
	return s.acquire(0)
}

// AcquireTimeout takes a unit, waiting at most d, and reports whether it did.
// A negative d waits without limit, as Acquire does.
func (s *Semaphore) AcquireTimeout(d time.Duration) bool {
	return s.acquire(d)
}

// acquire is AcquireTimeout.
func (s *Semaphore) acquire(d time.Duration) bool {
	timeout := notify.Deadline(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	for waited := false; s.value == 0; waited = true {
		if d == 0 {
			return false
		}
		if !waited {
			record.Emit(record.Wait, s, "Semaphore")
		}
		if !s.changed.Await(&s.mu, timeout) && s.value == 0 {
			record.Emit(record.GiveUp, s, "Semaphore")
			return false
		}
	}
	s.value--
	record.Emit(record.Acquire, s, "Semaphore")
	return true
}

// Release returns a unit and wakes a waiting Acquire. On a bounded semaphore
// it panics if the count is already at its bound.
func (s *Semaphore) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bounded && s.value >= s.bound {
		panic(fmt.Sprintf("lock: BoundedSemaphore released too many times (bound %d)", s.bound))
	}
	record.Emit(record.Release, s, "Semaphore")
	s.value++
	s.changed.Broadcast()
}

// With acquires a unit, calls f and releases the unit, also if f panics.
func (s *Semaphore) With(f func()) {
	s.Acquire()
	defer s.Release()
	f()
}

// Event is a flag that threads can wait for, like Python's threading.Event.
// The zero value is a cleared Event. An Event must not be copied after first
// use.
type Event struct {
	mu     sync.Mutex
	set    bool
	setSig notify.Signal // broadcast by Set
}

// Set sets the flag and wakes every thread waiting for it.
func (e *Event) Set() {
	e.mu.Lock()
	e.set = true
	record.Emit(record.Release, e, "Event")
	e.setSig.Broadcast()
	e.mu.Unlock()
}

// Clear clears the flag.
func (e *Event) Clear() {
	e.mu.Lock()
	e.set = false
	e.mu.Unlock()
}

// IsSet reports whether the flag is set.
func (e *Event) IsSet() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.set
}

// Wait waits until the flag is set. A waiter woken by Set returns even if the
// flag is cleared again before it runs.
func (e *Event) Wait() {
	e.wait(-1)
}

// WaitTimeout waits at most d for the flag to be set and reports whether it
// was set (true) or the time ran out (false). A negative d waits without
// limit, as Wait does.
func (e *Event) WaitTimeout(d time.Duration) bool {
	return e.wait(d)
}

// wait is WaitTimeout.
func (e *Event) wait(d time.Duration) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.set || d == 0 {
		return e.set
	}
	record.Emit(record.Wait, e, "Event") // before Set can record its signal
	if !e.setSig.Await(&e.mu, notify.Deadline(d)) && !e.set {
		record.Emit(record.GiveUp, e, "Event")
		return false
	}
	record.Emit(record.Acquire, e, "Event")
	return true
}

// Condition lets threads wait until another thread announces a change of
// shared state, like Python's threading.Condition. It is used with a lock:
// a thread holds the lock, checks the state and calls Wait, which releases
// the lock while waiting and locks it again before returning. A thread that
// changes the state holds the lock and calls Notify or NotifyAll.
//
// Waiters are woken in the order in which they began to wait.
type Condition struct {
	l       sync.Locker
	mu      sync.Mutex
	waiters []chan struct{}
}

// NewCondition returns a condition that uses l as its lock. If l is nil it
// uses a new RLock, as Python does. With a *Lock or *RLock, Wait and Notify
// panic if the lock is not held, as Python raises an error; other lockers
// cannot be checked.
func NewCondition(l sync.Locker) *Condition {
	if l == nil {
		l = new(RLock)
	}
	return &Condition{l: l}
}

// Lock locks the condition's lock.
func (c *Condition) Lock() { c.l.Lock() }

// Unlock unlocks the condition's lock.
func (c *Condition) Unlock() { c.l.Unlock() }

// With locks the condition's lock, calls f and unlocks it, also if f panics.
// It is the counterpart of Python's "with cond:".
func (c *Condition) With(f func()) {
	c.l.Lock()
	defer c.l.Unlock()
	f()
}

// Wait releases the lock, waits for Notify or NotifyAll and locks the lock
// again. The caller must hold the lock. Because another thread may change
// the state between the notification and the return, callers recheck the
// state in a loop, or use WaitFor.
func (c *Condition) Wait() {
	c.wait(-1)
}

// WaitTimeout is Wait with a limit: it reports whether it was notified
// (true) or waited d in vain (false). Either way it returns with the lock
// held. A negative d waits without limit.
func (c *Condition) WaitTimeout(d time.Duration) bool {
	return c.wait(d)
}

// wait is WaitTimeout.
func (c *Condition) wait(d time.Duration) bool {
	c.mustHold("Wait")
	wake := make(chan struct{})
	c.mu.Lock()
	c.waiters = append(c.waiters, wake)
	c.mu.Unlock()

	// Recorded while the lock is held, before any Notify can record its
	// signal.
	record.Emit(record.Wait, c, "Condition")
	restore := c.release()
	defer restore()

	select {
	case <-wake:
		record.Emit(record.Acquire, c, "Condition")
		return true
	case <-notify.Deadline(d):
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, w := range c.waiters {
			if w == wake {
				c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
				record.Emit(record.GiveUp, c, "Condition")
				return false
			}
		}
		record.Emit(record.Acquire, c, "Condition")
		return true // notified while timing out
	}
}

// WaitFor waits until pred returns true, calling Wait between checks. The
// caller must hold the lock, and pred runs with it held.
func (c *Condition) WaitFor(pred func() bool) {
	for !pred() {
		c.Wait()
	}
}

// Notify wakes the thread that has waited longest, if any. The caller must
// hold the lock.
func (c *Condition) Notify() {
	c.mustHold("Notify")
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		record.Emit(record.Release, c, "Condition")
		close(c.waiters[0])
		c.waiters = c.waiters[1:]
	}
}

// NotifyAll wakes every waiting thread. The caller must hold the lock.
func (c *Condition) NotifyAll() {
	c.mustHold("NotifyAll")
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) > 0 {
		record.Emit(record.Release, c, "Condition")
	}
	for _, w := range c.waiters {
		close(w)
	}
	c.waiters = nil
}

// mustHold panics if the lock is one whose holder can be checked and the
// caller does not hold it.
func (c *Condition) mustHold(method string) {
	held := true
	switch l := c.l.(type) {
	case *Lock:
		held = l.Locked()
	case *RLock:
		held = l.heldByCaller()
	}
	if !held {
		panic("lock: Condition." + method + " called without holding the lock")
	}
}

// release releases the lock completely and returns a function that takes
// it back.
func (c *Condition) release() func() {
	if r, ok := c.l.(*RLock); ok {
		depth := r.releaseAll()
		return func() { r.restore(depth) }
	}
	c.l.Unlock()
	return c.l.Lock
}

// Barrier makes a fixed number of threads wait for each other, like Python's
// threading.Barrier: each calls Wait, and all are released when the last one
// arrives. The barrier then resets for the next round.
type Barrier struct {
	parties int
	mu      sync.Mutex
	arrived int
	round   chan struct{} // closed when the current round completes
}

// NewBarrier returns a barrier for n threads. It panics if n is less than 1.
func NewBarrier(n int) *Barrier {
	if n < 1 {
		panic(fmt.Sprintf("lock: NewBarrier(%d): need at least 1 party", n))
	}
	return &Barrier{parties: n, round: make(chan struct{})}
}

// Wait waits until all parties of the current round have called Wait and
// returns the caller's arrival index in the round: 0 for the first to arrive,
// Parties()-1 for the last.
func (b *Barrier) Wait() int {
	b.mu.Lock()
	index := b.arrived
	b.arrived++
	if b.arrived == b.parties {
		if b.parties > 1 {
			record.Emit(record.Release, b, "Barrier")
		}
		close(b.round)
		b.round = make(chan struct{})
		b.arrived = 0
		b.mu.Unlock()
		return index
	}
	round := b.round
	record.Emit(record.Wait, b, "Barrier") // before the last party records its signal
	b.mu.Unlock()
	<-round
	record.Emit(record.Acquire, b, "Barrier")
	return index
}

// Parties returns the number of threads needed to pass the barrier.
func (b *Barrier) Parties() int {
	return b.parties
}

// Waiting returns the number of threads waiting in the current round.
func (b *Barrier) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.arrived
}
