package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// The zmq4 transports that Listen uses for the ROUTER and heartbeat
// sockets. They behave as "tcp" and "ipc" but bound every handshake and
// every write, so that a peer that never finishes its greeting, or stops
// reading, cannot block the socket for its other peers.
const (
	guardedTCP = "gokernel-tcp"
	guardedIPC = "gokernel-ipc"
)

const (
	// guardHandshakeTimeout bounds a peer's ZMTP greeting and handshake.
	guardHandshakeTimeout = 5 * time.Second
	// guardWriteTimeout bounds a write that makes no progress.
	guardWriteTimeout = 10 * time.Second
	// guardBufferLimit is the most a guarded connection buffers before it
	// writes; larger frames are written straight through.
	guardBufferLimit = 64 << 10
	// zmtpGreetingLen is the size of the ZMTP 3 greeting.
	zmtpGreetingLen = 64
)

func init() {
	for name, network := range map[string]string{guardedTCP: "tcp", guardedIPC: "unix"} {
		t := guardedTransport{network: network, handshake: guardHandshakeTimeout, write: guardWriteTimeout}
		if err := zmq4.RegisterTransport(name, t); err != nil {
			panic(fmt.Sprintf("wire: register zmq4 transport %s: %v", name, err))
		}
	}
}

// guardedEndpoint returns the endpoint of port on the guarded transport.
func guardedEndpoint(info ConnectionInfo, port int) string {
	if info.Transport == "ipc" {
		return guardedIPC + "://" + info.ipcPath(port)
	}
	return guardedTCP + info.Endpoint(port)[len("tcp"):]
}

// guardedTransport is a zmq4 transport over network whose connections have
// a handshake deadline and a deadline on every message written.
type guardedTransport struct {
	network   string
	handshake time.Duration
	write     time.Duration
}

// Dial connects to addr and guards the connection.
func (t guardedTransport) Dial(ctx context.Context, dialer transport.Dialer, addr string) (net.Conn, error) {
	conn, err := dialer.DialContext(ctx, t.network, addr)
	if err != nil {
		return nil, err
	}
	return newGuardedConn(conn, nil, t.handshake, t.write), nil
}

// Listen listens on addr. Accept returns a connection only once the peer
// has started its greeting, so a silent peer delays nobody.
func (t guardedTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	ln, err := net.Listen(t.network, addr)
	if err != nil {
		return nil, err
	}
	return newGuardedListener(ln, t.handshake, t.write), nil
}

// Addr turns the address part of an endpoint into a listen address.
func (t guardedTransport) Addr(ep string) (string, error) {
	return transport.New(t.network).Addr(ep)
}

// guardedListener accepts connections in the background and hands them to
// Accept once their first byte has arrived.
type guardedListener struct {
	net.Listener
	handshake, write time.Duration

	ready chan net.Conn
	done  chan struct{}

	mu      sync.Mutex
	waiting map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

func newGuardedListener(ln net.Listener, handshake, write time.Duration) *guardedListener {
	l := &guardedListener{
		Listener:  ln,
		handshake: handshake,
		write:     write,
		ready:     make(chan net.Conn),
		done:      make(chan struct{}),
		waiting:   make(map[net.Conn]struct{}),
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

// Accept returns the next connection whose peer has begun its greeting.
func (l *guardedListener) Accept() (net.Conn, error) {
	select {
	case conn := <-l.ready:
		return conn, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops listening and closes connections not yet accepted.
func (l *guardedListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.done)
	for conn := range l.waiting {
		conn.Close()
	}
	l.mu.Unlock()
	err := l.Listener.Close()
	l.wg.Wait()
	return err
}

func (l *guardedListener) acceptLoop() {
	defer l.wg.Done()
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-l.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			conn.Close()
			return
		}
		l.waiting[conn] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.awaitGreeting(conn)
	}
}

// awaitGreeting waits for the first byte of conn's greeting and passes
// conn on to Accept; a peer that sends nothing in time is closed.
func (l *guardedListener) awaitGreeting(conn net.Conn) {
	defer l.wg.Done()
	_ = conn.SetReadDeadline(time.Now().Add(l.handshake))
	var first [1]byte
	_, err := conn.Read(first[:])
	l.mu.Lock()
	delete(l.waiting, conn)
	l.mu.Unlock()
	if err != nil {
		conn.Close()
		return
	}
	guarded := newGuardedConn(conn, first[:], l.handshake, l.write)
	select {
	case l.ready <- guarded:
	case <-l.done:
		conn.Close()
	}
}

// errWriteStalled reports a write that missed its deadline. It is a
// net.Error that is not a timeout, which makes zmq4 close the connection
// instead of keeping a half-written message on it.
type errWriteStalled struct{ after time.Duration }

func (e errWriteStalled) Error() string {
	return fmt.Sprintf("wire: peer read nothing for %v; connection closed", e.after)
}
func (errWriteStalled) Timeout() bool   { return false }
func (errWriteStalled) Temporary() bool { return false }

// guardedConn is a connection with a deadline on the ZMTP handshake and on
// every message written. It gathers the frames of one outgoing message and
// writes them in one go.
type guardedConn struct {
	net.Conn
	write time.Duration

	readMu    sync.Mutex
	pending   []byte      // bytes read ahead by the listener
	inbound   zmtpTracker // follows the peer's stream until the handshake ends
	handshook bool
	// abandon closes the connection if the handshake has not ended in
	// time, whatever the reason: zmq4 does not close a connection whose
	// handshake failed.
	abandon *time.Timer

	writeMu  sync.Mutex
	outbound zmtpTracker
	buf      []byte
}

func newGuardedConn(conn net.Conn, readAhead []byte, handshake, write time.Duration) *guardedConn {
	_ = conn.SetDeadline(time.Now().Add(handshake))
	c := &guardedConn{Conn: conn, write: write, pending: readAhead}
	c.inbound.consume(readAhead)
	c.abandon = time.AfterFunc(handshake, func() { conn.Close() })
	return c
}

// Read reads from the peer; once the peer's greeting and first command
// (its handshake) are read, reads no longer have a deadline.
func (c *guardedConn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	var n int
	var err error
	if len(c.pending) > 0 {
		n = copy(p, c.pending)
		c.pending = c.pending[n:]
	} else {
		n, err = c.Conn.Read(p)
		if !c.handshook {
			c.inbound.consume(p[:n])
		}
	}
	if !c.handshook && err == nil && c.inbound.messages >= 2 {
		c.handshook = true
		c.abandon.Stop()
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
	return n, err
}

// Write buffers p until it completes a ZMTP message (or the greeting), then
// writes everything with a deadline. A missed deadline closes the
// connection.
func (c *guardedConn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	boundary := c.outbound.consume(p)
	if len(c.buf)+len(p) > guardBufferLimit {
		if err := c.flush(nil); err != nil {
			return 0, err
		}
		if err := c.flush(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	c.buf = append(c.buf, p...)
	if boundary {
		if err := c.flush(nil); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// flush writes the buffer (or data, when not nil), each chunk of
// writeChunk bytes under its own deadline, so that a slow but live peer is
// not taken for a stalled one.
func (c *guardedConn) flush(data []byte) error {
	if data == nil {
		data = c.buf
		c.buf = c.buf[:0]
	}
	if len(data) == 0 {
		return nil
	}
	for len(data) > 0 {
		chunk := data[:min(len(data), writeChunk)]
		data = data[len(chunk):]
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.write))
		if _, err := c.Conn.Write(chunk); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.Conn.Close()
				return errWriteStalled{after: c.write}
			}
			return err
		}
	}
	return nil
}

// zmtpTracker follows a ZMTP 3 byte stream (greeting, then frames) to find
// where messages end.
type zmtpTracker struct {
	greeting int     // greeting bytes seen
	header   [9]byte // header of the frame being read
	headerN  int
	bodyLeft uint64
	more     bool
	messages int // greeting and complete messages (or commands) seen
}

// consume follows p and reports whether the stream then ends exactly at the
// end of the greeting or of a message.
func (t *zmtpTracker) consume(p []byte) bool {
	atEnd := false
	for len(p) > 0 {
		atEnd = false
		switch {
		case t.greeting < zmtpGreetingLen:
			n := min(zmtpGreetingLen-t.greeting, len(p))
			t.greeting += n
			p = p[n:]
			if t.greeting == zmtpGreetingLen {
				t.messages++
				atEnd = true
			}
		case t.bodyLeft > 0:
			n := uint64(len(p))
			if n > t.bodyLeft {
				n = t.bodyLeft
			}
			t.bodyLeft -= n
			p = p[n:]
			if t.bodyLeft == 0 {
				atEnd = t.endFrame()
			}
		default:
			t.header[t.headerN] = p[0]
			t.headerN++
			p = p[1:]
			need := 2
			if t.header[0]&flagLong != 0 {
				need = 9
			}
			if t.headerN < need {
				continue
			}
			if need == 9 {
				t.bodyLeft = binary.BigEndian.Uint64(t.header[1:9])
			} else {
				t.bodyLeft = uint64(t.header[1])
			}
			t.more = t.header[0]&flagMore != 0
			t.headerN = 0
			if t.bodyLeft == 0 {
				atEnd = t.endFrame()
			}
		}
	}
	return atEnd
}

// endFrame records the end of a frame and reports whether it ended a
// message.
func (t *zmtpTracker) endFrame() bool {
	if t.more {
		return false
	}
	t.messages++
	return true
}
