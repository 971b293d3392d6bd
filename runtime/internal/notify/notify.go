// Package notify provides Signal, a broadcast wake-up for goroutines that wait
// for a change of state guarded by a mutex, with support for timeouts.
//
// A waiter holds the mutex, checks the state and calls Await, which releases
// the mutex while it blocks (and, if the waiter likes, gives up at a
// deadline) and takes it back before returning. A changer holds the mutex,
// changes the state and calls Broadcast. Because the wake-up is taken under
// the same mutex as the state change, no wake-up is lost and nobody spins.
package notify

import (
	"sync"
	"time"
)

// Signal is a broadcast wake-up. The zero value is ready to use. Every method
// must be called with the mutex that guards the watched state held.
type Signal struct {
	ch chan struct{}
}

// Wait returns a channel that the next Broadcast closes.
func (s *Signal) Wait() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Await releases mu, the caller's mutex that guards the watched state, waits
// for the next Broadcast or for timeout to be ready, whichever comes first,
// and locks mu again. It reports whether Broadcast woke it. A nil timeout
// waits for Broadcast alone.
func (s *Signal) Await(mu sync.Locker, timeout <-chan time.Time) bool {
	wake := s.Wait()
	mu.Unlock()
	defer mu.Lock()
	select {
	case <-wake:
		return true
	case <-timeout:
		return false
	}
}

// Broadcast wakes every goroutine blocked on a channel returned by Wait.
func (s *Signal) Broadcast() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// expired is always ready.
var expired = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// Deadline returns a channel that is ready once d has passed, for Await: at
// once for a d of zero, and never (a nil channel) for a negative d.
func Deadline(d time.Duration) <-chan time.Time {
	switch {
	case d < 0:
		return nil
	case d == 0:
		return expired
	}
	return time.After(d)
}
