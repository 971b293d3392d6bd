// Package overflow stops a goroutine whose calls nest too deep, before Go's own limit ends
// the process.
//
// A compiled Go program whose recursion never ends dies with "fatal error: stack overflow",
// which no recover can stop. The interpreter runs each interpreted call on the Go stack of
// the goroutine that makes it, so in a kernel the same recursion would end the session and
// all its state. The cell rewriter therefore starts every function body of a cell with a
// count-down that calls a [Guard]'s Check every so many calls. Check measures the
// goroutine's stack and, past the guard's limit, reports an [Overflow] and ends the
// goroutine with runtime.Goexit, which runs the goroutine's deferred calls as it unwinds.
//
// Check does not panic: the interpreter recovers and panics again at every interpreted
// frame, and each of those panics walks the whole stack, so unwinding a deep stack by
// panicking takes time that grows with the square of its depth (13 s for 40,000 frames,
// measured), while runtime.Goexit takes time in proportion to it.
package overflow

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gokernel/gokernel/runtime/thread"
)

// DefaultMax is the depth, in Go frames, past which a [Guard] with no Max stops a
// goroutine: about 220 MB of stack in the interpreter, a fifth of Go's own limit of 1 GB,
// reached after 50,000 to 200,000 nested calls of interpreted functions. The goroutine is
// stopped before it is twice as deep.
const DefaultMax = 400_000

// framesPerCall bounds the Go frames that one interpreted call adds, for the number of
// calls that may pass between two measures. A plain call adds two.
const framesPerCall = 8

// Overflow describes a goroutine that a [Guard] stopped.
type Overflow struct {
	// Func names the interpreted function whose call went past the limit, and Cell and
	// Line say where it is declared: the execution count of its cell and the line in it.
	Func       string
	Cell, Line int
	// Frames is the limit that was passed, in Go frames.
	Frames int
	// Outermost is the function at the bottom of the goroutine's stack, the one its go
	// statement started (for example "main.main" or a package's worker function), so
	// that the caller can tell which kind of goroutine it was.
	Outermost string
}

// Error says what happened in Go's words, and what happened instead of Go's fatal error.
func (o Overflow) Error() string {
	return fmt.Sprintf("stack overflow: calls nested more than %d interpreter frames deep, in %s "+
		"(a compiled program would end with a fatal error; the kernel stopped this goroutine)", o.Frames, o.Func)
}

// A Guard measures the stacks of the goroutines that call its Check. The zero Guard stops
// goroutines deeper than [DefaultMax] and reports nothing before stopping them. A Guard
// must not be copied after first use.
type Guard struct {
	// Max is the depth, in Go frames, past which Check stops a goroutine; 0 means
	// DefaultMax.
	Max int
	// Report, if set, is called by the goroutine being stopped, before it unwinds.
	Report func(Overflow)

	mu sync.Mutex
	// stopping holds the goroutines that Check has stopped, by id. Such a goroutine still
	// runs its deferred calls, deep in its stack, and those must not stop it again.
	stopping map[int64]bool
	// buffers holds buffers for the program counters of deep stacks.
	buffers sync.Pool
}

// Check measures the calling goroutine's stack. Deeper than the guard's limit, it calls
// Report and ends the goroutine with runtime.Goexit; otherwise it returns how many
// interpreted calls may pass before the next measure. That number lets the stack grow to
// at most twice the limit (still well within Go's own), so that a recursion is measured a
// few times on its way down rather than ever more often as it nears the limit; the
// goroutine is stopped somewhere between the limit and twice the limit. fn, cell and
// line name the interpreted function that called Check and where it is declared, for the
// report. A measure walks the stack, in time proportional to its depth.
func (g *Guard) Check(fn string, cell, line int) int {
	limit := g.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	// From depth d, calls may pass while d + calls*framesPerCall stays within 2*limit.
	calls := func(d int) int { return max(1, (2*limit-d)/framesPerCall) }
	shallow := limit / 4
	id := thread.Ident()
	if g.stopped(id) {
		return calls(limit)
	}
	var probe [1]uintptr
	if runtime.Callers(shallow, probe[:]) == 0 {
		return calls(shallow)
	}
	buf, _ := g.buffers.Get().(*[]uintptr)
	if buf == nil {
		buf = new([]uintptr)
	}
	defer g.buffers.Put(buf)
	if len(*buf) < 2*limit {
		*buf = make([]uintptr, 2*limit)
	}
	n := runtime.Callers(shallow, *buf)
	if depth := shallow + n; depth <= limit {
		return calls(depth)
	}
	o := Overflow{Func: fn, Cell: cell, Line: line, Frames: limit, Outermost: outermost((*buf)[:n])}
	g.mu.Lock()
	if g.stopping == nil {
		g.stopping = map[int64]bool{}
	}
	g.stopping[id] = true
	g.mu.Unlock()
	if g.Report != nil {
		g.Report(o)
	}
	runtime.Goexit()
	return 0
}

// stopped reports whether Check has stopped the goroutine with the given id.
func (g *Guard) stopped(id int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stopping[id]
}

// outermost returns the name of the outermost function of pcs, the bottom of a stack read
// by runtime.Callers, leaving out the runtime's own goexit.
func outermost(pcs []uintptr) string {
	name := ""
	frames := runtime.CallersFrames(pcs[max(0, len(pcs)-8):])
	for {
		f, more := frames.Next()
		if f.Function != "" && f.Function != "runtime.goexit" {
			name = f.Function
		}
		if !more {
			return name
		}
	}
}
