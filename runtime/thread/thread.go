// Package thread runs functions concurrently under a name, in the manner of
// Python's threading.Thread.
//
// A thread is a goroutine with a name, a Join that waits for it, and a record
// of how it ended. Python code maps onto it like this:
//
//	threading.Thread(target=f, args=(i,))      thread.New(f, i)
//	threading.Thread(target=f, name="T1")      thread.New(f).Named("T1")
//	t.start()                                  t.Start()
//	t.join()                                   t.Join()
//	t.is_alive()                               t.Alive()
//	t.name                                     t.Name()
//	threading.current_thread().name            thread.Current().Name()
//	threading.active_count()                   thread.Count()
//	Thread(target=f, args=(i,)).start()        thread.Go(f, i)
//
// The target may be any function, including one defined in the gokernel
// interpreter. It may return nothing, a value, an error, or a value and an
// error; the value is discarded, as Python discards a target's return value.
// A function or arguments that do not fit together are reported by Start as
// an error that names the function and the types it expects. Arguments are
// matched as in a Go call with constant arguments: an untyped nil is accepted
// for pointer, interface, map, slice, function and channel parameters, and a
// number is converted to another numeric parameter type when its value fits
// exactly (3 for an int64 or float64, but not 300 for an int8 or 2.5 for an
// int).
//
// A thread that panics does not bring the process down. The panic is
// recovered and becomes the thread's error, returned by Join and Err as a
// *PanicError with the panic value and stack. A thread that ends with a panic
// or a non-nil returned error also writes a report to os.Stderr, in the
// manner of Python's "Exception in thread T1:" message, before Join returns:
//
//	Exception in thread T1:
//	panic: boom
//
//	goroutine 7 [running]:
//	...
//
// The report goes to whatever os.Stderr is when the thread ends, so a program
// that replaces os.Stderr also captures it.
//
// Default names are "Thread-1", "Thread-2", and so on, numbered across the
// whole process in the order in which threads are first named or started.
// Current identifies the calling thread by its goroutine: inside a thread's
// target, including any function the target calls, it returns that thread;
// anywhere else, including goroutines that the target starts with a go
// statement, it returns the thread named "MainThread".
//
// While a recording of package timeline runs, threads report when they start
// and end, and Join reports how long it blocked.
package thread

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/gokernel/gokernel/runtime/internal/clock"
	"github.com/gokernel/gokernel/runtime/internal/goid"
	"github.com/gokernel/gokernel/runtime/internal/invoke"
	"github.com/gokernel/gokernel/runtime/internal/record"
)

// PanicError is the error of a thread whose target panicked. Its Value field
// holds the value passed to panic and its Stack field the stack of the
// panicking goroutine; its message shows both, as Go's crash report does.
// errors.Is and errors.As see through it to a panic value that is an error.
type PanicError = invoke.PanicError

// ErrGoexit is the error of a thread whose target called runtime.Goexit.
var ErrGoexit = invoke.ErrGoexit

// Thread is a function that runs in its own goroutine under a name.
// Create one with New or Go. A Thread is safe for use by multiple goroutines.
type Thread struct {
	target any
	args   []any
	done   chan struct{} // closed when the thread has ended

	mu      sync.Mutex
	name    string
	started bool
	err     error // how the thread ended; set before done is closed
}

// New returns a thread that will call f with args once started. It does not
// check f and args; Start does.
func New(f any, args ...any) *Thread {
	return &Thread{target: f, args: args, done: make(chan struct{})}
}

// Go creates a thread that calls f with args, starts it and returns it. If the
// thread cannot start because f does not accept args, the error is written to
// os.Stderr, and Join and Err return it.
func Go(f any, args ...any) *Thread {
	t := New(f, args...)
	if err := t.Start(); err != nil {
		report(t.Name(), err)
	}
	return t
}

// Named sets the name of t and returns t, so that it can follow New:
//
//	t := thread.New(worker, 1).Named("T1")
//
// A thread may be renamed at any time; the name is only a label.
func (t *Thread) Named(name string) *Thread {
	t.mu.Lock()
	t.name = name
	t.mu.Unlock()
	return t
}

// Name returns the name of t. A thread that was never named gets the next
// default name, "Thread-N", when its name is first needed.
func (t *Thread) Name() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nameLocked()
}

func (t *Thread) nameLocked() string {
	if t.name == "" {
		t.name = threads.newName()
	}
	return t.name
}

// String describes t for printing, such as "Thread(T1, started)".
func (t *Thread) String() string {
	state := "initial"
	switch {
	case t == mainThread || t.Alive():
		state = "started"
	case t.ended():
		state = "stopped"
	}
	return fmt.Sprintf("Thread(%s, %s)", t.Name(), state)
}

// Start starts the thread. It returns an error, and does not start the
// thread, if the thread was started before, if t is the main thread, or if
// the target is not a function that accepts the arguments given to New. In
// the last case Join and Err return the same error.
func (t *Thread) Start() error {
	if t == mainThread {
		return errors.New("thread: cannot start MainThread")
	}
	t.mu.Lock()
	name := t.nameLocked()
	if t.started {
		t.mu.Unlock()
		return fmt.Errorf("thread: start %s: a thread can only be started once", name)
	}
	t.started = true
	t.mu.Unlock()

	call, err := invoke.Prepare(t.target, t.args)
	if err != nil {
		err = fmt.Errorf("thread: start %s: %w", name, err)
		t.end(err)
		return err
	}
	threads.starting()
	rec, at := record.Active(), clock.Stamp(-1)
	if rec != nil {
		at = clock.Now() // a timeline shows the thread from its start
	}
	go t.run(call, rec, at)
	return nil
}

// run is the body of the thread's goroutine. rec is the timeline recorder
// that was active when the thread was started, at the time at.
func (t *Thread) run(call invoke.Call, rec *record.Recorder, at clock.Stamp) {
	id := goid.ID()
	threads.enter(id, t)
	if r := record.Active(); r != nil {
		if r != rec {
			at = -1
		}
		r.Enter(t.Name(), id, at)
	}
	returned := false
	defer func() {
		if !returned { // the target called runtime.Goexit
			t.finish(id, invoke.ErrGoexit)
		}
	}()
	_, err := call.Run()
	returned = true
	t.finish(id, err)
}

// finish reports an error, removes the thread from the table of running
// threads and marks it ended, in that order, so that the report is written
// and Count is up to date before Join returns.
func (t *Thread) finish(id int64, err error) {
	if err != nil {
		report(t.Name(), err)
	}
	threads.leave(id)
	record.Emit(record.End, nil, "")
	t.end(err)
}

func (t *Thread) end(err error) {
	t.mu.Lock()
	t.err = err
	t.mu.Unlock()
	close(t.done)
}

// Join waits until the thread has ended and returns its error: nil if the
// target returned normally, the error it returned, a *PanicError if it
// panicked, or the error of a failed Start. Join returns an error at once
// when it cannot wait: for a thread that was not started, for the calling
// thread itself, and for the main thread.
func (t *Thread) Join() error {
	if t == mainThread {
		return errors.New("thread: cannot join MainThread")
	}
	t.mu.Lock()
	name, started := t.nameLocked(), t.started
	t.mu.Unlock()
	if !started {
		return fmt.Errorf("thread: join %s: thread was not started", name)
	}
	if Current() == t {
		return fmt.Errorf("thread: join %s: a thread cannot join itself", name)
	}
	if record.Enabled() && !t.ended() {
		record.Emit(record.Block, t, "Thread.Join")
		<-t.done
		record.Emit(record.Unblock, t, "Thread.Join")
	}
	<-t.done
	return t.Err()
}

// Alive reports whether the thread has started and not yet ended. The main
// thread is always alive.
func (t *Thread) Alive() bool {
	if t == mainThread {
		return true
	}
	t.mu.Lock()
	started := t.started
	t.mu.Unlock()
	return started && !t.ended()
}

func (t *Thread) ended() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// Err returns the error the thread ended with, as Join does, without
// waiting. It returns nil while the thread runs.
func (t *Thread) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Current returns the thread whose target is running on the calling
// goroutine, or the main thread when the caller is not running a thread's
// target.
func Current() *Thread {
	if t := threads.lookup(goid.ID()); t != nil {
		return t
	}
	return mainThread
}

// Ident returns the id of the calling goroutine, like Python's
// threading.get_ident: the number Go prints in the header of the goroutine's
// stack trace. Ids are positive and never given to another goroutine. Ident
// takes a few nanoseconds on amd64 and arm64, and about two microseconds
// elsewhere.
func Ident() int64 {
	return goid.ID()
}

// Count returns the number of threads alive: those started and not yet
// ended, plus one for the main thread, like Python's threading.active_count.
func Count() int {
	return threads.count() + 1
}

// report writes the "Exception in thread" message for err to os.Stderr.
func report(name string, err error) {
	fmt.Fprintf(os.Stderr, "Exception in thread %s:\n%v\n", name, err)
}

// mainThread stands for every goroutine that is not running a thread's
// target. It is never started or ended.
var mainThread = &Thread{name: "MainThread", started: true, done: make(chan struct{})}

// threads is the table of running threads. It is the one piece of mutable
// package state in the runtime, and deliberately so: Current has nothing to
// go on but the identity of the calling goroutine, as Python's
// current_thread has nothing but the OS thread, and default names must be
// unique across the process.
var threads = registry{byGoroutine: make(map[int64]*Thread)}

// registry maps goroutine ids to the threads running on them and counts
// names and running threads.
type registry struct {
	mu          sync.Mutex
	byGoroutine map[int64]*Thread
	running     int // started and not ended; ahead of byGoroutine during start
	named       int // default names handed out
}

func (r *registry) newName() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.named++
	return fmt.Sprintf("Thread-%d", r.named)
}

// starting counts a thread from the moment Start commits to running it, so
// that Count includes it as soon as Start returns.
func (r *registry) starting() {
	r.mu.Lock()
	r.running++
	r.mu.Unlock()
}

func (r *registry) enter(id int64, t *Thread) {
	r.mu.Lock()
	r.byGoroutine[id] = t
	r.mu.Unlock()
}

func (r *registry) leave(id int64) {
	r.mu.Lock()
	delete(r.byGoroutine, id)
	r.running--
	r.mu.Unlock()
}

func (r *registry) lookup(id int64) *Thread {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byGoroutine[id]
}

func (r *registry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running
}
