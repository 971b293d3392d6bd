package pool

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"github.com/gokernel/gokernel/runtime/thread"
)

// concurrency tracks how many calls are inside a section at once.
type concurrency struct{ inside, most atomic.Int32 }

func (c *concurrency) enter() {
	n := c.inside.Add(1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			return
		}
	}
}

func (c *concurrency) leave() { c.inside.Add(-1) }

func TestThreadsNeverExceedLimit(t *testing.T) {
	for _, limit := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("Threads(%d)", limit), func(t *testing.T) {
			ex := Threads(limit)
			var c concurrency
			var futs []*Future
			for range 4 * limit {
				futs = append(futs, ex.Submit(func() {
					c.enter()
					defer c.leave()
					time.Sleep(15 * time.Millisecond)
				}))
			}
			if err := ex.Close(); err != nil {
				t.Fatal(err)
			}
			for _, f := range futs {
				if _, err := f.Result(); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.most.Load(); got != int32(limit) {
				t.Errorf("at most %d tasks ran at once, want exactly %d", got, limit)
			}
		})
	}
}

type point struct{ X, Y int }

func TestMapKeepsInputOrder(t *testing.T) {
	// Later items finish first, so completion order is the reverse of input order.
	delay := func(i, n int) { time.Sleep(time.Duration(n-i) * 3 * time.Millisecond) }
	tests := []struct {
		name  string
		f     any
		items any
		want  []any
	}{
		{
			name:  "[]int",
			f:     func(n int) int { delay(n, 6); return n * n },
			items: []int{0, 1, 2, 3, 4, 5},
			want:  []any{0, 1, 4, 9, 16, 25},
		},
		{
			name:  "[]string",
			f:     func(s string) string { delay(len(s), 4); return strings.ToUpper(s) },
			items: []string{"a", "bb", "ccc"},
			want:  []any{"A", "BB", "CCC"},
		},
		{
			name:  "[]any to int param",
			f:     func(n int64) int64 { return -n },
			items: []any{1, int64(2), 3.0},
			want:  []any{int64(-1), int64(-2), int64(-3)},
		},
		{
			name:  "structs",
			f:     func(p point) int { delay(p.X, 3); return p.X + p.Y },
			items: []point{{1, 2}, {3, 4}, {5, 6}},
			want:  []any{3, 7, 11},
		},
		{
			name:  "array",
			f:     func(n int) (string, error) { return fmt.Sprint(n), nil },
			items: [3]int{7, 8, 9},
			want:  []any{"7", "8", "9"},
		},
		{name: "empty", f: func(int) int { return 0 }, items: []int{}, want: []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := Threads(3)
			defer ex.Close()
			got, err := ex.Map(tt.f, tt.items)
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Map = %v, want %v", got, tt.want)
			}
		})
	}
}

var errTask = errors.New("task failed")

func TestMapReportsFirstFailure(t *testing.T) {
	ex := Threads(2)
	defer ex.Close()
	tests := []struct {
		name        string
		f           any
		items       any
		wantResults []any
		want        []string
		wantIs      error
		wantPanic   bool
	}{
		{
			name:  "not a slice",
			f:     func(int) {},
			items: 42,
			want:  []string{"pool: Map: items is int, want a slice or array"},
		},
		{
			name:  "function does not take the items",
			f:     strings.ToUpper,
			items: []int{1},
			want:  []string{"pool: Map item 0: pool: strings.ToUpper: argument 1 is int, want string"},
		},
		{
			name:  "wrong arity",
			f:     strings.Repeat,
			items: []string{"x"},
			want:  []string{"strings.Repeat takes 2 arguments (string, int), got 1 (string)"},
		},
		{
			name: "returned error",
			f: func(n int) (int, error) {
				if n%2 == 1 {
					return 0, fmt.Errorf("odd %d: %w", n, errTask)
				}
				return n, nil
			},
			items:       []int{0, 1, 2, 3},
			wantResults: []any{0, 0, 2, 0},
			want:        []string{"pool: Map item 1: odd 1: task failed"},
			wantIs:      errTask,
		},
		{
			name: "panic in task",
			f: func(i int) int {
				if i == 2 {
					panic("two")
				}
				return i
			},
			items:       []int{0, 1, 2},
			wantResults: []any{0, 1, nil},
			want:        []string{"pool: Map item 2: panic: two\n\ngoroutine "},
			wantPanic:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ex.Map(tt.f, tt.items)
			if err == nil {
				t.Fatal("Map succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			var pe *PanicError
			if errors.As(err, &pe) != tt.wantPanic {
				t.Errorf("errors.As(*PanicError) = %v, want %v", !tt.wantPanic, tt.wantPanic)
			}
			if tt.wantResults != nil && !slices.Equal(got, tt.wantResults) {
				t.Errorf("results = %v, want %v", got, tt.wantResults)
			}
		})
	}
}

type shape interface{ Area() int }

type square int

func (s square) Area() int { return int(s * s) }

func TestSubmitResult(t *testing.T) {
	ex := Threads(2)
	defer ex.Close()
	tests := []struct {
		name      string
		f         any
		args      []any
		want      any
		wantErr   string // substring; empty for no error
		wantIs    error
		wantPanic bool
	}{
		{name: "value", f: func(a, b int) int { return a + b }, args: []any{2, 3}, want: 5},
		{name: "value and nil error", f: func() (string, error) { return "ok", nil }, want: "ok"},
		{name: "value and error", f: func() (string, error) { return "partial", errTask }, want: "partial", wantErr: "task failed", wantIs: errTask},
		{name: "error only", f: func() error { return errTask }, wantErr: "task failed", wantIs: errTask},
		{name: "no result", f: func() {}, want: nil},
		{name: "variadic", f: fmt.Sprint, args: []any{"a", 1, true}, want: "a1 true"},
		{name: "untyped nil for pointer", f: func(p *point) bool { return p == nil }, args: []any{nil}, want: true},
		{name: "untyped nil for interface", f: func(s shape) bool { return s == nil }, args: []any{nil}, want: true},
		{name: "concrete for interface", f: func(s shape) int { return s.Area() }, args: []any{square(4)}, want: 16},
		{name: "int for int64", f: func(n int64) int64 { return n }, args: []any{9}, want: int64(9)},
		{name: "overflowing int", f: func(n uint8) uint8 { return n }, args: []any{256}, wantErr: "argument 1 is int 256, which does not fit uint8"},
		{name: "wrong type", f: strings.ToLower, args: []any{1}, wantErr: "pool: strings.ToLower: argument 1 is int, want string"},
		{name: "not a function", f: "f", wantErr: "pool: target is string (f), want a function"},
		{name: "panic", f: func() { panic(errTask) }, wantErr: "panic: task failed", wantIs: errTask, wantPanic: true},
		{name: "runtime error", f: func(a, b int) int { return a / b }, args: []any{1, 0}, wantErr: "panic: runtime error: integer divide by zero", wantPanic: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fut := ex.Submit(tt.f, tt.args...)
			fut.Wait()
			if !fut.Done() {
				t.Fatal("Done() = false after Wait")
			}
			got, err := fut.Result()
			if got != tt.want {
				t.Errorf("value = %#v, want %#v", got, tt.want)
			}
			if (err != nil) != (tt.wantErr != "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			var pe *PanicError
			if errors.As(err, &pe) != tt.wantPanic {
				t.Errorf("error is *PanicError: %v, want %v", !tt.wantPanic, tt.wantPanic)
			}
		})
	}
}

func TestFutureDoneBeforeAndAfter(t *testing.T) {
	ex := Threads(1)
	defer ex.Close()
	release := make(chan struct{})
	fut := ex.Submit(func() int { <-release; return 1 })
	if fut.Done() {
		t.Fatal("Done() = true while the task waits")
	}
	close(release)
	testutil.Eventually(t, "Wait returning", testutil.GoDone(fut.Wait))
	if v, err := fut.Result(); v != 1 || err != nil || !fut.Done() {
		t.Fatalf("Result = %v, %v; Done = %v", v, err, fut.Done())
	}
}

func TestAsCompletedYieldsInCompletionOrder(t *testing.T) {
	ex := Threads(4)
	defer ex.Close()
	gates := make([]chan struct{}, 4)
	var futs []*Future
	for i := range gates {
		gates[i] = make(chan struct{})
		futs = append(futs, ex.Submit(func(i int) int { <-gates[i]; return i }, i))
	}
	futs = append(futs, nil) // skipped
	out := AsCompleted(futs)
	var order []int
	for _, i := range []int{2, 0, 3, 1} {
		close(gates[i])
		select {
		case f := <-out:
			v, _ := f.Result()
			order = append(order, v.(int))
		case <-time.After(10 * time.Second):
			t.Fatal("AsCompleted yielded nothing")
		}
	}
	if !slices.Equal(order, []int{2, 0, 3, 1}) {
		t.Errorf("completion order = %v, want [2 0 3 1]", order)
	}
	select {
	case f, ok := <-out:
		if ok {
			t.Fatalf("extra future %v after all completed", f)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed after the last future")
	}

	// Finished futures come out at once; an empty list gives a closed channel.
	var already []*Future
	for i := range 3 {
		f := ex.Submit(func() int { return i })
		f.Wait()
		already = append(already, f)
	}
	n := 0
	for range AsCompleted(already) {
		n++
	}
	if n != 3 {
		t.Errorf("AsCompleted of finished futures yielded %d, want 3", n)
	}
	if _, ok := <-AsCompleted(nil); ok {
		t.Error("AsCompleted(nil) yielded a future")
	}
}

func TestCloseWaitsForQueuedAndRunningTasks(t *testing.T) {
	base := thread.Count()
	ex := Threads(2)
	var finished atomic.Int32
	var futs []*Future
	for range 6 {
		futs = append(futs, ex.Submit(func() {
			time.Sleep(20 * time.Millisecond)
			finished.Add(1)
		}))
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	if finished.Load() != 6 {
		t.Fatalf("Close returned with %d of 6 tasks finished", finished.Load())
	}
	if got := thread.Count(); got != base {
		t.Errorf("Count() after Close = %d, want %d: workers still alive", got, base)
	}
	for i, f := range futs {
		if !f.Done() {
			t.Errorf("future %d not done after Close", i)
		}
	}
	if _, err := ex.Submit(func() {}).Result(); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: error = %v, want ErrClosed", err)
	}
	if _, err := ex.Map(func(int) {}, []int{1}); !errors.Is(err, ErrClosed) {
		t.Errorf("Map after Close: error = %v, want ErrClosed", err)
	}
	if err := ex.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestCloseFromOwnTaskFailsInsteadOfHanging(t *testing.T) {
	ex := Threads(1)
	fut := ex.Submit(ex.Close)
	testutil.Eventually(t, "Close inside a task returning", testutil.GoDone(fut.Wait))
	if _, err := fut.Result(); err == nil || !strings.Contains(err.Error(), "Close called from a task of the same pool") {
		t.Fatalf("Close inside a task returned %v", err)
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWorkersAreNamedThreads(t *testing.T) {
	tests := []struct {
		pool *Pool
		want *regexp.Regexp
	}{
		{pool: Threads(3), want: regexp.MustCompile(`^ThreadPoolExecutor_[0-2]$`)},
		{pool: Threads(2).Named("dl"), want: regexp.MustCompile(`^dl_[01]$`)},
		{pool: New(1, RunnerFunc(InProcess)), want: regexp.MustCompile(`^Pool_0$`)},
	}
	for _, tt := range tests {
		names, err := tt.pool.Map(func(int) string {
			time.Sleep(5 * time.Millisecond)
			return thread.Current().Name()
		}, make([]int, 8))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !tt.want.MatchString(n.(string)) {
				t.Errorf("worker name %q does not match %v", n, tt.want)
			}
		}
		tt.pool.Close()
	}
}

func TestIdlePoolHoldsNoWorkers(t *testing.T) {
	base := thread.Count()
	ex := Threads(3)
	release := make(chan struct{})
	var futs []*Future
	for range 5 {
		futs = append(futs, ex.Submit(func() { <-release }))
	}
	time.Sleep(20 * time.Millisecond)
	if got := thread.Count(); got != base+3 {
		t.Errorf("Count() with 3 busy workers = %d, want %d", got, base+3)
	}
	close(release)
	for _, f := range futs {
		f.Wait()
	}
	deadline := time.Now().Add(10 * time.Second)
	for thread.Count() != base && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := thread.Count(); got != base {
		t.Errorf("Count() after the pool went idle = %d, want %d", got, base)
	}
	ex.Close()
}

// recordingRunner is a Runner that doubles ints, records how often it ran
// and was closed, and panics on negative input.
type recordingRunner struct {
	runs, closes atomic.Int32
	closeErr     error
}

func (r *recordingRunner) Run(f any, args []any) (any, error) {
	r.runs.Add(1)
	n := args[0].(int)
	if n < 0 {
		panic("negative")
	}
	return 2 * n, nil
}

func (r *recordingRunner) Close() error {
	r.closes.Add(1)
	return r.closeErr
}

var _ io.Closer = (*recordingRunner)(nil)

func TestRunnerSeam(t *testing.T) {
	r := &recordingRunner{closeErr: errTask}
	ex := New(2, r)
	got, err := ex.Map("double", []int{1, 2, 3}) // the runner decides what f means
	if err != nil || !slices.Equal(got, []any{2, 4, 6}) {
		t.Fatalf("Map = %v, %v", got, err)
	}
	_, err = ex.Submit("double", -1).Result()
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "negative" {
		t.Fatalf("panicking runner: error = %v, want a *PanicError", err)
	}
	for range 2 {
		if err := ex.Close(); !errors.Is(err, errTask) {
			t.Errorf("Close = %v, want the runner's error", err)
		}
	}
	if r.runs.Load() != 4 || r.closes.Load() != 1 {
		t.Errorf("runner ran %d times, closed %d times; want 4 and 1", r.runs.Load(), r.closes.Load())
	}
}

func TestNewRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{name: "no workers", f: func() { New(0, RunnerFunc(InProcess)) }, want: "pool: New(0): need at least 1 worker"},
		{name: "nil runner", f: func() { New(1, nil) }, want: "pool: New: nil Runner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); fmt.Sprint(r) != tt.want {
					t.Fatalf("panic = %v, want %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
	if ex := Threads(0); ex.workers < 5 || ex.workers > 32 {
		t.Errorf("Threads(0) has %d workers, want NumCPU+4 capped at 32", ex.workers)
	}
}

func TestGoexitInTaskFailsOnlyThatTask(t *testing.T) {
	var err1, err2 error
	var v2 any
	report := testutil.CaptureStderr(t, func() { // the worker thread reports its Goexit
		ex := Threads(1)
		first := ex.Submit(goexit)
		second := ex.Submit(func() int { return 2 })
		_, err1 = first.Result()
		v2, err2 = second.Result()
		ex.Close()
	})
	if !strings.Contains(report, "Exception in thread ThreadPoolExecutor_0") {
		t.Errorf("no report of the worker's Goexit on os.Stderr: %q", report)
	}
	if !errors.Is(err1, thread.ErrGoexit) {
		t.Errorf("Goexit task: error = %v, want ErrGoexit", err1)
	}
	if v2 != 2 || err2 != nil {
		t.Errorf("task after Goexit: %v, %v; want 2, nil", v2, err2)
	}
}
