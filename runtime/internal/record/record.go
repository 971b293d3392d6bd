// Package record collects the timeline events of the gokernel runtime.
//
// The runtime packages call Emit at the moments a timeline shows: a thread
// starting or ending, a pool task starting or ending, a goroutine sleeping,
// waiting for a lock, acquiring or releasing it, or blocking on a queue, a
// future or a join. Nothing is collected unless a Recorder is active; then
// Enabled and Emit cost one atomic load each.
//
// The active Recorder is process-wide state, and deliberately so: the code
// that emits runs in any goroutine, inside locks and queues that are zero
// values or were created long before recording began, and has no way of
// being handed a recorder.
//
// Recording is built to disturb the recorded program as little as possible,
// because it is mostly used on programs that contend for locks, where time
// spent recording inside a critical section slows every waiting thread. An
// event costs one reading of package clock's counter, a lookup of the
// goroutine's row in a table read without locks, and a store into memory
// that only the current processor (P) of the Go scheduler writes: the
// goroutine pins its processor for the store, as sync.Pool does, and no
// counter or lock is shared per event.
//
// A Log lists events in the order of their times. When one goroutine emits
// an event before it releases a lock and another emits one after acquiring
// it, the first comes first: the clock is monotonic across processors, and
// of two events of different goroutines taken at the same tick, one that
// ends something (a release, a wake-up, an end) comes first.
package record

import (
	"cmp"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/clock"
	"github.com/gokernel/gokernel/runtime/internal/goid"
)

// Kind says what happened to a goroutine.
type Kind uint8

// The kinds of events. A goroutine's state is running from its Start until
// one of Sleep, Wait or Block, and running again from the matching Wake,
// Acquire or GiveUp, or Unblock.
const (
	Start     Kind = iota + 1 // a thread or goroutine begins
	End                       // it ends
	Name                      // its row is named; no change of state
	TaskStart                 // a pool task begins on the worker
	TaskEnd                   // the task ends
	Sleep                     // it begins to sleep
	Wake                      // the sleep ends
	Wait                      // it begins to wait for a lock or signal
	Acquire                   // it acquires the lock or receives the signal
	GiveUp                    // it stops waiting without acquiring
	Release                   // it releases a lock or sends a signal
	Block                     // it begins to block on a queue, future or join
	Unblock                   // the block ends
)

// ending reports whether an event of kind k ends something. Of events at
// the same tick, those come first.
func (k Kind) ending() bool {
	switch k {
	case End, TaskEnd, Wake, GiveUp, Release, Unblock:
		return true
	}
	return false
}

// Entry is one recorded event.
type Entry struct {
	At     time.Duration // since the recorder began
	Row    int           // index into Log.Rows
	Kind   Kind
	Object uintptr // the lock, queue, future or thread concerned; 0 for none
	Type   string  // what Object is, such as "Lock" or "Queue.Get"
}

// Row is a goroutine seen by a recorder.
type Row struct {
	Name      string
	Goroutine int64 // the goroutine's id
}

// Log is what a recorder collected.
type Log struct {
	Began    time.Time          // when recording began
	Duration time.Duration      // how long it lasted
	Entries  []Entry            // in the order of their times
	Rows     []Row              // indexed by Entry.Row
	Objects  map[uintptr]string // names given with NameObject
	Dropped  int                // events not kept because the limit was reached
}

// Namer returns the row name of the calling goroutine, whose id is given.
type Namer func(goroutine int64) string

// Recorder collects events from every goroutine of the process while it is
// active. Create one with Begin.
type Recorder struct {
	began time.Time
	start clock.Stamp // the clock when recording began
	namer Namer
	limit int64

	promised atomic.Int64 // events that procs were allowed to keep
	stopped  atomic.Bool
	table    table
	procs    []proc // indexed by the id of the processor that stores
	extra    struct {
		mu sync.Mutex
		proc
	} // for processors added after Begin

	mu      sync.Mutex // guards the fields below
	rows    []Row
	objects map[uintptr]string
	types   []string // the distinct Type strings, indexed by entry.typ
	typeIDs map[string]uint16
	ended   time.Duration
	final   *Log // the log, once stopped
}

// active is the recorder in use; see the package comment for why it is
// process-wide.
var active atomic.Pointer[Recorder]

// Begin makes a new recorder active and returns it. A recorder that was
// active is stopped. namer names goroutines that were not named by Enter or
// NameCurrent; limit is the largest number of events kept.
func Begin(namer Namer, limit int) *Recorder {
	r := &Recorder{
		began:   time.Now(),
		start:   clock.Now(),
		namer:   namer,
		limit:   int64(limit),
		objects: make(map[uintptr]string),
		types:   []string{""},
		typeIDs: map[string]uint16{"": 0},
		procs:   make([]proc, runtime.GOMAXPROCS(0)),
	}
	if old := active.Swap(r); old != nil {
		old.Stop()
	}
	return r
}

// Active returns the active recorder, or nil when nothing is recorded.
func Active() *Recorder {
	return active.Load()
}

// Enabled reports whether a recorder is active.
func Enabled() bool {
	return active.Load() != nil
}

// Emit records an event of the calling goroutine in the active recorder, if
// there is one. obj is a pointer to the object concerned, or nil.
func Emit(kind Kind, obj any, typ string) {
	if r := active.Load(); r != nil {
		r.Emit(kind, obj, typ)
	}
}

// Key returns the identity under which obj, a pointer, is recorded: its
// address, or 0 for nil and for values that are not pointers.
func Key(obj any) uintptr {
	if obj == nil {
		return 0
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer {
		return 0
	}
	return uintptr(v.UnsafePointer())
}

// Began returns when r began recording.
func (r *Recorder) Began() time.Time {
	return r.began
}

// Emit records an event of the calling goroutine. Events emitted after Stop
// are ignored.
func (r *Recorder) Emit(kind Kind, obj any, typ string) {
	if r.stopped.Load() {
		return
	}
	at := clock.Now()
	key := goid.Key()
	t := r.table.lookup(key)
	if t == nil {
		t = r.newTrack(key, "", -1)
	}
	var id uint16
	if typ != "" {
		id = t.typeID(r, typ)
	}
	r.store(makeEntry(at, t.row, kind, Key(obj), id))
	if kind == End {
		t.ended.Store(true)
	}
}

// store adds an event to the proc of the calling goroutine's processor.
func (r *Recorder) store(e entry) {
	for {
		id := r.pin()
		if id >= len(r.procs) {
			r.unpin(id)
			r.extra.mu.Lock()
			if r.extra.full() {
				r.extra.install(&chunk{entries: make([]entry, r.extra.nextSize())})
			}
			r.extra.add(r, e)
			r.extra.mu.Unlock()
			return
		}
		p := &r.procs[id]
		if !p.full() {
			p.add(r, e)
			r.unpin(id)
			return
		}
		size := p.nextSize()
		r.unpin(id)
		c := &chunk{entries: make([]entry, size)}
		// The goroutine may now run on another processor, whose proc may
		// not need the chunk; it is then dropped, and the loop tries again.
		id = r.pin()
		if id < len(r.procs) {
			r.procs[id].install(c)
		}
		r.unpin(id)
	}
}

// newTrack starts a track, in a new row, for the calling goroutine, whose
// key is given. Without a name, the namer names the row; a negative id is
// looked up.
func (r *Recorder) newTrack(key uintptr, name string, id int64) *track {
	if id < 0 {
		id = goid.ID()
	}
	if name == "" {
		name = r.namer(id)
	}
	r.mu.Lock()
	r.rows = append(r.rows, Row{Name: name, Goroutine: id})
	t := &track{key: key, row: int32(len(r.rows) - 1)}
	r.mu.Unlock()
	r.table.insert(t)
	return t
}

// typeID returns the index of typ in r.types, adding it if need be.
func (r *Recorder) typeID(typ string) uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.typeIDs[typ]
	if !ok {
		if len(r.types) >= maxTypes {
			return 0
		}
		id = uint16(len(r.types))
		r.types = append(r.types, typ)
		r.typeIDs[typ] = id
	}
	return id
}

// promise allows a track to keep more events, fewer once the limit is
// near, and returns how many. Tracks ask for a share of the limit at a time,
// so that they rarely touch the shared counter, and small enough that the
// shares of idle tracks never keep much of the limit from busy ones.
func (r *Recorder) promise() int64 {
	n := max(1, min(promiseSize, r.limit/64))
	for {
		done := r.promised.Load()
		if done >= r.limit {
			return 0
		}
		n = min(n, r.limit-done)
		if r.promised.CompareAndSwap(done, done+n) {
			return n
		}
	}
}

// Enter records the start of the calling goroutine as a new row named name.
// id is the goroutine's id, which the caller knows already. The start is
// recorded at the time at, as returned by clock.Now before the goroutine was
// started, or now if at is negative.
func (r *Recorder) Enter(name string, id int64, at clock.Stamp) {
	if r.stopped.Load() {
		return
	}
	now := clock.Now()
	if at < 0 || at < r.start {
		at = now
	}
	key := goid.Key()
	if old := r.table.lookup(key); old != nil {
		old.ended.Store(true) // left by a goroutine that ended unrecorded
	}
	t := r.newTrack(key, name, id)
	r.store(makeEntry(at, t.row, Start, 0, 0))
}

// NameCurrent records a Name event for the calling goroutine in a row named
// name, which makes the row appear even if nothing else happens in it. A
// goroutine whose row had another name continues in a new row, so that the
// events it recorded under the old name keep it.
func (r *Recorder) NameCurrent(name string) {
	if r.stopped.Load() {
		return
	}
	at := clock.Now()
	key := goid.Key()
	t := r.table.lookup(key)
	if t != nil {
		r.mu.Lock()
		same := r.rows[t.row].Name == name
		r.mu.Unlock()
		if !same {
			t.ended.Store(true)
			t = nil
		}
	}
	if t == nil {
		t = r.newTrack(key, name, -1)
	}
	r.store(makeEntry(at, t.row, Name, 0, 0))
}

// NameObject gives obj, a pointer, a name for the rest of the recording.
func (r *Recorder) NameObject(obj any, name string) {
	key := Key(obj)
	if key == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.objects[key] = name
}

// Elapsed returns the time since r began, or the duration of the recording
// once it is stopped.
func (r *Recorder) Elapsed() time.Duration {
	if r.stopped.Load() {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.ended
	}
	return clock.Measure().Duration(r.start, clock.Now())
}

// Stop ends the recording, makes r inactive if it is the active recorder,
// and returns what it collected. Calling Stop again returns the same log.
func (r *Recorder) Stop() Log {
	active.CompareAndSwap(r, nil)
	end := clock.Now()
	r.stopped.Store(true)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.final == nil {
		log := r.logLocked(end)
		r.ended = log.Duration
		r.final = &log
	}
	return *r.final
}

// Snapshot returns what r has collected so far, without stopping it.
func (r *Recorder) Snapshot() Log {
	end := clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.final != nil {
		return *r.final
	}
	return r.logLocked(end)
}

// logLocked returns a copy of the events r holds that happened before end,
// in the order of their times. The caller holds r.mu.
func (r *Recorder) logLocked(end clock.Stamp) Log {
	// Events are gathered in order of processor and storing, then sorted by
	// a compact key that points back into them, which moves far less
	// memory than sorting the events themselves.
	type sortKey struct {
		at clock.Stamp
		// tie orders events at the same tick: those that end something
		// first (top bit clear), then by row, then by position in the
		// gathered order, which keeps the order of a processor. (A
		// goroutine never reads the same tick twice.)
		tie uint64
	}
	total := int(r.extra.count.Load())
	for i := range r.procs {
		total += int(r.procs[i].count.Load())
	}
	gathered := make([]entry, 0, total)
	dropped := 0
	gather := func(p *proc) {
		p.each(func(e entry) {
			if e.at <= end {
				gathered = append(gathered, e)
			}
		})
		dropped += int(p.dropped.Load())
	}
	for i := range r.procs {
		gather(&r.procs[i])
	}
	r.extra.mu.Lock()
	gather(&r.extra.proc)
	r.extra.mu.Unlock()
	keys := make([]sortKey, len(gathered))
	for i, e := range gathered {
		tie := uint64(uint32(e.row))<<32 | uint64(i)
		if !e.kind().ending() {
			tie |= 1 << 63
		}
		keys[i] = sortKey{at: e.at, tie: tie}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.tie, b.tie)
	})
	scale := clock.Measure()
	entries := make([]Entry, len(keys))
	for i, k := range keys {
		e := gathered[uint32(k.tie)]
		entries[i] = Entry{
			At:     scale.Duration(r.start, max(e.at, r.start)),
			Row:    int(e.row),
			Kind:   e.kind(),
			Object: e.object(),
			Type:   r.types[e.typ()],
		}
	}
	return Log{
		Began:    r.began,
		Duration: scale.Duration(r.start, end),
		Entries:  entries,
		Rows:     slices.Clone(r.rows),
		Objects:  maps.Clone(r.objects),
		Dropped:  dropped,
	}
}
