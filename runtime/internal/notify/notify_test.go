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
				c := sig.Wait()
				mu.Unlock()
				<-c
				mu.Lock()
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
