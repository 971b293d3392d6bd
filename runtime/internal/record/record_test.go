package record

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/clock"
)

func namer(g int64) string { return "g" }

func kindsOf(log Log) []Kind {
	var ks []Kind
	for _, e := range log.Entries {
		ks = append(ks, e.Kind)
	}
	return ks
}

func TestRecorder(t *testing.T) {
	var obj int
	tests := []struct {
		name        string
		limit       int
		run         func(r *Recorder)
		wantKinds   []Kind
		wantDropped int
		wantRows    []string
	}{
		{
			name:  "events in order",
			limit: 100,
			run: func(r *Recorder) {
				r.Emit(Wait, &obj, "Lock")
				r.Emit(Acquire, &obj, "Lock")
				r.Emit(Release, &obj, "Lock")
			},
			wantKinds: []Kind{Wait, Acquire, Release},
			wantRows:  []string{"g"},
		},
		{
			name:  "limit",
			limit: 2,
			run: func(r *Recorder) {
				for range 5 {
					r.Emit(Sleep, nil, "")
				}
			},
			wantKinds:   []Kind{Sleep, Sleep},
			wantDropped: 3,
			wantRows:    []string{"g"},
		},
		{
			name:  "a start is placed at the time given",
			limit: 100,
			run: func(r *Recorder) {
				at := clock.Now()
				r.Emit(Sleep, nil, "")
				done := make(chan struct{})
				go func() { defer close(done); r.Enter("T", 1, at); r.Emit(End, nil, "") }()
				<-done
			},
			wantKinds: []Kind{Start, Sleep, End},
			wantRows:  []string{"g", "T"},
		},
		{
			name:  "renaming starts a new row",
			limit: 100,
			run: func(r *Recorder) {
				r.Emit(Sleep, nil, "")
				r.NameCurrent("MainThread")
				r.NameCurrent("MainThread")
				r.Emit(Wake, nil, "")
			},
			wantKinds: []Kind{Sleep, Name, Name, Wake},
			wantRows:  []string{"g", "MainThread"},
		},
		{
			name:  "nothing after stop",
			limit: 100,
			run: func(r *Recorder) {
				r.Stop()
				r.Emit(Sleep, nil, "")
				r.Enter("T", 1, -1)
				r.NameCurrent("x")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Begin(namer, tt.limit)
			tt.run(r)
			log := r.Stop()
			if got := kindsOf(log); !slices.Equal(got, tt.wantKinds) {
				t.Errorf("kinds %v, want %v", got, tt.wantKinds)
			}
			if log.Dropped != tt.wantDropped {
				t.Errorf("dropped %d, want %d", log.Dropped, tt.wantDropped)
			}
			var rows []string
			for _, row := range log.Rows {
				rows = append(rows, row.Name)
			}
			if !slices.Equal(rows, tt.wantRows) {
				t.Errorf("rows %q, want %q", rows, tt.wantRows)
			}
			if Active() != nil {
				t.Error("recorder still active after Stop")
			}
			if events, rows := r.held(); events != len(log.Entries) || rows != len(log.Rows) {
				t.Errorf("recorder holds %d events and %d rows, its log %d and %d",
					events, rows, len(log.Entries), len(log.Rows))
			}
		})
	}
}

// held returns the numbers of events and rows r holds, counting those added
// after its log was taken, which the log does not show.
func (r *Recorder) held() (events, rows int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.procs {
		r.procs[i].each(func(entry) { events++ })
	}
	r.extra.proc.each(func(entry) { events++ })
	return events, len(r.rows)
}

func TestBeginReplacesActive(t *testing.T) {
	first := Begin(namer, 10)
	second := Begin(namer, 10)
	defer second.Stop()
	if Active() != second {
		t.Fatal("the second recorder is not active")
	}
	first.Emit(Sleep, nil, "")
	if n := len(first.Stop().Entries); n != 0 {
		t.Fatalf("replaced recorder kept %d events", n)
	}
}

func TestConcurrentEmitters(t *testing.T) {
	r := Begin(namer, 1<<20)
	const goroutines, events = 8, 1000
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range events {
				r.Emit(Sleep, nil, "time.Sleep")
				r.Emit(Wake, nil, "time.Sleep")
			}
		}()
	}
	wg.Wait()
	log := r.Stop()
	if len(log.Entries) != 2*goroutines*events || len(log.Rows) != goroutines {
		t.Fatalf("%d entries in %d rows, want %d in %d", len(log.Entries), len(log.Rows), 2*goroutines*events, goroutines)
	}
	last := make(map[int]Kind)
	for i, e := range log.Entries {
		if i > 0 && e.At < log.Entries[i-1].At {
			t.Fatalf("entry %d is earlier than the one before", i)
		}
		if last[e.Row] == e.Kind || e.Type != "time.Sleep" {
			t.Fatalf("row %d: %v after %v: a goroutine's events are out of order", e.Row, e.Kind, last[e.Row])
		}
		last[e.Row] = e.Kind
	}
	if log.Duration <= 0 || log.Duration > time.Minute {
		t.Fatalf("duration %v", log.Duration)
	}
}

func TestKey(t *testing.T) {
	var x int
	tests := []struct {
		obj  any
		zero bool
	}{{nil, true}, {42, true}, {&x, false}, {(*int)(nil), true}}
	for _, tt := range tests {
		if got := Key(tt.obj); (got == 0) != tt.zero {
			t.Errorf("Key(%#v) = %#x", tt.obj, got)
		}
	}
}

// BenchmarkEmit measures Emit from one goroutine and from one per
// processor at once.
func BenchmarkEmit(b *testing.B) {
	var obj int
	b.Run("serial", func(b *testing.B) {
		r := Begin(namer, 1<<30)
		for b.Loop() {
			r.Emit(Acquire, &obj, "Lock")
		}
		b.StopTimer()
		r.Stop()
	})
	b.Run("parallel", func(b *testing.B) {
		r := Begin(namer, 1<<30)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r.Emit(Acquire, &obj, "Lock")
			}
		})
		b.StopTimer()
		r.Stop()
	})
}

// TestEqualTimes stores events of two rows at the same tick, directly, and
// checks the order of the log: the event that ends something comes first,
// so that a release precedes the acquisition it allows; then rows, then
// the order of storing.
func TestEqualTimes(t *testing.T) {
	r := Begin(namer, 100)
	r.NameCurrent("a") // rows 0 and 1 exist after these two
	done := make(chan struct{})
	go func() { defer close(done); r.NameCurrent("b") }()
	<-done
	at := r.start + 1000
	var lock int
	obj := Key(&lock)
	r.store(makeEntry(at, 0, Acquire, obj, 0))
	r.store(makeEntry(at, 1, Wait, obj, 0))
	r.store(makeEntry(at, 1, Release, obj, 0))
	r.store(makeEntry(at+1, 0, Wait, obj, 0))
	r.store(makeEntry(at+1, 0, Sleep, obj, 0))
	log := r.Stop()
	type ev struct {
		row  int
		kind Kind
	}
	var got []ev
	for _, e := range log.Entries {
		if e.Kind != Name {
			got = append(got, ev{e.Row, e.Kind})
		}
	}
	want := []ev{{1, Release}, {0, Acquire}, {1, Wait}, {0, Wait}, {0, Sleep}}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestProcessorsAddedAfterBegin records from more processors than there
// were when recording began; their events are kept too.
func TestProcessorsAddedAfterBegin(t *testing.T) {
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	r := Begin(namer, 1<<20)
	runtime.GOMAXPROCS(old + 4)
	const goroutines, events = 16, 500
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range events {
				r.Emit(Sleep, nil, "time.Sleep")
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	if n := len(r.Stop().Entries); n != goroutines*events {
		t.Fatalf("%d events kept, want %d", n, goroutines*events)
	}
}
