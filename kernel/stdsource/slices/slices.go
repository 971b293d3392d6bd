// Package slices is the standard library's package slices written in the forms that the
// interpreter runs: type parameters over []E rather than S ~[]E (yaegi cannot infer E from
// S), and iterators as plain func(yield func(E) bool) values (yaegi has no package iter and
// no range over functions). The kernel compiles this source into every session in place of
// the interpreter's own, which misses most of the package and crashes in part of the rest.
// It compiles as ordinary Go too, which is how its tests compare it with package slices.
package slices

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"time"
)

// ordered stands for cmp.Ordered, which the interpreter does not resolve from another
// package and whose union it does not match with compiled named types such as
// time.Duration. The functions that order values accept any type and order integers,
// floating-point numbers and strings at run time; other types panic.
type ordered = any

// All returns an iterator over the indexes and values of s.
func All[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i, v := range s {
			if !yield(i, v) {
				return
			}
		}
	}
}

// Values returns an iterator over the values of s.
func Values[E any](s []E) func(yield func(E) bool) {
	return func(yield func(E) bool) {
		for _, v := range s {
			if !yield(v) {
				return
			}
		}
	}
}

// Backward returns an iterator over the indexes and values of s, from the last to the
// first.
func Backward[E any](s []E) func(yield func(int, E) bool) {
	return func(yield func(int, E) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(i, s[i]) {
				return
			}
		}
	}
}

// AppendSeq appends the values of seq to s and returns the result.
func AppendSeq[E any](s []E, seq func(yield func(E) bool)) []E {
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Collect returns the values of seq in a new slice.
func Collect[E any](seq func(yield func(E) bool)) []E {
	var s []E
	seq(func(v E) bool {
		s = append(s, v)
		return true
	})
	return s
}

// Sorted returns the values of seq in a new slice, sorted.
func Sorted[E ordered](seq func(yield func(E) bool)) []E {
	s := Collect(seq)
	Sort(s)
	return s
}

// SortedFunc returns the values of seq in a new slice, sorted by cmp.
func SortedFunc[E any](seq func(yield func(E) bool), cmp func(E, E) int) []E {
	s := Collect(seq)
	SortFunc(s, cmp)
	return s
}

// less orders as cmp.Less does, a NaN before any other value.
func less[E ordered](a, b E) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch va.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return va.Int() < vb.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return va.Uint() < vb.Uint()
	case reflect.Float32, reflect.Float64:
		x, y := va.Float(), vb.Float()
		return x < y || math.IsNaN(x) && !math.IsNaN(y)
	case reflect.String:
		return va.String() < vb.String()
	}
	panic(fmt.Sprintf("slices: %T values cannot be ordered", a))
}

// isNaN reports whether v is a floating-point NaN.
func isNaN[E ordered](v E) bool {
	r := reflect.ValueOf(v)
	k := r.Kind()
	return (k == reflect.Float32 || k == reflect.Float64) && math.IsNaN(r.Float())
}

// Sort sorts x in increasing order; NaNs come first.
func Sort[E ordered](x []E) {
	switch v := any(x).(type) {
	case []int:
		sort.Ints(v)
	case []float64:
		sort.Float64s(v)
	case []string:
		sort.Strings(v)
	case []time.Duration:
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	default:
		sort.Slice(x, func(i, j int) bool { return less(x[i], x[j]) })
	}
}

// SortFunc sorts x in the order cmp gives: negative when a comes before b.
func SortFunc[E any](x []E, cmp func(a, b E) int) {
	sort.SliceStable(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// SortStableFunc sorts x in the order cmp gives, keeping equal elements in their order.
func SortStableFunc[E any](x []E, cmp func(a, b E) int) {
	sort.SliceStable(x, func(i, j int) bool { return cmp(x[i], x[j]) < 0 })
}

// IsSorted reports whether x is sorted in increasing order.
func IsSorted[E ordered](x []E) bool {
	for i := len(x) - 1; i > 0; i-- {
		if less(x[i], x[i-1]) {
			return false
		}
	}
	return true
}

// IsSortedFunc reports whether x is sorted in the order cmp gives.
func IsSortedFunc[E any](x []E, cmp func(a, b E) int) bool {
	for i := len(x) - 1; i > 0; i-- {
		if cmp(x[i], x[i-1]) < 0 {
			return false
		}
	}
	return true
}

// BinarySearch searches sorted x for target and returns the position where it is, or
// would be inserted, and whether it is there.
func BinarySearch[E ordered](x []E, target E) (int, bool) {
	i := sort.Search(len(x), func(i int) bool { return !less(x[i], target) })
	return i, i < len(x) && !less(target, x[i])
}

// BinarySearchFunc is BinarySearch with cmp(element, target) giving the order.
func BinarySearchFunc[E, T any](x []E, target T, cmp func(E, T) int) (int, bool) {
	i := sort.Search(len(x), func(i int) bool { return cmp(x[i], target) >= 0 })
	return i, i < len(x) && cmp(x[i], target) == 0
}

// Min returns the smallest value of x, or a NaN if x holds one. It panics if x is empty.
func Min[E ordered](x []E) E {
	return extreme(x, -1, "slices.Min")
}

// Max returns the largest value of x, or a NaN if x holds one. It panics if x is empty.
func Max[E ordered](x []E) E {
	return extreme(x, +1, "slices.Max")
}

// extreme returns the smallest (want -1) or largest (want +1) value of x, or its first
// NaN. It panics with a message naming fn if x is empty.
func extreme[E ordered](x []E, want int, fn string) E {
	if len(x) < 1 {
		panic(fn + ": empty list")
	}
	m := x[0]
	for _, v := range x {
		if isNaN(v) {
			return v
		}
		if want < 0 && less(v, m) || want > 0 && less(m, v) {
			m = v
		}
	}
	return m
}

// MinFunc returns the first of the smallest values of x in the order cmp gives. It panics
// if x is empty.
func MinFunc[E any](x []E, cmp func(a, b E) int) E {
	return extremeFunc(x, cmp, -1, "slices.MinFunc")
}

// MaxFunc returns the first of the largest values of x in the order cmp gives. It panics
// if x is empty.
func MaxFunc[E any](x []E, cmp func(a, b E) int) E {
	return extremeFunc(x, cmp, +1, "slices.MaxFunc")
}

// extremeFunc returns the first of the values of x that cmp orders first (want -1) or last
// (want +1). It panics with a message naming fn if x is empty.
func extremeFunc[E any](x []E, cmp func(a, b E) int, want int, fn string) E {
	if len(x) < 1 {
		panic(fn + ": empty list")
	}
	m := x[0]
	for _, v := range x[1:] {
		if c := cmp(v, m); want < 0 && c < 0 || want > 0 && c > 0 {
			m = v
		}
	}
	return m
}

// Equal reports whether s1 and s2 have the same length and equal elements. NaNs are not
// equal.
func Equal[E comparable](s1, s2 []E) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if s1[i] != s2[i] {
			return false
		}
	}
	return true
}

// EqualFunc reports whether s1 and s2 have the same length and eq holds for each pair of
// elements.
func EqualFunc[E1, E2 any](s1 []E1, s2 []E2, eq func(E1, E2) bool) bool {
	if len(s1) != len(s2) {
		return false
	}
	for i := range s1 {
		if !eq(s1[i], s2[i]) {
			return false
		}
	}
	return true
}

// Compare compares s1 and s2 element by element, and then by length: -1, 0 or +1.
func Compare[E ordered](s1, s2 []E) int {
	for i, v1 := range s1 {
		if i >= len(s2) {
			return +1
		}
		if less(v1, s2[i]) {
			return -1
		}
		if less(s2[i], v1) {
			return +1
		}
	}
	if len(s1) < len(s2) {
		return -1
	}
	return 0
}

// Index returns the index of the first v in s, or -1.
func Index[E comparable](s []E, v E) int {
	for i := range s {
		if v == s[i] {
			return i
		}
	}
	return -1
}

// IndexFunc returns the index of the first element of s for which f holds, or -1.
func IndexFunc[E any](s []E, f func(E) bool) int {
	for i := range s {
		if f(s[i]) {
			return i
		}
	}
	return -1
}

// Contains reports whether v is in s.
func Contains[E comparable](s []E, v E) bool {
	return Index(s, v) >= 0
}

// ContainsFunc reports whether f holds for an element of s.
func ContainsFunc[E any](s []E, f func(E) bool) bool {
	return IndexFunc(s, f) >= 0
}

// Insert inserts the values v at index i of s and returns the result. It panics if i is
// out of range.
func Insert[E any](s []E, i int, v ...E) []E {
	_ = s[i:] // bounds check
	out := make([]E, 0, len(s)+len(v))
	out = append(out, s[:i]...)
	out = append(out, v...)
	return append(out, s[i:]...)
}

// Delete removes s[i:j] and returns the result, zeroing the elements past its new length.
func Delete[E any](s []E, i, j int) []E {
	_ = s[i:j:len(s)] // bounds check
	if i == j {
		return s
	}
	n := len(s)
	s = append(s[:i], s[j:]...)
	var zero E
	for k := len(s); k < n; k++ {
		s[:n][k] = zero
	}
	return s
}

// DeleteFunc removes the elements of s for which del holds and returns the result, zeroing
// the elements past its new length.
func DeleteFunc[E any](s []E, del func(E) bool) []E {
	n := len(s)
	kept := s[:0]
	for _, v := range s {
		if !del(v) {
			kept = append(kept, v)
		}
	}
	var zero E
	for k := len(kept); k < n; k++ {
		s[k] = zero
	}
	return kept
}

// Replace replaces s[i:j] with the values v and returns the result.
func Replace[E any](s []E, i, j int, v ...E) []E {
	_ = s[i:j] // bounds check
	out := make([]E, 0, len(s)-(j-i)+len(v))
	out = append(out, s[:i]...)
	out = append(out, v...)
	return append(out, s[j:]...)
}

// Clone returns a copy of s; a nil s gives nil.
func Clone[E any](s []E) []E {
	if s == nil {
		return nil
	}
	return append(make([]E, 0, len(s)), s...)
}

// Compact replaces runs of equal elements with one copy and returns the result.
func Compact[E comparable](s []E) []E {
	return CompactFunc(s, func(a, b E) bool { return a == b })
}

// CompactFunc is Compact with eq deciding equality; it keeps the first of each run.
func CompactFunc[E any](s []E, eq func(E, E) bool) []E {
	if len(s) < 2 {
		return s
	}
	n := len(s)
	kept := s[:1]
	for _, v := range s[1:] {
		if !eq(kept[len(kept)-1], v) {
			kept = append(kept, v)
		}
	}
	var zero E
	for k := len(kept); k < n; k++ {
		s[k] = zero
	}
	return kept
}

// Grow makes room for n more elements in s without another allocation. It panics if n is
// negative.
func Grow[E any](s []E, n int) []E {
	if n < 0 {
		panic("cannot be negative")
	}
	if n -= cap(s) - len(s); n > 0 {
		s = append(s[:cap(s)], make([]E, n)...)[:len(s)]
	}
	return s
}

// Clip removes the unused capacity of s.
func Clip[E any](s []E) []E {
	return s[:len(s):len(s)]
}

// Reverse reverses the elements of s in place.
func Reverse[E any](s []E) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// Concat returns a new slice of the elements of the slices given, in order.
func Concat[E any](slices ...[]E) []E {
	n := 0
	for _, s := range slices {
		n += len(s)
	}
	out := make([]E, 0, n)
	for _, s := range slices {
		out = append(out, s...)
	}
	return out
}

// Repeat returns a new slice that repeats x count times. It panics if count is negative.
func Repeat[E any](x []E, count int) []E {
	if count < 0 {
		panic("cannot be negative")
	}
	out := make([]E, 0, len(x)*count)
	for i := 0; i < count; i++ { // the interpreter cannot range over an integer
		out = append(out, x...)
	}
	return out
}
