// Package deadlock tells, from a dump of every goroutine of the process, whether the
// goroutines of a notebook's program are all blocked for good: the state in which Go's
// runtime stops a compiled program with "fatal error: all goroutines are asleep -
// deadlock!". In a kernel the runtime cannot see it, because the kernel's own goroutines
// (sockets, heartbeat, output) are always there to keep the process alive.
//
// A goroutine belongs to the program when one of its frames runs in one of the packages
// that Rules.Program names (the interpreter, the runtime packages of the notebook). Such a
// goroutine is asleep when its state is a wait on a channel or a lock (chan receive, select,
// sync.Mutex.Lock, ...), it waits through functions that Rules.Waits names (not inside a
// library that waits for the network, say), and none of its frames is one that Rules.Timed
// names: a wait with a time limit, or a wait for the user's input, ends by itself. The
// program is deadlocked when it has goroutines and every one is asleep.
package deadlock

import (
	"bytes"
	"regexp"
	"strings"
)

// Rules say which goroutines are the program's and which of their waits end by themselves.
type Rules struct {
	// Program lists prefixes of function names (as a dump prints them, package path
	// first) whose frames make a goroutine part of the program.
	Program []string
	// Outside lists prefixes of function names whose frames keep a goroutine out of the
	// program even when a frame of it is the program's (the kernel waiting for the
	// interpreter, say).
	Outside []string
	// Timed lists substrings of function names whose frames make a goroutine's wait one
	// that ends by itself.
	Timed []string
	// Waits lists prefixes of function names through which the program waits for its own
	// goroutines: Go's runtime, sync, reflect's select, the interpreter. A goroutine whose
	// innermost frames, up to the first of the program, include another function waits in
	// a library for something outside the program (net/http for a response, say), which
	// is not a deadlock.
	Waits []string
}

// Report describes the program's goroutines in a dump.
type Report struct {
	// Goroutines counts the program's goroutines.
	Goroutines int
	// Asleep counts those that are asleep, by state ("chan receive": 2).
	Asleep map[string]int
}

// Deadlocked reports whether the program has goroutines and all of them are asleep.
func (r Report) Deadlocked() bool {
	n := 0
	for _, k := range r.Asleep {
		n += k
	}
	return r.Goroutines > 0 && n == r.Goroutines
}

// asleep are the states of a goroutine that waits for another goroutine, as the runtime
// names them in a dump.
var asleep = map[string]bool{
	"chan receive":            true,
	"chan receive (nil chan)": true,
	"chan send":               true,
	"chan send (nil chan)":    true,
	"select":                  true,
	"select (no cases)":       true,
	"sync.Mutex.Lock":         true,
	"sync.RWMutex.Lock":       true,
	"sync.RWMutex.RLock":      true,
	"sync.WaitGroup.Wait":     true,
	"sync.Cond.Wait":          true,
	"semacquire":              true,
}

var header = regexp.MustCompile(`^goroutine \d+ \[([^\]]*)\]:`)

// Check reads a dump of all goroutines, as runtime.Stack(buf, true) writes it.
func (rules Rules) Check(dump []byte) Report {
	rep := Report{Asleep: map[string]int{}}
	for _, block := range bytes.Split(dump, []byte("\n\n")) {
		lines := strings.Split(strings.TrimSpace(string(block)), "\n")
		m := header.FindStringSubmatch(lines[0])
		if m == nil {
			continue
		}
		// "select, 2 minutes", "chan receive (durable)": the state is what comes first.
		state, _, _ := strings.Cut(m[1], ",")
		program, outside, timed, external := false, false, false, false
		for _, fn := range lines[1:] {
			if strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "created by ") {
				continue // a file and line, or where the goroutine was started
			}
			if !program && !hasPrefix(fn, rules.Program) && !hasPrefix(fn, rules.Waits) {
				external = true // a frame of a library below the program's first
			}
			program = program || hasPrefix(fn, rules.Program)
			outside = outside || hasPrefix(fn, rules.Outside)
			for _, t := range rules.Timed {
				timed = timed || strings.Contains(fn, t)
			}
		}
		if !program || outside {
			continue
		}
		rep.Goroutines++
		if asleep[state] && !timed && !external {
			rep.Asleep[state]++
		}
	}
	return rep
}

// hasPrefix reports whether s starts with one of prefixes.
func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
