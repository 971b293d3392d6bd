package stdsource_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/stdsource"
	ourmaps "github.com/gokernel/gokernel/kernel/stdsource/maps"
	ourslices "github.com/gokernel/gokernel/kernel/stdsource/slices"
)

// TestSlicesAgreesWithTheStandardLibrary runs each function of the interpreted slices
// source, compiled, and the standard library's on the same inputs.
func TestSlicesAgreesWithTheStandardLibrary(t *testing.T) {
	ints := func() []int { return []int{5, 2, 9, 1, 9, 4} }
	nan := math.NaN()
	byLen := func(a, b string) int { return cmp.Compare(len(a), len(b)) }
	tests := []struct {
		name      string
		ours, std func() any
	}{
		{"Sort ints", func() any { x := ints(); ourslices.Sort(x); return x }, func() any { x := ints(); slices.Sort(x); return x }},
		{"Sort floats with NaN", func() any { x := []float64{2, nan, 1}; ourslices.Sort(x); return fmt.Sprint(x) }, func() any { x := []float64{2, nan, 1}; slices.Sort(x); return fmt.Sprint(x) }},
		{"Sort durations", func() any { x := []time.Duration{3, 1, 2}; ourslices.Sort(x); return x }, func() any { x := []time.Duration{3, 1, 2}; slices.Sort(x); return x }},
		{"Sort uint8", func() any { x := []uint8{3, 1, 2}; ourslices.Sort(x); return x }, func() any { x := []uint8{3, 1, 2}; slices.Sort(x); return x }},
		{"SortFunc", func() any { x := []string{"pear", "fig", "apple"}; ourslices.SortFunc(x, byLen); return x }, func() any { x := []string{"pear", "fig", "apple"}; slices.SortFunc(x, byLen); return x }},
		{"SortStableFunc", func() any { x := []string{"bb", "a", "cc", "d"}; ourslices.SortStableFunc(x, byLen); return x }, func() any { x := []string{"bb", "a", "cc", "d"}; slices.SortStableFunc(x, byLen); return x }},
		{"IsSorted", func() any { return []bool{ourslices.IsSorted(ints()), ourslices.IsSorted([]int{1, 2, 2})} }, func() any { return []bool{slices.IsSorted(ints()), slices.IsSorted([]int{1, 2, 2})} }},
		{"IsSortedFunc", func() any { return ourslices.IsSortedFunc([]string{"a", "bb"}, byLen) }, func() any { return slices.IsSortedFunc([]string{"a", "bb"}, byLen) }},
		{"BinarySearch", func() any {
			i, ok := ourslices.BinarySearch([]int{1, 3, 5}, 3)
			j, no := ourslices.BinarySearch([]int{1, 3, 5}, 4)
			return []any{i, ok, j, no}
		},
			func() any {
				i, ok := slices.BinarySearch([]int{1, 3, 5}, 3)
				j, no := slices.BinarySearch([]int{1, 3, 5}, 4)
				return []any{i, ok, j, no}
			}},
		{"BinarySearchFunc", func() any {
			i, ok := ourslices.BinarySearchFunc([]string{"a", "bb", "ccc"}, 2, func(s string, n int) int { return cmp.Compare(len(s), n) })
			return []any{i, ok}
		},
			func() any {
				i, ok := slices.BinarySearchFunc([]string{"a", "bb", "ccc"}, 2, func(s string, n int) int { return cmp.Compare(len(s), n) })
				return []any{i, ok}
			}},
		{"Min and Max", func() any { return []int{ourslices.Min(ints()), ourslices.Max(ints())} }, func() any { return []int{slices.Min(ints()), slices.Max(ints())} }},
		{"Min and Max with NaN", func() any { return fmt.Sprint(ourslices.Min([]float64{1, nan}), ourslices.Max([]float64{nan, 1})) }, func() any { return fmt.Sprint(slices.Min([]float64{1, nan}), slices.Max([]float64{nan, 1})) }},
		{"MinFunc and MaxFunc", func() any {
			x := []string{"bb", "a", "cc", "d"}
			return []string{ourslices.MinFunc(x, byLen), ourslices.MaxFunc(x, byLen)}
		},
			func() any {
				x := []string{"bb", "a", "cc", "d"}
				return []string{slices.MinFunc(x, byLen), slices.MaxFunc(x, byLen)}
			}},
		{"Equal", func() any {
			return []bool{ourslices.Equal(ints(), ints()), ourslices.Equal([]int{1}, []int{2}), ourslices.Equal([]int{}, nil)}
		},
			func() any {
				return []bool{slices.Equal(ints(), ints()), slices.Equal([]int{1}, []int{2}), slices.Equal([]int{}, nil)}
			}},
		{"EqualFunc", func() any {
			return ourslices.EqualFunc([]int{1, 2}, []string{"1", "2"}, func(i int, s string) bool { return fmt.Sprint(i) == s })
		},
			func() any {
				return slices.EqualFunc([]int{1, 2}, []string{"1", "2"}, func(i int, s string) bool { return fmt.Sprint(i) == s })
			}},
		{"Compare", func() any {
			return []int{ourslices.Compare([]int{1, 2}, []int{1, 3}), ourslices.Compare([]int{1, 2}, []int{1}), ourslices.Compare([]int{1}, []int{1})}
		},
			func() any {
				return []int{slices.Compare([]int{1, 2}, []int{1, 3}), slices.Compare([]int{1, 2}, []int{1}), slices.Compare([]int{1}, []int{1})}
			}},
		{"Index and Contains", func() any {
			return []any{ourslices.Index(ints(), 9), ourslices.Index(ints(), 7), ourslices.Contains(ints(), 4)}
		},
			func() any { return []any{slices.Index(ints(), 9), slices.Index(ints(), 7), slices.Contains(ints(), 4)} }},
		{"IndexFunc and ContainsFunc", func() any {
			big := func(v int) bool { return v > 6 }
			return []any{ourslices.IndexFunc(ints(), big), ourslices.ContainsFunc(ints(), big)}
		},
			func() any {
				big := func(v int) bool { return v > 6 }
				return []any{slices.IndexFunc(ints(), big), slices.ContainsFunc(ints(), big)}
			}},
		{"Insert", func() any { return ourslices.Insert([]int{1, 2}, 1, 7, 8) }, func() any { return slices.Insert([]int{1, 2}, 1, 7, 8) }},
		{"Delete", func() any { x := ints(); y := ourslices.Delete(x, 1, 3); return []any{y, x} }, func() any { x := ints(); y := slices.Delete(x, 1, 3); return []any{y, x} }},
		{"DeleteFunc", func() any {
			x := ints()
			y := ourslices.DeleteFunc(x, func(v int) bool { return v == 9 })
			return []any{y, x}
		},
			func() any {
				x := ints()
				y := slices.DeleteFunc(x, func(v int) bool { return v == 9 })
				return []any{y, x}
			}},
		{"Replace", func() any { return ourslices.Replace(ints(), 1, 3, 0) }, func() any { return slices.Replace(ints(), 1, 3, 0) }},
		{"Clone", func() any { return []any{ourslices.Clone(ints()), ourslices.Clone([]int(nil)) == nil} }, func() any { return []any{slices.Clone(ints()), slices.Clone([]int(nil)) == nil} }},
		{"Compact", func() any { x := []int{1, 1, 2, 2, 2, 3}; y := ourslices.Compact(x); return []any{y, x} }, func() any { x := []int{1, 1, 2, 2, 2, 3}; y := slices.Compact(x); return []any{y, x} }},
		{"CompactFunc", func() any { return ourslices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold) }, func() any { return slices.CompactFunc([]string{"a", "A", "b"}, strings.EqualFold) }},
		{"Grow and Clip", func() any {
			x := ourslices.Grow([]int{1}, 10)
			return []any{len(x), cap(x) >= 11, cap(ourslices.Clip(x))}
		},
			func() any { x := slices.Grow([]int{1}, 10); return []any{len(x), cap(x) >= 11, cap(slices.Clip(x))} }},
		{"Reverse", func() any { x := ints(); ourslices.Reverse(x); return x }, func() any { x := ints(); slices.Reverse(x); return x }},
		{"Concat", func() any { return ourslices.Concat([]int{1}, nil, []int{2, 3}) }, func() any { return slices.Concat([]int{1}, nil, []int{2, 3}) }},
		{"Repeat", func() any { return ourslices.Repeat([]string{"a", "b"}, 2) }, func() any { return slices.Repeat([]string{"a", "b"}, 2) }},
		{"All", func() any {
			var s []string
			ourslices.All(ints())(func(i, v int) bool { s = append(s, fmt.Sprint(i, v)); return i < 2 })
			return s
		},
			func() any {
				var s []string
				slices.All(ints())(func(i, v int) bool { s = append(s, fmt.Sprint(i, v)); return i < 2 })
				return s
			}},
		{"Backward", func() any {
			var s []string
			ourslices.Backward(ints())(func(i, v int) bool { s = append(s, fmt.Sprint(i, v)); return true })
			return s
		},
			func() any {
				var s []string
				slices.Backward(ints())(func(i, v int) bool { s = append(s, fmt.Sprint(i, v)); return true })
				return s
			}},
		{"Values, Collect and AppendSeq", func() any {
			return []any{ourslices.Collect(ourslices.Values(ints())), ourslices.AppendSeq([]int{0}, ourslices.Values(ints()))}
		},
			func() any {
				return []any{slices.Collect(slices.Values(ints())), slices.AppendSeq([]int{0}, slices.Values(ints()))}
			}},
		{"Sorted and SortedFunc", func() any {
			return []any{ourslices.Sorted(ourslices.Values(ints())), ourslices.SortedFunc(ourslices.Values([]string{"pear", "fig"}), byLen)}
		},
			func() any {
				return []any{slices.Sorted(slices.Values(ints())), slices.SortedFunc(slices.Values([]string{"pear", "fig"}), byLen)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.ours(), tt.std(); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestSlicesPanicsAsTheStandardLibrary checks the panics of empty and out-of-range
// arguments.
func TestSlicesPanicsAsTheStandardLibrary(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		msg  string
	}{
		{"Min of nothing", func() { ourslices.Min([]int{}) }, "slices.Min: empty list"},
		{"Max of nothing", func() { ourslices.Max([]int{}) }, "slices.Max: empty list"},
		{"Insert past the end", func() { ourslices.Insert([]int{1}, 3, 2) }, "out of range"},
		{"unordered values", func() { ourslices.Sort([]struct{}{{}, {}}) }, "cannot be ordered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); !strings.Contains(fmt.Sprint(r), tt.msg) {
					t.Errorf("panic %v, want one containing %q", r, tt.msg)
				}
			}()
			tt.f()
		})
	}
}

// TestMapsAgreesWithTheStandardLibrary does for maps what the slices test does.
func TestMapsAgreesWithTheStandardLibrary(t *testing.T) {
	m := func() map[string]int { return map[string]int{"a": 1, "b": 2, "c": 3} }
	odd := func(_ string, v int) bool { return v%2 == 1 }
	tests := []struct {
		name      string
		ours, std func() any
	}{
		{"Keys", func() any { return slices.Sorted(ourmaps.Keys(m())) }, func() any { return slices.Sorted(maps.Keys(m())) }},
		{"Values", func() any { return slices.Sorted(ourmaps.Values(m())) }, func() any { return slices.Sorted(maps.Values(m())) }},
		{"All and Collect", func() any { return ourmaps.Collect(ourmaps.All(m())) }, func() any { return maps.Collect(maps.All(m())) }},
		{"Insert", func() any { d := map[string]int{"z": 0}; ourmaps.Insert(d, ourmaps.All(m())); return d }, func() any { d := map[string]int{"z": 0}; maps.Insert(d, maps.All(m())); return d }},
		{"Clone", func() any { return []any{ourmaps.Clone(m()), ourmaps.Clone(map[string]int(nil)) == nil} }, func() any { return []any{maps.Clone(m()), maps.Clone(map[string]int(nil)) == nil} }},
		{"Copy", func() any { d := map[string]int{"a": 9, "z": 0}; ourmaps.Copy(d, m()); return d }, func() any { d := map[string]int{"a": 9, "z": 0}; maps.Copy(d, m()); return d }},
		{"Equal", func() any { return []bool{ourmaps.Equal(m(), m()), ourmaps.Equal(m(), map[string]int{"a": 1})} }, func() any { return []bool{maps.Equal(m(), m()), maps.Equal(m(), map[string]int{"a": 1})} }},
		{"EqualFunc", func() any {
			return ourmaps.EqualFunc(m(), map[string]string{"a": "1", "b": "2", "c": "3"}, func(i int, s string) bool { return fmt.Sprint(i) == s })
		},
			func() any {
				return maps.EqualFunc(m(), map[string]string{"a": "1", "b": "2", "c": "3"}, func(i int, s string) bool { return fmt.Sprint(i) == s })
			}},
		{"DeleteFunc", func() any { d := m(); ourmaps.DeleteFunc(d, odd); return d }, func() any { d := m(); maps.DeleteFunc(d, odd); return d }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.ours(), tt.std(); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestMembers(t *testing.T) {
	members, err := stdsource.Members()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pkg, name string
		want      bool
	}{
		{"slices", "Sort", true},
		{"slices", "Sorted", true},
		{"slices", "less", false},
		{"maps", "Keys", true},
		{"maps", "Sort", false},
	}
	for _, tt := range tests {
		if got := slices.Contains(members[tt.pkg], tt.name); got != tt.want {
			t.Errorf("%s.%s listed: %v, want %v", tt.pkg, tt.name, got, tt.want)
		}
	}
}
