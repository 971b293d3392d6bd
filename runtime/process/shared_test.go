package process_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/gokernel/gokernel/runtime/process"
)

// incrementIn runs increment in procs children at once and returns the
// final value.
func incrementIn(t *testing.T, procs, n int, locked bool) int64 {
	t.Helper()
	v := process.NewValue(process.Int64, 0)
	var ps []*process.Process
	for range procs {
		p := process.New(increment, v, n, locked)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
	return v.Get()
}

func TestValueLockMakesIncrementsExact(t *testing.T) {
	for round := range 3 {
		if got := incrementIn(t, 4, 1000, true); got != 4000 {
			t.Fatalf("round %d: 4 processes x 1000 locked increments = %d, want 4000", round, got)
		}
	}
	// Without the lock, a read and a write of different processes may
	// interleave and lose updates. How many are lost depends on timing, so
	// this is shown, not asserted.
	t.Logf("without the lock: 4 processes x 1000 increments = %d", incrementIn(t, 4, 1000, false))
}

func TestValueAcrossProcesses(t *testing.T) {
	v := process.NewValue(process.Float64, 0.5)
	p := process.New(process.Named("addHalf", addHalf), v)
	p.Start()
	if err := p.Join(); err != nil {
		t.Fatal(err)
	}
	if got := v.GetFloat(); got != 1 {
		t.Errorf("after the child added 0.5: %v, want 1", got)
	}
	if s := v.String(); s != "Value(float64, 1)" {
		t.Errorf("String() = %q", s)
	}
}

func addHalf(v *process.Value) { v.AddFloat(0.5) }

func init() { process.Register("addHalf", addHalf) }

func TestArrayAcrossProcesses(t *testing.T) {
	const rows, width = 3, 4
	a := process.NewArray(process.Float64, rows*width)
	var ps []*process.Process
	for r := range rows {
		p := process.New(fillRow, a, r, width)
		p.Start()
		ps = append(ps, p)
	}
	for _, p := range ps {
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
	for r := range rows {
		for c := range width {
			if got, want := a.GetFloat(r*width+c), float64(r*100+c); got != want {
				t.Errorf("a[%d][%d] = %v, want %v", r, c, got, want)
			}
		}
	}
	// A child can read the whole array as well.
	p := process.New(sum, a.Floats())
	p.Start()
	total, err := p.Result()
	if want := 3.0*6 + 4*(0+100+200); total != want || err != nil {
		t.Errorf("sum = %v, %v; want %v", total, err, want)
	}
}

func TestValueAndArrayInOneProcess(t *testing.T) {
	tests := []struct {
		name string
		run  func() any
		want any
	}{
		{"int value", func() any { v := process.NewValue(process.Int64, 41); v.Add(1); return v.Get() }, int64(42)},
		{"int value as float", func() any { v := process.NewValue(process.Int64, 7); return v.GetFloat() }, 7.0},
		{"float value as int", func() any { v := process.NewValue(process.Float64, 2.9); return v.Get() }, int64(2)},
		{"float add", func() any { v := process.NewValue(process.Float64, 1); return v.AddFloat(0.25) }, 1.25},
		{"array", func() any {
			a := process.NewArray(process.Int64, 3)
			a.Set(0, 5)
			a.Add(2, -1)
			return a.Ints()
		}, []int64{5, 0, -1}},
		{"array string", func() any { return process.NewArray(process.Int64, 2).String() }, "Array(int64, [0 0])"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(); !equal(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestSharedMisuse(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"bad kind", func() { process.NewValue(process.Kind(9), 0) }, "invalid kind"},
		{"not a number", func() { process.NewValue(process.Int64, "1") }, "want a number"},
		{"negative length", func() { process.NewArray(process.Int64, -1) }, "negative length"},
		{"index", func() { process.NewArray(process.Int64, 2).Get(2) }, "out of range"},
		{"unlock", func() { process.NewValue(process.Int64, 0).Unlock() }, "unlock of unlocked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Errorf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestLockExcludesGoroutines checks that the lock also excludes goroutines
// of one process.
func TestLockExcludesGoroutines(t *testing.T) {
	v := process.NewValue(process.Int64, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			increment(v, 500, true)
		}()
	}
	wg.Wait()
	if got := v.Get(); got != 4000 {
		t.Errorf("8 goroutines x 500 locked increments = %d, want 4000", got)
	}
}
