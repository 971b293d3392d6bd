package queue

import (
	"errors"
	"fmt"
	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// mustPanic runs f and returns the message of its panic, failing the test if
// it does not panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

func TestFIFOAcrossGoroutines(t *testing.T) {
	for _, maxsize := range []int{0, -1, 1, 3, 100} {
		t.Run(fmt.Sprintf("maxsize=%d", maxsize), func(t *testing.T) {
			q := New(maxsize)
			const n = 200
			var got []int
			consumed := testutil.GoDone(func() {
				for range n {
					got = append(got, q.Get().(int))
					q.TaskDone()
				}
			})
			for i := range n {
				q.Put(i)
				if maxsize > 0 && q.Len() > maxsize {
					t.Errorf("Len() = %d exceeds maxsize %d", q.Len(), maxsize)
				}
			}
			q.Join()
			testutil.Eventually(t, "consumer taking every item", consumed)
			for i, v := range got {
				if v != i {
					t.Fatalf("item %d = %d: not first-in, first-out", i, v)
				}
			}
		})
	}
}

func TestPutWaitsWhileFull(t *testing.T) {
	q := New(2)
	q.Put("a")
	q.Put("b")
	if !q.Full() || q.Len() != 2 || q.Empty() {
		t.Fatalf("Full=%v Len=%d Empty=%v, want a full queue of 2", q.Full(), q.Len(), q.Empty())
	}
	put := testutil.GoDone(func() { q.Put("c") })
	testutil.StillBlocked(t, "Put on a full queue", put)
	if got := q.Get(); got != "a" {
		t.Fatalf("Get = %v, want a", got)
	}
	testutil.Eventually(t, "Put after Get made room", put)
	if got := []any{q.Get(), q.Get()}; !slices.Equal(got, []any{"b", "c"}) {
		t.Fatalf("rest = %v, want [b c]", got)
	}
	if !q.Empty() || q.Full() {
		t.Fatal("drained queue not empty")
	}
	if New(0).Full() {
		t.Fatal("unbounded queue reports Full")
	}
}

func TestGetTimeout(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(q *Queue)
		d       time.Duration
		want    any
		wantErr error
		minWait time.Duration
	}{
		{name: "item ready", setup: func(q *Queue) { q.Put(1) }, d: 0, want: 1},
		{name: "empty, no wait", d: 0, wantErr: ErrEmpty},
		{name: "empty, waits then gives up", d: 30 * time.Millisecond, wantErr: ErrEmpty, minWait: 30 * time.Millisecond},
		{name: "item arrives while waiting", setup: func(q *Queue) {
			go func() { time.Sleep(20 * time.Millisecond); q.Put("late") }()
		}, d: 10 * time.Second, want: "late", minWait: 20 * time.Millisecond},
		{name: "closed with items", setup: func(q *Queue) { q.Put(nil); q.Close() }, d: -1, want: nil},
		{name: "closed and drained", setup: func(q *Queue) { q.Close() }, d: -1, wantErr: ErrClosed},
		{name: "closed while waiting", setup: func(q *Queue) {
			go func() { time.Sleep(20 * time.Millisecond); q.Close() }()
		}, d: -1, wantErr: ErrClosed, minWait: 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := New(0)
			if tt.setup != nil {
				tt.setup(q)
			}
			start := time.Now()
			got, err := q.GetTimeout(tt.d)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("GetTimeout(%v) = %v, %v; want %v, %v", tt.d, got, err, tt.want, tt.wantErr)
			}
			if waited := time.Since(start); waited < tt.minWait {
				t.Errorf("returned after %v, want at least %v", waited, tt.minWait)
			}
		})
	}
}

func TestCloseEndsConsumersAndProducers(t *testing.T) {
	q := New(1)
	q.Put("left")
	blockedPut := make(chan string, 1)
	go func() {
		defer func() { blockedPut <- fmt.Sprint(recover()) }()
		q.Put("never fits")
	}()
	time.Sleep(20 * time.Millisecond)
	q.Close()
	q.Close() // closing twice is harmless
	if !q.Closed() {
		t.Fatal("Closed() = false after Close")
	}
	select {
	case msg := <-blockedPut:
		if !strings.Contains(msg, "queue: Put on closed Queue") {
			t.Fatalf("blocked Put panicked with %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake the blocked Put")
	}
	if got := q.Get(); got != "left" {
		t.Fatalf("Get after Close = %v, want the item left", got)
	}
	getDone := testutil.GoDone(func() {
		if got := q.Get(); got != nil {
			t.Errorf("Get on a closed, drained queue = %v, want nil", got)
		}
	})
	testutil.Eventually(t, "Get on a closed, drained queue", getDone)
	if msg := mustPanic(t, func() { q.Put(1) }); msg != "queue: Put on closed Queue" {
		t.Fatalf("Put after Close panicked with %q", msg)
	}
}

func TestCloseWakesBlockedGetters(t *testing.T) {
	q := New(0)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); q.Get() }()
	}
	time.Sleep(20 * time.Millisecond)
	q.Close()
	testutil.Eventually(t, "every blocked Get returning after Close", testutil.GoDone(wg.Wait))
}

func TestJoinWaitsForTaskDone(t *testing.T) {
	q := New(0)
	q.Join() // nothing put: returns at once
	for i := range 3 {
		q.Put(i)
	}
	joined := testutil.GoDone(q.Join)
	for range 3 {
		q.Get()
		testutil.StillBlocked(t, "Join before every item is done", joined)
		q.TaskDone()
	}
	testutil.Eventually(t, "Join after the last TaskDone", joined)
	if msg := mustPanic(t, q.TaskDone); msg != "queue: TaskDone called more times than Put" {
		t.Fatalf("extra TaskDone panicked with %q", msg)
	}
}
