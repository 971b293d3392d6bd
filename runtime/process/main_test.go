package process_test

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/process"
)

// The functions that the tests run in child processes. The test binary is
// the child's program too, so registering them in init makes them known on
// both sides.
func init() {
	process.Register("square", square)
	process.Register("pid", pid)
	process.Register("whoami", whoami)
	process.Register("spin", spin)
	process.Register("sleep", sleep)
	process.Register("boom", boom)
	process.Register("exitWith", exitWith)
	process.Register("fail", fail)
	process.Register("goexit", goexit)
	process.Register("produce", produce)
	process.Register("consume", consume)
	process.Register("relay", relay)
	process.Register("identity", identity)
	process.Register("increment", increment)
	process.Register("fillRow", fillRow)
	process.Register("sum", sum)
	process.Register("printLines", printLines)
	process.Register("reportPid", reportPid)
	process.Register("env", env)
	process.Register("startChild", startChild)
	for _, c := range roundTrips {
		process.Register("echo:"+c.name, echoFunc(c.value))
	}
}

// TestMain serves the job of a child process when the test binary runs as
// one, and runs a scenario when a test asks for one (see scenarioEnv).
func TestMain(m *testing.M) {
	switch {
	case os.Getenv(interpEnv) != "":
		process.Serve(interpResolver)
	case os.Getenv(unservedEnv) == "":
		process.Main()
	}
	if name := os.Getenv(scenarioEnv); name != "" {
		if err := scenarios[name](); err != nil {
			fmt.Fprintln(os.Stderr, "scenario:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// A program built with -race sleeps a second before it exits, to let
	// reports finish; the children of these tests exit by the hundred.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	os.Exit(m.Run())
}

func square(n int) int { return n * n }

func pid() int { return os.Getpid() }

// card is how a process sees itself.
type card struct {
	Name string
	Pid  int
}

// whoami returns the name and pid the child sees for itself.
func whoami() card {
	p := process.Current()
	return card{p.Name(), p.Pid()}
}

// spin keeps one CPU busy for n rounds of arithmetic and returns a result
// that depends on every round.
func spin(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func sleep(d time.Duration) { time.Sleep(d) }

func boom(msg string) int { panic(msg) }

func exitWith(code int) { os.Exit(code) }

func fail(msg string) (int, error) { return 7, errors.New(msg) }

func goexit() { runtime.Goexit() }

// produce puts the numbers from 0 to n-1 on q.
func produce(q *process.Queue, n int) error {
	for i := range n {
		if err := q.Put(i); err != nil {
			return err
		}
	}
	return nil
}

// consume takes n numbers from q and returns their sum.
func consume(q *process.Queue, n int) int {
	total := 0
	for range n {
		total += q.Get().(int)
	}
	return total
}

// relay takes n items from in and puts each, doubled, on out.
func relay(in, out *process.Queue, n int) error {
	for range n {
		if err := out.Put(2 * in.Get().(int)); err != nil {
			return err
		}
	}
	return nil
}

func identity(x any) any { return x }

// increment adds 1 to v n times, under the lock if locked is set.
func increment(v *process.Value, n int, locked bool) {
	for range n {
		if locked {
			v.Lock()
		}
		v.Set(v.Get() + 1)
		if locked {
			v.Unlock()
		}
	}
}

// fillRow sets row of a, whose rows have width elements, to row*100+column.
func fillRow(a *process.Array, row, width int) {
	for c := range width {
		a.SetFloat(row*width+c, float64(row*100+c))
	}
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// printLines prints the lines, taking a turn from turns before each one and
// putting one on done after it, so that the parent can interleave its own
// lines.
func printLines(lines []string, turns, done *process.Queue) {
	for _, l := range lines {
		turns.Get()
		fmt.Println(l)
		done.Put(true)
	}
}

// reportPid puts the worker's pid on q and then sleeps for d.
func reportPid(q *process.Queue, d time.Duration) int {
	q.Put(os.Getpid())
	time.Sleep(d)
	return os.Getpid()
}

func env(key string) string { return os.Getenv(key) }

// startChild tries to start a process from a child that did not call Main.
func startChild() error { return process.New(square, 2).Start() }

// scenarioEnv names a scenario for the test binary to run instead of the
// tests, in a process of its own whose output a test captures.
const scenarioEnv = "PROCESS_TEST_SCENARIO"

// unservedEnv makes the test binary skip process.Main, as a program that
// forgot to call it would.
const unservedEnv = "PROCESS_TEST_UNSERVED"

var scenarios = map[string]func() error{
	"interleave": scenarioInterleave,
	"unserved":   scenarioUnserved,
	"orphan":     scenarioOrphan,
}

// scenarioOrphan starts a long child, prints its pid and exits without
// waiting for it.
func scenarioOrphan() error {
	p := process.New(sleep, time.Minute)
	if err := p.Start(); err != nil {
		return err
	}
	fmt.Println(p.Pid())
	return nil
}

// scenarioInterleave prints lines from the parent and a child in turns.
func scenarioInterleave() error {
	turns, done := process.NewQueue(), process.NewQueue()
	p := process.New(printLines, []string{"child 1", "child 2", "child 3"}, turns, done)
	fmt.Println("parent start")
	if err := p.Start(); err != nil {
		return err
	}
	for i := 1; i <= 3; i++ {
		turns.Put(true)
		done.Get()
		fmt.Println("parent " + strconv.Itoa(i))
	}
	if err := p.Join(); err != nil {
		return err
	}
	fmt.Println("parent end")
	return nil
}

// scenarioUnserved is the main of a program that does not call process.Main:
// run as a child, it tries to start a child of its own and prints what
// happened.
func scenarioUnserved() error {
	fmt.Println("unserved main ran:", startChild())
	return nil
}
