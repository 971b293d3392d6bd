// Package notify provides Signal, a broadcast wake-up for goroutines that wait
// for a change of state guarded by a mutex, with support for timeouts.
//
// A waiter holds the mutex, checks the state, takes the channel from Wait,
// releases the mutex and blocks on the channel (and, if it likes, a timer).
// A changer holds the mutex, changes the state and calls Broadcast. Because the
// channel is taken under the same mutex as the state change, no wake-up is lost
// and nobody spins.
package notify

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

// Broadcast wakes every goroutine blocked on a channel returned by Wait.
func (s *Signal) Broadcast() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
