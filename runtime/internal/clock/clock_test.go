package clock

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestNowNeverDecreases(t *testing.T) {
	prev := Now()
	for range 100_000 {
		now := Now()
		if now < prev {
			t.Fatalf("reading %d after %d", now, prev)
		}
		prev = now
	}
}

func TestScaleMeasuresRealTime(t *testing.T) {
	tests := []struct {
		name  string
		sleep time.Duration
	}{
		{"short", 5 * time.Millisecond},
		{"longer", 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each counter reading is bracketed by two readings of
			// time.Now, so that a preemption between them widens the
			// tolerance instead of failing the test.
			t0 := time.Now()
			a := Now()
			t1 := time.Now()
			time.Sleep(tt.sleep)
			t2 := time.Now()
			b := Now()
			t3 := time.Now()
			got := Measure().Duration(a, b)
			elapsed := t2.Sub(t1)
			slack := t1.Sub(t0) + t3.Sub(t2)
			// The rate may be off by 1% and the readings by 20 µs
			// besides the brackets.
			if got < elapsed-elapsed/100-20*time.Microsecond || got > elapsed+slack+elapsed/100+20*time.Microsecond {
				t.Fatalf("clock says %v, time.Now %v (brackets %v)", got, elapsed, slack)
			}
		})
	}
}

func TestPairKeepsTheNarrowestBracket(t *testing.T) {
	tests := []struct {
		name     string
		readings []time.Duration // what since returns, in turn
		want     time.Duration
	}{
		{"undisturbed", []time.Duration{100, 300}, 200},
		{"preempted once", []time.Duration{100, 90_000, 90_100, 90_300}, 90_200},
		{"preempted twice", []time.Duration{0, 50_000, 50_000, 80_000, 80_000, 80_400}, 80_200},
		{"never quiet", []time.Duration{0, 5000, 5000, 9000, 9000, 11000, 11000, 15000, 15000, 18000}, 10_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := 0
			since := func() time.Duration {
				if i >= len(tt.readings) {
					t.Fatalf("pair read the clock more than %d times", len(tt.readings))
				}
				i++
				return tt.readings[i-1]
			}
			if got, _ := pair(since); got != tt.want {
				t.Fatalf("pair paired the counter with %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCounterChosenWhenLinuxTrustsIt(t *testing.T) {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	want := err == nil && string(b) == "tsc\n" && runtime.GOARCH == "amd64"
	if TSC() != want {
		t.Fatalf("TSC() = %v; clocksource %q on %s", TSC(), b, runtime.GOARCH)
	}
	t.Logf("time-stamp counter in use: %v", TSC())
}

func BenchmarkNow(b *testing.B) {
	var s Stamp
	for b.Loop() {
		s += Now()
	}
	if s == 42 {
		b.Log(s)
	}
}

func BenchmarkTimeSince(b *testing.B) {
	began := time.Now()
	var s time.Duration
	for b.Loop() {
		s += time.Since(began)
	}
	if s == 42 {
		b.Log(s)
	}
}

// work stands for a few nanoseconds of a program's own arithmetic.
//
//go:noinline
func work(n int) int {
	x := n
	for i := range 40 {
		x = x*31 + i
	}
	return x
}

// BenchmarkNowBesideWork measures what a reading costs inside a program rather than
// back to back: compare the ns/op of "work" and "work+now". On the 2-core VM the
// project is built on, a reading adds about 22 ns there against 10 ns in BenchmarkNow,
// which is the floor of what a timeline pays per recorded event.
func BenchmarkNowBesideWork(b *testing.B) {
	var sum int
	var s Stamp
	b.Run("work", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sum += work(i)
		}
	})
	b.Run("work+now", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sum += work(i)
			s += Now()
		}
	})
	if sum == 42 && s == 42 {
		b.Log(sum, s)
	}
}
