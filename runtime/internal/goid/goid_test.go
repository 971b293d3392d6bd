package goid

import (
	"sync"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		header string
		want   int64
		panics bool
	}{
		{header: "goroutine 1 [running]:\n", want: 1},
		{header: "goroutine 123456789 [running]:", want: 123456789},
		{header: "goroutine x [running]:", panics: true},
		{header: "thread 7", panics: true},
		{header: "", panics: true},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			defer func() {
				if r := recover(); (r != nil) != tt.panics {
					t.Fatalf("parse(%q) panic = %v, want panic %v", tt.header, r, tt.panics)
				}
			}()
			if got := parse([]byte(tt.header)); got != tt.want {
				t.Fatalf("parse(%q) = %d, want %d", tt.header, got, tt.want)
			}
		})
	}
}

func TestIDDistinctPerGoroutine(t *testing.T) {
	const n = 20
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := ID()
			if again := ID(); again != first {
				t.Errorf("ID changed within one goroutine: %d then %d", first, again)
			}
			ids[i] = first
		}()
	}
	wg.Wait()
	seen := map[int64]bool{ID(): true}
	for _, id := range ids {
		if id <= 0 || seen[id] {
			t.Fatalf("ids not positive and distinct: %v (caller %d)", ids, ID())
		}
		seen[id] = true
	}
}

// TestIDMatchesStackHeader checks the id read from the descriptor against
// the stack header, in goroutines that run at once and in goroutines that
// reuse the descriptors of ended ones.
func TestIDMatchesStackHeader(t *testing.T) {
	if descriptorWords > 0 && idOffset() < 0 {
		t.Fatal("the id was not found in the goroutine descriptor; ID falls back to the stack header")
	}
	t.Logf("id offset in the descriptor: %d", idOffset())
	for round := range 3 {
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got, want := ID(), slowID(); got != want {
					t.Errorf("round %d: ID() = %d, stack header says %d", round, got, want)
				}
			}()
		}
		wg.Wait()
	}
	if got, want := ID(), slowID(); got != want {
		t.Errorf("ID() = %d in the test goroutine, stack header says %d", got, want)
	}
}

func BenchmarkID(b *testing.B) {
	b.Run("descriptor", func(b *testing.B) {
		for b.Loop() {
			ID()
		}
	})
	b.Run("stack-header", func(b *testing.B) {
		for b.Loop() {
			slowID()
		}
	})
}
