package goeval

import (
	"reflect"
	"sync"
)

// maxPanicSites bounds the panic calls a panicSites remembers: those whose panics were
// recovered are never taken.
const maxPanicSites = 64

// panicSites remembers the cell lines of the latest calls of panic, with their values,
// so that a panic's trace can place its innermost frame at the call: the interpreter
// places it at the start of the function. Cells call record through gocell.PanicName.
type panicSites struct {
	mu    sync.Mutex
	sites []panicSite // oldest first
}

// A panicSite is a call of panic: its value and its cell line.
type panicSite struct {
	v    any
	line int
}

// record notes that the panic call on cell line line is about to panic with v, and
// returns v.
func (p *panicSites) record(v any, line int) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sites) == maxPanicSites {
		p.sites = append(p.sites[:0], p.sites[1:]...)
	}
	p.sites = append(p.sites, panicSite{v: v, line: line})
	return v
}

// take returns the line of the latest panic call whose value is v, and forgets that
// call. It reports false when no remembered call panicked with v, or when v cannot be
// compared and is not a slice or a map (see sameValue).
func (p *panicSites) take(v any) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := len(p.sites) - 1; k >= 0; k-- {
		if sameValue(p.sites[k].v, v) {
			line := p.sites[k].line
			p.sites = append(p.sites[:k], p.sites[k+1:]...)
			return line, true
		}
	}
	return 0, false
}

// sameValue reports whether a and b are equal values of one comparable type, or the same
// slice (one array, length and capacity; not empty) or the same map (not nil). A struct or
// an array holding an uncomparable value in an interface is never equal.
func sameValue(a, b any) (same bool) {
	if a == nil || b == nil {
		return false
	}
	t := reflect.TypeOf(a)
	if t != reflect.TypeOf(b) {
		return false
	}
	switch va, vb := reflect.ValueOf(a), reflect.ValueOf(b); t.Kind() {
	case reflect.Slice:
		return va.Len() > 0 && va.UnsafePointer() == vb.UnsafePointer() && va.Len() == vb.Len() && va.Cap() == vb.Cap()
	case reflect.Map:
		return !va.IsNil() && va.UnsafePointer() == vb.UnsafePointer()
	}
	if !t.Comparable() {
		return false
	}
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}
