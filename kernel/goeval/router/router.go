// Package router sends what goroutines print to the notebook cell that started them.
//
// Every goroutine an interpreted cell starts is registered with the cell that started it, so
// its output lands under that cell while the cell runs. Output from a goroutine whose cell has
// already finished is never dropped: it goes to the cell running now (or, when the kernel is
// idle, to the next cell that runs), with each line marked "[In N]" to name the cell it came
// from. Writes from goroutines the router has never seen (for example one started by compiled
// code) belong to the goroutine that created them when that one is known, and otherwise to the
// running cell.
package router

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/runtime/thread"
)

// Stream names.
const (
	Stdout = "stdout"
	Stderr = "stderr"
)

// cell is the routing state of one execution.
type cell struct {
	count    int
	out      engine.Output
	finished bool
	live     int      // goroutines started with Spawn that are still running
	panics   []string // reports of goroutines of this cell that panicked while it ran
	atStart  map[string]bool
}

// maxKnown bounds the goroutine table; see resolve.
const maxKnown = 100000

// Router routes output by goroutine. The zero value is not usable; call New.
type Router struct {
	mu       sync.Mutex
	cells    map[int]*cell    // by execution count
	byG      map[uint64]*cell // goroutine id -> cell
	spawned  map[uint64]bool  // goroutines registered by Spawn (never evicted while alive)
	current  *cell
	pending  []pendingWrite    // late output while no cell runs
	before   func()            // called under mu before every routed write (drains captured fds)
	traceBuf map[uint64]*trace // interpreter panic trace lines, by goroutine
	orphans  int               // goroutines started with Spawn whose cell has finished
	others   func() int        // goroutines of other origin that may outlive their cell
}

type pendingWrite struct {
	from   *cell
	stream string
	text   string
}

// New returns an empty router.
func New() *Router {
	return &Router{
		cells:    map[int]*cell{},
		byG:      map[uint64]*cell{},
		spawned:  map[uint64]bool{},
		traceBuf: map[uint64]*trace{},
	}
}

// SetBeforeWrite installs f to run, with the router locked, before each routed write. The
// kernel uses it to drain output captured from file descriptors first, so that output keeps
// the order in which it was written.
func (r *Router) SetBeforeWrite(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.before = f
}

// SetOthers installs f, which counts goroutines started outside Spawn (for example threads of
// the runtime) that are still running. While neither those nor goroutines of finished cells
// exist, every write belongs to the running cell and the router need not identify the writer.
func (r *Router) SetOthers(f func() int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.others = f
}

// Begin starts routing for the cell with execution count n, whose output goes to out. The
// calling goroutine and the goroutines it creates belong to that cell. Output held while the
// kernel was idle is delivered to out first.
func (r *Router) Begin(n int, out engine.Output) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &cell{count: n, out: out, atStart: map[string]bool{Stdout: true, Stderr: true}}
	r.cells[n] = c
	r.current = c
	r.byG[goid()] = c
	for _, p := range r.pending {
		r.writeLocked(p.from, p.stream, p.text)
	}
	r.pending = nil
}

// Enter makes the calling goroutine belong to the running cell. The evaluator calls it at
// the start of the interpreter's own goroutine.
func (r *Router) Enter() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil {
		r.byG[goid()] = r.current
	}
}

// Live returns how many goroutines started with Spawn by the cell with execution count n
// are still running.
func (r *Router) Live(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.cells[n]; c != nil {
		return c.live
	}
	return 0
}

// End finishes the cell with execution count n. It returns how many goroutines the cell
// started are still running and the panic reports of its goroutines.
func (r *Router) End(n int) (live int, panics []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cells[n]
	if c == nil {
		return 0, nil
	}
	c.finished = true
	r.orphans += c.live
	if r.current == c {
		r.current = nil
	}
	if c.live == 0 {
		delete(r.cells, n)
	}
	return c.live, c.panics
}

// Current returns the output of the running cell, or nil when none runs.
func (r *Router) Current() engine.Output {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == nil {
		return nil
	}
	return r.current.out
}

// Writer returns an io.Writer for the named stream that routes by the writing goroutine.
func (r *Router) Writer(stream string) io.Writer { return streamWriter{r, stream} }

type streamWriter struct {
	r      *Router
	stream string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.r.write(w.stream, string(p))
	return len(p), nil
}

// write routes text written by the calling goroutine to its cell. Identifying a goroutine
// costs a stack walk, so it is done only when some goroutine may belong to a finished cell.
func (r *Router) write(stream, text string) {
	r.mu.Lock()
	if r.orphans > 0 || (r.others != nil && r.others() > 0) {
		r.mu.Unlock()
		r.Write(goid(), stream, text)
		return
	}
	defer r.mu.Unlock()
	if r.before != nil {
		r.before()
	}
	r.writeLocked(nil, stream, text)
}

// Write routes text written by goroutine g to its cell.
func (r *Router) Write(g uint64, stream, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.before != nil {
		r.before()
	}
	r.writeLocked(r.resolve(g), stream, text)
}

// writeCurrentLocked routes text whose writer is unknown (bytes read from a captured file
// descriptor) to the running cell, or holds it for the next one. The router is locked.
func (r *Router) writeCurrentLocked(stream, text string) {
	r.writeLocked(r.current, stream, text)
}

// displayCurrentLocked shows a MIME bundle in the running cell; with no running cell its text
// form is held for the next one. The router is locked.
func (r *Router) displayCurrentLocked(data, metadata map[string]any, id string, update bool) {
	if r.current == nil {
		if t, ok := data["text/plain"].(string); ok {
			r.pending = append(r.pending, pendingWrite{nil, Stdout, t + "\n"})
		}
		return
	}
	r.current.out.Display(data, metadata, id, update)
}

// clearCurrentLocked clears the output of the running cell. The router is locked.
func (r *Router) clearCurrentLocked(wait bool) {
	if r.current != nil {
		r.current.out.Clear(wait)
	}
}

// writeLocked delivers text from cell from (nil: unknown) to where it belongs.
func (r *Router) writeLocked(from *cell, stream, text string) {
	if text == "" {
		return
	}
	if from == nil {
		from = r.current
	}
	if from != nil && !from.finished {
		from.out.Stream(stream, text)
		return
	}
	if r.current == nil {
		r.pending = append(r.pending, pendingWrite{from, stream, text})
		return
	}
	if from != nil {
		text = from.mark(stream, text)
	}
	r.current.out.Stream(stream, text)
}

// mark prefixes every line of text that starts a line with "[In N] ".
func (c *cell) mark(stream, text string) string {
	prefix := "[In " + strconv.Itoa(c.count) + "] "
	var b strings.Builder
	for len(text) > 0 {
		if c.atStart[stream] {
			b.WriteString(prefix)
		}
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			b.WriteString(text)
			c.atStart[stream] = false
			break
		}
		b.WriteString(text[:i+1])
		text = text[i+1:]
		c.atStart[stream] = true
	}
	return b.String()
}

// resolve finds the cell of goroutine g: its own registration, or its creator's.
func (r *Router) resolve(g uint64) *cell {
	if c, ok := r.byG[g]; ok {
		return c
	}
	parent := creatorOf()
	if c, ok := r.byG[parent]; ok && parent != 0 {
		if len(r.byG) >= maxKnown {
			r.evictLocked()
		}
		r.byG[g] = c
		return c
	}
	return nil
}

// evictLocked forgets goroutines learned through their creators; Spawn's stay.
func (r *Router) evictLocked() {
	for g := range r.byG {
		if !r.spawned[g] {
			delete(r.byG, g)
		}
	}
}

// Fail reports that the calling goroutine failed and is about to end: report is written to
// the standard error of the goroutine's cell (or of the running cell, if the goroutine's is
// unknown), and a cell that is still running ends with an error, as after a panic in one of
// its goroutines.
func (r *Router) Fail(report string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.resolve(goid())
	if c != nil && !c.finished {
		c.panics = append(c.panics, report)
	}
	r.writeLocked(c, Stderr, report)
}

// Spawn runs f in a new goroutine that belongs to the caller's cell, as the go statement of a
// cell does. A panic in f is recovered and reported to that cell instead of ending the process.
// stopped reports whether a recovered value is an interrupt, which is not reported.
func (r *Router) Spawn(f func(), stopped func(any) bool, describe func(g uint64, v any) string) {
	r.mu.Lock()
	c := r.resolve(goid())
	if c == nil {
		c = r.current
	}
	if c != nil {
		c.live++
	}
	r.mu.Unlock()
	go func() {
		g := goid()
		r.mu.Lock()
		if c != nil {
			r.byG[g] = c
		}
		r.spawned[g] = true
		r.mu.Unlock()
		defer func() {
			v := recover()
			var report string
			if v != nil && !stopped(v) {
				report = describe(g, v)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			delete(r.byG, g)
			delete(r.spawned, g)
			delete(r.traceBuf, g)
			if c == nil {
				if report != "" {
					r.writeLocked(nil, Stderr, report)
				}
				return
			}
			c.live--
			if c.finished {
				r.orphans--
			}
			if report != "" {
				if !c.finished {
					c.panics = append(c.panics, report)
				}
				r.writeLocked(c, Stderr, report)
			}
			if c.finished && c.live == 0 {
				delete(r.cells, c.count)
			}
		}()
		f()
	}()
}

// TraceEnds is how many lines of a goroutine's panic trace the router keeps at each end:
// the innermost frames, where the panic happened, and the outermost, where the cell called
// in. A deeper trace, such as a recursion that never ended, loses its middle.
const TraceEnds = 32

// GapPrefix starts the line that stands for the middle of a trace the router did not keep:
// "... 79936 frames omitted".
const GapPrefix = "... "

// trace holds the two ends of one goroutine's panic trace.
type trace struct {
	head, tail []string
	omitted    int
}

// lines returns the kept lines in order, with a [GapPrefix] line where lines were dropped.
func (t *trace) lines() []string {
	out := append([]string(nil), t.head...)
	if t.omitted > 0 {
		out = append(out, fmt.Sprintf("%s%d frames omitted", GapPrefix, t.omitted))
	}
	return append(out, t.tail...)
}

// AddTrace records one line of the interpreter's panic trace for goroutine g. The
// interpreter writes the innermost frame first.
func (r *Router) AddTrace(g uint64, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.traceBuf[g]
	if t == nil {
		t = &trace{}
		r.traceBuf[g] = t
	}
	if len(t.head) < TraceEnds {
		t.head = append(t.head, line)
		return
	}
	if len(t.tail) == TraceEnds {
		t.tail = append(t.tail[:0], t.tail[1:]...)
		t.omitted++
	}
	t.tail = append(t.tail, line)
}

// TakeTrace returns and forgets the panic trace lines recorded for goroutine g.
func (r *Router) TakeTrace(g uint64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.traceBuf[g]
	if t == nil {
		return nil
	}
	delete(r.traceBuf, g)
	return t.lines()
}

// TakeCellTrace returns and forgets the trace lines of every goroutine that belongs to cell n
// and is not a goroutine started with Spawn (those report their own).
func (r *Router) TakeCellTrace(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for g, t := range r.traceBuf {
		if c := r.byG[g]; c != nil && c.count == n && !r.spawned[g] {
			out = append(out, t.lines()...)
			delete(r.traceBuf, g)
		}
	}
	return out
}

// Goid returns the id of the calling goroutine.
func Goid() uint64 { return goid() }

func goid() uint64 { return uint64(thread.Ident()) }

// creatorOf returns the id of the goroutine that created the calling one, or 0.
func creatorOf() uint64 {
	buf := make([]byte, 16<<10)
	n := runtime.Stack(buf, false)
	b := buf[:n]
	i := bytes.LastIndex(b, []byte("in goroutine "))
	if i < 0 {
		return 0
	}
	b = b[i+len("in goroutine "):]
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	id, err := strconv.ParseUint(string(b[:j]), 10, 64)
	if err != nil {
		return 0
	}
	return id
}
