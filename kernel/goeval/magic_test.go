package goeval

import (
	"context"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/gokernel/gokernel/kernel/engine"
)

func TestFormatDurationLikeIPython(t *testing.T) {
	tests := []struct {
		seconds float64
		want    string
	}{
		{0, "0 ns"},
		{10, "10 s"},
		{1.5, "1.5 s"},
		{0.5, "500 ms"},
		{0.0012, "1.2 ms"},
		{0.012, "12 ms"},
		{4.56e-6, "4.56 µs"},
		{1.234e-7, "123 ns"},
		{61, "1min 1s"},
		{3725, "1h 2min 5s"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.seconds); got != tt.want {
			t.Errorf("formatDuration(%g) = %q, want %q", tt.seconds, got, tt.want)
		}
	}
}

var (
	cpuLine  = regexp.MustCompile(`CPU times: user [0-9.]+ (s|ms|µs|ns), sys: [0-9.]+ (s|ms|µs|ns), total: [0-9.]+ (s|ms|µs|ns)\n`)
	wallLine = regexp.MustCompile(`Wall time: ([0-9.]+) (s|ms|µs|ns)\n`)
	timeit   = regexp.MustCompile(`^[0-9.]+ (s|ms|µs|ns) ± [0-9.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of (\d+) runs?, ([0-9,]+) loops? each\)\n$`)
)

func TestTimingMagics(t *testing.T) {
	s := newSession(t)
	// %time runs the statement in the session: its variable persists.
	out, _ := s.ok("%time slept := func() int { time.Sleep(30 * time.Millisecond); return 3 }()")
	if !cpuLine.MatchString(out) || !wallLine.MatchString(out) {
		t.Fatalf("%%time output %q", out)
	}
	if m := wallLine.FindStringSubmatch(out); m[2] != "ms" {
		t.Fatalf("wall time of a 30 ms sleep shown as %s %s", m[1], m[2])
	}
	if _, v := s.ok("slept"); v != "3" {
		t.Fatalf("%%time lost the statement's variable: %q", v)
	}
	// %%time keeps the cell's output and value.
	out, v := s.ok("%%time\nfmt.Println(\"inside\")\n6 * 7")
	if !strings.HasPrefix(out, "inside\n") || !cpuLine.MatchString(out) || v != "42" {
		t.Fatalf("%%%%time: stdout %q, Out %q", out, v)
	}
	// %timeit with explicit counts.
	out, _ = s.ok("%timeit -n 5 -r 3 time.Sleep(time.Millisecond)")
	m := timeit.FindStringSubmatch(out)
	if m == nil || m[3] != "3" || m[4] != "5" {
		t.Fatalf("%%timeit output %q", out)
	}
	// %timeit picks the loop count itself.
	out, _ = s.ok("%timeit strings.Repeat(\"ab\", 10)")
	m = timeit.FindStringSubmatch(out)
	if m == nil || m[3] != "7" || m[4] == "1" {
		t.Fatalf("%%timeit output %q", out)
	}
	// %%timeit times the rest of the cell.
	out, _ = s.ok("%%timeit -n 2 -r 2\nx := 0\nfor i := 0; i < 100; i++ {\n\tx += i\n}")
	if m := timeit.FindStringSubmatch(out); m == nil || m[3] != "2" || m[4] != "2" {
		t.Fatalf("%%%%timeit output %q", out)
	}
	// A line magic between Go lines; errors keep the cell's line numbers.
	out, _ = s.ok("a1 := 1\n%time a2 := a1 + 1\nfmt.Println(a1, a2)")
	if !strings.HasSuffix(out, "1 2\n") {
		t.Fatalf("mixed cell output %q", out)
	}
	err := s.fails("ok1 := 1\n%time bad := undefinedName + 1")
	if !strings.Contains(err.Value, "line 2") {
		t.Fatalf("error in %%time statement: %s", err.Value)
	}
	err = s.fails("x := 1\n\n%timeit -n 1 -r 1 undefinedName2")
	if !strings.Contains(err.Value, "line 3") {
		t.Fatalf("error in %%timeit statement: %s", err.Value)
	}
}

func TestEnvMagic(t *testing.T) {
	s := newSession(t)
	out, _ := s.ok("%env GOKERNEL_TEST_VAR=hello")
	if out != "env: GOKERNEL_TEST_VAR=hello\n" {
		t.Fatalf("set: %q", out)
	}
	if _, v := s.ok("%env GOKERNEL_TEST_VAR"); v != `"hello"` {
		t.Fatalf("get: %q", v)
	}
	if _, v := s.ok("os.Getenv(\"GOKERNEL_TEST_VAR\")"); v != `"hello"` {
		t.Fatalf("cells see %%env: %q", v)
	}
	if _, v := s.ok("%env"); !strings.Contains(v, "GOKERNEL_TEST_VAR=hello") {
		t.Fatal("listing lacks the variable")
	}
	if err := s.fails("%nosuchmagic"); err.Name != "UsageError" {
		t.Fatalf("unknown magic: %v", err)
	}
}

func TestTimelineMagicShowsTheRun(t *testing.T) {
	s := newSession(t)
	s.count++
	rec := &recorder{}
	code := "%%timeline\nvar mu lock.Lock\nwork := func() {\n\tmu.With(func() { time.Sleep(20 * time.Millisecond) })\n}\n" +
		"t1 := thread.New(work).Named(\"T1\")\nt2 := thread.New(work).Named(\"T2\")\nt1.Start()\nt2.Start()\nt1.Join()\nt2.Join()\n" +
		"done := make(chan bool)\ngo func() { time.Sleep(10 * time.Millisecond); close(done) }()\n<-done\nfmt.Println(\"ran\")"
	res := s.e.Execute(context.Background(), engine.ExecuteRequest{Code: code, Count: s.count}, rec)
	if res.Err != nil {
		t.Fatalf("cell failed: %v %v", res.Err, res.Err.Traceback)
	}
	if rec.out() != "ran\n" {
		t.Fatalf("stdout %q", rec.out())
	}
	if len(rec.displays) != 1 {
		t.Fatalf("%d displays, want the chart", len(rec.displays))
	}
	svg, _ := rec.displays[0]["image/svg+xml"].(string)
	text, _ := rec.displays[0]["text/plain"].(string)
	for _, row := range []string{"MainThread", "T1", "T2", "goroutine"} {
		if !strings.Contains(svg, row) || !strings.Contains(text, row) {
			t.Errorf("chart lacks the row %q", row)
		}
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Errorf("SVG is not well-formed: %v", err)
	}
}

// TestHelpAndDocumentationQueries checks %help and the pager answer to "name?".
func TestHelpAndDocumentationQueries(t *testing.T) {
	s := newSession(t)
	s.ok("// helps is documented.\nfunc helps(n int) int { return n }")
	tests := []struct {
		code  string
		value []string // in Out[]
		page  []string // in the pager payload
		ename string   // the error's name, when the query fails
	}{
		{code: "%help", value: []string{"%timeit", "%%timeline", "thread, lock, queue, pool, process, display, timeline", "Known limits"}},
		{code: "%lsmagic", value: []string{"%env"}},
		{code: "strings.ToUpper?", page: []string{"func ToUpper(s string) string", "ToUpper returns s"}},
		{code: "  pool.Threads??", page: []string{"func Threads(n int) *Pool", "Threads returns"}},
		{code: "strings?", page: []string{`package strings // import "strings"`}},
		{code: "helps?", page: []string{"func helps(n int) int", "helps is documented."}},
		{code: "strings.NoSuchName?", ename: "NameError"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s.t = t
			res, _ := s.run(tt.code)
			if tt.ename != "" {
				if res.Err == nil || res.Err.Name != tt.ename {
					t.Fatalf("error %v, want %s", res.Err, tt.ename)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("error %s: %s", res.Err.Name, res.Err.Value)
			}
			value, _ := res.Data["text/plain"].(string)
			for _, want := range tt.value {
				if !strings.Contains(value, want) {
					t.Errorf("Out lacks %q:\n%s", want, value)
				}
			}
			if tt.page == nil {
				if len(res.Payloads) != 0 {
					t.Errorf("payloads %v, want none", res.Payloads)
				}
				return
			}
			if len(res.Payloads) != 1 || res.Payloads[0]["source"] != "page" {
				t.Fatalf("payloads %v, want one page", res.Payloads)
			}
			text, _ := res.Payloads[0]["data"].(map[string]any)["text/plain"].(string)
			for _, want := range tt.page {
				if !strings.Contains(text, want) {
					t.Errorf("page lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
