package goeval

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/goeval/deadlock"
	"github.com/gokernel/gokernel/kernel/goeval/interrupt"
)

// errDeadlock is the cause of a cell's context when the kernel stops it because all of its
// goroutines are asleep; deadlockMessage is what Go's runtime says then.
var errDeadlock = errors.New("deadlock")

const deadlockMessage = "all goroutines are asleep - deadlock!"

// deadlockRules say which goroutines are a cell's program: those running interpreted code
// or the runtime packages. Their waits end by themselves in the kernel's interruptible
// sleep, in a runtime method with a time limit (LockTimeout, GetTimeout, ...), while the
// cell waits for the user to type an input, and in any library that waits for something
// outside the process (an HTTP response): only waits through Go's runtime, sync, reflect's
// select, the interpreter and the kernel's interruptible primitives can be deadlocks.
var deadlockRules = deadlock.Rules{
	Program: []string{"github.com/traefik/yaegi/interp.", "github.com/gokernel/gokernel/runtime/"},
	Outside: []string{"github.com/traefik/yaegi/interp.(*Interpreter).EvalWithContext("},
	Timed:   []string{"goeval/interrupt.Sleep", "time.Sleep", "Timeout", "goeval.(*stdinReader)"},
	Waits: []string{"runtime.", "internal/", "sync.", "reflect.",
		"github.com/gokernel/gokernel/kernel/goeval/interrupt.", "github.com/traefik/yaegi/interp."},
}

// deadlockWatch is how often the watch looks at least, and how many looks in a row must
// find a deadlock before the cell is stopped. A look that takes long (a dump of a thousand
// interpreted goroutines stops the process for about 0.4 s) delays the next by
// deadlockSpacing times its own length: the process is idle then, but a goroutine that an
// outside event wakes (a child process's output, say) waits for the look to end.
const (
	deadlockWatch   = 250 * time.Millisecond
	deadlockLooks   = 2
	deadlockSpacing = 10
)

// timers remembers how long the timers that cells created may still fire: a goroutine
// that waits for one waits on a channel, which a dump cannot tell from a wait that never
// ends.
type timers struct {
	until   atomic.Int64 // the latest deadline of a timer or context, in Unix nanoseconds
	forever atomic.Bool  // a cell created a ticker, which fires until it is stopped
}

// add records a timer that fires after d.
func (t *timers) add(d time.Duration) {
	deadline := time.Now().Add(d).UnixNano()
	for {
		old := t.until.Load()
		if deadline <= old || t.until.CompareAndSwap(old, deadline) {
			return
		}
	}
}

// pending reports whether a timer a cell created may still fire.
func (t *timers) pending() bool {
	return t.forever.Load() || time.Now().UnixNano() < t.until.Load()
}

// watchDeadlock watches the running cell, whose context ctx stop cancels, for the state
// in which Go would stop a program with "all goroutines are asleep - deadlock!": the
// process uses no processor time, no timer a cell created is pending, and every goroutine
// of the program waits on a channel or a lock. Found twice in a row, the cell is stopped
// as an interrupt stops it, and its error says why. The returned function ends the watch.
func (e *Engine) watchDeadlock(ctx context.Context, stop context.CancelCauseFunc) func() {
	if e.opts.Direct {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		wait := deadlockWatch
		last := cpuTime()
		found := 0
		var buf []byte // kept from look to look, at the size the last dump needed
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			now := cpuTime()
			idle := now-last < wait/50
			last = now
			wait = deadlockWatch
			if !idle || e.timers.pending() || interrupt.Sleeping() > 0 {
				found = 0
				continue
			}
			began := time.Now()
			var dump []byte
			dump, buf = allStacks(buf)
			rep := deadlockRules.Check(dump)
			wait = max(deadlockWatch, deadlockSpacing*time.Since(began))
			last = cpuTime() // the look's own processor time does not count
			if !rep.Deadlocked() {
				found = 0
				continue
			}
			if found++; found < deadlockLooks {
				continue
			}
			e.deadlock.Store(&rep)
			stop(errDeadlock)
			interrupt.Fire()
			return
		}
	}()
	return func() { close(done) }
}

// deadlockError is the error of a cell stopped by watchDeadlock.
func (e *Engine) deadlockError(count int) *engine.Error {
	where := ""
	if line := e.topLine.Load(); line > 0 {
		where = fmt.Sprintf(" at In [%d] line %d", count, line)
	}
	why := "waiting on a channel or a lock that nothing else in the cell can release"
	if rep := e.deadlock.Load(); rep != nil && rep.Goroutines > 1 {
		why = fmt.Sprintf("and all %d goroutines it runs were waiting on channels or locks", rep.Goroutines)
	}
	return &engine.Error{
		Name:  "fatal error",
		Value: deadlockMessage,
		Traceback: []string{
			"fatal error: " + deadlockMessage,
			"",
			fmt.Sprintf("The cell was blocked%s, %s.", where, why),
			"A Go program would end here; gokernel stopped the cell instead, and the session's state is kept.",
		},
	}
}

// cpuTime returns the processor time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allStacks returns a dump of every goroutine's stack, written into buf, and the buffer,
// grown to the size the dump needed (at least 64 KiB, at most 64 MiB).
func allStacks(buf []byte) (dump, grown []byte) {
	if len(buf) < 1<<16 {
		buf = make([]byte, 1<<16)
	}
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 1<<26 {
			return buf[:n], buf
		}
		buf = make([]byte, 2*len(buf))
	}
}
