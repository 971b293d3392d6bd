// Package goid reports the identity of the calling goroutine.
//
// Go deliberately hides goroutine identity. The gokernel runtime needs it for
// two Python behaviours that are defined per thread: threading.current_thread()
// and the ownership of a re-entrant lock.
//
// The id is the one in the header line of runtime.Stack ("goroutine 42
// [running]:"), which is stable across Go releases but costs about two
// microseconds to produce. On amd64 and arm64 the package therefore also
// finds, once, where the runtime's descriptor of a goroutine keeps that id,
// by comparing the descriptors of three goroutines with their stack headers.
// When exactly one place agrees for all three, ID reads the id from there in
// a few nanoseconds; otherwise, as on other platforms, it parses the stack
// header every time.
package goid

import (
	"runtime"
	"strconv"
	"sync"
)

// ID returns the id of the calling goroutine. Ids are positive and are not
// reused while the goroutine runs. ID panics if the runtime's stack header
// cannot be parsed, which would mean an incompatible Go release.
func ID() int64 {
	if off := idOffset(); off >= 0 {
		return readID(off)
	}
	return slowID()
}

// slowID returns the id from the calling goroutine's stack header.
func slowID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	return parse(buf[:n])
}

// idOffset returns the offset of the id in a goroutine's descriptor, or -1
// when it is unknown.
var idOffset = sync.OnceValue(func() int {
	return locate(descriptorWords)
})

// locate returns the offset of the only word of the first n words of a
// goroutine's descriptor that holds the goroutine's id in each of three new
// goroutines, or -1 if there is no such single word.
func locate(n int) int {
	if n == 0 {
		return -1
	}
	candidates := make([]bool, n)
	for i := range candidates {
		candidates[i] = true
	}
	for range 3 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			id := slowID()
			for i := range candidates {
				if candidates[i] && readID(i*8) != id {
					candidates[i] = false
				}
			}
		}()
		<-done
	}
	found := -1
	for i, ok := range candidates {
		if ok {
			if found >= 0 {
				return -1 // ambiguous
			}
			found = i * 8
		}
	}
	return found
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
