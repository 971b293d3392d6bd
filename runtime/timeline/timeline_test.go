package timeline_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/queue"
	"github.com/gokernel/gokernel/runtime/thread"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// step is an expected event: who did what to which kind of object.
type step struct {
	row  string
	kind timeline.Kind
	typ  string
}

func (s step) String() string { return fmt.Sprintf("%s %s %s", s.row, s.kind, s.typ) }

func stepOf(e timeline.Event) step { return step{row: e.Row, kind: e.Kind, typ: e.Type} }

// waitForEvent polls the recording in progress until an event matching want
// appears, so that a scenario can go on only once a goroutine is known to
// wait or block.
func waitForEvent(t *testing.T, want step) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		snap := timeline.Snapshot()
		if snap == nil {
			t.Fatal("Snapshot returned nil during a recording")
		}
		for _, e := range snap.Events() {
			if stepOf(e) == want {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no event %v within 10s", want)
}

// contains reports whether want occurs in events as a subsequence, and
// otherwise the first step missing.
func containsInOrder(events []timeline.Event, want []step) (step, bool) {
	i := 0
	for _, e := range events {
		if i < len(want) && stepOf(e) == want[i] {
			i++
		}
	}
	if i == len(want) {
		return step{}, true
	}
	return want[i], false
}

// locker is a lock under test: how to lock and unlock it and its type name
// in events.
type locker struct {
	name   string
	typ    string
	lock   func()
	unlock func()
}

func lockers() []locker {
	var mu lock.Lock
	var r lock.RLock
	sem := lock.NewBoundedSemaphore(1)
	return []locker{
		{"Lock", "Lock", mu.Lock, mu.Unlock},
		{"RLock", "RLock", func() { r.Lock(); r.Lock() }, func() { r.Unlock(); r.Unlock() }},
		{"BoundedSemaphore", "Semaphore", sem.Acquire, sem.Release},
	}
}

func TestLockContentionOrder(t *testing.T) {
	for _, l := range lockers() {
		t.Run(l.name, func(t *testing.T) {
			timeline.Start()
			defer timeline.Stop()

			locked, release := make(chan struct{}), make(chan struct{})
			t1 := thread.New(func() {
				l.lock()
				close(locked)
				<-release
				l.unlock()
			}).Named("T1")
			t2 := thread.New(func() {
				l.lock()
				l.unlock()
			}).Named("T2")
			t1.Start()
			<-locked
			t2.Start()
			waitForEvent(t, step{"T2", timeline.KindWait, l.typ})
			close(release)
			t1.Join()
			t2.Join()
			rec := timeline.Stop()

			var got []step
			for _, e := range rec.Events() {
				if e.Type == l.typ {
					got = append(got, stepOf(e))
				}
			}
			want := []step{
				{"T1", timeline.KindAcquire, l.typ},
				{"T2", timeline.KindWait, l.typ},
				{"T1", timeline.KindRelease, l.typ},
				{"T2", timeline.KindAcquire, l.typ},
				{"T2", timeline.KindRelease, l.typ},
			}
			if !slices.Equal(got, want) {
				t.Fatalf("lock events:\n got %v\nwant %v", got, want)
			}
			for _, name := range []string{"T1", "T2"} {
				if missing, ok := containsInOrder(rec.Events(), []step{{name, timeline.KindStart, ""}, {name, timeline.KindEnd, ""}}); !ok {
					t.Errorf("missing %v", missing)
				}
			}
			if !strings.Contains(rec.Text(), "T1 → T2") {
				t.Errorf("text chart does not list the hand-off from T1 to T2:\n%s", rec.Text())
			}
			assertTimesOrdered(t, rec.Events())
		})
	}
}

func assertTimesOrdered(t *testing.T, events []timeline.Event) {
	t.Helper()
	for i := 1; i < len(events); i++ {
		if events[i].Time < events[i-1].Time {
			t.Fatalf("event %d (%v at %v) is earlier than the one before (%v at %v)",
				i, stepOf(events[i]), events[i].Time, stepOf(events[i-1]), events[i-1].Time)
		}
	}
}

func TestPrimitivesRecorded(t *testing.T) {
	const main = "MainThread"
	tests := []struct {
		name string
		run  func(t *testing.T)
		want []step
		also []step // a second sequence, not ordered against want
	}{
		{
			name: "sleep",
			run:  func(*testing.T) { timeline.Sleep(time.Millisecond) },
			want: []step{{main, timeline.KindSleep, "time.Sleep"}, {main, timeline.KindWake, "time.Sleep"}},
		},
		{
			name: "span",
			run:  func(*testing.T) { timeline.Begin(timeline.Blocked, "download").End() },
			want: []step{{main, timeline.KindBlock, "download"}, {main, timeline.KindUnblock, "download"}},
		},
		{
			name: "queue get",
			run: func(t *testing.T) {
				q := queue.New(0)
				thread.New(func() {
					waitForEvent(t, step{main, timeline.KindBlock, "Queue.Get"})
					q.Put(1)
				}).Named("producer").Start()
				q.Get()
			},
			want: []step{{main, timeline.KindBlock, "Queue.Get"}, {main, timeline.KindUnblock, "Queue.Get"}},
		},
		{
			name: "queue put",
			run: func(t *testing.T) {
				q := queue.New(1)
				q.Put(0)
				thread.New(func() {
					waitForEvent(t, step{main, timeline.KindBlock, "Queue.Put"})
					q.Get()
				}).Named("consumer").Start()
				q.Put(1)
			},
			want: []step{{main, timeline.KindBlock, "Queue.Put"}, {main, timeline.KindUnblock, "Queue.Put"}},
		},
		{
			name: "join",
			run: func(t *testing.T) {
				w := thread.New(func() { waitForEvent(t, step{main, timeline.KindBlock, "Thread.Join"}) }).Named("W")
				w.Start()
				w.Join()
			},
			want: []step{{"W", timeline.KindStart, ""}, {main, timeline.KindBlock, "Thread.Join"}, {"W", timeline.KindEnd, ""}, {main, timeline.KindUnblock, "Thread.Join"}},
		},
		{
			name: "pool task and future",
			run: func(t *testing.T) {
				p := pool.Threads(1)
				defer p.Close()
				fut := p.Submit(func() { waitForEvent(t, step{main, timeline.KindBlock, "Future.Result"}) })
				fut.Result()
			},
			want: []step{
				{"ThreadPoolExecutor_0", timeline.KindStart, ""},
				{main, timeline.KindBlock, "Future.Result"},
				{"ThreadPoolExecutor_0", timeline.KindTaskEnd, "task"},
				{main, timeline.KindUnblock, "Future.Result"},
			},
			also: []step{
				{"ThreadPoolExecutor_0", timeline.KindTaskStart, "task"},
				{"ThreadPoolExecutor_0", timeline.KindTaskEnd, "task"},
				{"ThreadPoolExecutor_0", timeline.KindEnd, ""},
			},
		},
		{
			name: "event",
			run: func(t *testing.T) {
				var ev lock.Event
				w := thread.New(ev.Wait).Named("W")
				w.Start()
				waitForEvent(t, step{"W", timeline.KindWait, "Event"})
				ev.Set()
				w.Join()
			},
			want: []step{{"W", timeline.KindWait, "Event"}, {main, timeline.KindRelease, "Event"}, {"W", timeline.KindAcquire, "Event"}},
		},
		{
			name: "condition",
			run: func(t *testing.T) {
				var mu lock.Lock
				c := lock.NewCondition(&mu)
				w := thread.New(func() { c.Lock(); c.Wait(); c.Unlock() }).Named("W")
				w.Start()
				waitForEvent(t, step{"W", timeline.KindRelease, "Lock"})
				c.With(c.Notify)
				w.Join()
			},
			want: []step{
				{"W", timeline.KindAcquire, "Lock"},
				{"W", timeline.KindWait, "Condition"},
				{"W", timeline.KindRelease, "Lock"},
				{main, timeline.KindAcquire, "Lock"},
				{main, timeline.KindRelease, "Condition"},
				{"W", timeline.KindAcquire, "Condition"},
				{"W", timeline.KindAcquire, "Lock"},
				{"W", timeline.KindRelease, "Lock"},
			},
			also: []step{
				{main, timeline.KindRelease, "Lock"},
				{"W", timeline.KindAcquire, "Lock"},
			},
		},
		{
			name: "barrier",
			run: func(t *testing.T) {
				b := lock.NewBarrier(2)
				w := thread.New(func() { b.Wait() }).Named("W")
				w.Start()
				waitForEvent(t, step{"W", timeline.KindWait, "Barrier"})
				b.Wait()
				w.Join()
			},
			want: []step{{"W", timeline.KindWait, "Barrier"}, {main, timeline.KindRelease, "Barrier"}, {"W", timeline.KindAcquire, "Barrier"}},
		},
		{
			name: "lock timeout",
			run: func(*testing.T) {
				var mu lock.Lock
				mu.Lock()
				mu.LockTimeout(time.Millisecond)
				mu.Unlock()
			},
			want: []step{{main, timeline.KindAcquire, "Lock"}, {main, timeline.KindWait, "Lock"}, {main, timeline.KindGiveUp, "Lock"}, {main, timeline.KindRelease, "Lock"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeline.Start()
			defer timeline.Stop()
			tt.run(t)
			rec := timeline.Stop()
			for _, want := range [][]step{tt.want, tt.also} {
				if missing, ok := containsInOrder(rec.Events(), want); !ok {
					var got []step
					for _, e := range rec.Events() {
						got = append(got, stepOf(e))
					}
					t.Fatalf("missing %v (in order) in\n%v", missing, got)
				}
			}
			assertTimesOrdered(t, rec.Events())
		})
	}
}

func TestWrapNamesGoroutine(t *testing.T) {
	timeline.Start()
	done := make(chan struct{})
	go timeline.Wrap(func() {
		defer close(done)
		timeline.Sleep(time.Millisecond)
	})()
	<-done
	rec := timeline.Stop()
	var rows []string
	for _, e := range rec.Events() {
		if e.Kind == timeline.KindStart {
			rows = append(rows, e.Row)
		}
	}
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "goroutine ") {
		t.Fatalf("rows started: %q, want one \"goroutine N\"", rows)
	}
	want := []step{{rows[0], timeline.KindStart, ""}, {rows[0], timeline.KindSleep, "time.Sleep"}, {rows[0], timeline.KindEnd, ""}}
	if missing, ok := containsInOrder(rec.Events(), want); !ok {
		t.Fatalf("missing %v", missing)
	}
}

func TestNamesObjects(t *testing.T) {
	timeline.Start()
	var mu lock.Lock
	timeline.Name(&mu, "counter <lock>")
	counter := 0
	mu.With(func() { counter++ })
	rec := timeline.Stop()
	events := rec.Events()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2: %v", len(events), events)
	}
	for _, e := range events {
		if e.Name != "counter <lock>" || e.Object == 0 {
			t.Errorf("event %v: object %d named %q, want a non-zero object named %q", stepOf(e), e.Object, e.Name, "counter <lock>")
		}
	}
	if events[0].Object != events[1].Object {
		t.Errorf("acquire and release name different objects: %d, %d", events[0].Object, events[1].Object)
	}
}

// exercise runs every instrumented operation once, with contention.
func exercise() {
	var mu lock.Lock
	q := queue.New(1)
	p := pool.Threads(2)
	ts := []*thread.Thread{
		thread.Go(func() { mu.Lock(); time.Sleep(time.Millisecond); mu.Unlock() }),
		thread.Go(mu.With, func() {}),
		thread.Go(func() { q.Put(1); q.Put(2) }),
	}
	q.Get()
	q.Get()
	p.Submit(time.Sleep, time.Millisecond).Result()
	p.Close()
	timeline.Sleep(time.Millisecond)
	for _, t := range ts {
		t.Join()
	}
}

func TestDisabledRecordsNothing(t *testing.T) {
	if timeline.Active() {
		t.Fatal("a recording is active before any Start")
	}
	if rec := timeline.Stop(); rec == nil || len(rec.Events()) != 0 {
		t.Fatalf("Stop without Start = %v, want an empty recording", rec)
	}
	if timeline.Snapshot() != nil {
		t.Fatal("Snapshot without a recording is not nil")
	}

	exercise() // nothing is recording: nothing may be kept for later

	timeline.Start()
	rec := timeline.Stop()
	if n := len(rec.Events()); n != 0 {
		t.Fatalf("a recording started after unrecorded activity holds %d events: %v", n, rec.Events())
	}

	timeline.Start()
	exercise()
	rec = timeline.Stop()
	kept := len(rec.Events())
	if kept == 0 {
		t.Fatal("exercise recorded nothing while recording")
	}
	exercise() // after Stop
	if n := len(rec.Events()); n != kept {
		t.Fatalf("recording grew from %d to %d events after Stop", kept, n)
	}
	if timeline.Active() || timeline.Elapsed() != 0 {
		t.Fatal("recording still active after Stop")
	}
}

func TestStartDiscardsRecordingInProgress(t *testing.T) {
	timeline.Start()
	timeline.Sleep(time.Millisecond)
	timeline.Start()
	rec := timeline.Stop()
	if n := len(rec.Events()); n != 0 {
		t.Fatalf("second Start kept %d events of the first", n)
	}
}
