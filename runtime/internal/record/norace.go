//go:build !race

package record

// raceEnabled is set when the race detector is on.
const raceEnabled = false
