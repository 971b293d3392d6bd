package timeline

import (
	"math"
	"strconv"
	"time"
)

// segment is what one bar of the chart shows: a span, or several spans too
// short to draw one by one, shown in the state that took most of their time.
type segment struct {
	span
	merged int // number of spans it stands for
}

// quantize turns spans, in time order and not overlapping, into segments no
// shorter than unit, apart from some next to a gap. Spans of unit or longer
// are kept as they are; runs of shorter ones are merged into a segment of
// the state that took most of their time, and a run shorter than unit that
// ends at a longer span is added to the segment before it, so that no
// sliver too thin to see remains. Adjacent segments of the same state become
// one. The result has at most about two segments per unit of the time
// covered, whatever the number of spans. Segments in the absent state are
// left out.
func quantize(spans []span, unit time.Duration) []segment {
	unit = max(unit, 1)
	var out []segment
	put := func(s segment) {
		if n := len(out); n > 0 && out[n-1].state == s.state && out[n-1].to == s.from {
			last := &out[n-1]
			last.to = s.to
			last.merged += s.merged
			if last.what != s.what {
				last.what = ""
			}
			return
		}
		out = append(out, s)
	}

	var (
		bucket   span
		total    [absent + 1]time.Duration
		count    int
		lastWhat string
	)
	flush := func() {
		if count == 0 {
			return
		}
		if n := len(out); n > 0 && bucket.to-bucket.from < unit && out[n-1].to == bucket.from {
			out[n-1].to = bucket.to
			out[n-1].merged += count
			total, count = [absent + 1]time.Duration{}, 0
			return
		}
		best := Running
		for s := range total {
			if total[s] > total[best] {
				best = State(s)
			}
		}
		what := ""
		if count == 1 {
			what = lastWhat
		}
		put(segment{span: span{from: bucket.from, to: bucket.to, state: best, what: what}, merged: count})
		total, count = [absent + 1]time.Duration{}, 0
	}
	for _, s := range spans {
		if count > 0 && s.from != bucket.to {
			flush() // a gap between tracks
		}
		if s.to-s.from >= unit {
			flush()
			put(segment{span: s, merged: 1})
			continue
		}
		if count == 0 {
			bucket.from = s.from
		}
		bucket.to = s.to
		total[s.state] += s.to - s.from
		count++
		lastWhat = s.what
		if bucket.to-bucket.from >= unit {
			flush()
		}
	}
	flush()

	kept := out[:0]
	for _, s := range out {
		if s.state != absent {
			kept = append(kept, s)
		}
	}
	return kept
}

// withGaps returns holds, which may leave gaps, as a sequence of spans that
// covers [from, to) without gaps, the gaps filled with absent spans, so that
// quantize weighs held and free time alike.
func withGaps(holds []span, from, to time.Duration) []span {
	out := make([]span, 0, 2*len(holds)+1)
	at := from
	for _, h := range holds {
		if h.from > at {
			out = append(out, span{from: at, to: h.from, state: absent})
		}
		h.from = max(h.from, at)
		if h.to > h.from {
			out = append(out, h)
			at = h.to
		}
	}
	if to > at {
		out = append(out, span{from: at, to: to, state: absent})
	}
	return out
}

// axis describes the ticks of a time axis.
type axis struct {
	step time.Duration // between ticks
	unit string        // "ns", "µs", "ms" or "s"
	div  float64       // nanoseconds per unit
}

// newAxis chooses ticks for a span of length total, about at most n of them,
// at steps of 1, 2 or 5 times a power of ten, labelled in the unit that suits
// the span.
func newAxis(total time.Duration, n int) axis {
	total = max(total, 1)
	a := axis{}
	switch {
	case total < time.Microsecond:
		a.unit, a.div = "ns", 1
	case total < time.Millisecond:
		a.unit, a.div = "µs", 1e3
	case total < time.Second:
		a.unit, a.div = "ms", 1e6
	default:
		a.unit, a.div = "s", 1e9
	}
	raw := float64(total) / float64(max(n, 1))
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * pow
	for _, m := range []float64{1, 2, 5} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	a.step = max(time.Duration(step), 1)
	return a
}

// ticks returns the tick times from 0 up to total.
func (a axis) ticks(total time.Duration) []time.Duration {
	var ts []time.Duration
	for t := time.Duration(0); t <= total; t += a.step {
		ts = append(ts, t)
	}
	return ts
}

// label returns the label of a tick: "0", "20 ms", "1.5 s".
func (a axis) label(t time.Duration) string {
	if t == 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(t)/a.div, 'f', -1, 64) + " " + a.unit
}

// formatDuration renders d with three significant digits: "812 µs",
// "12.3 ms", "1.20 s".
func formatDuration(d time.Duration) string {
	unit, div := "ns", 1.0
	switch {
	case d >= time.Second:
		unit, div = "s", 1e9
	case d >= time.Millisecond:
		unit, div = "ms", 1e6
	case d >= time.Microsecond:
		unit, div = "µs", 1e3
	}
	v := float64(d) / div
	digits := 2
	switch {
	case v >= 100:
		digits = 0
	case v >= 10:
		digits = 1
	}
	if unit == "ns" {
		digits = 0
	}
	return strconv.FormatFloat(v, 'f', digits, 64) + " " + unit
}
