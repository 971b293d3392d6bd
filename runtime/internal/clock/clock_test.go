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
			began, a := time.Now(), Now()
			time.Sleep(tt.sleep)
			b, elapsed := Now(), time.Since(began)
			got := Measure().Duration(a, b)
			// The two clocks are read a few nanoseconds apart; allow 1% and
			// 50 µs between them.
			if diff := (got - elapsed).Abs(); diff > elapsed/100+50*time.Microsecond {
				t.Fatalf("clock says %v, time.Since %v", got, elapsed)
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
