//go:build race

package record

// raceEnabled is set when the race detector is on. The detector cannot see
// that a pinned processor excludes other goroutines, so each proc is then
// also locked, which it can see.
const raceEnabled = true
