package timeline

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Layout of the SVG chart, in pixels of its viewBox.
const (
	svgWidth     = 900
	plotLeft     = 170 // row labels are right-aligned before it
	plotRight    = 880
	plotWidth    = plotRight - plotLeft
	rowHeight    = 24
	barTop       = 4 // within a row
	barHeight    = 14
	holdTop      = barTop + barHeight + 1
	holdHeight   = 3
	labelChars   = 24   // longer row labels are cut with an ellipsis
	maxTitled    = 2500 // bars drawn with hover text; beyond, bars are paths
	maxHandoffs  = 150  // hand-offs drawn one by one; beyond, a sample
	handoffBin   = 8    // pixels of time axis per sampled hand-off
	maxTaskMarks = 3000 // task start marks drawn
	tickSpacing  = 90   // least pixels between axis ticks
)

// Colours of the states, on a light background.
var stateColors = [...]string{
	Running:  "#59a14f",
	Sleeping: "#9ecae9",
	Waiting:  "#e15759",
	Blocked:  "#b07aa1",
	holding:  "#253447",
}

const fontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"

// SVG returns the chart as a standalone SVG document, 900 pixels wide and
// scalable through its viewBox, with one row per thread, goroutine or
// process. Its size stays bounded, under a megabyte, however many events
// were recorded: intervals too short to see at the chart's resolution are
// merged.
func (r *Recording) SVG() string {
	return newSVGWriter(newChart(r)).render()
}

// svgWriter draws one chart.
type svgWriter struct {
	c     *chart
	total time.Duration
	index map[*row]int // position of each row
	b     strings.Builder
	top   int // y of the first row
}

func newSVGWriter(c *chart) *svgWriter {
	s := &svgWriter{c: c, total: max(c.duration, 1), index: make(map[*row]int, len(c.rows))}
	for i, r := range c.rows {
		s.index[r] = i
	}
	return s
}

func (s *svgWriter) x(t time.Duration) float64 {
	return plotLeft + float64(t)/float64(s.total)*plotWidth
}

func (s *svgWriter) rowY(i int) int {
	return s.top + i*rowHeight
}

func (s *svgWriter) printf(format string, args ...any) {
	fmt.Fprintf(&s.b, format, args...)
}

// text writes XML-escaped text.
func (s *svgWriter) text(t string) {
	_ = xml.EscapeText(&s.b, []byte(t)) // a strings.Builder does not fail
}

func (s *svgWriter) render() string {
	legendLines := s.legendLayout()
	s.top = 34 + 18*len(legendLines) + 24
	rows := len(s.c.rows)
	plotBottom := s.top + max(rows, 1)*rowHeight
	height := plotBottom + 12
	if rows > 12 {
		height += 20 // a second axis below the rows
	}

	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height, fontFamily)
	s.style()
	s.printf(`<rect width="%d" height="%d" fill="#fff"/>`+"\n", svgWidth, height)
	s.title()
	s.legend(legendLines)
	s.stripes()
	if rows == 0 {
		s.printf(`<text x="%d" y="%d" class="note">Nothing was recorded.</text>`+"\n", plotLeft, s.top+16)
	} else {
		s.axis(s.top-8, plotBottom, true)
	}
	if rows > 12 {
		s.axis(plotBottom+16, plotBottom, false)
	}
	s.labels()
	s.bars()
	s.taskMarks()
	s.handoffArrows()
	s.b.WriteString("</svg>\n")
	return s.b.String()
}

func (s *svgWriter) style() {
	s.b.WriteString("<style>\n")
	for st, color := range stateColors {
		s.printf(".s%d{fill:%s}.p%d{stroke:%s;fill:none}\n", st, color, st, color)
	}
	s.printf(".p%d,.p%d,.p%d,.p%d{stroke-width:%d}.p%d{stroke-width:%d}\n",
		Running, Sleeping, Waiting, Blocked, barHeight, holding, holdHeight)
	s.b.WriteString(`.stripe{fill:#f3f5f8}
.grid{stroke:#dde1e6;stroke-width:1}
.tick{fill:#555;font-size:11px}
.lbl{fill:#1f2328}
.title{font-size:15px;font-weight:600;fill:#1f2328}
.sub{fill:#555}
.note{fill:#777;font-style:italic}
.task{stroke:#fff;stroke-width:1.5}
.ho{stroke:#222;stroke-width:1.3;fill:#222;opacity:.85}
.ho path{fill:none}
</style>
<defs><marker id="gk-tl-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L8 4L0 8z" fill="#222"/></marker></defs>
`)
}

func (s *svgWriter) title() {
	s.printf(`<text x="12" y="22"><tspan class="title">Timeline</tspan><tspan class="sub" dx="10">`)
	s.text(s.summary())
	s.b.WriteString("</tspan></text>\n")
}

// summary describes the chart in one line: wall time and what the rows are.
func (s *svgWriter) summary() string {
	parts := []string{"wall time " + formatDuration(s.c.duration)}
	if rows := describeRows(s.c.rows); rows != "" {
		parts = append(parts, rows)
	}
	if n := len(s.c.handoffs); n > maxHandoffs {
		parts = append(parts, fmt.Sprintf("%s (%d drawn)", plural(n, "lock hand-off"), len(s.drawnHandoffs())))
	} else if n > 0 {
		parts = append(parts, plural(n, "lock hand-off"))
	}
	if s.c.dropped > 0 {
		parts = append(parts, fmt.Sprintf("recording full: %d later events dropped", s.c.dropped))
	}
	return strings.Join(parts, " · ")
}

// describeRows counts rows by kind: "3 threads, 2 goroutines, 1 process".
func describeRows(rows []*row) string {
	var threads, goroutines, processes int
	seen := map[int]bool{}
	for _, r := range rows {
		if r.process != 0 {
			if !seen[r.process] {
				seen[r.process] = true
				processes++
			}
			continue
		}
		if strings.HasPrefix(r.name, "goroutine ") {
			goroutines++
		} else {
			threads++
		}
	}
	var parts []string
	for _, p := range []struct {
		n    int
		noun string
	}{{threads, "thread"}, {goroutines, "goroutine"}, {processes, "process"}} {
		if p.n > 0 {
			parts = append(parts, plural(p.n, p.noun))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// legendItem is one entry of the legend.
type legendItem struct {
	label string
	draw  func(s *svgWriter, x, y int) // draws the 14x12 swatch at x, y
}

// legendLayout places the legend's items on lines that fit the width.
func (s *svgWriter) legendLayout() [][]legendItem {
	swatch := func(st State) func(s *svgWriter, x, y int) {
		return func(s *svgWriter, x, y int) {
			s.printf(`<rect x="%d" y="%d" width="14" height="12" rx="2" class="s%d"/>`, x, y, st)
		}
	}
	items := []legendItem{
		{"running", swatch(Running)},
		{"sleeping", swatch(Sleeping)},
		{"waiting for a lock", swatch(Waiting)},
		{"blocked (queue/future/join)", swatch(Blocked)},
		{"holding a lock", func(s *svgWriter, x, y int) {
			s.printf(`<rect x="%d" y="%d" width="14" height="8" class="s%d"/><rect x="%d" y="%d" width="14" height="3" class="s%d"/>`,
				x, y, Running, x, y+9, holding)
		}},
		{"lock hand-off", func(s *svgWriter, x, y int) {
			s.printf(`<g class="ho"><circle cx="%d" cy="%d" r="2"/><path d="M%d %dv10" marker-end="url(#gk-tl-arrow)"/></g>`, x+7, y+1, x+7, y+1)
		}},
	}
	for _, r := range s.c.rows {
		if len(r.tasks) > 0 {
			items = append(items, legendItem{"task start", func(s *svgWriter, x, y int) {
				s.printf(`<rect x="%d" y="%d" width="14" height="12" class="s%d"/><path d="M%d %dv12" class="task"/>`, x, y, Running, x+7, y)
			}})
			break
		}
	}
	var lines [][]legendItem
	x := 12
	for _, it := range items {
		w := legendWidth(it.label)
		if len(lines) == 0 || x+w > svgWidth-12 {
			lines = append(lines, nil)
			x = 12
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], it)
		x += w
	}
	return lines
}

// legendWidth estimates the width of a legend entry: swatch, label and gap.
func legendWidth(label string) int {
	return 20 + int(6.2*float64(utf8.RuneCountInString(label))) + 16
}

func (s *svgWriter) legend(lines [][]legendItem) {
	for i, line := range lines {
		y := 34 + 18*i
		x := 12
		for _, it := range line {
			it.draw(s, x, y)
			s.printf(`<text x="%d" y="%d" class="lbl">`, x+20, y+10)
			s.text(it.label)
			s.b.WriteString("</text>")
			x += legendWidth(it.label)
		}
		s.b.WriteString("\n")
	}
}

func (s *svgWriter) stripes() {
	for i := range s.c.rows {
		if i%2 == 1 {
			s.printf(`<rect x="0" y="%d" width="%d" height="%d" class="stripe"/>`+"\n", s.rowY(i), svgWidth, rowHeight)
		}
	}
}

// axis draws tick labels at y; with grid, also the grid lines down to
// bottom.
func (s *svgWriter) axis(y, bottom int, grid bool) {
	a := newAxis(s.c.duration, plotWidth/tickSpacing)
	for _, t := range a.ticks(s.total) {
		x := s.x(t)
		anchor := "middle"
		if x > plotRight-20 {
			anchor = "end"
		}
		if grid {
			s.printf(`<path d="M%s %dV%d" class="grid"/>`, num(x), s.top-4, bottom)
		}
		s.printf(`<text x="%s" y="%d" text-anchor="%s" class="tick">%s</text>`+"\n", num(x), y, anchor, a.label(t))
	}
}

// cutLabel returns a row name cut to labelChars characters with an
// ellipsis, and whether it was cut.
func cutLabel(name string) (string, bool) {
	if utf8.RuneCountInString(name) <= labelChars {
		return name, false
	}
	return string([]rune(name)[:labelChars-1]) + "…", true
}

// labels writes the row names, cut with an ellipsis when too long; the full
// name is then the hover text.
func (s *svgWriter) labels() {
	for i, r := range s.c.rows {
		y := s.rowY(i) + barTop + barHeight - 3
		name, cut := cutLabel(r.name)
		s.printf(`<text x="%d" y="%d" text-anchor="end" class="lbl">`, plotLeft-8, y)
		s.text(name)
		if cut {
			s.b.WriteString("<title>")
			s.text(r.name)
			s.b.WriteString("</title>")
		}
		s.b.WriteString("</text>\n")
	}
}

// bars draws the states and holds of every row: as rectangles with hover
// text when there are few, as one path per row and state otherwise.
func (s *svgWriter) bars() {
	unit := time.Duration(float64(s.total) / plotWidth) // one pixel
	states := make([][]segment, len(s.c.rows))
	holds := make([][]segment, len(s.c.rows))
	n := 0
	for i, r := range s.c.rows {
		states[i] = quantize(r.spans, unit)
		if len(r.holds) > 0 {
			holds[i] = quantize(withGaps(r.holds, 0, s.c.duration), unit)
		}
		n += len(states[i]) + len(holds[i])
	}
	titled := n <= maxTitled
	for i, r := range s.c.rows {
		y := s.rowY(i)
		if titled {
			s.rects(r, states[i], y+barTop, barHeight)
			s.rects(r, holds[i], y+holdTop, holdHeight)
		} else {
			s.paths(states[i], y+barTop+barHeight/2)
			s.paths(holds[i], y+holdTop+holdHeight/2)
		}
	}
}

func (s *svgWriter) rects(r *row, segs []segment, y, h int) {
	for _, g := range segs {
		x0, x1 := s.x(g.from), s.x(g.to)
		s.printf(`<rect x="%s" y="%d" width="%s" height="%d" class="s%d"><title>`, num(x0), y, num(max(x1-x0, 0.1)), h, g.state)
		s.text(r.name + " · " + describeSegment(g) + " · " + formatDuration(g.from) + " – " + formatDuration(g.to) + " (" + formatDuration(g.to-g.from) + ")")
		s.b.WriteString("</title></rect>\n")
	}
}

// describeSegment says what a row did during a segment.
func describeSegment(g segment) string {
	d := g.state.String()
	if g.merged > 1 {
		return fmt.Sprintf("mostly %s (%d intervals)", d, g.merged)
	}
	if g.what != "" {
		switch g.state {
		case Waiting:
			return "waiting for " + g.what
		case Blocked:
			return "blocked in " + g.what
		case holding:
			return "holding " + g.what
		}
		return d + " in " + g.what
	}
	return d
}

// paths draws segments as horizontal strokes, one path per state, which is
// about a quarter of the size of rectangles.
func (s *svgWriter) paths(segs []segment, yMid int) {
	var byState [absent][]segment
	for _, g := range segs {
		byState[g.state] = append(byState[g.state], g)
	}
	for st, list := range byState {
		if len(list) == 0 {
			continue
		}
		s.printf(`<path class="p%d" d="`, st)
		pen := 0.0
		for i, g := range list {
			x0, x1 := round1(s.x(g.from)), round1(s.x(g.to))
			if i == 0 {
				s.printf("M%s %d", num(x0), yMid)
			} else {
				s.printf("m%s 0", num(round1(x0-pen)))
			}
			w := round1(max(x1-x0, 0.1))
			s.printf("h%s", num(w))
			pen = x0 + w
		}
		s.b.WriteString(`"/>` + "\n")
	}
}

// taskMarks draws a white tick where a pool task starts on a worker,
// except at the worker's own start.
func (s *svgWriter) taskMarks() {
	drawn := 0
	var d strings.Builder
	for i, r := range s.c.rows {
		lastX := s.x(r.begin) // a worker's first task starts with the worker
		for _, t := range r.tasks {
			x := s.x(t)
			if x-lastX < 3 || drawn >= maxTaskMarks {
				continue
			}
			fmt.Fprintf(&d, "M%s %dv%d", num(x), s.rowY(i)+barTop, barHeight)
			lastX = x
			drawn++
		}
	}
	if d.Len() > 0 {
		s.printf(`<path class="task" d="%s"/>`+"\n", d.String())
	}
}

// handoffArrows draws an arrow from the row that released a lock to the row
// that acquired it next. Up to maxHandoffs are drawn one by one; beyond, one
// per handoffBin pixels of the time axis, spread over the whole recording.
func (s *svgWriter) handoffArrows() {
	for _, h := range s.drawnHandoffs() {
		from, to := s.index[h.from], s.index[h.to]
		x0, x1 := s.x(h.released), s.x(h.acquired)
		// From the middle of the releasing bar to the near edge of the
		// acquiring one.
		y0, y1 := s.rowY(from)+barTop+barHeight/2, s.rowY(to)+barTop-1
		if from > to {
			y1 = s.rowY(to) + barTop + barHeight + 1
		}
		s.printf(`<g class="ho"><circle cx="%s" cy="%d" r="2"/><path d="M%s %dL%s %d" marker-end="url(#gk-tl-arrow)"/><title>`,
			num(x0), y0, num(x0), y0, num(x1), y1)
		s.text(fmt.Sprintf("%s → %s: %s released at %s, acquired at %s", h.from.name, h.to.name, h.what, formatDuration(h.released), formatDuration(h.acquired)))
		s.b.WriteString("</title></g>\n")
	}
}

// drawnHandoffs returns the hand-offs to draw: all of them if there are
// few, else a sample of one per bin of the time axis.
func (s *svgWriter) drawnHandoffs() []handoff {
	type mark struct{ x0, x1, from, to int }
	seen := map[mark]bool{}
	var out []handoff
	sample := len(s.c.handoffs) > maxHandoffs
	for _, h := range s.c.handoffs {
		from, to := s.index[h.from], s.index[h.to]
		x0, x1 := s.x(h.released), s.x(h.acquired)
		m := mark{int(x0 / 2), int(x1 / 2), from, to}
		if sample {
			m = mark{x1: int(x1 / handoffBin)}
		}
		if seen[m] || from == to {
			continue
		}
		seen[m] = true
		out = append(out, h)
	}
	return out
}

// round1 rounds to one decimal.
func round1(v float64) float64 {
	return math.Round(v*10) / 10
}

// num formats a coordinate with at most one decimal.
func num(v float64) string {
	return strconv.FormatFloat(round1(v), 'f', -1, 64)
}
