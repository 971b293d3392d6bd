package timeline

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/gokernel/gokernel/runtime/display"
	"github.com/gokernel/gokernel/runtime/internal/record"
)

// Kind says what an event reports.
type Kind string

// The kinds of events. A row is running from its start until a sleep, wait
// or block, and running again from the matching wake, acquire, give-up or
// unblock.
const (
	KindStart     Kind = "start"      // a thread, goroutine or process begins
	KindEnd       Kind = "end"        // it ends
	KindName      Kind = "name"       // its row is named; nothing else changes
	KindTaskStart Kind = "task-start" // a pool task begins on the worker
	KindTaskEnd   Kind = "task-end"   // the task ends
	KindSleep     Kind = "sleep"      // it begins to sleep
	KindWake      Kind = "wake"       // the sleep ends
	KindWait      Kind = "wait"       // it begins to wait for a lock, Event, Condition or Barrier
	KindAcquire   Kind = "acquire"    // it acquires the lock, or is woken by the signal it waited for
	KindGiveUp    Kind = "give-up"    // it stops waiting without acquiring (a timeout)
	KindRelease   Kind = "release"    // it releases a lock or semaphore, sets an Event, notifies a Condition or completes a Barrier
	KindBlock     Kind = "block"      // it begins to block on a queue, future, join or other call
	KindUnblock   Kind = "unblock"    // the block ends
)

// kinds maps the recorder's kinds to those of this package.
var kinds = [...]Kind{
	record.Start:     KindStart,
	record.End:       KindEnd,
	record.Name:      KindName,
	record.TaskStart: KindTaskStart,
	record.TaskEnd:   KindTaskEnd,
	record.Sleep:     KindSleep,
	record.Wake:      KindWake,
	record.Wait:      KindWait,
	record.Acquire:   KindAcquire,
	record.GiveUp:    KindGiveUp,
	record.Release:   KindRelease,
	record.Block:     KindBlock,
	record.Unblock:   KindUnblock,
}

// Event is one thing that happened to a thread, goroutine or process.
type Event struct {
	// Time is the time of the event since the recording started.
	Time time.Duration `json:"t"`
	// Process is the id of the process the event comes from, or 0 for
	// this process.
	Process int `json:"pid,omitempty"`
	// Goroutine is the id of the goroutine within its process.
	Goroutine int64 `json:"g"`
	// Row is the display name of the thread or goroutine, such as
	// "Thread-1", "MainThread" or "goroutine 7".
	Row  string `json:"row"`
	Kind Kind   `json:"kind"`
	// Object identifies the lock, queue, future or thread concerned within
	// its process, or is 0.
	Object uint64 `json:"obj,omitempty"`
	// Type says what Object is or what the call was: "Lock", "RLock",
	// "Semaphore", "Event", "Condition", "Barrier", "Queue.Get",
	// "Queue.Put", "Queue.Join", "Future.Result", "Future.Wait",
	// "Thread.Join", "Pool.Close", "task", or a label given to Begin.
	Type string `json:"type,omitempty"`
	// Name is the object's name given with Name, if any.
	Name string `json:"name,omitempty"`
}

// Recording is what was recorded between Start and Stop. Its methods draw it.
// A Recording is safe for concurrent reads; Add and AddProcess must not run
// concurrently with other methods.
type Recording struct {
	started  time.Time
	duration time.Duration
	events   []Event
	dropped  int
}

// newRecording converts a recorder's log and adds the foreign events.
func newRecording(log record.Log, foreign []Event) *Recording {
	events := make([]Event, 0, len(log.Entries)+len(foreign))
	for _, e := range log.Entries {
		row := log.Rows[e.Row]
		events = append(events, Event{
			Time:      e.At,
			Goroutine: row.Goroutine,
			Row:       row.Name,
			Kind:      kinds[e.Kind],
			Object:    uint64(e.Object),
			Type:      e.Type,
			Name:      log.Objects[e.Object],
		})
	}
	r := &Recording{started: log.Began, duration: log.Duration, events: events, dropped: log.Dropped}
	r.Add(foreign...)
	return r
}

// Events returns a copy of the recorded events in the order of their times.
func (r *Recording) Events() []Event {
	return slices.Clone(r.events)
}

// Started returns when the recording started.
func (r *Recording) Started() time.Time {
	return r.started
}

// Duration returns how long the recording lasted: the wall time the chart
// spans.
func (r *Recording) Duration() time.Duration {
	return r.duration
}

// Dropped returns the number of events not kept because the recording held
// MaxEvents already.
func (r *Recording) Dropped() int {
	return r.dropped
}

// Add adds events, for instance those of another process, to r. Their Time
// is taken as relative to the start of r; the recording's duration grows to
// include them.
func (r *Recording) Add(events ...Event) {
	if len(events) == 0 {
		return
	}
	r.events = append(r.events, events...)
	slices.SortStableFunc(r.events, func(a, b Event) int {
		return cmp.Compare(a.Time, b.Time)
	})
	if last := r.events[len(r.events)-1].Time; last > r.duration {
		r.duration = last
	}
}

// AddProcess adds the recording of a child process with the given pid to r.
// Its events are moved in time by the difference between the two start
// times, and its rows are labelled after name: the child's MainThread
// becomes "name (pid N)" and its other rows "name (pid N) Thread-1" and so
// on:
//
//	rec.AddProcess(1234, "Process-1", child) // rows "Process-1 (pid 1234)", ...
func (r *Recording) AddProcess(pid int, name string, child *Recording) {
	r.Add(child.asProcess(pid, name, r.started)...)
}

// asProcess returns the events of r as those of process pid in a recording
// that started at parentStart.
func (r *Recording) asProcess(pid int, name string, parentStart time.Time) []Event {
	shift := r.started.Sub(parentStart)
	label := fmt.Sprintf("%s (pid %d)", name, pid)
	events := make([]Event, len(r.events))
	for i, e := range r.events {
		e.Time += shift
		if e.Process == 0 {
			e.Process = pid
		}
		if e.Row == "MainThread" {
			e.Row = label
		} else {
			e.Row = label + " " + e.Row
		}
		events[i] = e
	}
	return events
}

// recordingJSON is the JSON form of a Recording.
type recordingJSON struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
	Dropped  int           `json:"dropped,omitempty"`
	Events   []Event       `json:"events"`
}

// MarshalJSON encodes r, so that a child process can send it to its parent.
func (r *Recording) MarshalJSON() ([]byte, error) {
	events := r.events
	if events == nil {
		events = []Event{}
	}
	return json.Marshal(recordingJSON{Started: r.started, Duration: r.duration, Dropped: r.dropped, Events: events})
}

// UnmarshalJSON decodes a recording encoded by MarshalJSON.
func (r *Recording) UnmarshalJSON(data []byte) error {
	var j recordingJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("timeline: decode recording: %w", err)
	}
	*r = Recording{started: j.Started, duration: j.Duration, dropped: j.Dropped}
	r.Add(j.Events...)
	r.duration = max(r.duration, j.Duration)
	return nil
}

// Show displays the chart: in a gokernel notebook as an SVG image with a
// text fallback, elsewhere as the text chart on standard output.
func (r *Recording) Show() {
	display.Show(display.Bundle{"image/svg+xml": r.SVG(), "text/plain": r.Text()})
}
