package thread

import (
	"errors"
	"fmt"
	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

var errTarget = errors.New("target failed")

func TestThreadRunsTarget(t *testing.T) {
	tests := []struct {
		name    string
		target  func(got *atomic.Int64) any // builds the target
		args    []any
		want    int64 // value the target stores
		wantErr error
	}{
		{
			name:   "no args",
			target: func(got *atomic.Int64) any { return func() { got.Store(7) } },
			want:   7,
		},
		{
			name:   "args",
			target: func(got *atomic.Int64) any { return func(a, b int) { got.Store(int64(a * b)) } },
			args:   []any{6, 7},
			want:   42,
		},
		{
			name: "value and error results",
			target: func(got *atomic.Int64) any {
				return func(n int64) (int64, error) { got.Store(n); return n, nil }
			},
			args: []any{5}, // int converted to int64
			want: 5,
		},
		{
			name:    "returned error",
			target:  func(got *atomic.Int64) any { return func() error { got.Store(1); return errTarget } },
			want:    1,
			wantErr: errTarget,
		},
		{
			name:    "panic with error value",
			target:  func(got *atomic.Int64) any { return func() { got.Store(2); panic(errTarget) } },
			want:    2,
			wantErr: errTarget,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got atomic.Int64
			th := New(tt.target(&got), tt.args...)
			var startErr, joinErr error
			testutil.CaptureStderr(t, func() {
				if startErr = th.Start(); startErr == nil {
					joinErr = th.Join()
				}
			})
			if startErr != nil {
				t.Fatalf("Start: %v", startErr)
			}
			if got.Load() != tt.want {
				t.Errorf("target stored %d, want %d", got.Load(), tt.want)
			}
			if !errors.Is(joinErr, tt.wantErr) || (joinErr == nil) != (tt.wantErr == nil) {
				t.Errorf("Join = %v, want %v", joinErr, tt.wantErr)
			}
			if th.Err() != joinErr {
				t.Errorf("Err = %v, Join = %v", th.Err(), joinErr)
			}
			if th.Alive() {
				t.Error("Alive after Join")
			}
		})
	}
}

func worker(id int) {}

func TestStartRejectsMismatchedTarget(t *testing.T) {
	tests := []struct {
		name   string
		target any
		args   []any
		want   string
	}{
		{name: "missing arg", target: worker, want: "thread.worker takes 1 argument (int), got 0 ()"},
		{name: "wrong type", target: worker, args: []any{"one"}, want: "thread.worker: argument 1 is string, want int"},
		{name: "not a function", target: "worker", want: "target is string (worker), want a function"},
		{name: "nil target", target: nil, want: "target is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := New(tt.target, tt.args...).Named("T9")
			err := th.Start()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "thread: start T9: ") {
				t.Fatalf("Start = %v, want an error naming T9 and containing %q", err, tt.want)
			}
			if joinErr := th.Join(); joinErr != err {
				t.Errorf("Join = %v, want the Start error", joinErr)
			}
			if th.Alive() {
				t.Error("thread that failed to start is alive")
			}
		})
	}
}

func TestMisuseIsAnError(t *testing.T) {
	release := make(chan struct{})
	running := New(func() { <-release })
	if err := running.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { close(release); running.Join() }()

	var selfJoin error
	self := New(func() { selfJoin = Current().Join() })
	if err := self.Start(); err != nil {
		t.Fatal(err)
	}
	if err := self.Join(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "start twice", err: running.Start(), want: "can only be started once"},
		{name: "join unstarted", err: New(worker).Named("U").Join(), want: "join U: thread was not started"},
		{name: "join itself", err: selfJoin, want: "a thread cannot join itself"},
		{name: "join main", err: Current().Join(), want: "cannot join MainThread"},
		{name: "start main", err: Current().Start(), want: "cannot start MainThread"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, tt.err, tt.want)
		}
	}
}

func TestCurrentNamesTheCallingThread(t *testing.T) {
	nested := func() string { return Current().Name() }
	var direct, inner, inGoroutine string
	th := New(func() {
		direct = Current().Name()
		inner = nested()
		done := make(chan struct{})
		go func() { inGoroutine = Current().Name(); close(done) }()
		<-done
	}).Named("T1")
	if err := th.Start(); err != nil {
		t.Fatal(err)
	}
	if err := th.Join(); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ where, got, want string }{
		{"target", direct, "T1"},
		{"function called by target", inner, "T1"},
		{"goroutine started by target", inGoroutine, "MainThread"},
		{"test goroutine", Current().Name(), "MainThread"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Current().Name() in %s = %q, want %q", tt.where, tt.got, tt.want)
		}
	}
}

func TestDefaultNamesAreNumbered(t *testing.T) {
	re := regexp.MustCompile(`^Thread-(\d+)$`)
	var numbers []int
	for range 3 {
		New(worker, 1).Named("custom") // a named thread takes no number
		th := Go(worker, 1)
		m := re.FindStringSubmatch(th.Name())
		if m == nil {
			t.Fatalf("default name %q does not match %v", th.Name(), re)
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, n)
		if err := th.Join(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(numbers); i++ {
		if numbers[i] != numbers[i-1]+1 {
			t.Fatalf("default names not numbered consecutively: %v", numbers)
		}
	}
	if named := New(worker).Named("T1"); named.Name() != "T1" {
		t.Errorf("Named(\"T1\").Name() = %q", named.Name())
	}
}

func TestAliveAndCount(t *testing.T) {
	base := Count()
	if base < 1 {
		t.Fatalf("Count() = %d, want at least 1 for the main thread", base)
	}
	const n = 3
	release := make(chan struct{})
	var ths []*Thread
	for range n {
		th := New(func() { <-release })
		if th.Alive() {
			t.Error("Alive before Start")
		}
		if err := th.Start(); err != nil {
			t.Fatal(err)
		}
		if !th.Alive() {
			t.Error("not Alive right after Start")
		}
		ths = append(ths, th)
	}
	if got := Count(); got != base+n {
		t.Errorf("Count() with %d threads running = %d, want %d", n, got, base+n)
	}
	close(release)
	for _, th := range ths {
		if err := th.Join(); err != nil {
			t.Fatal(err)
		}
		if th.Alive() {
			t.Error("Alive after Join")
		}
	}
	if got := Count(); got != base {
		t.Errorf("Count() after Join = %d, want %d", got, base)
	}
	if !Current().Alive() {
		t.Error("main thread is not alive")
	}
}

func TestThreadsRunConcurrently(t *testing.T) {
	// Each thread waits for the other: this only finishes if both run at once.
	a, b := make(chan struct{}), make(chan struct{})
	t1 := Go(func() { close(a); <-b })
	t2 := Go(func() { close(b); <-a })
	done := make(chan struct{})
	go func() { t1.Join(); t2.Join(); close(done) }()
	testutil.Eventually(t, "two threads waiting for each other", done)
}

func TestFailureIsReportedOnStderr(t *testing.T) {
	tests := []struct {
		name   string
		run    func() error // starts a thread and joins it
		want   []string     // lines expected on stderr, in order
		silent bool
	}{
		{
			name: "panic",
			run:  func() error { return Go(func() { panic("boom") }).Named("T1").Join() },
			want: []string{"Exception in thread ", ":\npanic: boom\n\ngoroutine ", "TestFailureIsReportedOnStderr"},
		},
		{
			name: "panic in named thread",
			run: func() error {
				th := New(func(s []int) int { return s[5] }, []int{1}).Named("T2")
				th.Start()
				return th.Join()
			},
			want: []string{"Exception in thread T2:\npanic: runtime error: index out of range [5] with length 1"},
		},
		{
			name: "returned error",
			run:  func() error { th := New(func() error { return errTarget }).Named("T3"); th.Start(); return th.Join() },
			want: []string{"Exception in thread T3:\ntarget failed\n"},
		},
		{
			name: "Go with bad arguments",
			run:  func() error { return Go(worker, "x").Join() },
			want: []string{"Exception in thread Thread-", "thread.worker: argument 1 is string, want int"},
		},
		{
			name:   "success",
			run:    func() error { return Go(worker, 1).Join() },
			silent: true,
		},
		{
			name:   "Start error is returned, not printed",
			run:    func() error { th := New(worker); th.Start(); return nil },
			silent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			out := testutil.CaptureStderr(t, func() { err = tt.run() })
			if tt.silent {
				if out != "" {
					t.Fatalf("unexpected stderr output:\n%s", out)
				}
				return
			}
			if err == nil {
				t.Error("Join returned nil for a failed thread")
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestPanicErrorCarriesValue(t *testing.T) {
	th := New(func() { panic(fmt.Sprintf("bad %d", 7)) })
	var err error
	testutil.CaptureStderr(t, func() { th.Start(); err = th.Join() })
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Join = %v, want a *PanicError", err)
	}
	if pe.Value != "bad 7" {
		t.Errorf("panic value = %#v, want %q", pe.Value, "bad 7")
	}
}

func TestGoexitEndsThread(t *testing.T) {
	th := New(runtime.Goexit).Named("Exiter")
	var err error
	out := testutil.CaptureStderr(t, func() { th.Start(); err = th.Join() })
	if !errors.Is(err, ErrGoexit) {
		t.Fatalf("Join = %v, want ErrGoexit", err)
	}
	if !strings.Contains(out, "Exception in thread Exiter") {
		t.Errorf("no report on stderr: %q", out)
	}
	if th.Alive() {
		t.Error("Alive after Goexit")
	}
}

func TestString(t *testing.T) {
	release := make(chan struct{})
	th := New(func() { <-release }).Named("T1")
	states := []string{th.String()}
	th.Start()
	states = append(states, th.String())
	close(release)
	th.Join()
	states = append(states, th.String(), Current().String())
	want := []string{"Thread(T1, initial)", "Thread(T1, started)", "Thread(T1, stopped)", "Thread(MainThread, started)"}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("String() over the life of a thread = %q, want %q", states, want)
	}
}

// TestIdentTellsGoroutinesApart checks Ident against the header of the goroutine's stack
// trace, in the calling goroutine and in another one. (The ids themselves are tested in
// package goid.)
func TestIdentTellsGoroutinesApart(t *testing.T) {
	fromStack := func() int64 {
		buf := make([]byte, 64)
		buf = buf[:runtime.Stack(buf, false)]
		var id int64
		if _, err := fmt.Sscanf(string(buf), "goroutine %d ", &id); err != nil {
			t.Errorf("stack header %q: %v", buf, err)
		}
		return id
	}
	mine, fromMine := Ident(), fromStack()
	other := make(chan [2]int64)
	go func() { other <- [2]int64{Ident(), fromStack()} }()
	theirs := <-other
	if mine != fromMine || theirs[0] != theirs[1] || mine == theirs[0] || mine <= 0 {
		t.Errorf("Ident() = %d and %d, the stacks say %d and %d", mine, theirs[0], fromMine, theirs[1])
	}
}
