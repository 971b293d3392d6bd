// Package goid reports the identity of the calling goroutine.
//
// Go deliberately hides goroutine identity. The gokernel runtime needs it for
// two Python behaviours that are defined per thread: threading.current_thread()
// and the ownership of a re-entrant lock. The identity is read from the header
// line of runtime.Stack ("goroutine 42 [running]:"), which is stable across Go
// releases and costs about a microsecond.
package goid

import (
	"runtime"
	"strconv"
)

// ID returns the id of the calling goroutine. Ids are positive and are not
// reused while the goroutine runs. ID panics if the runtime's stack header
// cannot be parsed, which would mean an incompatible Go release.
func ID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	return parse(buf[:n])
}

// parse extracts the id from a stack header such as "goroutine 42 [running]:".
func parse(header []byte) int64 {
	const prefix = "goroutine "
	if len(header) < len(prefix) || string(header[:len(prefix)]) != prefix {
		panic("goid: unexpected stack header " + strconv.Quote(string(header)))
	}
	rest := header[len(prefix):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	id, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil || id <= 0 {
		panic("goid: unexpected stack header " + strconv.Quote(string(header)))
	}
	return id
}
