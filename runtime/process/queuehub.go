package process

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// hub serves the queues of this process to other processes and keeps the
// queues of other processes that reached this one. It is process-wide: a
// process has one listening socket for all its queues, and a queue received
// twice must be the same *Queue.
var hub = queueHub{served: make(map[uint64]*Queue), remote: make(map[remoteQueue]*Queue)}

type queueHub struct {
	mu     sync.Mutex
	lastID uint64
	addr   string // "" until the first queue is handed to another process
	served map[uint64]*Queue
	remote map[remoteQueue]*Queue
}

type remoteQueue struct {
	addr string
	id   uint64
}

func (h *queueHub) newID() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastID++
	return h.lastID
}

// serve makes q reachable from other processes and returns the address of
// the server. A queue once served stays reachable, and so stays in memory,
// for as long as this process lives, because any process may still hold it.
func (h *queueHub) serve(q *Queue) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addr == "" {
		ln, err := net.Listen("unix", listenAddress())
		if err != nil {
			return "", err
		}
		h.addr = ln.Addr().String()
		go h.accept(ln)
	}
	h.served[q.id] = q
	return h.addr, nil
}

// listenAddress returns a fresh address for this process's queue server: a
// name in Linux's abstract socket namespace, which leaves no file behind, or
// a socket file in the temporary directory elsewhere.
func listenAddress() string {
	var b [8]byte
	rand.Read(b[:])
	name := fmt.Sprintf("gokernel-%d-%s", os.Getpid(), hex.EncodeToString(b[:]))
	if runtime.GOOS == "linux" {
		return "@" + name
	}
	return filepath.Join(os.TempDir(), name+".sock")
}

// queueAt returns the queue with id served at addr: the original if this
// process serves it.
func queueAt(addr string, id uint64) *Queue {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if addr == hub.addr {
		if q, ok := hub.served[id]; ok {
			return q
		}
	}
	key := remoteQueue{addr: addr, id: id}
	q, ok := hub.remote[key]
	if !ok {
		q = &Queue{id: id, addr: addr}
		hub.remote[key] = q
	}
	return q
}

func (h *queueHub) lookup(id uint64) *Queue {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.served[id]
}

// accept serves the connections of ln until it is closed. A failing Accept (such as one out
// of file descriptors) is retried after a pause that grows to a second, so that the queues of
// every process keep their server.
func (h *queueHub) accept(ln net.Listener) {
	pause := 10 * time.Millisecond
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Running out of descriptors, for example, passes: wait and accept again.
			fmt.Fprintf(os.Stderr, "process: queue server: %v (retrying in %v)\n", err, pause)
			time.Sleep(pause)
			pause = min(2*pause, time.Second)
			continue
		}
		pause = 10 * time.Millisecond
		go h.serveConn(conn)
	}
}

// serveConn answers the requests of one connection, one at a time. A
// separate goroutine reads the requests, so that a Get waiting for an item
// notices when the requesting process goes away and leaves the item for
// others.
func (h *queueHub) serveConn(conn net.Conn) {
	defer conn.Close()
	requests := make(chan queueRequest)
	gone := make(chan struct{})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(gone)
		r := bufio.NewReader(conn)
		for {
			var req queueRequest
			if err := receive(r, &req); err != nil {
				return
			}
			select {
			case requests <- req:
			case <-stop:
				return
			}
		}
	}()
	for {
		select {
		case req := <-requests:
			if !h.answer(conn, req, gone) {
				return
			}
		case <-gone:
			return
		}
	}
}

// answer carries out req and sends the reply, and reports whether the
// connection is still usable.
func (h *queueHub) answer(conn net.Conn, req queueRequest, gone <-chan struct{}) bool {
	q := h.lookup(req.Queue)
	if q == nil {
		return send(conn, queueReply{Status: statusFailed, Message: fmt.Sprintf("process: no queue %d in process %d", req.Queue, os.Getpid())}) == nil
	}
	var rep queueReply
	var err error
	switch req.Op {
	case opPut:
		err = q.store.put(req.Item)
	case opGet:
		rep.Item, err = q.store.get(time.Duration(req.Timeout), gone)
		if err == errGone {
			return false
		}
	case opLen:
		rep.Len = int64(q.store.len())
	case opClose:
		q.store.close()
	default:
		err = fmt.Errorf("process: unknown queue operation %d", req.Op)
	}
	switch err {
	case nil:
	case ErrEmpty:
		rep.Status = statusEmpty
	case ErrClosed:
		rep.Status = statusClosed
	default:
		rep.Status, rep.Message = statusFailed, err.Error()
	}
	if send(conn, rep) != nil {
		if rep.Item != nil {
			q.store.unget(rep.Item) // the requester died before taking it
		}
		return false
	}
	return true
}
