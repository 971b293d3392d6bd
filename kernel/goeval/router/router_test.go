package router

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an engine.Output that keeps what it receives.
type recorder struct {
	mu   sync.Mutex
	text map[string]*strings.Builder
}

func newRecorder() *recorder {
	return &recorder{text: map[string]*strings.Builder{Stdout: {}, Stderr: {}}}
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text[name].WriteString(text)
}
func (r *recorder) Display(map[string]any, map[string]any, string, bool) {}
func (r *recorder) Clear(bool)                                           {}
func (r *recorder) Input(context.Context, string, bool) (string, error)  { return "", nil }

func (r *recorder) get(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text[name].String()
}

func never(any) bool { return false }

func TestOutputFollowsTheCellThatStartedTheGoroutine(t *testing.T) {
	tests := []struct {
		name         string
		nextCellRuns bool // whether cell 2 is running when the late output is written
	}{
		{"late output while another cell runs", true},
		{"late output while idle goes to the next cell", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			cell1, cell2 := newRecorder(), newRecorder()
			release := make(chan struct{})
			finished := make(chan struct{})
			w := r.Writer(Stdout)

			r.Begin(1, cell1)
			fmt.Fprintln(w, "cell 1 itself")
			r.Spawn(func() {
				defer close(finished)
				fmt.Fprintln(w, "goroutine early")
				<-release
				fmt.Fprint(w, "goroutine late\nsecond line\n")
			}, never, nil)
			time.Sleep(20 * time.Millisecond)
			live, _ := r.End(1)
			if live != 1 {
				t.Fatalf("live goroutines %d, want 1", live)
			}

			if tt.nextCellRuns {
				r.Begin(2, cell2)
			}
			close(release)
			<-finished
			if !tt.nextCellRuns {
				if got := cell2.get(Stdout); got != "" {
					t.Fatalf("output reached a cell that is not running: %q", got)
				}
				r.Begin(2, cell2)
			}
			fmt.Fprintln(w, "cell 2 itself")
			r.End(2)

			if got, want := cell1.get(Stdout), "cell 1 itself\ngoroutine early\n"; got != want {
				t.Errorf("cell 1 got %q, want %q", got, want)
			}
			if got, want := cell2.get(Stdout), "[In 1] goroutine late\n[In 1] second line\ncell 2 itself\n"; got != want {
				t.Errorf("cell 2 got %q, want %q", got, want)
			}
		})
	}
}

func TestSpawnRecoversPanics(t *testing.T) {
	r := New()
	out := newRecorder()
	r.Begin(1, out)
	done := make(chan struct{})
	r.Spawn(func() {
		defer func() { go close(done) }()
		panic("boom")
	}, never, func(g uint64, v any) string { return fmt.Sprintf("panic in goroutine: %v\n", v) })
	<-done
	time.Sleep(20 * time.Millisecond)
	_, panics := r.End(1)
	if len(panics) != 1 || !strings.Contains(panics[0], "boom") {
		t.Fatalf("panics %q", panics)
	}
	if !strings.Contains(out.get(Stderr), "panic in goroutine: boom") {
		t.Fatalf("stderr %q", out.get(Stderr))
	}
}

func TestGoroutinesStartedByCompiledCodeInheritTheCell(t *testing.T) {
	r := New()
	// A thread of the runtime may outlive its cell: the router must tell writers apart.
	r.SetOthers(func() int { return 1 })
	cell1, cell2 := newRecorder(), newRecorder()
	w := r.Writer(Stdout)
	release := make(chan struct{})
	finished := make(chan struct{})
	started := make(chan struct{})
	ended := make(chan struct{})
	// Cell 1 runs on a goroutine of its own, which starts a goroutine the way compiled code
	// does (a plain go statement, unknown to the router).
	go func() {
		r.Begin(1, cell1)
		go func() {
			defer close(finished)
			fmt.Fprintln(w, "while cell 1 runs")
			close(started)
			<-release
			fmt.Fprintln(w, "after cell 1 ended")
		}()
		<-started
		r.End(1)
		close(ended)
	}()
	<-ended
	r.Begin(2, cell2) // the next cell runs on another goroutine, as the interpreter's do
	fmt.Fprintln(w, "cell 2 itself")
	close(release)
	<-finished
	r.End(2)
	if got := cell1.get(Stdout); got != "while cell 1 runs\n" {
		t.Fatalf("cell 1 got %q", got)
	}
	if got, want := cell2.get(Stdout), "cell 2 itself\n[In 1] after cell 1 ended\n"; got != want {
		t.Fatalf("cell 2 got %q, want %q", got, want)
	}
}

// TestTraceKeepsBothEnds records panic traces of several lengths: a short one whole, a
// long one by its innermost and outermost TraceEnds lines around a line that counts the
// lines left out.
func TestTraceKeepsBothEnds(t *testing.T) {
	tests := []struct {
		lines    int
		wantLen  int
		wantGap  string
		wantLast string
	}{
		{1, 1, "", "frame 0"},
		{2 * TraceEnds, 2 * TraceEnds, "", fmt.Sprintf("frame %d", 2*TraceEnds-1)},
		{2*TraceEnds + 1, 2*TraceEnds + 1, GapPrefix + "1 frames omitted", fmt.Sprintf("frame %d", 2*TraceEnds)},
		{100_000, 2*TraceEnds + 1, fmt.Sprintf("%s%d frames omitted", GapPrefix, 100_000-2*TraceEnds), "frame 99999"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lines), func(t *testing.T) {
			r := New()
			for i := 0; i < tt.lines; i++ {
				r.AddTrace(7, fmt.Sprintf("frame %d", i))
			}
			got := r.TakeTrace(7)
			if len(got) != tt.wantLen || got[0] != "frame 0" || got[len(got)-1] != tt.wantLast {
				t.Fatalf("got %d lines, first %q, last %q; want %d, frame 0, %q", len(got), got[0], got[len(got)-1], tt.wantLen, tt.wantLast)
			}
			gap := ""
			for _, l := range got {
				if strings.HasPrefix(l, GapPrefix) {
					gap = l
				}
			}
			if gap != tt.wantGap {
				t.Errorf("gap line %q, want %q", gap, tt.wantGap)
			}
			if tt.wantGap != "" && got[TraceEnds] != tt.wantGap {
				t.Errorf("line %d is %q, want the gap", TraceEnds, got[TraceEnds])
			}
			if again := r.TakeTrace(7); again != nil {
				t.Errorf("trace taken twice: %q", again)
			}
		})
	}
}
