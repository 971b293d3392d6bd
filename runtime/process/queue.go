package process

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"reflect"
	"sync"
	"time"

	"github.com/gokernel/gokernel/runtime/internal/notify"
)

// ErrEmpty is returned by GetTimeout when no item arrived in time, like
// Python's queue.Empty.
var ErrEmpty = errors.New("process: queue empty")

// ErrClosed is returned by Put on a closed queue, and by GetTimeout and
// GetInto when the queue is closed and has no items left.
var ErrClosed = errors.New("process: queue closed")

// Queue is a first-in, first-out queue shared by processes, like Python's
// multiprocessing.Queue. Create one with NewQueue and pass it to child
// processes as an argument, or inside other values; every process that holds
// it may Put and Get. The process that created the queue keeps its items and
// serves the others over a Unix socket, so the queue works for as long as
// that process lives.
//
// Items are copied: Put encodes an item and Get decodes a new value, in the
// creating process as in any other, so what a consumer gets never shares
// memory with what the producer put. Get returns the item as an empty
// interface receives it across a process boundary (see the package
// documentation): a bool, number or string as its unnamed type (int, float64,
// string ...), a slice, array or map of such types, a struct as a
// map[string]any, and *big.Int, *big.Float, time.Duration, time.Time, error,
// *Queue, *Value and *Array as themselves. GetInto decodes into a variable of
// the consumer's choosing instead, such as a struct type.
//
// A Queue is safe for use by multiple goroutines.
type Queue struct {
	id    uint64
	store *queueStore // the items, in the creating process; nil elsewhere
	addr  string      // the server's address, in other processes

	mu   sync.Mutex
	idle []*queueConn // connections to the server not in use
}

// NewQueue returns an empty, unbounded queue served by this process.
func NewQueue() *Queue {
	return &Queue{id: hub.newID(), store: &queueStore{}}
}

// Put adds v at the end of the queue. It returns an error, and adds nothing,
// if v holds a value that cannot cross a process boundary, if the queue is
// closed, or if the creating process cannot be reached.
func (q *Queue) Put(v any) error {
	b, err := encodeAny(v)
	if err != nil {
		return fmt.Errorf("process: Queue.Put: %w", err)
	}
	if q.store != nil {
		return q.store.put(b)
	}
	_, err = q.request(queueRequest{Op: opPut, Item: b})
	return err
}

// Get removes and returns the item at the front of the queue, waiting until
// there is one. Once the queue is closed and empty, Get returns nil. Get
// panics if the creating process cannot be reached; GetTimeout reports that
// as an error instead.
func (q *Queue) Get() any {
	v, err := q.getAny(-1)
	if err != nil && err != ErrClosed {
		panic(err)
	}
	return v
}

// GetTimeout removes and returns the item at the front of the queue, waiting
// at most d for one. It returns ErrEmpty if none arrived in time, and
// ErrClosed if the queue is closed and has no items left. A d of zero does
// not wait; a negative d waits without limit.
func (q *Queue) GetTimeout(d time.Duration) (any, error) {
	return q.getAny(d)
}

// getAny is GetTimeout.
// Get calls it directly rather than through GetTimeout, for the reason the lock
// package gives for its waits without a limit.
func (q *Queue) getAny(d time.Duration) (any, error) {
	b, err := q.get(d)
	if err != nil {
		return nil, err
	}
	v, err := decodeAny(b)
	if err != nil {
		return nil, fmt.Errorf("process: Queue.Get: %w", err)
	}
	return v, nil
}

// GetInto removes the item at the front of the queue, waiting until there is
// one, and stores it in the variable ptr points to, converting it to that
// variable's type as a function's parameter receives an argument:
//
//	var j Job
//	err := q.GetInto(&j)
//
// It returns ErrClosed if the queue is closed and has no items left, and an
// error if the item does not fit the variable. The item is taken either way.
func (q *Queue) GetInto(ptr any) error {
	pv := reflect.ValueOf(ptr)
	if pv.Kind() != reflect.Pointer || pv.IsNil() {
		return fmt.Errorf("process: Queue.GetInto: %T is not a non-nil pointer", ptr)
	}
	b, err := q.get(-1)
	if err != nil {
		return err
	}
	if err := decode(b, pv.Elem()); err != nil {
		return fmt.Errorf("process: Queue.GetInto: %w", err)
	}
	return nil
}

func (q *Queue) get(d time.Duration) ([]byte, error) {
	if q.store != nil {
		return q.store.get(d, nil)
	}
	rep, err := q.request(queueRequest{Op: opGet, Timeout: int64(d)})
	if err != nil {
		return nil, err
	}
	return rep.Item, nil
}

// Len returns the number of items in the queue, or 0 if the creating process
// cannot be reached.
func (q *Queue) Len() int {
	if q.store != nil {
		return q.store.len()
	}
	rep, err := q.request(queueRequest{Op: opLen})
	if err != nil {
		return 0
	}
	return int(rep.Len)
}

// Empty reports whether the queue holds no items.
func (q *Queue) Empty() bool {
	return q.Len() == 0
}

// Close closes the queue for every process: later calls to Put fail with
// ErrClosed, and once the remaining items are taken, Get returns nil at once
// instead of waiting and GetTimeout and GetInto return ErrClosed.
func (q *Queue) Close() {
	if q.store != nil {
		q.store.close()
		return
	}
	q.request(queueRequest{Op: opClose})
}

// String describes q, such as "Queue(3 items)".
func (q *Queue) String() string {
	n := q.Len()
	if n == 1 {
		return "Queue(1 item)"
	}
	return fmt.Sprintf("Queue(%d items)", n)
}

// address returns where other processes reach q, starting this process's
// queue server if needed.
func (q *Queue) address() (string, uint64, error) {
	if q.store == nil {
		return q.addr, q.id, nil
	}
	addr, err := hub.serve(q)
	if err != nil {
		return "", 0, fmt.Errorf("process: serve queue: %w", err)
	}
	return addr, q.id, nil
}

// Operations of queue requests.
const (
	opPut uint8 = iota + 1
	opGet
	opLen
	opClose
)

// Statuses of queue replies.
const (
	statusOK uint8 = iota
	statusEmpty
	statusClosed
	statusFailed
)

// queueRequest asks a queue server for an operation on one of its queues.
type queueRequest struct {
	Op      uint8
	Queue   uint64
	Item    []byte
	Timeout int64 // for opGet, in nanoseconds; negative: no limit
}

// queueReply answers a queueRequest.
type queueReply struct {
	Status  uint8
	Item    []byte
	Len     int64
	Message string
}

// queueConn is a connection to a queue server.
type queueConn struct {
	conn net.Conn
	r    *bufio.Reader
}

// request sends req to the creating process over an idle connection, or a
// new one, and returns the reply.
func (q *Queue) request(req queueRequest) (queueReply, error) {
	req.Queue = q.id
	q.mu.Lock()
	var c *queueConn
	if n := len(q.idle); n > 0 {
		c, q.idle = q.idle[n-1], q.idle[:n-1]
	}
	q.mu.Unlock()
	if c == nil {
		conn, err := net.Dial("unix", q.addr)
		if err != nil {
			return queueReply{}, fmt.Errorf("process: reach queue: %w", err)
		}
		c = &queueConn{conn: conn, r: bufio.NewReader(conn)}
	}
	var rep queueReply
	err := send(c.conn, req)
	if err == nil {
		err = receive(c.r, &rep)
	}
	if err != nil {
		c.conn.Close()
		return queueReply{}, fmt.Errorf("process: queue: lost the creating process: %w", err)
	}
	q.mu.Lock()
	q.idle = append(q.idle, c)
	q.mu.Unlock()
	switch rep.Status {
	case statusEmpty:
		return rep, ErrEmpty
	case statusClosed:
		return rep, ErrClosed
	case statusFailed:
		return rep, errors.New(rep.Message)
	}
	return rep, nil
}

// queueStore holds the items of a queue in the process that created it.
type queueStore struct {
	mu     sync.Mutex
	items  [][]byte
	closed bool
	added  notify.Signal // broadcast when an item is added or the queue closes
}

func (s *queueStore) put(item []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.items = append(s.items, item)
	s.added.Broadcast()
	return nil
}

// errGone is returned by get when the requester went away while waiting.
var errGone = errors.New("process: queue requester gone")

// get takes the first item, waiting at most d (without limit if d < 0) and
// giving up when gone is closed.
func (s *queueStore) get(d time.Duration, gone <-chan struct{}) ([]byte, error) {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	s.mu.Lock()
	for len(s.items) == 0 {
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		if d == 0 {
			s.mu.Unlock()
			return nil, ErrEmpty
		}
		wake := s.added.Wait()
		s.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
			return nil, ErrEmpty
		case <-gone:
			return nil, errGone
		}
		s.mu.Lock()
	}
	item := s.items[0]
	s.items[0] = nil
	s.items = s.items[1:]
	s.mu.Unlock()
	return item, nil
}

// unget puts back an item that could not be delivered, at the front.
func (s *queueStore) unget(item []byte) {
	s.mu.Lock()
	s.items = append([][]byte{item}, s.items...)
	s.added.Broadcast()
	s.mu.Unlock()
}

func (s *queueStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

func (s *queueStore) close() {
	s.mu.Lock()
	s.closed = true
	s.added.Broadcast()
	s.mu.Unlock()
}
