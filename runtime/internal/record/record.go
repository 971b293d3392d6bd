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
// A Log lists events in the order of their times. When one goroutine emits
// an event before it releases a lock and another emits one after acquiring
// it, the first comes first: times come from the monotonic clock, and events
// of equal times are ordered by a sequence number that all goroutines share.
package record

import (
	"cmp"
	"maps"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

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
//
// Events are kept in shards chosen by goroutine, so that goroutines on
// different processors rarely contend for the same mutex.
type Recorder struct {
	began time.Time
	namer Namer
	limit int64

	seq     atomic.Int64 // events numbered so far, kept or not
	stopped atomic.Bool
	shards  [shardCount]shard

	mu      sync.Mutex // guards the fields below
	ended   time.Duration
	final   *Log // the log, once stopped
	rows    []Row
	objects map[uintptr]string
}

const shardCount = 16

// shard holds the events of some goroutines.
type shard struct {
	mu      sync.Mutex
	chunks  [][]entry       // full but for the last
	live    map[uintptr]int // goroutine key -> row, for goroutines seen and not ended
	types   []string        // the distinct Type strings, indexed by entry.typ
	typeIDs map[string]uint16
	// The last goroutine and type looked up, which spare most map
	// lookups: a goroutine tends to emit several events in a row.
	lastKey  uintptr
	lastRow  int
	lastType string
	lastID   uint16
	_        [64]byte // keeps shards' mutexes on separate cache lines
}

// rowLocked returns the row of the goroutine with the given key, if it has
// one. The caller holds s.mu.
func (s *shard) rowLocked(key uintptr) (int, bool) {
	if key == s.lastKey {
		return s.lastRow, true
	}
	row, ok := s.live[key]
	if ok {
		s.lastKey, s.lastRow = key, row
	}
	return row, ok
}

// setRowLocked makes row the row of the goroutine with the given key, or
// forgets the goroutine if row is negative. The caller holds s.mu.
func (s *shard) setRowLocked(key uintptr, row int) {
	if row < 0 {
		delete(s.live, key)
	} else {
		s.live[key] = row
	}
	if key == s.lastKey {
		s.lastKey = 0
	}
}

// typeLocked returns the index of typ in s.types, adding it if need be.
// The caller holds s.mu.
func (s *shard) typeLocked(typ string) uint16 {
	if typ == s.lastType {
		return s.lastID
	}
	id, ok := s.typeIDs[typ]
	if !ok {
		if len(s.types) > math.MaxUint16 {
			return 0
		}
		id = uint16(len(s.types))
		s.types = append(s.types, typ)
		s.typeIDs[typ] = id
	}
	s.lastType, s.lastID = typ, id
	return id
}

// entry is an Entry as a shard stores it: small and free of pointers, so
// that the collector does not scan the events.
type entry struct {
	seq    int64
	at     time.Duration
	object uintptr
	row    int32
	typ    uint16 // index into shard.types
	kind   Kind
}

// chunkSize is the number of entries per chunk of storage. Events are kept
// in chunks, never moved, so that adding one never copies the others.
const chunkSize = 4096

// active is the recorder in use; see the package comment for why it is
// process-wide.
var active atomic.Pointer[Recorder]

// Begin makes a new recorder active and returns it. A recorder that was
// active is stopped. namer names goroutines that were not named by Enter or
// NameCurrent; limit is the largest number of events kept.
func Begin(namer Namer, limit int) *Recorder {
	r := &Recorder{
		began:   time.Now(),
		namer:   namer,
		limit:   int64(limit),
		objects: make(map[uintptr]string),
	}
	for i := range r.shards {
		r.shards[i].live = make(map[uintptr]int)
		r.shards[i].types = []string{""}
		r.shards[i].typeIDs = map[string]uint16{"": 0}
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

// shardOf returns the shard of the goroutine with the given key.
func (r *Recorder) shardOf(key uintptr) *shard {
	h := uint64(key) * 0x9e3779b97f4a7c15 // Fibonacci hashing spreads aligned addresses
	return &r.shards[h>>60%shardCount]
}

// Emit records an event of the calling goroutine. Events emitted after Stop
// are ignored.
func (r *Recorder) Emit(kind Kind, obj any, typ string) {
	if r.stopped.Load() {
		return
	}
	key := goid.Key()
	object := Key(obj)
	s := r.shardOf(key)
	s.mu.Lock()
	row, ok := s.rowLocked(key)
	if !ok {
		s.mu.Unlock()
		row = r.newRow(key, s, "", -1)
		s.mu.Lock()
	}
	r.addLocked(s, row, kind, object, typ, -1)
	if kind == End {
		s.setRowLocked(key, -1)
	}
	s.mu.Unlock()
}

// newRow adds a row for the goroutine with the given key, of shard s, and
// returns it. Without a name, the namer names it. The caller does not hold
// s.mu, so that the namer may take its time.
func (r *Recorder) newRow(key uintptr, s *shard, name string, id int64) int {
	if id < 0 {
		id = goid.ID()
	}
	if name == "" {
		name = r.namer(id)
	}
	r.mu.Lock()
	r.rows = append(r.rows, Row{Name: name, Goroutine: id})
	row := len(r.rows) - 1
	r.mu.Unlock()
	s.mu.Lock()
	s.setRowLocked(key, row)
	s.mu.Unlock()
	return row
}

// addLocked appends an event to s unless r is stopped or full. The event
// happens now, or at time at if that is not negative. The caller holds s.mu.
func (r *Recorder) addLocked(s *shard, row int, kind Kind, obj uintptr, typ string, at time.Duration) {
	if r.stopped.Load() {
		return
	}
	seq := r.seq.Add(1)
	if seq > r.limit {
		return
	}
	if at < 0 {
		at = time.Since(r.began)
	}
	id := s.typeLocked(typ)
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1]) == chunkSize {
		s.chunks = append(s.chunks, make([]entry, 0, chunkSize))
		n++
	}
	s.chunks[n-1] = append(s.chunks[n-1], entry{seq: seq, at: at, object: obj, row: int32(row), typ: id, kind: kind})
}

// Enter records the start of the calling goroutine as a new row named name.
// id is the goroutine's id, which the caller knows already. The start is
// recorded at time at, as returned by Elapsed before the goroutine was
// started, or now if at is negative.
func (r *Recorder) Enter(name string, id int64, at time.Duration) {
	if r.stopped.Load() {
		return
	}
	key := goid.Key()
	s := r.shardOf(key)
	row := r.newRow(key, s, name, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	r.addLocked(s, row, Start, 0, "", at)
}

// NameCurrent records a Name event for the calling goroutine in a row named
// name, which makes the row appear even if nothing else happens in it. A
// goroutine whose row had another name continues in a new row, so that the
// events it recorded under the old name keep it.
func (r *Recorder) NameCurrent(name string) {
	if r.stopped.Load() {
		return
	}
	key := goid.Key()
	s := r.shardOf(key)
	s.mu.Lock()
	row, ok := s.rowLocked(key)
	s.mu.Unlock()
	if ok {
		r.mu.Lock()
		ok = r.rows[row].Name == name
		r.mu.Unlock()
	}
	if !ok {
		row = r.newRow(key, s, name, -1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.addLocked(s, row, Name, 0, "", -1)
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
	return time.Since(r.began)
}

// Stop ends the recording, makes r inactive if it is the active recorder,
// and returns what it collected. Calling Stop again returns the same log.
func (r *Recorder) Stop() Log {
	active.CompareAndSwap(r, nil)
	ended := time.Since(r.began)
	r.stopped.Store(true)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.final == nil {
		r.ended = ended
		log := r.logLocked(ended)
		r.final = &log
	}
	return *r.final
}

// Snapshot returns what r has collected so far, without stopping it.
func (r *Recorder) Snapshot() Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.final != nil {
		return *r.final
	}
	return r.logLocked(time.Since(r.began))
}

// logLocked returns a copy of what r holds, in the order of the times of
// the events. The caller holds r.mu, and no shard's mutex.
func (r *Recorder) logLocked(duration time.Duration) Log {
	type numbered struct {
		seq int64
		Entry
	}
	var all []numbered
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, chunk := range s.chunks {
			for _, e := range chunk {
				all = append(all, numbered{e.seq, Entry{At: e.at, Row: int(e.row), Kind: e.kind, Object: e.object, Type: s.types[e.typ]}})
			}
		}
		s.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b numbered) int {
		if c := cmp.Compare(a.At, b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	entries := make([]Entry, len(all))
	for i, e := range all {
		entries[i] = e.Entry
	}
	return Log{
		Began:    r.began,
		Duration: duration,
		Entries:  entries,
		Rows:     slices.Clone(r.rows),
		Objects:  maps.Clone(r.objects),
		Dropped:  max(int(r.seq.Load()-r.limit), 0),
	}
}
