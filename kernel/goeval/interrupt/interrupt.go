// Package interrupt provides blocking primitives that a kernel interrupt can break.
//
// Notebook cells block in compiled code the interpreter cannot stop: time.Sleep, sync.Mutex,
// sync.WaitGroup. The kernel replaces those symbols with the versions here. Each waits for its
// own condition or for the next interrupt, whichever comes first; on an interrupt it panics
// with Stopped, which unwinds the interpreted code that called it.
//
// An interrupt is a process-wide event, like the SIGINT that triggers it, and the types here
// must work as zero values (a cell writes `var mu sync.Mutex`), so they cannot be handed a
// per-kernel value: they share one broadcast held by this package.
package interrupt

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokernel/gokernel/runtime/timeline"
)

// Stopped is the panic value raised in code that was blocked when an interrupt arrived.
type Stopped struct{}

// Error implements error.
func (Stopped) Error() string { return "interrupted" }

// broadcast hands out a channel that is closed at the next interrupt.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// process is the broadcast of this process; see the package comment for why it is shared.
var process = &broadcast{ch: make(chan struct{})}

// Next returns a channel that is closed when the next interrupt happens.
func Next() <-chan struct{} {
	process.mu.Lock()
	defer process.mu.Unlock()
	return process.ch
}

// Fire wakes every waiter blocked in this package; they panic with Stopped.
func Fire() {
	process.mu.Lock()
	defer process.mu.Unlock()
	close(process.ch)
	process.ch = make(chan struct{})
}

// sleepers counts the goroutines in Sleep; see Sleeping.
var sleepers atomic.Int64

// Sleeping returns the number of goroutines sleeping in Sleep now. A program with a
// sleeping goroutine is not deadlocked: the sleep ends by itself.
func Sleeping() int64 {
	return sleepers.Load()
}

// Sleep pauses for d, or until the next interrupt, when it panics with Stopped.
func Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	sleepers.Add(1)
	defer sleepers.Add(-1)
	stop := Next()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-stop:
		panic(Stopped{})
	}
}

// waitOn blocks until ch delivers or stop is closed by an interrupt, when it panics with
// Stopped.
func waitOn(ch <-chan struct{}, stop <-chan struct{}) {
	select {
	case <-ch:
	case <-stop:
		panic(Stopped{})
	}
}

// Mutex is a mutual exclusion lock with the API of sync.Mutex whose Lock an interrupt breaks.
// The zero value is an unlocked mutex.
type Mutex struct {
	once sync.Once
	sem  chan struct{}
}

func (m *Mutex) init() { m.once.Do(func() { m.sem = make(chan struct{}, 1) }) }

// Lock locks m, waiting while another goroutine holds it.
func (m *Mutex) Lock() {
	m.init()
	select {
	case m.sem <- struct{}{}:
		return
	default:
	}
	defer timeline.Begin(timeline.Waiting, "sync.Mutex").End()
	stop := Next()
	select {
	case m.sem <- struct{}{}:
	case <-stop:
		panic(Stopped{})
	}
}

// TryLock locks m if it is free and reports whether it did.
func (m *Mutex) TryLock() bool {
	m.init()
	select {
	case m.sem <- struct{}{}:
		return true
	default:
		return false
	}
}

// Unlock unlocks m. Unlocking an unlocked mutex panics, as in sync.
func (m *Mutex) Unlock() {
	m.init()
	select {
	case <-m.sem:
	default:
		panic("sync: unlock of unlocked mutex")
	}
}

// RWMutex is a reader/writer lock with the API of sync.RWMutex whose waits an interrupt
// breaks. The zero value is unlocked.
type RWMutex struct {
	mu      sync.Mutex
	readers int
	writer  bool
	changed chan struct{}
}

// acquire waits until ok reports the lock can be taken, then calls take, all under rw.mu.
func (rw *RWMutex) acquire(ok func() bool, take func()) {
	stop := Next()
	for {
		rw.mu.Lock()
		if ok() {
			take()
			rw.mu.Unlock()
			return
		}
		if rw.changed == nil {
			rw.changed = make(chan struct{})
		}
		ch := rw.changed
		rw.mu.Unlock()
		waitOn(ch, stop)
	}
}

// notify wakes every waiter; called with rw.mu held.
func (rw *RWMutex) notify() {
	if rw.changed != nil {
		close(rw.changed)
		rw.changed = nil
	}
}

// Lock locks rw for writing.
func (rw *RWMutex) Lock() {
	rw.acquire(func() bool { return !rw.writer && rw.readers == 0 }, func() { rw.writer = true })
}

// Unlock unlocks rw for writing.
func (rw *RWMutex) Unlock() {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if !rw.writer {
		panic("sync: Unlock of unlocked RWMutex")
	}
	rw.writer = false
	rw.notify()
}

// RLock locks rw for reading.
func (rw *RWMutex) RLock() {
	rw.acquire(func() bool { return !rw.writer }, func() { rw.readers++ })
}

// RUnlock undoes one RLock.
func (rw *RWMutex) RUnlock() {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.readers == 0 {
		panic("sync: RUnlock of unlocked RWMutex")
	}
	rw.readers--
	rw.notify()
}

// TryLock locks rw for writing if it is free and reports whether it did.
func (rw *RWMutex) TryLock() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.writer || rw.readers > 0 {
		return false
	}
	rw.writer = true
	return true
}

// TryRLock locks rw for reading if no writer holds it and reports whether it did.
func (rw *RWMutex) TryRLock() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.writer {
		return false
	}
	rw.readers++
	return true
}

// RLocker returns a sync.Locker that read-locks rw.
func (rw *RWMutex) RLocker() sync.Locker { return rlocker{rw} }

type rlocker struct{ rw *RWMutex }

func (r rlocker) Lock()   { r.rw.RLock() }
func (r rlocker) Unlock() { r.rw.RUnlock() }

// WaitGroup waits for a collection of goroutines to finish, with the API of sync.WaitGroup;
// an interrupt breaks Wait. The zero value is ready.
type WaitGroup struct {
	mu    sync.Mutex
	count int
	done  chan struct{}
}

// Add adds delta to the counter. A negative counter panics, as in sync.
func (wg *WaitGroup) Add(delta int) {
	wg.mu.Lock()
	defer wg.mu.Unlock()
	wg.count += delta
	if wg.count < 0 {
		panic("sync: negative WaitGroup counter")
	}
	if wg.count == 0 && wg.done != nil {
		close(wg.done)
		wg.done = nil
	}
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Wait blocks until the counter is zero.
func (wg *WaitGroup) Wait() {
	wg.mu.Lock()
	if wg.count == 0 {
		wg.mu.Unlock()
		return
	}
	if wg.done == nil {
		wg.done = make(chan struct{})
	}
	ch := wg.done
	wg.mu.Unlock()
	defer timeline.Begin(timeline.Blocked, "sync.WaitGroup").End()
	waitOn(ch, Next())
}
