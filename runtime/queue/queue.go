// Package queue provides Queue, a first-in, first-out queue that threads use
// to hand work to each other, like Python's queue.Queue.
//
// Python code maps onto it like this:
//
//	q = queue.Queue()                   q := queue.New(0)
//	q = queue.Queue(maxsize=10)         q := queue.New(10)
//	q.put(item)                         q.Put(item)
//	item = q.get()                      item := q.Get()
//	item = q.get(timeout=1)             item, err := q.GetTimeout(time.Second)
//	item = q.get_nowait()               item, err := q.GetTimeout(0)
//	q.empty(); q.full(); q.qsize()      q.Empty(); q.Full(); q.Len()
//	q.task_done(); q.join()             q.TaskDone(); q.Join()
//	q.shutdown()                        q.Close()
//
// Items are of type any; a consumer asserts the type it expects:
//
//	n := q.Get().(int)
//
// Close ends a queue the way closing a channel does: Put panics afterwards,
// and once the remaining items are taken, Get returns nil at once instead of
// blocking and GetTimeout returns ErrClosed. A consumer loop therefore ends
// either on a sentinel, as in Python, or on the closed queue:
//
//	for {
//		item, err := q.GetTimeout(-1) // -1: no time limit
//		if err != nil {
//			break // queue.ErrClosed
//		}
//		...
//	}
//
// Blocking calls park the calling goroutine; none of them spins. While a
// recording of package timeline runs, they report how long they blocked.
package queue

import (
	"errors"
	"sync"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/notify"
	"github.com/gokernel/gokernel/runtime/internal/record"
)

// ErrEmpty is returned by GetTimeout when no item arrived in time, like
// Python's queue.Empty.
var ErrEmpty = errors.New("queue: empty")

// ErrClosed is returned by GetTimeout when the queue is closed and has no
// items left, like Python's queue.ShutDown.
var ErrClosed = errors.New("queue: closed")

// Queue is a first-in, first-out queue, safe for use by multiple goroutines.
// Create one with New.
type Queue struct {
	max int // 0: unbounded

	mu         sync.Mutex
	items      []any
	closed     bool
	unfinished int           // items put and not yet marked done
	added      notify.Signal // an item was put, or the queue was closed
	removed    notify.Signal // an item was taken, or the queue was closed
	finished   notify.Signal // unfinished dropped to zero
}

// New returns a queue that holds at most maxsize items; Put waits while it is
// full. A maxsize of zero or less makes the queue unbounded, as in Python.
func New(maxsize int) *Queue {
	return &Queue{max: max(maxsize, 0)}
}

// Put adds v at the end of the queue, waiting while the queue is full. It
// panics if the queue is closed, also when Close happens while Put waits.
func (q *Queue) Put(v any) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed && q.max > 0 && len(q.items) >= q.max {
		record.Emit(record.Block, q, "Queue.Put")
		for !q.closed && q.max > 0 && len(q.items) >= q.max {
			q.removed.Await(&q.mu, nil)
		}
		record.Emit(record.Unblock, q, "Queue.Put")
	}
	if q.closed {
		panic("queue: Put on closed Queue")
	}
	q.items = append(q.items, v)
	q.unfinished++
	q.added.Broadcast()
}

// Get removes and returns the item at the front of the queue, waiting until
// there is one. On a closed queue with no items left it returns nil at once.
func (q *Queue) Get() any {
	v, _ := q.get(-1)
	return v
}

// GetTimeout removes and returns the item at the front of the queue, waiting
// at most d for one. It returns ErrEmpty if none arrived in time and
// ErrClosed if the queue is closed and has no items left. A d of zero does
// not wait, and a negative d waits without limit.
func (q *Queue) GetTimeout(d time.Duration) (any, error) {
	return q.get(d)
}

// get is GetTimeout. Get calls it directly, not through GetTimeout, so that a dump of the
// goroutines names GetTimeout only for a wait with a time limit: a deadlock detector
// (gokernel's) can then tell the two apart.
func (q *Queue) get(d time.Duration) (any, error) {
	timeout := notify.Deadline(d)
	q.mu.Lock()
	defer q.mu.Unlock()
	blocked := false
	for ; len(q.items) == 0; blocked = true {
		switch {
		case q.closed:
			q.unblock(blocked, "Queue.Get")
			return nil, ErrClosed
		case d == 0:
			q.unblock(blocked, "Queue.Get")
			return nil, ErrEmpty
		case !blocked:
			record.Emit(record.Block, q, "Queue.Get")
		}
		if !q.added.Await(&q.mu, timeout) {
			d = 0 // take an item that arrived meanwhile, else give up
		}
	}
	q.unblock(blocked, "Queue.Get")
	v := q.items[0]
	q.items[0] = nil // let the item be collected
	q.items = q.items[1:]
	q.removed.Broadcast()
	return v, nil
}

// unblock records the end of a blocking call of type typ, if it blocked.
func (q *Queue) unblock(blocked bool, typ string) {
	if blocked {
		record.Emit(record.Unblock, q, typ)
	}
}

// Len returns the number of items in the queue.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Empty reports whether the queue holds no items.
func (q *Queue) Empty() bool {
	return q.Len() == 0
}

// Full reports whether the queue is bounded and holds as many items as it
// may.
func (q *Queue) Full() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.max > 0 && len(q.items) >= q.max
}

// TaskDone tells the queue that the processing of an item taken with Get is
// complete. When every item put has been marked done, Join returns. TaskDone
// panics if called more times than Put.
func (q *Queue) TaskDone() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished == 0 {
		panic("queue: TaskDone called more times than Put")
	}
	q.unfinished--
	if q.unfinished == 0 {
		q.finished.Broadcast()
	}
}

// Join waits until every item put into the queue has been marked done with
// TaskDone.
func (q *Queue) Join() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.unfinished == 0 {
		return
	}
	record.Emit(record.Block, q, "Queue.Join")
	for q.unfinished > 0 {
		q.finished.Await(&q.mu, nil)
	}
	record.Emit(record.Unblock, q, "Queue.Join")
}

// Close closes the queue: later calls to Put panic, and Get and GetTimeout
// return the items left and then report the end at once. Closing wakes all
// goroutines blocked in Get, GetTimeout and Put. Closing a closed queue does
// nothing.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.added.Broadcast()
	q.removed.Broadcast()
}

// Closed reports whether Close has been called.
func (q *Queue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}
