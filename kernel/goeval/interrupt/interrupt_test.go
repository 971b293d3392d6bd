package interrupt

import (
	"sync"
	"testing"
	"time"
)

// stops runs f and fails the test unless f ends, promptly, by the Stopped panic of an
// interrupt fired after 50 ms.
func stops(t *testing.T, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	Fire()
	select {
	case v := <-done:
		if _, ok := v.(Stopped); !ok {
			t.Fatalf("ended with %v, want the Stopped panic", v)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("took %v to stop", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("not stopped by the interrupt")
	}
}

func TestInterruptBreaksEveryWait(t *testing.T) {
	var held Mutex
	held.Lock()
	var rw RWMutex
	rw.Lock()
	var wg WaitGroup
	wg.Add(1)
	tests := []struct {
		name string
		f    func()
	}{
		{"Sleep", func() { Sleep(time.Hour) }},
		{"Mutex.Lock", held.Lock},
		{"RWMutex.Lock", rw.Lock},
		{"RWMutex.RLock", rw.RLock},
		{"WaitGroup.Wait", wg.Wait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { stops(t, tt.f) })
	}
}

func TestPrimitivesWithoutInterrupt(t *testing.T) {
	var mu Mutex
	counter := 0
	var wg WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != 8000 {
		t.Fatalf("counter %d, want 8000", counter)
	}
	if !mu.TryLock() || mu.TryLock() {
		t.Fatal("TryLock")
	}
	mu.Unlock()
	var rw RWMutex
	rw.RLock()
	if !rw.TryRLock() || rw.TryLock() {
		t.Fatal("readers share, writers wait")
	}
	rw.RUnlock()
	rw.RUnlock()
	if !rw.TryLock() {
		t.Fatal("writer after readers left")
	}
	rw.Unlock()
	defer func() {
		if recover() == nil {
			t.Fatal("unlocking an unlocked mutex must panic")
		}
	}()
	mu.Unlock()
}

func TestSleepingCountsSleepers(t *testing.T) {
	if n := Sleeping(); n != 0 {
		t.Fatalf("Sleeping() = %d before any sleep", n)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); Sleep(200 * time.Millisecond) }()
	}
	deadline := time.Now().Add(150 * time.Millisecond)
	for Sleeping() != 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := Sleeping(); n != 3 {
		t.Errorf("Sleeping() = %d while three goroutines sleep", n)
	}
	wg.Wait()
	if n := Sleeping(); n != 0 {
		t.Errorf("Sleeping() = %d after the sleeps", n)
	}
}
