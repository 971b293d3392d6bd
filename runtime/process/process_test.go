package process_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"github.com/gokernel/gokernel/runtime/process"
)

func TestChildrenHaveTheirOwnPids(t *testing.T) {
	var procs []*process.Process
	for range 3 {
		p := process.New(pid)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	seen := map[int]bool{os.Getpid(): true}
	for _, p := range procs {
		v, err := p.Result()
		if err != nil {
			t.Fatal(err)
		}
		got := v.(int)
		if got != p.Pid() {
			t.Errorf("child reports pid %d, Pid() = %d", got, p.Pid())
		}
		if seen[got] {
			t.Errorf("pid %d seen twice (the parent is %d)", got, os.Getpid())
		}
		seen[got] = true
	}
}

func TestCurrentNamesTheChild(t *testing.T) {
	if name := process.Current().Name(); name != "MainProcess" {
		t.Errorf("Current().Name() in the parent = %q, want MainProcess", name)
	}
	if pid := process.Current().Pid(); pid != os.Getpid() {
		t.Errorf("Current().Pid() in the parent = %d, want %d", pid, os.Getpid())
	}
	named := process.New(whoami).Named("P1")
	unnamed := process.New(whoami)
	for _, p := range []*process.Process{named, unnamed} {
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		v, err := p.Result()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v.(card), (card{Name: p.Name(), Pid: p.Pid()}); got != want {
			t.Errorf("the child sees itself as %+v, want %+v", got, want)
		}
	}
	if !strings.HasPrefix(unnamed.Name(), "Process-") {
		t.Errorf("default name %q, want Process-N", unnamed.Name())
	}
}

// loadAverage returns the system's load average over the last minute, or 0
// if it is unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0
	}
	load, _ := strconv.ParseFloat(fields[0], 64)
	return load
}

// sink keeps the compiler from dropping the calibration work.
var sink uint64

// TestParallel checks that two CPU-bound children on two cores take about
// as long as one.
func TestParallel(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	// Calibrate a load of about 300 ms in this process.
	n := 1 << 20
	for {
		start := time.Now()
		sink += spin(n)
		if time.Since(start) > 30*time.Millisecond {
			n = int(float64(n) * float64(300*time.Millisecond) / float64(time.Since(start)))
			break
		}
		n *= 2
	}
	run := func(count int) time.Duration {
		start := time.Now()
		var procs []*process.Process
		for range count {
			p := process.New(spin, n)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			procs = append(procs, p)
		}
		for _, p := range procs {
			if err := p.Join(); err != nil {
				t.Fatal(err)
			}
		}
		return time.Since(start)
	}
	// Run in turns would take twice as long. Other work on the machine
	// can slow a measurement down, so a few attempts are allowed.
	for attempt := 1; ; attempt++ {
		one := run(1)
		two := run(2)
		ratio := float64(two) / float64(one)
		t.Logf("one child: %v, two children: %v (ratio %.2f)", one, two, ratio)
		if ratio < 1.5 {
			return
		}
		if attempt == 3 {
			if load := loadAverage(); load > float64(runtime.NumCPU())-0.5 {
				t.Skipf("two children took %.2f times as long as one, but the machine is busy (load %.1f on %d CPUs)", ratio, load, runtime.NumCPU())
			}
			t.Fatalf("two children took %.2f times as long as one: not parallel", ratio)
		}
	}
}

func TestHowProcessesEnd(t *testing.T) {
	tests := []struct {
		name     string
		p        *process.Process
		stop     func(p *process.Process) // called after Start
		code     int
		wantErr  string // substring of Join's error; "" for none
		wantType any    // a pointer to the type Join's error must have
	}{
		{name: "returns", p: process.New(square, 4), code: 0},
		{name: "panics", p: process.New(boom, "kaboom"), code: 1, wantErr: "panic: kaboom", wantType: new(*process.PanicError)},
		{name: "returns error", p: process.New(fail, "bad input"), code: 1, wantErr: "bad input"},
		{name: "os.Exit", p: process.New(exitWith, 3), code: 3, wantErr: "exited with code 3", wantType: new(*process.ExitError)},
		{name: "Goexit", p: process.New(goexit), code: 1, wantErr: "Goexit"},
		{name: "Kill", p: process.New(sleep, time.Minute), stop: (*process.Process).Kill,
			code: -9, wantErr: "killed by signal 9", wantType: new(*process.ExitError)},
		{name: "Terminate", p: process.New(sleep, time.Minute), stop: (*process.Process).Terminate,
			code: -15, wantErr: "killed by signal 15", wantType: new(*process.ExitError)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			if code := p.ExitCode(); code != -1 {
				t.Errorf("ExitCode() before Start = %d, want -1", code)
			}
			var err error
			testutil.CaptureStderr(t, func() {
				if err := p.Start(); err != nil {
					t.Fatal(err)
				}
				if tc.stop != nil {
					if !p.Alive() || p.ExitCode() != -1 {
						t.Errorf("Alive() = %v, ExitCode() = %d while running, want true, -1", p.Alive(), p.ExitCode())
					}
					tc.stop(p)
				}
				err = p.Join()
			})
			if p.Alive() {
				t.Error("Alive() after Join")
			}
			if code := p.ExitCode(); code != tc.code {
				t.Errorf("ExitCode() = %d, want %d", code, tc.code)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Join() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Join() = %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.wantType != nil && !errors.As(err, tc.wantType) {
				t.Errorf("Join() = %T, want %T", err, tc.wantType)
			}
		})
	}
}

func TestPanicCarriesTheChildsStack(t *testing.T) {
	p := process.New(boom, "out of cheese").Named("P7")
	var err error
	report := testutil.CaptureStderr(t, func() {
		p.Start()
		err = p.Join()
	})
	var pe *process.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Join() = %v, want a *PanicError", err)
	}
	if pe.Value != "out of cheese" {
		t.Errorf("panic value %q, want %q", pe.Value, "out of cheese")
	}
	if !strings.Contains(string(pe.Stack), "process_test.boom") {
		t.Errorf("stack does not show the panicking function:\n%s", pe.Stack)
	}
	for _, want := range []string{"Exception in process P7:", "panic: out of cheese", "process_test.boom"} {
		if !strings.Contains(report, want) {
			t.Errorf("the child's report on stderr lacks %q:\n%s", want, report)
		}
	}
}

func TestResult(t *testing.T) {
	p := process.New(fail, "nope")
	if _, err := p.Result(); err == nil || !strings.Contains(err.Error(), "not started") {
		t.Errorf("Result() before Start = %v, want an error", err)
	}
	testutil.CaptureStderr(t, func() { p.Start(); p.Join() })
	v, err := p.Result()
	if v != 7 || err == nil || err.Error() != "nope" {
		t.Errorf("Result() = %v, %v; want 7, nope", v, err)
	}
	if err := p.Start(); err == nil {
		t.Error("a second Start succeeded")
	}
}

// TestOutputInterleaves checks that a child's output reaches the parent's
// standard output as it is written, between the parent's own lines.
func TestOutputInterleaves(t *testing.T) {
	out, err := runScenario(t, "interleave", nil)
	if err != nil {
		t.Fatalf("scenario failed: %v\n%s", err, out)
	}
	want := "parent start\nchild 1\nparent 1\nchild 2\nparent 2\nchild 3\nparent 3\nparent end\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// runScenario runs the test binary as the named scenario and returns its
// standard output.
func runScenario(t *testing.T, name string, env []string) (string, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), scenarioEnv+"="+name), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	return string(out), err
}

func TestLauncher(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	process.SetLauncher(func() (process.Command, error) {
		calls++
		return process.Command{Path: exe, Env: []string{"PROCESS_TEST_GREETING=hello"}}, nil
	})
	defer process.SetLauncher(nil)
	p := process.New(env, "PROCESS_TEST_GREETING")
	p.Start()
	v, err := p.Result()
	if err != nil || v != "hello" || calls != 1 {
		t.Errorf("Result() = %q, %v after %d launcher calls; want hello, nil, 1", v, err, calls)
	}

	process.SetLauncher(func() (process.Command, error) { return process.Command{}, errors.New("no way") })
	if err := process.New(square, 1).Start(); err == nil || !strings.Contains(err.Error(), "no way") {
		t.Errorf("Start() with a failing launcher = %v", err)
	}
}

// TestChildWithoutMain checks what happens when the child program does not
// call process.Main: it runs its own main, cannot start children, and its
// parent learns that no result came.
func TestChildWithoutMain(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	process.SetLauncher(func() (process.Command, error) {
		return process.Command{Path: exe, Env: []string{unservedEnv + "=1", scenarioEnv + "=unserved"}}, nil
	})
	defer process.SetLauncher(nil)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	p := process.New(square, 2)
	err = p.Start()
	os.Stdout = saved
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	jerr := p.Join()
	out, _ := io.ReadAll(r)
	if jerr == nil || !strings.Contains(jerr.Error(), "does its main call process.Main first?") {
		t.Errorf("Join() = %v, want an error about process.Main", jerr)
	}
	if !strings.Contains(string(out), "did not call process.Main") {
		t.Errorf("the child could start a process of its own; it printed %q", out)
	}
}

func TestKillAll(t *testing.T) {
	var procs []*process.Process
	for range 3 {
		p := process.New(sleep, time.Minute)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	w := process.NewWorker("W")
	defer w.Close()
	busy := make(chan error, 1)
	go func() { _, err := w.Call(sleep, time.Minute); busy <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for w.Pid() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	pids := []int{w.Pid()}
	for _, p := range procs {
		pids = append(pids, p.Pid())
	}

	start := time.Now()
	process.KillAll()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("KillAll took %v", d)
	}
	for _, p := range procs {
		if p.Alive() || p.ExitCode() != -9 {
			t.Errorf("after KillAll: Alive() = %v, ExitCode() = %d", p.Alive(), p.ExitCode())
		}
	}
	var ee *process.ExitError
	if err := <-busy; !errors.As(err, &ee) || ee.Code != -9 {
		t.Errorf("the worker's call ended with %v, want an ExitError with code -9", err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("process %d still exists after KillAll (kill: %v)", pid, err)
		}
	}
	// The worker starts a new child for its next call.
	if v, err := w.Call(square, 5); v != 25 || err != nil {
		t.Errorf("worker after KillAll: Call = %v, %v", v, err)
	}
}

// gone reports whether the process pid has ended: it does not exist, or it
// is a zombie that nobody has reaped yet.
func gone(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	// The state follows the command name, which is in parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func TestChildrenDieWithTheirParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's")
	}
	out, err := runScenario(t, "orphan", nil)
	if err != nil {
		t.Fatalf("scenario failed: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("scenario printed %q, want a pid", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d outlived its parent by 10 s", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestChildSurvivesTheThreadThatStartedIt checks that a child started from a
// goroutine whose OS thread then exits is not killed with that thread, as the
// parent-death signal would do if the child were forked from it.
func TestChildSurvivesTheThreadThatStartedIt(t *testing.T) {
	started := make(chan *process.Process)
	const n = 4 // one of the goroutines may run on the main thread, which never exits
	for range n {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			p := process.New(sleepThen, 300)
			if err := p.Start(); err != nil {
				t.Error(err)
			}
			started <- p
		}()
	}
	for range n {
		p := <-started
		v, err := p.Result()
		if v != 300 || err != nil {
			t.Errorf("Result() = %v, %v; want 300, nil (exit code %d)", v, err, p.ExitCode())
		}
	}
}
