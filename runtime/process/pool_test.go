package process_test

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/process"
)

// The tests of pool.Processes live here, where the test binary can serve as
// a child process.

func TestProcessPoolMap(t *testing.T) {
	ex := pool.Processes(3)
	defer ex.Close()
	xs := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	got, err := ex.Map(square, xs)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if got[i] != x*x {
			t.Errorf("Map result %d = %v, want %d", i, got[i], x*x)
		}
	}
}

func TestProcessPoolReusesWorkers(t *testing.T) {
	ex := pool.Processes(2)
	pids, err := ex.Map(pid, make([]struct{}, 0)) // no items: no worker
	if err != nil || len(pids) != 0 {
		t.Fatalf("Map over nothing = %v, %v", pids, err)
	}
	var futs []*pool.Future
	for range 12 {
		futs = append(futs, ex.Submit(pid))
	}
	seen := map[int]bool{}
	for _, f := range futs {
		v, err := f.Result()
		if err != nil {
			t.Fatal(err)
		}
		seen[v.(int)] = true
	}
	if len(seen) > 2 || seen[os.Getpid()] {
		t.Errorf("12 tasks on 2 workers ran in processes %v (parent %d)", seen, os.Getpid())
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	for p := range seen {
		if err := syscall.Kill(p, 0); err != syscall.ESRCH {
			t.Errorf("worker %d still exists after Close (kill: %v)", p, err)
		}
	}
}

func TestProcessPoolAsCompleted(t *testing.T) {
	ex := pool.Processes(3)
	defer ex.Close()
	var futs []*pool.Future
	for _, ms := range []int{300, 10, 150} {
		futs = append(futs, ex.Submit(sleepThen, ms))
	}
	var order []any
	for f := range pool.AsCompleted(futs) {
		v, err := f.Result()
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, v)
	}
	if len(order) != 3 || order[0] != 10 || order[2] != 300 {
		t.Errorf("completion order %v, want [10 150 300]", order)
	}
}

func sleepThen(ms int) int {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return ms
}

// pidFor and whoamiFor are pid and whoami for Map, which passes an item.
func pidFor(int) int { return pid() }

func whoamiFor(int) card { return whoami() }

func init() {
	process.Register("sleepThen", sleepThen)
	process.Register("pidFor", pidFor)
	process.Register("whoamiFor", whoamiFor)
}

func TestProcessPoolFailuresStayWithTheirTask(t *testing.T) {
	var panicked, failed, ok *pool.Future
	report := testutil.CaptureStderr(t, func() { // the workers inherit the pipe until Close
		ex := pool.Processes(1) // one worker: every task runs after the failures
		panicked = ex.Submit(boom, "task panic")
		failed = ex.Submit(fail, "task error")
		ok = ex.Submit(square, 6)
		ex.Close()
	})
	if _, err := panicked.Result(); err == nil || !strings.Contains(err.Error(), "panic: task panic") {
		t.Errorf("panicking task: %v", err)
	}
	if v, err := failed.Result(); v != 7 || err == nil || err.Error() != "task error" {
		t.Errorf("failing task: %v, %v", v, err)
	}
	if v, err := ok.Result(); v != 36 || err != nil {
		t.Errorf("task after failures: %v, %v", v, err)
	}
	if report != "" {
		t.Errorf("pool tasks wrote to stderr: %q", report)
	}
}

func TestProcessPoolReplacesAKilledWorker(t *testing.T) {
	ex := pool.Processes(2)
	defer ex.Close()
	q := process.NewQueue()
	victim := ex.Submit(reportPid, q, time.Minute)
	other := ex.Submit(reportPid, q, 200*time.Millisecond)
	first, second := q.Get().(int), q.Get().(int)
	// Kill the worker running the long task; the other one keeps going.
	otherPid, _ := other.Result()
	target := first
	if target == otherPid {
		target = second
	}
	if err := syscall.Kill(target, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err := victim.Result()
	var ee *process.ExitError
	if !errors.As(err, &ee) || ee.Code != -9 || ee.Pid != target {
		t.Errorf("the killed task failed with %v, want an ExitError for pid %d with code -9", err, target)
	}
	if !strings.Contains(err.Error(), "PoolWorker-") {
		t.Errorf("error %q does not name the worker", err)
	}
	// The next tasks succeed, one of them on a new worker.
	results, err := ex.Map(pidFor, []int{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r == target {
			t.Errorf("a task ran on the killed worker %d", target)
		}
	}
}

func TestProcessPoolWorkerNames(t *testing.T) {
	ex := pool.Processes(2)
	defer ex.Close()
	got, err := ex.Map(whoamiFor, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if name := got[0].(card).Name; name != "PoolWorker-1" {
		t.Errorf("Current().Name() in a pool worker = %q, want PoolWorker-1", name)
	}
}

func TestProcessPoolRefusesBeforeStartingWorkers(t *testing.T) {
	ex := pool.Processes(1)
	defer ex.Close()
	_, err := ex.Submit(func(n int) int { return n }, 1).Result()
	if err == nil || !strings.Contains(err.Error(), "anonymous function") {
		t.Errorf("closure task: %v", err)
	}
	_, err = ex.Submit(identity, make(chan int)).Result()
	var ute *process.UnsupportedTypeError
	if !errors.As(err, &ute) {
		t.Errorf("chan argument: %v, want an UnsupportedTypeError", err)
	}
}
