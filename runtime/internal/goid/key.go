package goid

// Key returns a cheap identity of the calling goroutine: two goroutines
// running at the same time never share a key, and a goroutine's key does not
// change while it runs. Unlike ID, a key may be handed to a new goroutine
// once the goroutine that had it has ended, so it identifies running
// goroutines only. Key is meant for code that must tell goroutines apart on
// every call and cannot afford the two microseconds ID costs where it must
// parse a stack header.
//
// On amd64 and arm64 the key is the address of the runtime's descriptor of
// the goroutine, read from where the runtime keeps it (a few nanoseconds;
// it is only compared, never dereferenced). Elsewhere it is the ID.
func Key() uintptr {
	return key()
}
