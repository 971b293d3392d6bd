//go:build !amd64 && !arm64

package goid

func key() uintptr {
	return uintptr(ID())
}
