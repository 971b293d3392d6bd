package goeval

import (
	"errors"
	"testing"
)

func TestPanicSites(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("a")
	type pair struct{ x, y int }
	type holder struct{ v any }
	shared, sharedMap := []int{1, 2}, map[string]int{"k": 1}
	tests := []struct {
		name     string
		recorded []panicSite
		v        any
		line     int // 0: not found
	}{
		{"string", []panicSite{{"boom", 4}}, "boom", 4},
		{"the latest of equal values", []panicSite{{"boom", 4}, {"other", 5}, {"boom", 9}}, "boom", 9},
		{"the same error, not an equal one", []panicSite{{errA, 3}, {errB, 7}}, errA, 3},
		{"struct", []panicSite{{pair{1, 2}, 6}}, pair{1, 2}, 6},
		{"another value", []panicSite{{"boom", 4}}, "bang", 0},
		{"another type", []panicSite{{1, 4}}, int64(1), 0},
		{"an equal slice, not the same", []panicSite{{[]int{1}, 4}}, []int{1}, 0},
		{"the same slice", []panicSite{{[]int{7}, 2}, {shared, 4}, {shared[:1], 6}}, shared, 4},
		{"an empty slice", []panicSite{{[]int{}, 4}}, []int{}, 0},
		{"the same map", []panicSite{{map[int]int{}, 3}, {sharedMap, 5}}, sharedMap, 5},
		{"a nil map", []panicSite{{map[int]int(nil), 3}}, map[int]int(nil), 0},
		{"uncomparable inside an interface", []panicSite{{holder{[]int{1}}, 4}}, holder{[]int{1}}, 0},
		{"nil", []panicSite{{nil, 4}}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p panicSites
			for _, s := range tt.recorded {
				p.record(s.v, s.line)
			}
			line, ok := p.take(tt.v)
			if ok != (tt.line > 0) || line != tt.line {
				t.Fatalf("take = %d, %v; want %d", line, ok, tt.line)
			}
			if ok {
				if again, _ := p.take(tt.v); again == line && len(tt.recorded) == 1 {
					t.Fatalf("take found line %d twice", line)
				}
			}
		})
	}
	// record passes the value on to panic.
	var p panicSites
	if got := p.record(errA, 1); got != errA {
		t.Errorf("record returned %v, want the value it was given", got)
	}
	// Only the latest maxPanicSites calls are remembered.
	p = panicSites{}
	for k := range maxPanicSites + 1 {
		p.record(k, k+1)
	}
	if _, ok := p.take(0); ok {
		t.Errorf("the oldest of %d calls is still remembered", maxPanicSites+1)
	}
	if line, ok := p.take(maxPanicSites); !ok || line != maxPanicSites+1 {
		t.Errorf("the latest call: %d, %v", line, ok)
	}
}
