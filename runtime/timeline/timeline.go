// Package timeline records when threads, pool tasks and goroutines run,
// sleep, wait for locks and block on queues, and draws what it recorded as a
// chart: an SVG image for notebooks and an ASCII chart for text consoles.
//
//	timeline.Start()
//	t1 := thread.Go(worker, 1)
//	t2 := thread.Go(worker, 2)
//	t1.Join()
//	t2.Join()
//	rec := timeline.Stop()
//	rec.Show()
//
// The chart has one row per thread, goroutine or process. Bars show what the
// row was doing: running, sleeping, waiting for a lock (or for an Event,
// Condition or Barrier), or blocked on a queue, a future or a join. A dark
// strip under a bar marks the time a lock was held, and an arrow from one row
// to another marks a lock hand-off: a release followed by the acquisition of
// the same lock by a thread that was waiting for it.
//
// What is recorded comes from the gokernel runtime itself: packages thread,
// lock, queue and pool report their events while a recording runs, at the
// cost of one atomic load per operation when none runs. Code outside the
// runtime adds its own events with Sleep, Begin and Wrap; in a gokernel
// notebook the kernel does that for time.Sleep and for go statements.
//
// Rows are named after threads ("Thread-1", pool workers such as
// "ThreadPoolExecutor_0"), "MainThread" for the goroutine that called Start
// (and any goroutine that calls NameCurrent("MainThread")), and
// "goroutine N" for other goroutines. Rows of the same name whose lifetimes
// do not overlap share one line of the chart.
//
// A goroutine started by a plain go statement gets its row when it first
// records an event, and no end. The runtime may give the identity of a
// goroutine that has ended to a new one, so such a goroutine may continue
// the row of one that ended before it; Wrap avoids both.
//
// Recording is process-wide: Start and Stop act on the one recording of the
// process, because the instrumented code runs in goroutines that have no way
// of being handed a recording. Only one recording runs at a time.
//
// Events are plain data with JSON tags, so that a child process can send its
// recording to its parent, which adds it as rows of a foreign process with
// AddProcess.
package timeline

import (
	"strconv"
	"sync"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/goid"
	"github.com/gokernel/gokernel/runtime/internal/record"
	"github.com/gokernel/gokernel/runtime/thread"
)

// MaxEvents is the largest number of events a recording keeps. Events beyond
// it are counted and dropped, and the chart says so.
const MaxEvents = 1 << 20

// session is the recording in progress, if any; see the package comment for
// why it is process-wide.
var session struct {
	mu      sync.Mutex
	rec     *record.Recorder
	foreign []Event // added with Add and AddProcess
}

// mainThread is what thread.Current returns outside the target of a thread.
// Package initialization runs in the main goroutine, which runs no thread's
// target, so this is that thread.
var mainThread = thread.Current()

// Start starts recording, discarding a recording in progress. The calling
// goroutine's row is named "MainThread".
func Start() {
	starter := goid.ID()
	namer := func(g int64) string {
		if t := thread.Current(); t != mainThread {
			return t.Name()
		}
		if g == starter {
			return "MainThread"
		}
		return "goroutine " + strconv.FormatInt(g, 10)
	}
	session.mu.Lock()
	defer session.mu.Unlock()
	session.rec = record.Begin(namer, MaxEvents)
	session.foreign = nil
}

// Stop stops recording and returns the recording. Without a recording in
// progress it returns an empty one.
func Stop() *Recording {
	session.mu.Lock()
	rec, foreign := session.rec, session.foreign
	session.rec, session.foreign = nil, nil
	session.mu.Unlock()
	if rec == nil {
		return &Recording{started: time.Now()}
	}
	return newRecording(rec.Stop(), foreign)
}

// Snapshot returns what the recording in progress holds so far, without
// stopping it, or nil if nothing is being recorded.
func Snapshot() *Recording {
	session.mu.Lock()
	defer session.mu.Unlock()
	if session.rec == nil {
		return nil
	}
	return newRecording(session.rec.Snapshot(), session.foreign)
}

// Active reports whether a recording is in progress.
func Active() bool {
	return record.Enabled()
}

// Elapsed returns the time since Start, or 0 when nothing is being recorded.
func Elapsed() time.Duration {
	if r := record.Active(); r != nil {
		return r.Elapsed()
	}
	return 0
}

// Name gives obj, a pointer to a lock, queue or other recorded object, a name
// that the chart shows instead of a number ("counter lock" instead of
// "Lock #1"). It applies to the recording in progress; without one it does
// nothing.
//
//	var mu lock.Lock
//	timeline.Name(&mu, "counter lock")
func Name(obj any, name string) {
	if r := record.Active(); r != nil {
		r.NameObject(obj, name)
	}
}

// NameCurrent names the calling goroutine's row in the recording in progress
// and makes the row appear even if nothing else is recorded for it. If the
// goroutine had a row of another name, it continues in a new row, and what
// it did before keeps the old name. A kernel calls NameCurrent("MainThread")
// in each goroutine that runs a cell.
func NameCurrent(name string) {
	if r := record.Active(); r != nil {
		r.NameCurrent(name)
	}
}

// Add adds events, for instance those of another process, to the recording
// in progress. Their Time is taken as relative to Start. Without a recording
// in progress Add does nothing.
func Add(events ...Event) {
	session.mu.Lock()
	defer session.mu.Unlock()
	if session.rec != nil {
		session.foreign = append(session.foreign, events...)
	}
}

// AddProcess adds the recording of a child process to the recording in
// progress, as rows labelled "name (pid N)"; see Recording.AddProcess.
func AddProcess(pid int, name string, child *Recording) {
	session.mu.Lock()
	defer session.mu.Unlock()
	if session.rec != nil {
		session.foreign = append(session.foreign, child.asProcess(pid, name, session.rec.Began())...)
	}
}

// State is what a row is doing at a moment of the chart.
type State int

// The states of a row.
const (
	Running  State = iota // running, or at least not recorded as doing anything else
	Sleeping              // sleeping
	Waiting               // waiting for a lock, an Event, a Condition or a Barrier
	Blocked               // blocked on a queue, a future, a join or other I/O
)

// holding and absent are drawn but never reported as a State of a row:
// holding marks the time a lock is held, absent the time a row does not
// exist.
const (
	holding State = iota + 4
	absent
)

// String returns the state's description, such as "waiting for a lock".
func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Sleeping:
		return "sleeping"
	case Waiting:
		return "waiting for a lock"
	case Blocked:
		return "blocked"
	case holding:
		return "holding a lock"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Span is a stretch of time in which a goroutine does one thing, begun by
// Begin and ended by End.
type Span struct {
	rec   *record.Recorder
	end   record.Kind
	label string
}

// Begin records that the calling goroutine enters state for a reason given
// by label, such as "time.Sleep" or "download", and returns the span to End
// when it leaves that state again:
//
//	defer timeline.Begin(timeline.Blocked, "http.Get").End()
//
// Begin(Running, ...) and Begin without a recording in progress return a
// span whose End does nothing.
func Begin(state State, label string) Span {
	r := record.Active()
	if r == nil {
		return Span{}
	}
	var begin, end record.Kind
	switch state {
	case Sleeping:
		begin, end = record.Sleep, record.Wake
	case Waiting:
		begin, end = record.Wait, record.Acquire
	case Blocked:
		begin, end = record.Block, record.Unblock
	default:
		return Span{}
	}
	r.Emit(begin, nil, label)
	return Span{rec: r, end: end, label: label}
}

// End records that the goroutine is running again. It must be called by the
// goroutine that called Begin.
func (s Span) End() {
	if s.rec != nil {
		s.rec.Emit(s.end, nil, s.label)
	}
}

// Sleep pauses the calling goroutine for d, as time.Sleep does, and records
// the pause.
func Sleep(d time.Duration) {
	defer Begin(Sleeping, "time.Sleep").End()
	time.Sleep(d)
}

// Wrap returns a function that calls f and records, if a recording is in
// progress, the start and end of the goroutine that calls it, in a row named
// "goroutine N". It is meant for go statements:
//
//	go timeline.Wrap(worker)()
func Wrap(f func()) func() {
	return func() {
		r := record.Active()
		if r == nil {
			f()
			return
		}
		g := goid.ID()
		r.Enter("goroutine "+strconv.FormatInt(g, 10), g, -1)
		defer r.Emit(record.End, nil, "")
		f()
	}
}
