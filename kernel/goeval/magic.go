package goeval

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// pagerQuery matches "name?" and "pkg.Name?" (and ?? forms) on a line of its own.
var pagerQuery = regexp.MustCompile(`^\s*\??\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\?{1,2}\s*$`)

// execute runs a cell: documentation queries, cell magics (%%name on the first line), line
// magics (%name on a line of their own) and Go.
func (e *Engine) execute(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	code := req.Code
	trimmed := strings.TrimSpace(code)
	if m := pagerQuery.FindStringSubmatch(trimmed); m != nil {
		return e.page(m[1])
	}
	if strings.HasPrefix(strings.TrimLeft(code, " \t\n"), "%%") {
		return e.cellMagic(ctx, req, out)
	}
	pieces := splitLineMagics(code)
	var last engine.ExecuteResult
	for _, p := range pieces {
		r := req
		r.Code = p.code
		var res engine.ExecuteResult
		if p.magic {
			res = e.lineMagic(ctx, r, out, p.line)
		} else {
			res = e.runGo(ctx, r)
		}
		if res.Err != nil {
			return res
		}
		last = res
	}
	return last
}

// piece is a run of Go lines or one line magic. Go pieces keep blank lines in place of the
// lines before them, so that errors name the cell's own line numbers.
type piece struct {
	magic bool
	code  string
	line  int // 1-based cell line of a magic
}

// splitLineMagics splits a cell at lines that start with a single %.
func splitLineMagics(code string) []piece {
	lines := strings.Split(code, "\n")
	var pieces []piece
	start := 0
	flush := func(end int) {
		if end <= start {
			return
		}
		text := strings.Join(lines[start:end], "\n")
		if strings.TrimSpace(text) == "" {
			return
		}
		pieces = append(pieces, piece{code: strings.Repeat("\n", start) + text})
	}
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		if strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "%%") {
			flush(i)
			pieces = append(pieces, piece{magic: true, code: t, line: i + 1})
			start = i + 1
		}
	}
	flush(len(lines))
	if len(pieces) == 0 {
		pieces = append(pieces, piece{code: code})
	}
	return pieces
}

// usageError reports a wrong use of a magic.
func usageError(format string, args ...any) engine.ExecuteResult {
	msg := fmt.Sprintf(format, args...)
	return engine.ExecuteResult{Err: newError("UsageError", msg)}
}

// page answers "name?" with the documentation as a pager payload.
func (e *Engine) page(name string) engine.ExecuteResult {
	doc, ok := e.documentation(name)
	if !ok {
		return engine.ExecuteResult{Err: newError("NameError", "no documentation found for "+name)}
	}
	return engine.ExecuteResult{Payloads: []map[string]any{{
		"source": "page",
		"data":   map[string]any{"text/plain": doc},
		"start":  0,
	}}}
}

// lineMagic runs one %name line.
func (e *Engine) lineMagic(ctx context.Context, req engine.ExecuteRequest, out engine.Output, line int) engine.ExecuteResult {
	name, args, _ := strings.Cut(strings.TrimSpace(req.Code), " ")
	args = strings.TrimSpace(args)
	// The statement of %time and %timeit keeps its position in the cell.
	stmt := strings.Repeat("\n", line-1) + strings.Repeat(" ", len(name)+1) + args
	switch name {
	case "%help", "%lsmagic":
		return engine.ExecuteResult{Data: map[string]any{"text/plain": helpText}}
	case "%time":
		if args == "" {
			return usageError("%%time needs a statement: %%time f()")
		}
		r := req
		r.Code = stmt
		return e.timed(ctx, r, out)
	case "%timeit":
		return e.timeit(ctx, req, out, args, line, false)
	case "%env":
		return e.env(args, out)
	}
	return usageError("unknown magic %s (type %%help for the list)", name)
}

// cellMagic runs a cell whose first line is %%name.
func (e *Engine) cellMagic(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	code := strings.TrimLeft(req.Code, " \t\n")
	skipped := strings.Count(req.Code[:len(req.Code)-len(code)], "\n")
	first, body, _ := strings.Cut(code, "\n")
	name, args, _ := strings.Cut(strings.TrimSpace(first), " ")
	body = strings.Repeat("\n", skipped+1) + body
	switch name {
	case "%%time":
		r := req
		r.Code = body
		return e.timed(ctx, r, out)
	case "%%timeit":
		return e.timeit(ctx, req, out, strings.TrimSpace(args)+"\n"+body, 0, true)
	case "%%timeline":
		r := req
		r.Code = body
		return e.timelineCell(ctx, r, out)
	}
	return usageError("unknown cell magic %s (type %%help for the list)", name)
}

// timelineCell runs a cell while recording what its threads, goroutines, locks, queues and
// pools do, then shows the execution timeline under the cell's output.
func (e *Engine) timelineCell(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	timeline.Start()
	res := e.runGo(ctx, req)
	rec := timeline.Stop()
	if e.capture != nil {
		e.capture.Sync() // the cell's own output first, then the chart
	}
	out.Display(map[string]any{"image/svg+xml": rec.SVG(), "text/plain": rec.Text()}, nil, "", false)
	return res
}

// cpuTimes returns the process's user and system CPU time.
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// timed runs Go code once and prints its CPU and wall time as IPython's %time does. The
// code's own output and Out[] value are kept.
func (e *Engine) timed(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	u0, s0 := cpuTimes()
	start := time.Now()
	res := e.runGo(ctx, req)
	wall := time.Since(start)
	u1, s1 := cpuTimes()
	user, sys := u1-u0, s1-s0
	out.Stream("stdout", fmt.Sprintf("CPU times: user %s, sys: %s, total: %s\nWall time: %s\n",
		formatDuration(user.Seconds()), formatDuration(sys.Seconds()), formatDuration((user+sys).Seconds()), formatDuration(wall.Seconds())))
	return res
}

// formatDuration writes a time span in seconds the way IPython does: three significant
// digits in s, ms, µs or ns, and days, hours, minutes and seconds for long spans.
func formatDuration(s float64) string {
	if s >= 60 {
		var parts []string
		for _, u := range []struct {
			name string
			size float64
		}{{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}} {
			if n := math.Floor(s / u.size); n > 0 {
				parts = append(parts, fmt.Sprintf("%.0f%s", n, u.name))
				s = math.Mod(s, u.size)
			}
			if s < 1 {
				break
			}
		}
		return strings.Join(parts, " ")
	}
	units := []string{"s", "ms", "µs", "ns"}
	order := 3
	if s > 0 {
		exp := int(math.Floor(math.Log10(s)))
		order = min(-floorDiv(exp, 3), 3)
	}
	return strconv.FormatFloat(s*math.Pow(1000, float64(order)), 'g', 3, 64) + " " + units[order]
}

// floorDiv divides rounding toward negative infinity, as Python's //.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// timeitFunc is the session variable that holds the statement %timeit runs.
const timeitFunc = "__gk_timeit"

// timeit runs a statement many times and prints mean ± standard deviation per loop, as
// IPython's %timeit does. spec holds the options and the statement; for the cell form, the
// statement starts on its second line.
func (e *Engine) timeit(ctx context.Context, req engine.ExecuteRequest, out engine.Output, spec string, line int, cell bool) engine.ExecuteResult {
	optLine, rest, _ := strings.Cut(spec, "\n")
	if !cell {
		optLine, rest = spec, ""
	}
	fs := flag.NewFlagSet("%timeit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	loops := fs.Int("n", 0, "loops per run")
	runs := fs.Int("r", 7, "runs")
	if err := fs.Parse(strings.Fields(optLine)); err != nil {
		return usageError("%%timeit: %v (usage: %%timeit [-n N] [-r R] statement)", err)
	}
	stmt := rest
	if !cell {
		// The statement is what follows the options, at its place on the magic's line.
		stmt = strings.Repeat("\n", line-1) + strings.Join(fs.Args(), " ")
	}
	if strings.TrimSpace(stmt) == "" {
		return usageError("%%timeit needs a statement")
	}
	if *runs < 1 {
		return usageError("%%timeit: -r must be at least 1")
	}
	// Compile the statement once, as the body of a function the loop calls.
	r := req
	r.Code = timeitFunc + " = func() {" + stmt + "\n}"
	if res := e.runGo(ctx, r); res.Err != nil {
		return res
	}
	v, err := e.evalRaw(ctx, timeitFunc)
	if err != nil {
		return engine.ExecuteResult{Err: &engine.Error{Name: "InternalError", Value: err.Error(), Traceback: []string{err.Error()}}}
	}
	f, ok := v.Interface().(func())
	if !ok {
		return engine.ExecuteResult{Err: &engine.Error{Name: "InternalError", Value: "timeit: not a func()", Traceback: []string{"timeit: not a func()"}}}
	}
	run := func(n int) (time.Duration, bool) {
		start := time.Now()
		for i := 0; i < n; i++ {
			if ctx.Err() != nil {
				return 0, false
			}
			f()
		}
		return time.Since(start), true
	}
	n := *loops
	if n <= 0 {
		// As IPython: the first power of ten whose run takes at least 0.2 s.
		for n = 1; ; n *= 10 {
			d, ok := run(n)
			if !ok {
				return engine.ExecuteResult{Err: interruptedError()}
			}
			if d >= 200*time.Millisecond || n >= 1e9 {
				break
			}
		}
	}
	perLoop := make([]float64, *runs)
	for i := range perLoop {
		d, ok := run(n)
		if !ok {
			return engine.ExecuteResult{Err: interruptedError()}
		}
		perLoop[i] = d.Seconds() / float64(n)
	}
	mean, std := meanStd(perLoop)
	out.Stream("stdout", fmt.Sprintf("%s ± %s per loop (mean ± std. dev. of %d run%s, %s loop%s each)\n",
		formatDuration(mean), formatDuration(std), *runs, plural(*runs), groupThousands(n), plural(n)))
	return engine.ExecuteResult{}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// groupThousands writes n with commas: 1,000,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// meanStd returns the mean and the population standard deviation, as IPython reports.
func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

// env lists, shows or sets environment variables, as IPython's %env.
func (e *Engine) env(args string, out engine.Output) engine.ExecuteResult {
	switch {
	case args == "":
		vars := os.Environ()
		sort.Strings(vars)
		return engine.ExecuteResult{Data: map[string]any{"text/plain": strings.Join(vars, "\n")}}
	case strings.Contains(args, "="):
		k, v, _ := strings.Cut(args, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if err := os.Setenv(k, v); err != nil {
			return usageError("%%env: %v", err)
		}
		out.Stream("stdout", "env: "+k+"="+v+"\n")
		return engine.ExecuteResult{}
	default:
		v, ok := os.LookupEnv(args)
		if !ok {
			return usageError("%%env: environment variable %s is not set", args)
		}
		return engine.ExecuteResult{Data: map[string]any{"text/plain": strconv.Quote(v)}}
	}
}
