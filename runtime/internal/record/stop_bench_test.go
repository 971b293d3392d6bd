package record

import (
	"sync"
	"testing"
)

// BenchmarkStop measures turning 100,000 events of four goroutines into a
// Log.
func BenchmarkStop(b *testing.B) {
	const goroutines, events = 4, 25_000
	var obj int
	for b.Loop() {
		b.StopTimer()
		r := Begin(namer, 1<<30)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range events {
					r.Emit(Kind(Acquire+Kind(i%2)*2), &obj, "Lock")
				}
			}()
		}
		wg.Wait()
		b.StartTimer()
		if n := len(r.Stop().Entries); n != goroutines*events {
			b.Fatalf("%d entries", n)
		}
	}
}
