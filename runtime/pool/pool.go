// Package pool runs tasks on a fixed number of workers and hands back their
// results as futures, like Python's concurrent.futures.ThreadPoolExecutor.
//
// Python code maps onto it like this:
//
//	with ThreadPoolExecutor(max_workers=3) as ex:    ex := pool.Threads(3)
//	                                                 defer ex.Close()
//	results = ex.map(f, xs)                          results, err := ex.Map(f, xs)
//	fut = ex.submit(f, x, y)                         fut := ex.Submit(f, x, y)
//	fut.result()                                     value, err := fut.Result()
//	fut.done()                                       fut.Done()
//	concurrent.futures.wait([fut])                   fut.Wait()
//	for fut in as_completed(futs): ...               for fut := range pool.AsCompleted(futs) { ... }
//	ThreadPoolExecutor(thread_name_prefix="dl")      pool.Threads(3).Named("dl")
//
// A task is any function, including one defined in the gokernel interpreter,
// with its arguments. It may return nothing, a value, an error, or a value and
// an error; Result returns the value and the error. A panic in a task is
// recovered and returned by Result as a *PanicError holding the panic value
// and stack, as Python's result() re-raises the task's exception. A function
// that does not accept its arguments fails its future with an error that names
// the function and the types it expects. Arguments are matched as in a Go call
// with constant arguments: untyped nil is accepted for pointer, interface,
// map, slice, function and channel parameters, and a number is converted to
// another numeric type when its value fits exactly.
//
// Workers are threads of package thread, named in the style of Python's pool
// threads but without Python's per-pool number: inside a task,
// thread.Current().Name() returns "ThreadPoolExecutor_0",
// "ThreadPoolExecutor_1", and so on, up to the limit minus one. A pool starts a worker when a task
// arrives and fewer than its limit are running, and a worker ends when no task
// is waiting, so an idle pool holds no goroutines.
//
// How a task runs is up to the pool's Runner. Threads uses InProcess, which
// calls the function in the worker's goroutine; other runners can run tasks
// elsewhere, for instance in child processes, and share Pool, Future and
// AsCompleted.
//
// While a recording of package timeline runs, workers report when each task
// starts and ends, and Result, Wait and Close report how long they blocked.
package pool

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"sync"

	"github.com/gokernel/gokernel/runtime/internal/invoke"
	"github.com/gokernel/gokernel/runtime/internal/notify"
	"github.com/gokernel/gokernel/runtime/internal/record"
	"github.com/gokernel/gokernel/runtime/thread"
)

// ErrClosed is the error of a task submitted to a closed pool, and of Map on
// a closed pool.
var ErrClosed = errors.New("pool: submit to closed pool")

// PanicError is the error of a task that panicked. Its Value field holds the
// value passed to panic and its Stack field the stack of the panic. It is the
// same type as thread.PanicError.
type PanicError = invoke.PanicError

// Runner runs tasks for a Pool. Run calls f with args, or has it called, and
// returns its value and error. A Pool calls Run from at most as many
// goroutines at once as it has workers, and recovers a panic in Run into a
// *PanicError. If a Runner also implements io.Closer, Pool.Close calls its
// Close method once, after the last task has finished.
type Runner interface {
	Run(f any, args []any) (any, error)
}

// RunnerFunc adapts an ordinary function to the Runner interface.
type RunnerFunc func(f any, args []any) (any, error)

// Run returns r(f, args).
func (r RunnerFunc) Run(f any, args []any) (any, error) {
	return r(f, args)
}

// InProcess runs a task in the calling goroutine. f may be any function that
// accepts args and returns nothing, a value, an error, or a value and an
// error. A mismatch between f and args is returned as an error that names the
// function and the types it expects, and a panic is returned as a
// *PanicError.
func InProcess(f any, args []any) (any, error) {
	call, err := invoke.Prepare(f, args)
	if err != nil {
		return nil, fmt.Errorf("pool: %w", err)
	}
	return call.Run()
}

// Pool runs tasks on at most a fixed number of workers at once. Create one
// with Threads or New and Close it when done. A Pool is safe for use by
// multiple goroutines.
type Pool struct {
	runner  Runner
	workers int

	mu      sync.Mutex
	prefix  string           // worker names are prefix_slot
	queue   []*task          // submitted, not yet started
	slots   []*thread.Thread // running workers by slot; nil when free
	started []*thread.Thread // workers that may not have ended, for Close to join
	running int              // workers running
	pending int              // tasks submitted and not finished
	closed  bool
	idle    notify.Signal // broadcast when pending drops to zero

	closeOnce sync.Once
	closeErr  error
}

type task struct {
	f    any
	args []any
	fut  *Future
}

// Threads returns a pool that runs at most n tasks at once, each in a worker
// thread of this process, like ThreadPoolExecutor(max_workers=n). If n is zero
// or less, the limit is the number of CPUs plus four, at most 32, as in
// Python.
func Threads(n int) *Pool {
	if n <= 0 {
		n = min(32, runtime.NumCPU()+4)
	}
	return New(n, RunnerFunc(InProcess)).Named("ThreadPoolExecutor")
}

// New returns a pool that runs at most n tasks at once through runner. Its
// workers are named "Pool_0", "Pool_1", and so on until renamed with Named.
// New panics if n is less than 1 or runner is nil.
func New(n int, runner Runner) *Pool {
	if n < 1 {
		panic(fmt.Sprintf("pool: New(%d): need at least 1 worker", n))
	}
	if runner == nil {
		panic("pool: New: nil Runner")
	}
	return &Pool{runner: runner, workers: n, prefix: "Pool", slots: make([]*thread.Thread, n)}
}

// Named sets the prefix of the names of workers started from now on, so that
// workers are named prefix_0, prefix_1, and so on, and returns p.
func (p *Pool) Named(prefix string) *Pool {
	p.mu.Lock()
	p.prefix = prefix
	p.mu.Unlock()
	return p
}

// Submit schedules f(args...) and returns its future. Submit does not wait
// for the task to run. On a closed pool the future fails with ErrClosed.
func (p *Pool) Submit(f any, args ...any) *Future {
	fut := newFuture()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		fut.complete(nil, ErrClosed)
		return fut
	}
	p.queue = append(p.queue, &task{f: f, args: args, fut: fut})
	p.pending++
	p.startWorkerLocked()
	return fut
}

// Map calls f once for each element of items, which may be a slice or array
// of any element type, and returns the results in the order of items. Up to
// the pool's limit of calls run at once. Map waits for all calls; if any
// failed, it returns the results with nil in the failed places and the error
// of the first failed element.
func (p *Pool) Map(f any, items any) ([]any, error) {
	xs := reflect.ValueOf(items)
	if k := xs.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, fmt.Errorf("pool: Map: items is %T, want a slice or array", items)
	}
	if p.isClosed() {
		return nil, ErrClosed
	}
	futs := make([]*Future, xs.Len())
	for i := range futs {
		futs[i] = p.Submit(f, xs.Index(i).Interface())
	}
	results := make([]any, len(futs))
	var first error
	for i, fut := range futs {
		v, err := fut.Result()
		results[i] = v
		if err != nil && first == nil {
			first = fmt.Errorf("pool: Map item %d: %w", i, err)
		}
	}
	return results, first
}

// Close stops the pool from accepting tasks, waits for the tasks already
// submitted, queued or running, to finish and for the workers to end, and
// closes the Runner if it is an
// io.Closer, returning that error. This is what leaving Python's
// "with ThreadPoolExecutor() as ex:" block does. Calling Close again waits
// again and returns the same error. Close returns an error at once, instead
// of waiting for itself, when called from one of the pool's own tasks.
func (p *Pool) Close() error {
	current := thread.Current()
	p.mu.Lock()
	for _, w := range p.slots {
		if w == current {
			p.mu.Unlock()
			return errors.New("pool: Close called from a task of the same pool")
		}
	}
	p.closed = true
	if p.pending > 0 {
		record.Emit(record.Block, p, "Pool.Close")
		for p.pending > 0 {
			p.idle.Await(&p.mu, nil)
		}
		record.Emit(record.Unblock, p, "Pool.Close")
	}
	// No task is left, so every worker is on its way out; wait for them,
	// so that thread.Count no longer includes them when Close returns.
	workers := p.started
	p.started = nil
	p.mu.Unlock()
	for _, w := range workers {
		w.Join()
	}
	p.closeOnce.Do(func() {
		if c, ok := p.runner.(io.Closer); ok {
			if err := c.Close(); err != nil {
				p.closeErr = fmt.Errorf("pool: close runner: %w", err)
			}
		}
	})
	return p.closeErr
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// startWorkerLocked starts a worker if a task is waiting and the limit
// allows. The caller holds p.mu.
func (p *Pool) startWorkerLocked() {
	if len(p.queue) == 0 || p.running == p.workers {
		return
	}
	slot := 0
	for p.slots[slot] != nil {
		slot++
	}
	w := thread.New(p.work, slot).Named(fmt.Sprintf("%s_%d", p.prefix, slot))
	p.slots[slot] = w
	p.started = slices.DeleteFunc(p.started, func(old *thread.Thread) bool { return !old.Alive() })
	p.started = append(p.started, w)
	p.running++
	if err := w.Start(); err != nil { // cannot happen: p.work accepts slot
		panic(fmt.Sprintf("pool: start worker: %v", err))
	}
}

// work is the body of a worker: it runs queued tasks until none is left.
func (p *Pool) work(slot int) {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.slots[slot] = nil
			p.running--
			p.mu.Unlock()
			return
		}
		t := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
		p.run(slot, t)
	}
}

// run runs one task and completes its future.
func (p *Pool) run(slot int, t *task) {
	returned := false
	defer func() {
		if returned {
			return
		}
		// The task called runtime.Goexit, which ends this worker: fail
		// the task and hand the queue to a new worker.
		record.Emit(record.TaskEnd, t.fut, "task")
		t.fut.complete(nil, invoke.ErrGoexit)
		p.mu.Lock()
		p.slots[slot] = nil
		p.running--
		p.finishLocked()
		p.startWorkerLocked()
		p.mu.Unlock()
	}()
	record.Emit(record.TaskStart, t.fut, "task")
	v, err := invoke.Guard(func() (any, error) { return p.runner.Run(t.f, t.args) })
	returned = true
	record.Emit(record.TaskEnd, t.fut, "task")
	t.fut.complete(v, err)
	p.mu.Lock()
	p.finishLocked()
	p.mu.Unlock()
}

// finishLocked counts a finished task. The caller holds p.mu.
func (p *Pool) finishLocked() {
	p.pending--
	if p.pending == 0 {
		p.idle.Broadcast()
	}
}

// Future is the eventual result of a task submitted to a Pool.
type Future struct {
	done chan struct{} // closed when the result is set

	mu     sync.Mutex
	value  any
	err    error
	notify []func() // called once the result is set
}

func newFuture() *Future {
	return &Future{done: make(chan struct{})}
}

// complete sets the result and calls the registered callbacks.
func (f *Future) complete(value any, err error) {
	f.mu.Lock()
	f.value, f.err = value, err
	callbacks := f.notify
	f.notify = nil
	close(f.done)
	f.mu.Unlock()
	for _, cb := range callbacks {
		cb()
	}
}

// whenDone calls cb once the future is done: at once if it is done already.
func (f *Future) whenDone(cb func()) {
	f.mu.Lock()
	if !f.Done() {
		f.notify = append(f.notify, cb)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	cb()
}

// Result waits for the task to finish and returns its value and error. The
// error is the one the task returned, a *PanicError if it panicked, an error
// naming the function and expected types if the function did not accept its
// arguments, or ErrClosed if the pool was closed before the task was
// submitted.
func (f *Future) Result() (any, error) {
	f.wait("Future.Result")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.value, f.err
}

// Wait waits for the task to finish.
func (f *Future) Wait() {
	f.wait("Future.Wait")
}

// wait waits for the task to finish; a timeline records the wait as a block
// of type typ.
func (f *Future) wait(typ string) {
	if record.Enabled() && !f.Done() {
		record.Emit(record.Block, f, typ)
		<-f.done
		record.Emit(record.Unblock, f, typ)
		return
	}
	<-f.done
}

// Done reports whether the task has finished.
func (f *Future) Done() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// AsCompleted returns a channel that yields each of futs as it finishes, in
// the order in which they finish, and is closed after the last one, like
// Python's as_completed. Futures already finished come first. Nil entries are
// skipped. The channel is buffered for all of futs, so a caller may stop
// reading early without leaking anything.
func AsCompleted(futs []*Future) <-chan *Future {
	out := make(chan *Future, len(futs))
	var live []*Future
	for _, f := range futs {
		if f != nil {
			live = append(live, f)
		}
	}
	if len(live) == 0 {
		close(out)
		return out
	}
	var mu sync.Mutex
	left := len(live)
	for _, f := range live {
		f.whenDone(func() {
			mu.Lock()
			defer mu.Unlock()
			out <- f
			left--
			if left == 0 {
				close(out)
			}
		})
	}
	return out
}
