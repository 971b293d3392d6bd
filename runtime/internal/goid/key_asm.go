//go:build amd64 || arm64

package goid

// key returns the address of the calling goroutine's descriptor.
// It is implemented in assembly.
func key() uintptr
