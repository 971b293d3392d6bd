package timeline

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// textColumns is the width of the text chart's time axis, in characters.
const textColumns = 64

// Characters of the text chart.
var stateChars = [...]byte{Running: '=', Sleeping: 'z', Waiting: '~', Blocked: '-', holding: '#'}

// sleepHoldingChar marks sleeping while holding a lock.
const sleepHoldingChar = 'Z'

// textLegend explains the characters of the text chart.
const textLegend = "= running  # running, holding a lock  z sleeping  Z sleeping, holding a lock\n" +
	"~ waiting for a lock  - blocked (queue, future, join)"

// maxListedHandoffs is the number of hand-offs the text chart lists.
const maxListedHandoffs = 3

// Text returns the chart as plain text: a summary line, a time axis, one
// line per thread, goroutine or process whose characters show what it was
// doing, a legend and the first lock hand-offs. It is what terminals and
// text-only frontends show.
//
//	Timeline · wall time 301 ms · 3 threads · 1 lock hand-off
//	               0        50 ms     100 ms    ...
//	               |---------|---------|---------...
//	MainThread     -----------------------------...
//	T1             ###############zzzzzzzzzzzzzz
//	T2             ~~~~~~~~~~~~~~~##############...
func (r *Recording) Text() string {
	c := newChart(r)
	total := max(c.duration, 1)
	var b strings.Builder
	fmt.Fprintf(&b, "Timeline · %s\n", newSVGWriter(c).summary())
	if len(c.rows) == 0 {
		b.WriteString("Nothing was recorded.\n")
		return b.String()
	}

	width := 10
	for _, r := range c.rows {
		width = max(width, utf8.RuneCountInString(r.name))
	}
	width = min(width, labelChars) + 2
	pad := strings.Repeat(" ", width)

	a := newAxis(c.duration, textColumns/10)
	labels := []byte(strings.Repeat(" ", textColumns+8))
	ruler := []byte(strings.Repeat("-", textColumns))
	free := 0 // first column where a label may start
	for _, t := range a.ticks(total) {
		col := int(int64(t) * textColumns / int64(total))
		if col >= textColumns {
			col = textColumns - 1
		}
		ruler[col] = '|'
		l := a.label(t)
		if col >= free && col+len(l) <= len(labels) {
			copy(labels[col:], l)
			free = col + len(l) + 2
		}
	}
	fmt.Fprintf(&b, "%s%s\n%s%s\n", pad, strings.TrimRight(string(labels), " "), pad, ruler)

	for _, r := range c.rows {
		name, _ := cutLabel(r.name)
		line := textRow(r, total)
		fmt.Fprintf(&b, "%s%s%s\n", name, strings.Repeat(" ", width-utf8.RuneCountInString(name)), strings.TrimRight(line, " "))
	}
	b.WriteString(textLegend + "\n")

	if n := len(c.handoffs); n > 0 {
		fmt.Fprintf(&b, "Lock hand-offs (%d):\n", n)
		for _, h := range c.handoffs[:min(n, maxListedHandoffs)] {
			fmt.Fprintf(&b, "  %s → %s at %s (%s)\n", h.from.name, h.to.name, formatDuration(h.acquired), h.what)
		}
		if n > maxListedHandoffs {
			fmt.Fprintf(&b, "  … and %d more\n", n-maxListedHandoffs)
		}
	}
	return b.String()
}

// textRow renders one row as textColumns characters: in each column the
// state that took most of the row's time there, '#' and 'Z' for running and
// sleeping while mostly holding a lock, and a space where the row existed
// for less than a quarter of the column.
func textRow(r *row, total time.Duration) string {
	states := coverage(r.spans, total)
	holds := coverage(r.holds, total)
	colTime := float64(total) / textColumns
	line := make([]byte, textColumns)
	for col := range line {
		var alive time.Duration
		best := Running
		for st := Running; st <= Blocked; st++ {
			alive += states[col][st]
			if states[col][st] > states[col][best] {
				best = st
			}
		}
		switch {
		case float64(alive)*4 < colTime:
			line[col] = ' '
		case best == Running && holds[col][holding]*2 >= alive:
			line[col] = stateChars[holding]
		case best == Sleeping && holds[col][holding]*2 >= alive:
			line[col] = sleepHoldingChar
		default:
			line[col] = stateChars[best]
		}
	}
	return string(line)
}

// coverage returns, for each column of the text chart, how long each state
// of spans lasted in it.
func coverage(spans []span, total time.Duration) [][absent + 1]time.Duration {
	cols := make([][absent + 1]time.Duration, textColumns)
	start := func(col int) time.Duration {
		return time.Duration(int64(total) * int64(col) / textColumns)
	}
	for _, s := range spans {
		first := int(int64(s.from) * textColumns / int64(total))
		last := int(int64(max(s.to-1, s.from)) * textColumns / int64(total))
		for col := max(first, 0); col <= min(last, textColumns-1); col++ {
			from, to := max(s.from, start(col)), min(s.to, start(col+1))
			if to > from {
				cols[col][s.state] += to - from
			}
		}
	}
	return cols
}
