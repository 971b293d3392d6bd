package goid

import (
	"runtime"
	"sync"
	"testing"
)

// grow uses enough stack to make the runtime move the goroutine's stack.
func grow(depth int) int {
	var pad [256]byte
	pad[depth%len(pad)] = byte(depth)
	if depth == 0 {
		return int(pad[0])
	}
	return grow(depth-1) + int(pad[depth%len(pad)])
}

func TestKeyStableAndDistinct(t *testing.T) {
	const n = 16
	keys := make([]uintptr, n)
	var started, finish sync.WaitGroup
	started.Add(n)
	finish.Add(1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := Key()
			grow(2000) // moves the stack; the key must survive that
			runtime.Gosched()
			if again := Key(); again != first {
				t.Errorf("Key changed within one goroutine: %#x then %#x", first, again)
			}
			keys[i] = first
			started.Done()
			finish.Wait() // keep every goroutine alive while keys are compared
		}()
	}
	started.Wait()
	seen := map[uintptr]bool{Key(): true}
	for _, k := range keys {
		if k == 0 || seen[k] {
			t.Errorf("keys of running goroutines not non-zero and distinct: %#x (caller %#x)", keys, Key())
			break
		}
		seen[k] = true
	}
	finish.Done()
	wg.Wait()
}

func BenchmarkKey(b *testing.B) {
	for b.Loop() {
		Key()
	}
}
