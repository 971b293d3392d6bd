package process

import (
	"fmt"
	"sync"
)

// Worker is a child process that runs calls one after another, as the
// workers of a process pool do. The child starts with the first call and
// serves later calls too; if it dies, the call it was running fails with an
// *ExitError and the next call starts a new child. A panic or error in a call
// fails only that call. Create a Worker with NewWorker and Close it when
// done. A Worker is safe for use by multiple goroutines; their calls take
// turns.
type Worker struct {
	name string
	turn sync.Mutex // held for a whole call

	mu     sync.Mutex // guards the fields below
	child  *child
	closed bool
}

// NewWorker returns a worker whose child processes are named name, which is
// what Current().Name() returns in them. No process starts until the first
// call.
func NewWorker(name string) *Worker {
	return &Worker{name: name}
}

// Name returns the name of the worker's processes.
func (w *Worker) Name() string { return w.name }

// Call runs f(args...) in the worker's child process, starting one if none
// is running, and returns the function's value, decoded into its result
// type, and its error. f and args follow the rules of New. Errors that can
// be known before the call, such as an argument type that cannot cross a
// process boundary, are returned without involving the child.
func (w *Worker) Call(f any, args ...any) (any, error) {
	c, err := prepare(f, args)
	if err != nil {
		return nil, fmt.Errorf("process: %w", err)
	}
	w.turn.Lock()
	defer w.turn.Unlock()
	ch, err := w.ready(c.name)
	if err != nil {
		return nil, err
	}
	rep, err := ch.run(job{Func: c.name, Process: w.name, Args: c.args})
	if err != nil {
		w.mu.Lock()
		w.child = nil // run has waited for it to exit
		w.mu.Unlock()
		return nil, err
	}
	return c.outcome(rep)
}

// ready returns a running child, starting one if there is none or the last
// one has died.
func (w *Worker) ready(fname string) (*child, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, fmt.Errorf("process: call %s on closed worker %s", fname, w.name)
	}
	if w.child != nil && w.child.exited() {
		w.child.conn.Close()
		w.child = nil
	}
	if w.child == nil {
		ch, err := startChild(w.name)
		if err != nil {
			return nil, fmt.Errorf("process: %w", err)
		}
		w.child = ch
	}
	return w.child, nil
}

// Pid returns the process id of the worker's current child, or 0 if none is
// running.
func (w *Worker) Pid() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child == nil || w.child.exited() {
		return 0
	}
	return w.child.pid
}

// Close stops the worker's child, waiting for a running call to finish
// first, and makes later calls fail. A child that does not exit within two
// seconds of being told to is killed.
func (w *Worker) Close() error {
	w.turn.Lock()
	defer w.turn.Unlock()
	w.mu.Lock()
	ch := w.child
	w.child, w.closed = nil, true
	w.mu.Unlock()
	if ch != nil {
		ch.stop(exitGrace)
	}
	return nil
}
