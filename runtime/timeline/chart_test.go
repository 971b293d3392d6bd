package timeline

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// synthetic returns a recording of the given duration holding events.
func synthetic(d time.Duration, events ...Event) *Recording {
	r := &Recording{started: time.Now(), duration: d}
	r.Add(events...)
	return r
}

// ev builds an event of goroutine g named row.
func ev(at time.Duration, g int64, row string, kind Kind, obj uint64, typ string) Event {
	return Event{Time: at, Goroutine: g, Row: row, Kind: kind, Object: obj, Type: typ}
}

// handOff is the scripted scenario: T1 holds lock 1 from 0 to 40 ms while
// T2 waits from 10 ms, then T2 holds it until 70 ms.
func handOff() *Recording {
	return synthetic(100*ms,
		ev(0, 2, "T1", KindStart, 0, ""),
		ev(1*ms, 2, "T1", KindAcquire, 1, "Lock"),
		ev(5*ms, 3, "T2", KindStart, 0, ""),
		ev(10*ms, 3, "T2", KindWait, 1, "Lock"),
		ev(40*ms, 2, "T1", KindRelease, 1, "Lock"),
		ev(40*ms, 3, "T2", KindAcquire, 1, "Lock"),
		ev(50*ms, 2, "T1", KindEnd, 0, ""),
		ev(70*ms, 3, "T2", KindRelease, 1, "Lock"),
		ev(80*ms, 3, "T2", KindEnd, 0, ""),
	)
}

func TestChartOfHandOff(t *testing.T) {
	c := newChart(handOff())
	if got := rowNames(c); !slices.Equal(got, []string{"T1", "T2"}) {
		t.Fatalf("rows %q, want T1, T2", got)
	}
	t1, t2 := c.rows[0], c.rows[1]
	wantSpans := map[*row][]span{
		t1: {{0, 50 * ms, Running, ""}},
		t2: {{5 * ms, 10 * ms, Running, ""}, {10 * ms, 40 * ms, Waiting, "Lock #1"}, {40 * ms, 80 * ms, Running, ""}},
	}
	wantHolds := map[*row][]span{
		t1: {{1 * ms, 40 * ms, holding, "Lock #1"}},
		t2: {{40 * ms, 70 * ms, holding, "Lock #1"}},
	}
	for _, r := range c.rows {
		if !slices.Equal(r.spans, wantSpans[r]) {
			t.Errorf("%s spans %v, want %v", r.name, r.spans, wantSpans[r])
		}
		if !slices.Equal(r.holds, wantHolds[r]) {
			t.Errorf("%s holds %v, want %v", r.name, r.holds, wantHolds[r])
		}
	}
	want := []handoff{{from: t1, to: t2, released: 40 * ms, acquired: 40 * ms, what: "Lock #1"}}
	if !slices.Equal(c.handoffs, want) {
		t.Fatalf("hand-offs %+v, want %+v", c.handoffs, want)
	}
}

func rowNames(c *chart) []string {
	var names []string
	for _, r := range c.rows {
		names = append(names, r.name)
	}
	return names
}

func TestChartRows(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		want   []string
	}{
		{
			name: "main thread first, then by start",
			events: []Event{
				ev(5*ms, 9, "Thread-2", KindStart, 0, ""),
				ev(1*ms, 8, "Thread-1", KindStart, 0, ""),
				ev(9*ms, 1, "MainThread", KindBlock, 7, "Thread.Join"),
			},
			want: []string{"MainThread", "Thread-1", "Thread-2"},
		},
		{
			name: "same name, one after the other, share a row",
			events: []Event{
				ev(1*ms, 5, "MainThread", KindName, 0, ""),
				ev(2*ms, 5, "MainThread", KindEnd, 0, ""),
				ev(3*ms, 6, "MainThread", KindName, 0, ""),
			},
			want: []string{"MainThread"},
		},
		{
			name: "same name at the same time get a row each",
			events: []Event{
				ev(1*ms, 5, "worker", KindStart, 0, ""),
				ev(2*ms, 6, "worker", KindStart, 0, ""),
			},
			want: []string{"worker", "worker (2)"},
		},
		{
			name: "processes after this one",
			events: []Event{
				ev(0, 1, "Process-1 (pid 7)", KindStart, 0, ""),
				ev(1*ms, 2, "Thread-1", KindStart, 0, ""),
			},
			want: []string{"Thread-1", "Process-1 (pid 7)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.events {
				if strings.HasPrefix(tt.events[i].Row, "Process") {
					tt.events[i].Process = 7
				}
			}
			c := newChart(synthetic(10*ms, tt.events...))
			if got := rowNames(c); !slices.Equal(got, tt.want) {
				t.Fatalf("rows %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMainThreadSpansRecording(t *testing.T) {
	c := newChart(synthetic(10*ms, ev(4*ms, 1, "MainThread", KindBlock, 3, "Queue.Get")))
	got := c.rows[0].spans
	want := []span{{0, 4 * ms, Running, ""}, {4 * ms, 10 * ms, Blocked, "Queue.Get on Queue #1"}}
	if !slices.Equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
}

// alternating returns n spans of random lengths around step, cycling
// through the four states, starting at from.
func alternating(n int, from, step time.Duration, rng *rand.Rand) []span {
	spans := make([]span, n)
	at := from
	for i := range spans {
		d := step/2 + time.Duration(rng.Int64N(int64(step)))
		spans[i] = span{from: at, to: at + d, state: State(i % 4)}
		at += d
	}
	return spans
}

func TestQuantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name  string
		spans []span
		unit  time.Duration
	}{
		{name: "few long spans", spans: alternating(10, 0, 10*ms, rng), unit: ms},
		{name: "many short spans", spans: alternating(100_000, 0, 10*time.Microsecond, rng), unit: ms},
		{name: "short and long mixed", spans: append(alternating(1000, 0, time.Microsecond, rng), span{from: 0, to: 0, state: Running}), unit: 10 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := slices.DeleteFunc(tt.spans, func(s span) bool { return s.to <= s.from })
			first, last := spans[0].from, spans[len(spans)-1].to
			segs := quantize(spans, tt.unit)
			if limit := 2*int((last-first)/tt.unit) + 2; len(segs) > limit {
				t.Fatalf("%d segments for %v at a unit of %v, want at most %d", len(segs), last-first, tt.unit, limit)
			}
			// The segments tile the spans' time without gaps or overlaps.
			at := first
			for _, g := range segs {
				if g.from != at || g.to <= g.from {
					t.Fatalf("segment %v does not continue at %v", g, at)
				}
				at = g.to
			}
			if at != last {
				t.Fatalf("segments end at %v, want %v", at, last)
			}
			// Spans of a unit or longer survive unchanged.
			for _, s := range spans {
				if s.to-s.from < tt.unit {
					continue
				}
				if !slices.ContainsFunc(segs, func(g segment) bool { return g.from <= s.from && g.to >= s.to && g.state == s.state }) {
					t.Fatalf("long span %v not kept", s)
				}
			}
		})
	}
}

func TestAxis(t *testing.T) {
	tests := []struct {
		total time.Duration
		unit  string
		step  time.Duration
	}{
		{total: 500 * time.Nanosecond, unit: "ns", step: 100},
		{total: 300 * time.Microsecond, unit: "µs", step: 50 * time.Microsecond},
		{total: 312 * ms, unit: "ms", step: 50 * ms},
		{total: 3 * time.Second, unit: "s", step: 500 * ms},
		{total: 75 * time.Second, unit: "s", step: 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.total.String(), func(t *testing.T) {
			a := newAxis(tt.total, 7)
			if a.unit != tt.unit || a.step != tt.step {
				t.Fatalf("axis for %v: unit %q step %v, want %q %v", tt.total, a.unit, a.step, tt.unit, tt.step)
			}
			ticks := a.ticks(tt.total)
			if len(ticks) > 8 || len(ticks) < 4 || ticks[0] != 0 {
				t.Fatalf("ticks %v", ticks)
			}
			second := a.label(ticks[1])
			if !strings.HasSuffix(second, " "+tt.unit) {
				t.Fatalf("label %q lacks the unit %q", second, tt.unit)
			}
			v, err := strconv.ParseFloat(strings.TrimSuffix(second, " "+tt.unit), 64)
			if err != nil || time.Duration(v*a.div) != tt.step {
				t.Fatalf("label %q does not read as %v", second, tt.step)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ns"},
		{812 * time.Microsecond, "812 µs"},
		{12345 * time.Microsecond, "12.3 ms"},
		{1203 * ms, "1.20 s"},
		{1500 * time.Nanosecond, "1.50 µs"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// contended returns a recording of rows threads taking turns at one lock,
// with about perRow events each over total, at random intervals.
func contended(rows, perRow int, total time.Duration, names func(int) string) *Recording {
	rng := rand.New(rand.NewPCG(3, 4))
	var events []Event
	cycles := perRow / 3
	step := total / time.Duration(3*cycles+1)
	for i := range rows {
		g := int64(i + 10)
		name := names(i)
		events = append(events, ev(0, g, name, KindStart, 0, ""))
		at := time.Duration(rng.Int64N(int64(step)))
		for range cycles {
			for _, k := range []Kind{KindWait, KindAcquire, KindRelease} {
				events = append(events, ev(at, g, name, k, 1, "Lock"))
				at += step/2 + time.Duration(rng.Int64N(int64(step)))
			}
		}
	}
	return synthetic(total, events...)
}

func threadName(i int) string { return fmt.Sprintf("Thread-%d", i+1) }

// svgDoc is what a test reads back from an SVG chart.
type svgDoc struct {
	width, height int
	viewBox       string
	labels        []string // row labels, top to bottom
}

// parseSVG decodes the whole document strictly and collects the row labels.
func parseSVG(t *testing.T, doc string) svgDoc {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var out svgDoc
	depth, inLabel := 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if depth == 1 {
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root element %v, want svg in the SVG namespace", tok.Name)
				}
				out.width, _ = strconv.Atoi(attrs["width"])
				out.height, _ = strconv.Atoi(attrs["height"])
				out.viewBox = attrs["viewBox"]
			}
			if tok.Name.Local == "text" && attrs["class"] == "lbl" && attrs["text-anchor"] == "end" {
				inLabel = true
				out.labels = append(out.labels, "")
			} else if inLabel {
				inLabel = false // the label's <title>
			}
			for _, name := range []string{"href", "src"} {
				if v, ok := attrs[name]; ok && !strings.HasPrefix(v, "#") {
					t.Fatalf("external resource %s=%q", name, v)
				}
			}
		case xml.EndElement:
			depth--
			inLabel = false
		case xml.CharData:
			if inLabel {
				out.labels[len(out.labels)-1] += string(tok)
			}
		}
	}
	return out
}

func TestSVG(t *testing.T) {
	long := func(i int) string { return fmt.Sprintf("a rather long thread name number %d", i) }
	tests := []struct {
		name   string
		rec    *Recording
		labels []string
	}{
		{name: "empty", rec: synthetic(0)},
		{name: "one row", rec: synthetic(10*ms, ev(2*ms, 1, "MainThread", KindSleep, 0, "time.Sleep")), labels: []string{"MainThread"}},
		{name: "hand-off", rec: handOff(), labels: []string{"T1", "T2"}},
		{name: "markup in names", rec: synthetic(10*ms, ev(0, 2, `<b>&"x"</b>`, KindStart, 0, ""), ev(1*ms, 2, `<b>&"x"</b>`, KindWait, 4, "Lock")), labels: []string{`<b>&"x"</b>`}},
		{name: "50 rows", rec: contended(50, 30, time.Second, long), labels: truncatedLabels(50, long)},
		{name: "100k events in 4 rows", rec: contended(4, 25_000, 2*time.Second, threadName), labels: truncatedLabels(4, threadName)},
		{name: "100k events in 50 rows", rec: contended(50, 2_000, 2*time.Second, threadName), labels: truncatedLabels(50, threadName)},
	}
	heights := map[int]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.rec.SVG()
			if len(doc) >= 1<<20 {
				t.Fatalf("SVG of %d events is %d bytes, want under 1 MB", len(tt.rec.events), len(doc))
			}
			got := parseSVG(t, doc)
			if got.width != svgWidth || got.viewBox != fmt.Sprintf("0 0 %d %d", svgWidth, got.height) {
				t.Fatalf("width %d, viewBox %q, height %d", got.width, got.viewBox, got.height)
			}
			if !slices.Equal(got.labels, tt.labels) {
				t.Fatalf("row labels\n got %q\nwant %q", got.labels, tt.labels)
			}
			if prev, ok := heights[len(tt.labels)]; ok && prev != got.height {
				t.Fatalf("height %d for %d rows, but %d elsewhere: rows must have a fixed height", got.height, len(tt.labels), prev)
			}
			heights[len(tt.labels)] = got.height
			if !strings.Contains(doc, "wall time "+formatDuration(tt.rec.duration)) {
				t.Errorf("title lacks the wall time %s", formatDuration(tt.rec.duration))
			}
			writeSample(t, tt.name, doc)
		})
	}
	if heights[50] <= heights[4] || heights[4] <= heights[1] {
		t.Fatalf("height does not grow with rows: %v", heights)
	}
}

func truncatedLabels(n int, name func(int) string) []string {
	labels := make([]string, n)
	for i := range labels {
		labels[i] = name(i)
		if r := []rune(labels[i]); len(r) > labelChars {
			labels[i] = string(r[:labelChars-1]) + "…"
		}
	}
	return labels
}

// writeSample saves a chart in $TIMELINE_SAMPLES, if set, for looking at.
func writeSample(t *testing.T, name, doc string) {
	dir := os.Getenv("TIMELINE_SAMPLES")
	if dir == "" {
		return
	}
	file := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".svg")
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSVGHandOffArrow(t *testing.T) {
	doc := handOff().SVG()
	if n := strings.Count(doc, `marker-end="url(#gk-tl-arrow)"`); n != 2 { // the legend's and the hand-off's
		t.Fatalf("%d arrows, want the legend's and one hand-off", n)
	}
	if !strings.Contains(doc, "T1 → T2: Lock #1 released at 40.0 ms") {
		t.Fatal("hand-off arrow lacks its hover text")
	}
}

func TestText(t *testing.T) {
	text := handOff().Text()
	lines := strings.Split(text, "\n")
	if !strings.HasPrefix(lines[0], "Timeline · wall time 100 ms · 2 threads · 1 lock hand-off") {
		t.Fatalf("summary line %q", lines[0])
	}
	rows := map[string]string{}
	for _, l := range lines {
		if name, chart, ok := strings.Cut(l, "  "); ok && (name == "T1" || name == "T2") {
			rows[name] = strings.TrimLeft(chart, " ")
		}
	}
	at := func(d time.Duration) int { return int(int64(d) * textColumns / int64(100*ms)) }
	col := func(name string, d time.Duration) byte {
		line := rows[name]
		pad := textColumns - len(strings.TrimLeft(line, " ")) // rows may start late
		_ = pad
		return rowChars(t, text, name)[at(d)]
	}
	tests := []struct {
		row  string
		at   time.Duration
		want byte
	}{
		{"T1", 20 * ms, '#'}, // holding the lock
		{"T1", 45 * ms, '='}, // running, lock released
		{"T1", 60 * ms, ' '}, // ended
		{"T2", 2 * ms, ' '},  // not started
		{"T2", 25 * ms, '~'}, // waiting for the lock
		{"T2", 55 * ms, '#'}, // holding it
		{"T2", 75 * ms, '='}, // running
		{"T2", 95 * ms, ' '}, // ended
	}
	for _, tt := range tests {
		if got := col(tt.row, tt.at); got != tt.want {
			t.Errorf("%s at %v: %q, want %q\n%s", tt.row, tt.at, got, tt.want, text)
		}
	}
	for _, want := range []string{"0", "20 ms", "40 ms", "T1 → T2 at 40.0 ms (Lock #1)", "~ waiting for a lock"} {
		if !strings.Contains(text, want) {
			t.Errorf("text chart lacks %q:\n%s", want, text)
		}
	}
}

// rowChars returns the chart characters of a row of a text chart, padded to
// textColumns.
func rowChars(t *testing.T, text, name string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	ruler := ""
	for _, l := range lines {
		if strings.Contains(l, "|---") {
			ruler = l
		}
	}
	start := strings.Index(ruler, "|")
	for _, l := range lines {
		if strings.HasPrefix(l, name+" ") {
			chars := []byte(l[start:])
			for len(chars) < textColumns {
				chars = append(chars, ' ')
			}
			return string(chars)
		}
	}
	t.Fatalf("no row %q in\n%s", name, text)
	return ""
}

func TestTextEmpty(t *testing.T) {
	if got := synthetic(0).Text(); !strings.Contains(got, "Nothing was recorded.") {
		t.Fatalf("empty text chart: %q", got)
	}
}

func TestJSONAndProcesses(t *testing.T) {
	child := synthetic(30*ms,
		ev(0, 1, "MainThread", KindBlock, 5, "Thread.Join"),
		ev(1*ms, 7, "Thread-1", KindStart, 0, ""),
		ev(20*ms, 7, "Thread-1", KindEnd, 0, ""),
	)
	child.started = time.Now()
	data, err := json.Marshal(child)
	if err != nil {
		t.Fatal(err)
	}
	var back Recording
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Events(), child.Events()) || back.Duration() != child.Duration() || !back.Started().Equal(child.Started()) {
		t.Fatalf("JSON round trip changed the recording:\n%s", data)
	}

	parent := synthetic(50*ms, ev(0, 1, "MainThread", KindName, 0, ""))
	parent.started = child.started.Add(-10 * ms)
	parent.AddProcess(1234, "Process-1", &back)
	c := newChart(parent)
	if got, want := rowNames(c), []string{"MainThread", "Process-1 (pid 1234)", "Process-1 (pid 1234) Thread-1"}; !slices.Equal(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if got := c.rows[2].spans; len(got) != 1 || got[0].from != 11*ms || got[0].to != 30*ms {
		t.Fatalf("child thread spans %v, want one from 11ms to 30ms", got)
	}
	if got := describeRows(c.rows); got != "1 thread, 1 process" {
		t.Fatalf("describeRows = %q", got)
	}
}
