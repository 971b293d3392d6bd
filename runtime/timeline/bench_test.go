package timeline_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// Lock-heavy workloads: goroutines × rounds lock/unlock pairs on one
// lock.Lock, with spin iterations of arithmetic inside and outside the
// critical section (none for a pure lock/unlock micro-benchmark).
const (
	goroutines = 4
	rounds     = 10_000
)

var sink uint64

// spin does n rounds of cheap arithmetic the compiler cannot drop.
func spin(n int) uint64 {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func contend(mu *lock.Lock, inside, outside int) {
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local uint64
			for range rounds {
				mu.Lock()
				local += spin(inside)
				mu.Unlock()
				local += spin(outside)
			}
			mu.Lock()
			sink += local
			mu.Unlock()
		}()
	}
	wg.Wait()
}

// BenchmarkLockHeavy measures a lock-heavy workload with no recording ever
// started (run it alone, with -run '^$', for that to hold), with recording
// stopped, and while recording. Compare the ns/op of the three.
func BenchmarkLockHeavy(b *testing.B) {
	for _, w := range []struct {
		name            string
		inside, outside int
	}{
		{"pure", 0, 0},                       // nothing but locking
		{"long-critical-section", 200, 200},  // about 0.4 µs inside, 0.4 µs outside
		{"short-critical-section", 20, 2000}, // a counter update inside, work outside
	} {
		b.Run(w.name, func(b *testing.B) {
			var mu lock.Lock
			b.Run("never", func(b *testing.B) {
				for b.Loop() {
					contend(&mu, w.inside, w.outside)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*goroutines*rounds), "ns/lock")
			})
			timeline.Start()
			timeline.Stop()
			b.Run("off", func(b *testing.B) {
				for b.Loop() {
					contend(&mu, w.inside, w.outside)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*goroutines*rounds), "ns/lock")
			})
			b.Run("on", func(b *testing.B) {
				events := 0
				for b.Loop() {
					timeline.Start()
					contend(&mu, w.inside, w.outside)
					b.StopTimer()
					events += len(timeline.Stop().Events())
					runtime.GC() // the garbage of Stop is not the workload's
					b.StartTimer()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*goroutines*rounds), "ns/lock")
				b.ReportMetric(float64(events)/float64(b.N), "events/op")
			})
		})
	}
}
