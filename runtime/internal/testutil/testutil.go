// Package testutil holds helpers that the runtime packages' tests share.
package testutil

import (
	"io"
	"os"
	"syscall"
	"testing"
	"time"
)

// CaptureStderr runs fn with os.Stderr replaced by a pipe, which child processes started
// meanwhile inherit, and returns what was written to it. fn must wait for the threads and
// processes it starts.
func CaptureStderr(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	fn()
	os.Stderr = saved
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// CPUTime returns the processor time the test process has used so far.
func CPUTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// GoDone runs f in a new goroutine and returns a channel that is closed when f returns.
func GoDone(f func()) <-chan struct{} {
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	return done
}

// Eventually fails the test if done is not closed within a generous time.
func Eventually(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not happen within 10s", what)
	}
}

// StillBlocked fails the test if done is closed within a short time.
func StillBlocked(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
		t.Fatalf("%s did not block", what)
	case <-time.After(50 * time.Millisecond):
	}
}
