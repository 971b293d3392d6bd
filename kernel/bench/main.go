// Command bench measures gokernel against ipykernel with the same Go client in the same run.
//
//	go run ./kernel/bench [-n 200] [-lines 100000]
//
// It builds the kernel, starts each kernel the way Jupyter does, and prints start-up time,
// time to the first executed cell, the round trip of a trivial cell (median and p95), the time
// and message count of a cell printing many lines, and the idle resident memory, with the
// ratio gokernel/ipykernel for each.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gokernel/gokernel/kernel/client"
)

// trivial is the cell whose round trip is timed; it is the same in Go and Python.
const trivial = "1"

// kernelUnderTest is one kernel and the code that does the same work in its language.
type kernelUnderTest struct {
	name  string
	argv  []string
	lines func(n int) string
}

// measurement is what bench reports for one kernel.
type measurement struct {
	startup, firstCell time.Duration
	median, p95        time.Duration
	linesTime          time.Duration
	linesMsgs          int
	rssKiB             int
}

func main() {
	rounds := flag.Int("n", 200, "trivial round trips to time")
	lines := flag.Int("lines", 100000, "lines printed by the output test")
	flag.Parse()
	if err := run(*rounds, *lines); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rounds, lines int) error {
	dir, err := os.MkdirTemp("", "gokernel-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "gokernel")
	build := exec.Command("go", "build", "-o", bin, "./kernel")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	kernels := []kernelUnderTest{
		{
			name: "gokernel", argv: []string{bin, "-f", "{connection_file}"},
			lines: func(n int) string { return "for i := 0; i < " + strconv.Itoa(n) + "; i++ {\n\tfmt.Println(i)\n}" },
		},
		{
			name: "ipykernel", argv: []string{"/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"},
			lines: func(n int) string { return "for i in range(" + strconv.Itoa(n) + "):\n    print(i)" },
		},
	}
	results := make([]measurement, len(kernels))
	for i, k := range kernels {
		m, err := measure(k, rounds, lines)
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		results[i] = m
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	g, p := results[0], results[1]
	fmt.Fprintf(w, "metric\tgokernel\tipykernel\tratio\t\n")
	row := func(name string, a, b time.Duration) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%.3f\t\n", name, round(a), round(b), float64(a)/float64(b))
	}
	row("start to kernel_info_reply", g.startup, p.startup)
	row("start to first executed cell", g.firstCell, p.firstCell)
	row(fmt.Sprintf("trivial round trip, median of %d", rounds), g.median, p.median)
	row(fmt.Sprintf("trivial round trip, p95 of %d", rounds), g.p95, p.p95)
	row(fmt.Sprintf("%d lines until idle", lines), g.linesTime, p.linesTime)
	fmt.Fprintf(w, "%d lines: stream messages\t%d\t%d\t%.3f\t\n", lines, g.linesMsgs, p.linesMsgs, float64(g.linesMsgs)/float64(max(p.linesMsgs, 1)))
	fmt.Fprintf(w, "idle RSS (MiB)\t%.1f\t%.1f\t%.3f\t\n", float64(g.rssKiB)/1024, float64(p.rssKiB)/1024, float64(g.rssKiB)/float64(max(p.rssKiB, 1)))
	return w.Flush()
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

// measure starts one kernel and runs every measurement on it.
func measure(k kernelUnderTest, rounds, lines int) (measurement, error) {
	var m measurement
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	kern, err := client.Launch(ctx, k.argv, []string{"PYDEVD_DISABLE_FILE_VALIDATION=1"})
	if err != nil {
		return m, err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if kern.Shutdown(sctx) != nil {
			_ = kern.Kill()
		}
	}()
	// Launch returns once the kernel answered a kernel_info_request with its iopub connected.
	m.startup = time.Since(start)
	if _, err := kern.Client.Execute(ctx, trivial, client.ExecuteOptions{}); err != nil {
		return m, err
	}
	m.firstCell = time.Since(start)

	times := make([]time.Duration, rounds)
	for i := range times {
		t0 := time.Now()
		r, err := kern.Client.Execute(ctx, trivial, client.ExecuteOptions{})
		if err != nil {
			return m, err
		}
		if r.Status() != "ok" {
			return m, fmt.Errorf("trivial cell failed: %v", r.Err())
		}
		times[i] = time.Since(t0)
	}
	slices.Sort(times)
	m.median = times[len(times)/2]
	m.p95 = times[len(times)*95/100]

	time.Sleep(500 * time.Millisecond)
	m.rssKiB, err = rss(kern.Cmd.Process.Pid)
	if err != nil {
		return m, err
	}

	t0 := time.Now()
	r, err := kern.Client.Execute(ctx, k.lines(lines), client.ExecuteOptions{})
	if err != nil {
		return m, err
	}
	m.linesTime = time.Since(t0)
	m.linesMsgs = len(r.Outputs("stream"))
	if got := strings.Count(r.Stdout(), "\n"); got != lines {
		return m, fmt.Errorf("printed %d lines, want %d", got, lines)
	}
	return m, nil
}

// rss reads a process's resident set size in KiB.
func rss(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				return strconv.Atoi(f[1])
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
