package record

import _ "unsafe" // for go:linkname

// procPin pins the calling goroutine to its processor (P), so that it is
// not preempted, and returns the processor's id; procUnpin undoes it. While
// pinned, a goroutine must neither block nor allocate. These are the
// runtime functions behind sync.Pool, which the runtime keeps available to
// other packages (go.dev/issue/67401).
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
