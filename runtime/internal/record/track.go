package record

import (
	"sync"
	"sync/atomic"

	"github.com/gokernel/gokernel/runtime/internal/clock"
)

// A track is a row of one goroutine: the goroutine's key, its row, and what
// the goroutine caches to record quickly. Only that goroutine writes to it.
type track struct {
	key uintptr // the goroutine's goid.Key
	row int32   // index into Recorder.rows

	// ended is set when the goroutine ends or moves to another track. It
	// is read by a later goroutine that the runtime gives the same key,
	// which the runtime orders after the first, but not in a way the race
	// detector sees, hence the atomic.
	ended    atomic.Bool
	lastType string // the last Type seen and its id, which spare most map lookups
	lastID   uint16
	typeIDs  map[string]uint16
}

// typeID returns the recorder's index of typ.
func (t *track) typeID(r *Recorder, typ string) uint16 {
	if typ == t.lastType {
		return t.lastID
	}
	id, ok := t.typeIDs[typ]
	if !ok {
		id = r.typeID(typ)
		if t.typeIDs == nil {
			t.typeIDs = make(map[string]uint16)
		}
		t.typeIDs[typ] = id
	}
	t.lastType, t.lastID = typ, id
	return id
}

// A proc stores the events of the goroutines that run on one processor of
// the Go scheduler (a P). It is written only by the goroutine that has the
// processor pinned, so without locks, and stays in that processor's cache
// while goroutines move between processors. A reader sees the events
// published by count.
type proc struct {
	head, tail *chunk
	fill       int   // events in tail
	stored     int64 // events stored; count is given this value
	allowed    int64 // events it may still store before asking for more
	spare      *chunk

	count   atomic.Int64 // events stored and visible to readers
	dropped atomic.Int64 // events not kept because of the limit

	raceMu sync.Mutex // held while pinned, for the race detector only

	// The padding keeps procs of different processors off each other's
	// cache lines.
	_ [64]byte
}

// A chunk is a run of stored events. Chunks are never moved, so that adding
// an event never copies the others, and they grow from small to
// maxChunk, so that a processor with few events takes little memory. The
// slice is set when the chunk is made and never changed, so that readers
// may read it while events are added.
type chunk struct {
	entries []entry
	next    atomic.Pointer[chunk]
}

const (
	firstChunk = 64
	maxChunk   = 4096
	// promiseSize is how many events a proc is allowed to keep at a time,
	// so that procs share one counter of kept events only now and then.
	promiseSize = 256
)

// entry is an Entry as a proc stores it, free of pointers, so that the
// collector does not scan the events. The object's address takes the low
// 48 bits of meta (addresses of larger values are not kept), the index of
// the Type in Recorder.types the next 12 and the Kind the top 4.
type entry struct {
	at   clock.Stamp
	meta uint64
	row  int32
}

const (
	objectBits = 48
	typeBits   = 12
	maxTypes   = 1 << typeBits
)

func makeEntry(at clock.Stamp, row int32, kind Kind, obj uintptr, typ uint16) entry {
	o := uint64(obj)
	if o>>objectBits != 0 {
		o = 0
	}
	return entry{at: at, row: row, meta: o | uint64(typ)<<objectBits | uint64(kind)<<(objectBits+typeBits)}
}

func (e entry) object() uintptr { return uintptr(e.meta & (1<<objectBits - 1)) }
func (e entry) typ() uint16     { return uint16(e.meta >> objectBits & (maxTypes - 1)) }
func (e entry) kind() Kind      { return Kind(e.meta >> (objectBits + typeBits)) }

// install gives p a chunk made by nextChunk, if it still needs one. The
// caller has pinned p's processor.
func (p *proc) install(c *chunk) {
	switch {
	case p.tail == nil:
		p.head, p.tail = c, c
	case p.spare == nil:
		p.spare = c
	}
}

// pin pins the calling goroutine to its processor and returns the
// processor's id; unpin undoes it.
func (r *Recorder) pin() int {
	id := procPin()
	if raceEnabled && id < len(r.procs) {
		procUnpin() // locking may block
		r.procs[id].raceMu.Lock()
		if again := procPin(); again != id {
			procUnpin()
			r.procs[id].raceMu.Unlock()
			return r.pin()
		}
	}
	return id
}

func (r *Recorder) unpin(id int) {
	if raceEnabled && id < len(r.procs) {
		r.procs[id].raceMu.Unlock()
	}
	procUnpin()
}

// full reports whether the next event needs a new chunk that p has no
// spare of.
func (p *proc) full() bool {
	return p.tail == nil || p.fill == len(p.tail.entries) && p.spare == nil
}

// nextSize returns the size of the chunk to follow p's tail. The caller has
// pinned p's processor; it makes the chunk after unpinning, since
// allocating may block.
func (p *proc) nextSize() int {
	if p.tail == nil {
		return firstChunk
	}
	return min(2*len(p.tail.entries), maxChunk)
}

// add stores an event and publishes it. The caller has pinned p's
// processor, and p is not full.
func (p *proc) add(r *Recorder, e entry) {
	if p.allowed == 0 {
		if p.allowed = r.promise(); p.allowed == 0 {
			p.dropped.Add(1)
			return
		}
	}
	p.allowed--
	if p.fill == len(p.tail.entries) {
		p.tail.next.Store(p.spare)
		p.tail, p.spare, p.fill = p.spare, nil, 0
	}
	p.tail.entries[p.fill] = e
	p.fill++
	p.stored++
	p.count.Store(p.stored)
}

// each calls f with the events published so far, in order. Any goroutine
// may call it.
func (p *proc) each(f func(entry)) {
	n := p.count.Load()
	for c := p.head; c != nil && n > 0; c = c.next.Load() {
		for _, e := range c.entries[:min(int64(len(c.entries)), n)] {
			f(e)
		}
		n -= int64(len(c.entries))
	}
}

// table finds the track of a goroutine from its key without locks. It is
// an open-addressing hash table whose slots, once filled, are never
// emptied: a slot whose track has ended is reused by a new track. Keys
// that find no room go to a map under a mutex.
type table struct {
	slots [tableSize]atomic.Pointer[track]

	mu       sync.Mutex
	overflow map[uintptr]*track
	spilled  atomic.Bool // overflow has been used
}

const (
	tableSize = 1 << 10
	maxProbe  = 32
)

// home returns the first slot to look at for key. Fibonacci hashing
// spreads the aligned addresses that keys are.
func home(key uintptr) uint64 {
	return uint64(key) * 0x9e3779b97f4a7c15 >> 54 // 10 bits: tableSize
}

// lookup returns the live track of the calling goroutine, whose key is
// given, or nil.
func (tb *table) lookup(key uintptr) *track {
	h := home(key)
	for i := range uint64(maxProbe) {
		t := tb.slots[(h+i)%tableSize].Load()
		if t == nil {
			break
		}
		if t.key == key && !t.ended.Load() {
			return t
		}
	}
	if !tb.spilled.Load() {
		return nil
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if t := tb.overflow[key]; t != nil && !t.ended.Load() {
		return t
	}
	return nil
}

// insert makes t the track of its goroutine, which is the caller. A slot is
// taken when empty or when it holds an ended track of the same key: a
// goroutine that ended and whose key the runtime gave to the caller.
func (tb *table) insert(t *track) {
	h := home(t.key)
	for i := range uint64(maxProbe) {
		slot := &tb.slots[(h+i)%tableSize]
		old := slot.Load()
		if old == nil || old.key == t.key && old.ended.Load() {
			if slot.CompareAndSwap(old, t) {
				return
			}
		}
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.overflow == nil {
		tb.overflow = make(map[uintptr]*track)
	}
	tb.overflow[t.key] = t
	tb.spilled.Store(true)
}
