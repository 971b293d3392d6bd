package session

import (
	"sync"

	"github.com/gokernel/gokernel/kernel/wire"
)

// queue is the FIFO of shell requests waiting for the shell worker.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*wire.Message
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends m.
func (q *queue) push(m *wire.Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.items = append(q.items, m)
	q.cond.Signal()
}

// pop waits for the next message; ok is false once the queue is closed.
func (q *queue) pop() (m *wire.Message, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, false
	}
	m = q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	return m, true
}

// take removes and returns the queued messages for which match is true, keeping the others
// in order.
func (q *queue) take(match func(*wire.Message) bool) []*wire.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	var taken, kept []*wire.Message
	for _, m := range q.items {
		if match(m) {
			taken = append(taken, m)
		} else {
			kept = append(kept, m)
		}
	}
	q.items = kept
	return taken
}

// close wakes the worker and stops accepting messages.
func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}
