//go:build !amd64

package clock

// hasTicks says that ticks reads no hardware counter.
const hasTicks = false

func ticks() int64 { return 0 }
