//go:build unix

package queue

import (
	"syscall"
	"testing"
	"time"
)

func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestBlockedCallsDoNotSpin parks goroutines in every blocking call and
// checks that the process stays nearly idle while they wait.
func TestBlockedCallsDoNotSpin(t *testing.T) {
	empty, full := New(0), New(1)
	full.Put("x")
	full.Get() // leaves one unfinished item for Join
	full.Put("y")
	for _, f := range []func(){
		func() { empty.Get() },
		func() { empty.GetTimeout(time.Hour) },
		func() { defer func() { recover() }(); full.Put("z") },
		full.Join,
	} {
		go f()
	}
	time.Sleep(50 * time.Millisecond)

	const window = 300 * time.Millisecond
	before := cpuTime(t)
	time.Sleep(window)
	if used := cpuTime(t) - before; used > window/3 {
		t.Fatalf("process used %v of CPU in %v while every goroutine was blocked", used, window)
	}
	empty.Close()
	full.Close()
}
