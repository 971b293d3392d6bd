// Package stack lets a program that runs interpreted code describe the call stack of a panic
// in the interpreted code's own terms.
//
// The runtime packages recover panics in the threads, tasks and child processes they run and
// report them with the goroutine's stack. For a function of a gokernel notebook that stack is
// the interpreter's machinery; the kernel installs a describer that returns the notebook's
// frames (cell and line) instead.
package stack

import "sync/atomic"

// describer is process-wide: panics are recovered in whatever goroutine they happen, and the
// interpreter that knows the frames is one per process.
var describer atomic.Pointer[func(v any) string]

// SetDescriber installs f, which describes the stack of a panic with value v being
// recovered in the calling goroutine, or returns "" when it knows nothing better than the
// Go stack. A nil f removes it.
func SetDescriber(f func(v any) string) {
	if f == nil {
		describer.Store(nil)
		return
	}
	describer.Store(&f)
}

// Describe returns the installed describer's account of the calling goroutine's panic,
// whose value is v, and whether there is one.
func Describe(v any) (string, bool) {
	f := describer.Load()
	if f == nil {
		return "", false
	}
	s := (*f)(v)
	return s, s != ""
}
