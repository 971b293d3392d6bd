package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// chart is a recording arranged for drawing: rows of state intervals, lock
// holds and hand-offs between rows.
type chart struct {
	duration time.Duration
	rows     []*row
	handoffs []handoff
	dropped  int
}

// row is one line of the chart. It holds one or more tracks of the same name
// whose lifetimes do not overlap.
type row struct {
	name    string
	process int
	begin   time.Duration // of its first track
	spans   []span        // states, in time order, with gaps between tracks
	holds   []span        // times a lock was held, in time order
	tasks   []time.Duration
}

// span is an interval of one state.
type span struct {
	from, to time.Duration
	state    State
	what     string // what the row was doing, for hover text
}

// handoff is a lock passed from one row to another: released by from at
// released, acquired by to at acquired.
type handoff struct {
	from, to           *row
	released, acquired time.Duration
	what               string
}

// track is the life of one goroutine as the events tell it.
type track struct {
	key     trackKey
	begin   time.Duration
	end     time.Duration
	ended   bool
	row     *row
	state   State
	since   time.Duration // when state began
	what    string
	waitObj objectKey // the object waited for, while state is Waiting
	spans   []span
	holds   []span
	tasks   []time.Duration
}

type trackKey struct {
	process   int
	goroutine int64
	name      string
}

type objectKey struct {
	process int
	id      uint64
}

// release is the latest release of an object.
type release struct {
	by *track
	at time.Duration
}

// holder is a track holding a lock since a time.
type holder struct {
	by    *track
	since time.Duration
}

// holdable reports whether an acquisition of an object of type typ means
// holding it until its release, as for locks and semaphores, rather than
// receiving a signal.
func holdable(typ string) bool {
	return typ == "Lock" || typ == "RLock" || typ == "Semaphore"
}

// newChart arranges the events of r into rows.
func newChart(r *Recording) *chart {
	c := &chart{duration: r.duration, dropped: r.dropped}
	b := builder{
		live:     map[trackKey]*track{},
		released: map[objectKey]release{},
		holders:  map[objectKey][]holder{},
		labels:   newLabeler(),
		main:     map[int]*track{},
	}
	for _, e := range r.events {
		c.duration = max(c.duration, e.Time)
		b.add(e)
	}
	for _, t := range b.tracks {
		t.finish(c.duration)
	}
	b.endAllHolds(c.duration)
	c.rows = arrange(b.tracks)
	for _, h := range b.handoffs {
		c.handoffs = append(c.handoffs, handoff{from: h.from.row, to: h.to.row, released: h.released, acquired: h.acquired, what: h.what})
	}
	return c
}

// builder runs the events of all tracks through their state machines in
// time order.
type builder struct {
	tracks   []*track
	live     map[trackKey]*track
	released map[objectKey]release
	holders  map[objectKey][]holder
	handoffs []trackHandoff
	labels   *labeler
	main     map[int]*track // the latest MainThread track of each process
}

type trackHandoff struct {
	from, to           *track
	released, acquired time.Duration
	what               string
}

func (b *builder) add(e Event) {
	key := trackKey{process: e.Process, goroutine: e.Goroutine, name: e.Row}
	t := b.live[key]
	if t == nil || (t.ended && e.Kind != KindEnd) {
		t = b.newTrack(key, e)
	}
	obj := objectKey{process: e.Process, id: e.Object}
	what := b.labels.describe(e)
	switch e.Kind {
	case KindEnd:
		t.set(e.Time, absent, "")
		t.end, t.ended = e.Time, true
		b.releaseAllHeldBy(t, obj.process, e.Time)
	case KindTaskStart:
		t.tasks = append(t.tasks, e.Time)
	case KindSleep:
		t.set(e.Time, Sleeping, what)
	case KindWait:
		t.set(e.Time, Waiting, what)
		t.waitObj = obj
	case KindBlock:
		t.set(e.Time, Blocked, what)
	case KindWake, KindUnblock, KindGiveUp:
		t.set(e.Time, Running, "")
	case KindAcquire:
		waited := t.state == Waiting && t.waitObj == obj
		t.set(e.Time, Running, "")
		if e.Object == 0 {
			break
		}
		if holdable(e.Type) {
			b.holders[obj] = append(b.holders[obj], holder{by: t, since: e.Time})
		}
		if rel, ok := b.released[obj]; ok && waited && rel.by != t {
			b.handoffs = append(b.handoffs, trackHandoff{from: rel.by, to: t, released: rel.at, acquired: e.Time, what: what})
		}
	case KindRelease:
		if e.Object == 0 {
			break
		}
		b.released[obj] = release{by: t, at: e.Time}
		if holdable(e.Type) {
			b.endHold(obj, t, e.Time)
		}
	}
}

// newTrack starts the track of a goroutine first seen in event e.
//
// The main thread lives throughout the recording, but more than one
// goroutine may act as it, one after the other (a notebook cell may run on a
// new goroutine for each part of the cell): the first MainThread track of a
// process begins at 0, and each later one ends the one before.
func (b *builder) newTrack(key trackKey, e Event) *track {
	t := &track{key: key, begin: e.Time, since: e.Time, state: Running}
	isMain := key.name == "MainThread"
	prevMain := b.main[key.process]
	if isMain {
		if prevMain != nil && !prevMain.ended {
			prevMain.set(e.Time, absent, "")
			prevMain.end, prevMain.ended = e.Time, true
		}
		b.main[key.process] = t
	}
	switch {
	case e.Kind == KindStart:
	case isMain && prevMain != nil:
	case isMain:
		t.begin, t.since = 0, 0
	case e.Kind == KindWake: // it began to sleep before the recording
		t.begin, t.since, t.state = 0, 0, Sleeping
	case e.Kind == KindUnblock:
		t.begin, t.since, t.state = 0, 0, Blocked
	case e.Kind == KindGiveUp:
		t.begin, t.since, t.state = 0, 0, Waiting
	}
	if t.state != Running {
		t.what = b.labels.describe(e)
	}
	b.tracks = append(b.tracks, t)
	b.live[key] = t
	return t
}

// endHold ends the hold of obj by t, or by its earliest holder if t does not
// hold it (a Lock may be released by another thread than its holder).
func (b *builder) endHold(obj objectKey, t *track, at time.Duration) {
	hs := b.holders[obj]
	if len(hs) == 0 {
		return
	}
	i := slices.IndexFunc(hs, func(h holder) bool { return h.by == t })
	if i < 0 {
		i = 0
	}
	h := hs[i]
	h.by.holds = append(h.by.holds, span{from: h.since, to: at, state: holding, what: b.labels.objectName(obj)})
	b.holders[obj] = slices.Delete(hs, i, i+1)
}

// releaseAllHeldBy ends the holds of a track that ends while holding locks.
func (b *builder) releaseAllHeldBy(t *track, process int, at time.Duration) {
	for obj, hs := range b.holders {
		if obj.process != process {
			continue
		}
		for _, h := range hs {
			if h.by == t {
				b.endHold(obj, t, at)
				break
			}
		}
	}
}

// endAllHolds ends the holds still open when the recording ends.
func (b *builder) endAllHolds(at time.Duration) {
	for obj, hs := range b.holders {
		for _, h := range hs {
			h.by.holds = append(h.by.holds, span{from: h.since, to: at, state: holding, what: b.labels.objectName(obj)})
		}
	}
	clear(b.holders)
}

// set ends the current state of t at time at and enters state.
func (t *track) set(at time.Duration, state State, what string) {
	if t.ended || (state == t.state && what == t.what) {
		return
	}
	if at > t.since {
		t.spans = append(t.spans, span{from: t.since, to: at, state: t.state, what: t.what})
	}
	t.state, t.since, t.what = state, max(at, t.since), what
}

// finish closes a track that did not end before the recording did.
func (t *track) finish(end time.Duration) {
	if !t.ended {
		t.set(end, absent, "")
		t.end, t.ended = end, true
	}
}

// arrange puts the tracks into rows: tracks of the same process and name
// share a row when their lifetimes do not overlap. Rows are ordered by
// process (this process first), then MainThread, then by their first start.
func arrange(tracks []*track) []*row {
	sorted := slices.Clone(tracks)
	slices.SortStableFunc(sorted, func(a, b *track) int { return cmp.Compare(a.begin, b.begin) })
	type group struct {
		process int
		name    string
	}
	lanes := map[group][]*row{}
	lastEnd := map[*row]time.Duration{}
	var rows []*row
	for _, t := range sorted {
		g := group{t.key.process, t.key.name}
		var r *row
		for _, candidate := range lanes[g] {
			if lastEnd[candidate] <= t.begin {
				r = candidate
				break
			}
		}
		if r == nil {
			r = &row{name: t.key.name, process: t.key.process, begin: t.begin}
			if n := len(lanes[g]); n > 0 {
				r.name = fmt.Sprintf("%s (%d)", t.key.name, n+1)
			}
			lanes[g] = append(lanes[g], r)
			rows = append(rows, r)
		}
		t.row = r
		lastEnd[r] = t.end
		r.spans = append(r.spans, t.spans...)
		r.holds = append(r.holds, t.holds...)
		r.tasks = append(r.tasks, t.tasks...)
	}
	processOrder := map[int]int{0: -1}
	for _, r := range rows {
		if _, ok := processOrder[r.process]; !ok {
			processOrder[r.process] = len(processOrder)
		}
	}
	slices.SortStableFunc(rows, func(a, b *row) int {
		if c := cmp.Compare(processOrder[a.process], processOrder[b.process]); c != 0 {
			return c
		}
		if am, bm := a.name == "MainThread", b.name == "MainThread"; am != bm {
			if am {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.begin, b.begin)
	})
	for _, r := range rows {
		slices.SortFunc(r.holds, func(a, b span) int { return cmp.Compare(a.from, b.from) })
		slices.Sort(r.tasks)
	}
	return rows
}

// labeler names objects for hover text and summaries: by the name given
// with Name, or by type and number in order of appearance ("Lock #2").
type labeler struct {
	names map[objectKey]string
	count map[string]int
}

func newLabeler() *labeler {
	return &labeler{names: map[objectKey]string{}, count: map[string]int{}}
}

// objectName returns the label of an object seen before.
func (l *labeler) objectName(obj objectKey) string {
	return l.names[obj]
}

// describe returns what the event's row is doing, for the state it enters:
// "Lock #1", "Queue.Get on Queue #2", "time.Sleep".
func (l *labeler) describe(e Event) string {
	if e.Object == 0 {
		return e.Type
	}
	obj := objectKey{process: e.Process, id: e.Object}
	base, call, _ := strings.Cut(e.Type, ".")
	name, ok := l.names[obj]
	if !ok || (e.Name != "" && name != e.Name) {
		switch {
		case e.Name != "":
			name = e.Name
		default:
			l.count[base]++
			name = fmt.Sprintf("%s #%d", base, l.count[base])
		}
		l.names[obj] = name
	}
	if call != "" {
		return e.Type + " on " + name
	}
	return name
}
