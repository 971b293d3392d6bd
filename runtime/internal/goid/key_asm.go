//go:build amd64 || arm64

package goid

import "unsafe"

// key returns the address of the calling goroutine's descriptor.
// It is implemented in assembly.
func key() uintptr

// descriptor returns the calling goroutine's descriptor, the runtime's g,
// as a pointer. It is implemented in assembly.
func descriptor() unsafe.Pointer

// descriptorWords is how many leading 8-byte words of a descriptor locate
// searches for the id. The runtime's descriptor is several times larger, so
// they are all inside it.
const descriptorWords = 32

// readID returns the word at off in the calling goroutine's descriptor.
func readID(off int) int64 {
	return *(*int64)(unsafe.Add(descriptor(), off))
}
