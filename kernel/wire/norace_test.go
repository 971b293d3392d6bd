//go:build !race

package wire

// raceEnabled reports whether the race detector is on; it makes bursts smaller.
const raceEnabled = false
