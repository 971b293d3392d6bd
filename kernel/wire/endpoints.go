package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/go-zeromq/zmq4"
)

// routerSendTimeout bounds how long Router.Send waits for a first peer to
// connect before it gives up on the message.
const routerSendTimeout = 2 * time.Second

// Endpoints are the kernel's five sockets, bound as a connection file says.
type Endpoints struct {
	// Info is the connection information with every port as bound: a
	// port of 0 in the connection file is replaced by the one chosen.
	Info ConnectionInfo
	// Signer signs and verifies messages with the connection key.
	Signer *Signer
	// Shell, Control and Stdin are ROUTER sockets.
	Shell, Control, Stdin *Router
	// IOPub publishes to every subscribed frontend.
	IOPub *Publisher

	heartbeat     zmq4.Socket
	heartbeatDone chan struct{}
}

// Listen binds the five sockets of info. Shell, control and stdin become
// ROUTER sockets, the heartbeat port an echo served on its own goroutine,
// and iopub a Publisher. Failed handshakes and dropped messages are logged
// to logger (nil discards them). Cancelling ctx makes Recv on the routers
// fail; Close releases everything.
func Listen(ctx context.Context, info ConnectionInfo, logger *log.Logger) (*Endpoints, error) {
	if err := info.Validate(); err != nil {
		return nil, fmt.Errorf("wire: listen: %w", err)
	}
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	if info.Transport == "ipc" {
		if err := pickIPCPorts(&info); err != nil {
			return nil, fmt.Errorf("wire: listen: %w", err)
		}
	}
	e := &Endpoints{Signer: NewSigner([]byte(info.Key)), heartbeatDone: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()

	for _, r := range []struct {
		name string
		port *int
		dst  **Router
	}{
		{"shell", &info.ShellPort, &e.Shell},
		{"control", &info.ControlPort, &e.Control},
		{"stdin", &info.StdinPort, &e.Stdin},
	} {
		sock, port, err := bindRouter(ctx, r.name, info, *r.port, logger)
		if err != nil {
			return nil, err
		}
		*r.dst = &Router{name: r.name, sock: sock, signer: e.Signer, logger: logger}
		*r.port = port
	}

	var err error
	e.heartbeat, info.HBPort, err = bindRouter(ctx, "heartbeat", info, info.HBPort, logger)
	if err != nil {
		return nil, err
	}
	go e.echo(logger)

	ln, err := listenNet(info, info.IOPubPort)
	if err != nil {
		return nil, fmt.Errorf("wire: listen iopub: %w", err)
	}
	e.IOPub = NewPublisher(ln, e.Signer, logger, PublisherOptions{})
	if info.IOPubPort, err = portOf(info, ln.Addr(), info.IOPubPort); err != nil {
		return nil, fmt.Errorf("wire: listen iopub: %w", err)
	}
	e.Info = info
	ok = true
	return e, nil
}

// echo answers every heartbeat with its own frames until the socket closes.
func (e *Endpoints) echo(logger *log.Logger) {
	defer close(e.heartbeatDone)
	for {
		msg, err := e.heartbeat.Recv()
		if err != nil {
			return
		}
		if err := e.heartbeat.SendMulti(msg); err != nil {
			logger.Printf("wire: heartbeat echo: %v", err)
		}
	}
}

// Close flushes and closes iopub, then closes the other sockets.
func (e *Endpoints) Close() error {
	var errs []error
	if e.IOPub != nil {
		errs = append(errs, e.IOPub.Close())
	}
	for _, r := range []*Router{e.Shell, e.Control, e.Stdin} {
		if r != nil {
			errs = append(errs, r.Close())
		}
	}
	if e.heartbeat != nil {
		if err := e.heartbeat.Close(); err != nil {
			errs = append(errs, fmt.Errorf("wire: close heartbeat: %w", err))
		}
		<-e.heartbeatDone
	}
	return errors.Join(errs...)
}

// Router is a ROUTER socket that carries signed Jupyter messages. Its
// messages' identities name the peer they come from or go to.
type Router struct {
	name   string
	sock   zmq4.Socket
	signer *Signer
	logger *log.Logger
}

// bindRouter creates a ROUTER socket on the guarded transport and binds it
// to port, returning the port actually bound.
func bindRouter(ctx context.Context, name string, info ConnectionInfo, port int, logger *log.Logger) (zmq4.Socket, int, error) {
	sock := zmq4.NewRouter(ctx,
		zmq4.WithLogger(logger),
		zmq4.WithTimeout(routerSendTimeout))
	if err := sock.Listen(guardedEndpoint(info, port)); err != nil {
		sock.Close()
		return nil, 0, fmt.Errorf("wire: listen %s on %s: %w", name, info.Endpoint(port), err)
	}
	bound, err := portOf(info, sock.Addr(), port)
	if err != nil {
		sock.Close()
		return nil, 0, fmt.Errorf("wire: listen %s: %w", name, err)
	}
	return sock, bound, nil
}

// Recv returns the next message with a valid signature. Messages that fail
// to decode or verify are logged and dropped. After the socket is closed or
// its context cancelled, Recv returns an error wrapping ErrClosed.
func (r *Router) Recv() (*Message, error) {
	for {
		raw, err := r.sock.Recv()
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("wire: %s recv: %w", r.name, ErrClosed)
			}
			return nil, fmt.Errorf("wire: %s recv: %w", r.name, err)
		}
		msg, err := r.signer.Decode(raw.Frames)
		if err != nil {
			r.logger.Printf("wire: %s: dropped message: %v", r.name, err)
			continue
		}
		return msg, nil
	}
}

// Send signs m and sends it to the peer its first identity names. A
// message for a peer that is not connected is silently discarded, as ZeroMQ
// ROUTER sockets do.
func (r *Router) Send(m *Message) error {
	if len(m.Identities) == 0 {
		return fmt.Errorf("wire: %s send %s: no routing identity", r.name, m.Header.MsgType)
	}
	frames, err := r.signer.Encode(m)
	if err != nil {
		return fmt.Errorf("wire: %s send: %w", r.name, err)
	}
	if err := r.sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("wire: %s send %s: %w", r.name, m.Header.MsgType, err)
	}
	return nil
}

// Close closes the socket.
func (r *Router) Close() error {
	if err := r.sock.Close(); err != nil {
		return fmt.Errorf("wire: close %s: %w", r.name, err)
	}
	return nil
}

// listenNet opens a plain listener for port of info.
func listenNet(info ConnectionInfo, port int) (net.Listener, error) {
	if info.Transport == "ipc" {
		return net.Listen("unix", info.ipcPath(port))
	}
	return net.Listen("tcp", net.JoinHostPort(info.IP, strconv.Itoa(port)))
}

// portOf returns the port of a bound address: the TCP port, or for ipc the
// port already chosen.
func portOf(info ConnectionInfo, addr net.Addr, port int) (int, error) {
	if info.Transport == "ipc" {
		return port, nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected address %v", addr)
	}
	return tcp.Port, nil
}

// pickIPCPorts gives every ipc port of 0 the smallest number whose socket
// file does not exist yet, as Jupyter does.
func pickIPCPorts(info *ConnectionInfo) error {
	taken := map[int]bool{}
	for _, p := range info.namedPorts() {
		taken[p.port] = true
	}
	next := 1
	for _, port := range []*int{&info.ShellPort, &info.IOPubPort, &info.StdinPort, &info.ControlPort, &info.HBPort} {
		if *port != 0 {
			continue
		}
		for ; ; next++ {
			if taken[next] {
				continue
			}
			if _, err := os.Stat(info.ipcPath(next)); errors.Is(err, os.ErrNotExist) {
				break
			}
			if next > 65535 {
				return fmt.Errorf("no free ipc socket name for %s", info.IP)
			}
		}
		*port = next
		taken[next] = true
	}
	return nil
}
