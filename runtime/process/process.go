package process

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gokernel/gokernel/runtime/internal/invoke"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// PanicError is the error of a function that panicked in a child process.
// Its Value field holds the panic value as text, and its Stack field the
// stack of the panicking goroutine in the child. It is the same type as
// thread.PanicError and pool.PanicError.
type PanicError = invoke.PanicError

// ErrGoexit is the error of a function that called runtime.Goexit in a child
// process.
var ErrGoexit = invoke.ErrGoexit

// Process is a function running in a child process. Create one with New.
// A Process is safe for use by multiple goroutines.
type Process struct {
	target any
	args   []any
	done   chan struct{} // closed when the process has ended or failed to start
	self   bool          // the Process that Current returns

	mu      sync.Mutex
	name    string
	started bool
	child   *child // nil before Start and after a failed Start
	value   any    // the function's result; set before done is closed
	err     error  // how the process ended; set before done is closed
}

// New returns a process that will call f with args in a child process once
// started. f is a function registered with Register, or a Target made by
// Named. New does not check f and args; Start does.
func New(f any, args ...any) *Process {
	return &Process{target: f, args: args, done: make(chan struct{})}
}

// Named sets the name of p and returns p, so that it can follow New:
//
//	p := process.New(worker, 1).Named("P1")
//
// The name is what Current().Name() returns in the child. Renaming a started
// process changes only the parent's label.
func (p *Process) Named(name string) *Process {
	p.mu.Lock()
	p.name = name
	p.mu.Unlock()
	return p
}

// Name returns the name of p. A process that was never named gets the next
// default name, "Process-N", when its name is first needed.
func (p *Process) Name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nameLocked()
}

func (p *Process) nameLocked() string {
	if p.name == "" {
		p.name = fmt.Sprintf("Process-%d", processCount.Add(1))
	}
	return p.name
}

// processCount numbers default process names across this process, as
// Python does.
var processCount atomic.Int64

// String describes p for printing, such as "Process(P1, pid 4242, started)"
// or "Process(P1, pid 4242, stopped, exit code 0)".
func (p *Process) String() string {
	name, pid := p.Name(), p.Pid()
	switch {
	case p.Alive(): // the current process is always alive
		return fmt.Sprintf("Process(%s, pid %d, started)", name, pid)
	case p.ended() && pid != 0:
		return fmt.Sprintf("Process(%s, pid %d, stopped, exit code %d)", name, pid, p.ExitCode())
	case p.ended():
		return fmt.Sprintf("Process(%s, failed to start)", name)
	}
	return fmt.Sprintf("Process(%s, initial)", name)
}

// Start starts a child process that calls the function. It returns an error,
// and starts nothing, if p was started before, if p is the current process,
// if the function cannot be found by a child (see Register and Named), if it
// does not accept the arguments, or if a parameter, argument or result type
// cannot cross a process boundary. In those cases Join and Result return
// the same error.
func (p *Process) Start() error {
	if p.self {
		return errors.New("process: cannot start the current process")
	}
	p.mu.Lock()
	name := p.nameLocked()
	if p.started {
		p.mu.Unlock()
		return fmt.Errorf("process: start %s: a process can only be started once", name)
	}
	p.started = true
	p.mu.Unlock()

	c, err := prepare(p.target, p.args)
	var ch *child
	if err == nil {
		ch, err = startChild(name)
	}
	if err != nil {
		err = fmt.Errorf("process: start %s: %w", name, err)
		p.end(nil, err)
		return err
	}
	p.mu.Lock()
	p.child = ch
	p.mu.Unlock()
	go p.run(ch, c, name)
	return nil
}

// run hands the call to the child and records how it ended.
func (p *Process) run(ch *child, c *call, name string) {
	rep, err := ch.run(job{Func: c.name, Process: name, Once: true, Args: c.args})
	var value any
	if err == nil {
		value, err = c.outcome(rep)
	}
	<-ch.done // the child exits after replying; its exit code completes the record
	ch.conn.Close()
	p.end(value, err)
}

func (p *Process) end(value any, err error) {
	p.mu.Lock()
	p.value, p.err = value, err
	p.mu.Unlock()
	close(p.done)
}

func (p *Process) ended() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Join waits until the process has ended and returns its error: nil if the
// function returned normally, the error it returned (with its message only),
// a *PanicError if it panicked, an *ExitError if the process exited or was
// killed before returning, or the error of a failed Start. Join returns an
// error at once for a process that was not started and for the current
// process.
func (p *Process) Join() error {
	if err := p.canWait("join"); err != nil {
		return err
	}
	span := timeline.Begin(timeline.Blocked, "Process.Join")
	<-p.done
	span.End()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Result waits until the process has ended and returns the function's value
// and the error Join returns. The value is decoded into the function's
// result type; nil if it has none.
func (p *Process) Result() (any, error) {
	if err := p.canWait("result of"); err != nil {
		return nil, err
	}
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.value, p.err
}

func (p *Process) canWait(what string) error {
	if p.self {
		return fmt.Errorf("process: cannot wait for the current process")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started {
		return fmt.Errorf("process: %s %s: process was not started", what, p.nameLocked())
	}
	return nil
}

// Pid returns the operating system's id of the process, or 0 before it
// started.
func (p *Process) Pid() int {
	if p.self {
		return os.Getpid()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.child == nil {
		return 0
	}
	return p.child.pid
}

// ExitCode returns how the process ended, like Python's exitcode: 0 if the
// function returned a nil error, 1 if it panicked or returned an error, the
// code passed to os.Exit, or the negated signal number if a signal killed it
// (-9 after Kill, -15 after Terminate). It returns -1 while the process runs,
// before it starts, and if it failed to start.
func (p *Process) ExitCode() int {
	p.mu.Lock()
	ch := p.child
	p.mu.Unlock()
	if ch == nil || !ch.exited() {
		return -1
	}
	return ch.code
}

// Alive reports whether the process has started and not yet exited. The
// current process is always alive.
func (p *Process) Alive() bool {
	if p.self {
		return true
	}
	p.mu.Lock()
	ch := p.child
	p.mu.Unlock()
	return ch != nil && !ch.exited()
}

// Terminate asks the process to stop by sending it SIGTERM, like Python's
// terminate. A Go program ends at once on SIGTERM unless it handles the
// signal. Terminate does nothing if the process is not running.
func (p *Process) Terminate() {
	p.signal(syscall.SIGTERM)
}

// Kill stops the process with SIGKILL, like Python's kill. Kill does nothing
// if the process is not running.
func (p *Process) Kill() {
	p.signal(syscall.SIGKILL)
}

func (p *Process) signal(sig syscall.Signal) {
	p.mu.Lock()
	ch := p.child
	p.mu.Unlock()
	if ch != nil {
		ch.signal(sig)
	}
}

// Current returns the process the caller runs in: in a child process, the
// Process named as its parent named it (or the name of a pool worker); in
// any other process, the one named "MainProcess". Its Pid is the caller's
// process id.
func Current() *Process {
	if p := current.Load(); p != nil {
		return p
	}
	return mainProcess
}

// mainProcess stands for a process that is not a child of this package's
// making.
var mainProcess = selfProcess("MainProcess")

// current is the Process that Current returns in a child; it is
// process-wide because it describes the process.
var current atomic.Pointer[Process]

func selfProcess(name string) *Process {
	return &Process{name: name, started: true, self: true, done: make(chan struct{})}
}

// setCurrent names the current process, as a child does when a job arrives.
func setCurrent(name string) {
	if p := current.Load(); p == nil || p.Name() != name {
		current.Store(selfProcess(name))
	}
}
