package clock

// hasTicks says that ticks reads a hardware counter.
const hasTicks = true

// ticks returns the processor's time-stamp counter. It is implemented in
// assembly.
func ticks() int64
