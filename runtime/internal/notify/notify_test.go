package notify

import (
	"sync"
	"testing"
	"time"
)

func TestBroadcastWakesEveryWaiter(t *testing.T) {
	var (
		mu    sync.Mutex
		sig   Signal
		ready bool
		wg    sync.WaitGroup
	)
	const waiters = 5
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for !ready {
				sig.Await(&mu, nil)
			}
			mu.Unlock()
		}()
	}
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	ready = true
	sig.Broadcast()
	mu.Unlock()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("waiters were not woken by Broadcast")
	}
}

func TestWaitReturnsFreshChannelAfterBroadcast(t *testing.T) {
	var sig Signal
	first := sig.Wait()
	if sig.Wait() != first {
		t.Fatal("Wait before Broadcast returned a different channel")
	}
	sig.Broadcast()
	select {
	case <-first:
	default:
		t.Fatal("Broadcast did not close the channel")
	}
	second := sig.Wait()
	select {
	case <-second:
		t.Fatal("channel after Broadcast is already closed")
	default:
	}
	sig.Broadcast()
	sig.Broadcast() // a second Broadcast with no waiter must not panic
}

func TestAwait(t *testing.T) {
	tests := []struct {
		name      string
		timeout   time.Duration
		broadcast bool
		want      bool
	}{
		{name: "woken without limit", timeout: -1, broadcast: true, want: true},
		{name: "woken before the deadline", timeout: time.Hour, broadcast: true, want: true},
		{name: "deadline passes", timeout: 10 * time.Millisecond, want: false},
		{name: "zero deadline", timeout: 0, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu  sync.Mutex
				sig Signal
			)
			if tt.broadcast {
				go func() {
					time.Sleep(10 * time.Millisecond)
					mu.Lock()
					sig.Broadcast()
					mu.Unlock()
				}()
			}
			mu.Lock()
			got := sig.Await(&mu, Deadline(tt.timeout))
			if mu.TryLock() {
				t.Error("Await returned without the mutex held")
			}
			mu.Unlock()
			if got != tt.want {
				t.Errorf("Await = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	if Deadline(-1) != nil {
		t.Error("Deadline(-1) is not nil")
	}
	for _, d := range []time.Duration{0, time.Millisecond} {
		select {
		case <-Deadline(d):
		case <-time.After(5 * time.Second):
			t.Errorf("Deadline(%v) not ready after 5s", d)
		}
	}
}
