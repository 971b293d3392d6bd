// Package client talks to a Jupyter kernel over the wire protocol, as a
// frontend does. It serves gokernel's integration tests and benchmarks: it
// can start a kernel, send requests on shell or control and collect the
// reply together with every iopub message the request caused, answer
// input requests, and check the heartbeat.
package client

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"slices"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"

	"github.com/gokernel/gokernel/kernel/wire"
)

// The channels a request can go on.
const (
	Shell   = "shell"
	Control = "control"
)

// Username is the user name in the header of every request.
const Username = "gokernel-client"

// ConnectTimeout bounds Connect.
const ConnectTimeout = 30 * time.Second

// Connect repeats kernel_info_request while it waits for iopub to carry a
// message, first after firstProbeWait, then waiting twice as long each time
// up to maxProbeWait.
const (
	firstProbeWait = 25 * time.Millisecond
	maxProbeWait   = 400 * time.Millisecond
)

// ErrClosed reports use of a Client after Close.
var ErrClosed = errors.New("client: closed")

// Client is a connection to one kernel. All its methods are safe for
// concurrent use; concurrent requests are told apart by their msg_id.
type Client struct {
	info    wire.ConnectionInfo
	signer  *wire.Signer
	session string

	shell, control, stdin, iopub zmq4.Socket

	hbMu sync.Mutex
	hb   zmq4.Socket // nil after a heartbeat timed out, until the next one

	cancel context.CancelFunc // ends the sockets
	ctx    context.Context

	mu        sync.Mutex
	calls     map[string]*call // pending requests by msg_id
	probes    map[string]bool  // msg_ids of Connect's probes, whose answers are ignored
	unmatched func(channel string, m *wire.Message)
	broken    error       // set when the client is closed or lost the kernel
	failTimer *time.Timer // ends pending requests after the kernel was lost

	readers sync.WaitGroup // socket readers
	helpers sync.WaitGroup // input answerers
}

// Connect connects to the kernel described by info and returns once iopub
// is known to deliver messages (it gives up after ConnectTimeout).
func Connect(info wire.ConnectionInfo) (*Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ConnectTimeout)
	defer cancel()
	return ConnectContext(ctx, info)
}

// ConnectContext is Connect bounded by ctx instead of ConnectTimeout. It
// dials shell, control and stdin as DEALER sockets sharing one session id,
// iopub as a SUB socket subscribed to everything, and the heartbeat as a
// REQ socket; then it sends kernel_info_request until an iopub message
// answers one, the way Jupyter frontends detect that iopub is live.
func ConnectContext(ctx context.Context, info wire.ConnectionInfo) (*Client, error) {
	if err := info.Validate(); err != nil {
		return nil, fmt.Errorf("client: connect: %w", err)
	}
	life, cancel := context.WithCancel(context.Background())
	c := &Client{
		info:    info,
		signer:  wire.NewSigner([]byte(info.Key)),
		session: uuid.NewString(),
		ctx:     life,
		cancel:  cancel,
		calls:   make(map[string]*call),
		probes:  make(map[string]bool),
	}
	if err := c.dial(ctx); err != nil {
		c.Close()
		return nil, err
	}
	for channel, sock := range map[string]zmq4.Socket{Shell: c.shell, Control: c.control, "stdin": c.stdin, "iopub": c.iopub} {
		c.readers.Add(1)
		go c.read(channel, sock)
	}
	if err := c.awaitIOPub(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// dialAbandon is how long a failed Connect waits for dials still under way.
const dialAbandon = 2 * time.Second

// quietLogger discards zmq4's own log lines.
var quietLogger = log.New(io.Discard, "", 0)

// dial creates and connects every socket, retrying until the kernel
// listens or ctx ends.
func (c *Client) dial(ctx context.Context) error {
	id := zmq4.WithID(zmq4.SocketIdentity(c.session))
	opts := []zmq4.Option{
		zmq4.WithLogger(quietLogger),
		zmq4.WithDialerRetry(5 * time.Millisecond), // a kernel binds within milliseconds
		zmq4.WithDialerMaxRetries(-1),
		zmq4.WithDialerTimeout(5 * time.Second),
	}
	dealerOpts := append(slices.Clone(opts), id)
	c.shell = zmq4.NewDealer(c.ctx, dealerOpts...)
	c.control = zmq4.NewDealer(c.ctx, dealerOpts...)
	c.stdin = zmq4.NewDealer(c.ctx, dealerOpts...)
	c.iopub = zmq4.NewSub(c.ctx, opts...)
	c.hb = zmq4.NewReq(c.ctx, opts...)

	type target struct {
		name string
		sock zmq4.Socket
		port int
	}
	targets := []target{
		{Shell, c.shell, c.info.ShellPort},
		{Control, c.control, c.info.ControlPort},
		{"stdin", c.stdin, c.info.StdinPort},
		{"iopub", c.iopub, c.info.IOPubPort},
		{"heartbeat", c.hb, c.info.HBPort},
	}
	errs := make(chan error, len(targets))
	for _, t := range targets {
		go func() {
			if err := t.sock.Dial(c.info.Endpoint(t.port)); err != nil {
				errs <- fmt.Errorf("client: dial %s: %w", t.name, err)
				return
			}
			errs <- nil
		}()
	}
	var first error
	expired := ctx.Done()
	var abandon <-chan time.Time
	giveUp := func(err error) {
		if first != nil {
			return
		}
		first = err
		expired = nil
		// Closing the sockets ends the dials still retrying; a dial
		// stuck in a handshake is abandoned after a moment.
		c.closeSockets()
		abandon = time.After(dialAbandon)
	}
	for remaining := len(targets); remaining > 0; {
		select {
		case err := <-errs:
			remaining--
			if err != nil {
				giveUp(err)
			}
		case <-expired:
			giveUp(fmt.Errorf("client: dial kernel: %w", ctx.Err()))
		case <-abandon:
			return first
		}
	}
	if first != nil {
		return first
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return fmt.Errorf("client: subscribe to iopub: %w", err)
	}
	return nil
}

// awaitIOPub sends kernel_info_request until iopub delivers a message
// about one of them.
func (c *Client) awaitIOPub(ctx context.Context) error {
	live := make(chan struct{})
	var once sync.Once
	for wait := firstProbeWait; ; wait = min(2*wait, maxProbeWait) {
		msg, err := wire.NewMessage("kernel_info_request", c.session, nil, nil)
		if err != nil {
			return err
		}
		c.setUsername(msg)
		cl := &call{channel: Shell, reply: &Reply{Request: msg}, done: make(chan struct{})}
		cl.onIOPub = func() { once.Do(func() { close(live) }) }
		if err := c.register(cl); err != nil {
			return err
		}
		c.mu.Lock()
		c.probes[msg.Header.MsgID] = true
		c.mu.Unlock()
		defer c.forget(msg.Header.MsgID)
		if err := c.send(c.shell, msg); err != nil {
			return fmt.Errorf("client: connect: %w", err)
		}
		select {
		case <-live:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("client: no message on iopub: %w", ctx.Err())
		case <-c.ctx.Done():
			return fmt.Errorf("client: connect: %w", ErrClosed)
		case <-time.After(wait):
		}
	}
}

// Info returns the connection information the client was made with.
func (c *Client) Info() wire.ConnectionInfo { return c.info }

// OnUnmatched sets a function called with every message that answers no
// pending request (for example the kernel's "starting" status), from the
// goroutine reading channel ("shell", "control", "stdin" or "iopub"). It
// must not block.
func (c *Client) OnUnmatched(f func(channel string, m *wire.Message)) {
	c.mu.Lock()
	c.unmatched = f
	c.mu.Unlock()
}

// Request sends a msgType request with content on channel (Shell or
// Control) and waits until both its reply and the iopub status "idle" for
// it have arrived, in either order. On failure it returns what was
// collected so far together with the error.
func (c *Client) Request(ctx context.Context, channel, msgType string, content any) (*Reply, error) {
	return c.request(ctx, channel, msgType, content, nil)
}

// request is Request with a function answering input requests. When it
// succeeds, every call of input it made has returned.
func (c *Client) request(ctx context.Context, channel, msgType string, content any, input InputFunc) (*Reply, error) {
	var sock zmq4.Socket
	switch channel {
	case Shell:
		sock = c.shell
	case Control:
		sock = c.control
	default:
		return nil, fmt.Errorf("client: request %s: unknown channel %q", msgType, channel)
	}
	msg, err := wire.NewMessage(msgType, c.session, nil, content)
	if err != nil {
		return nil, fmt.Errorf("client: request: %w", err)
	}
	c.setUsername(msg)
	cl := &call{channel: channel, reply: &Reply{Request: msg}, done: make(chan struct{}), input: input}
	if err := c.register(cl); err != nil {
		return nil, fmt.Errorf("client: request %s: %w", msgType, err)
	}
	if err := c.send(sock, msg); err != nil {
		c.forget(msg.Header.MsgID)
		return nil, fmt.Errorf("client: request %s: %w", msgType, err)
	}
	select {
	case <-cl.done:
		// The kernel has everything it asked for, so the Input calls
		// are over or about to be.
		cl.inputs.Wait()
	case <-ctx.Done():
		c.forget(msg.Header.MsgID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	reply := cl.reply.clone()
	switch {
	case cl.err != nil:
		return reply, fmt.Errorf("client: request %s: %w", msgType, cl.err)
	case !cl.complete():
		return reply, fmt.Errorf("client: request %s (reply received: %v, idle received: %v): %w",
			msgType, cl.reply.Msg != nil, cl.idle, ctx.Err())
	}
	return reply, nil
}

// setUsername marks msg as coming from this client.
func (c *Client) setUsername(msg *wire.Message) {
	msg.Header.Username = Username
	msg.RawHeader = nil
}

// send signs msg and sends it on sock.
func (c *Client) send(sock zmq4.Socket, msg *wire.Message) error {
	frames, err := c.signer.Encode(msg)
	if err != nil {
		return err
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("send %s: %w", msg.Header.MsgType, err)
	}
	return nil
}

// register adds cl to the pending requests.
func (c *Client) register(cl *call) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken != nil {
		return c.broken
	}
	c.calls[cl.reply.Request.Header.MsgID] = cl
	return nil
}

// forget removes a pending request.
func (c *Client) forget(msgID string) {
	c.mu.Lock()
	delete(c.calls, msgID)
	c.mu.Unlock()
}

// lossGrace is how long requests pending when the kernel is lost may at most
// still complete from messages that reach the other sockets (a kernel that
// shuts down sends its last reply and status just before it goes). They end
// sooner once every socket has been read to its end, since nothing more can
// come.
const lossGrace = 5 * time.Second

// fail refuses new requests with err at once, and ends the pending ones
// with err once every socket's reader has ended, or after grace, unless they
// complete meanwhile.
func (c *Client) fail(err error, grace time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken == nil {
		c.broken = err
	}
	if grace <= 0 {
		c.failPendingLocked(err)
		return
	}
	if c.failTimer == nil {
		failPending := func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.failPendingLocked(err)
		}
		c.failTimer = time.AfterFunc(grace, failPending)
		go func() {
			c.readers.Wait() // every message received has been routed
			failPending()
		}()
	}
}

// failPendingLocked ends every pending request with err; c.mu must be held.
func (c *Client) failPendingLocked(err error) {
	for id, cl := range c.calls {
		cl.err = err
		close(cl.done)
		delete(c.calls, id)
	}
}

// read receives messages from sock and routes them until the socket ends.
func (c *Client) read(channel string, sock zmq4.Socket) {
	defer c.readers.Done()
	for {
		raw, err := sock.Recv()
		if err != nil {
			if c.ctx.Err() == nil {
				c.fail(fmt.Errorf("lost the kernel's %s socket: %w", channel, err), lossGrace)
				return
			}
			drain(sock)
			return
		}
		msg, err := c.signer.Decode(raw.Frames)
		if err != nil {
			continue
		}
		c.route(channel, msg)
	}
}

// drain empties the receive queue of a closed socket so that zmq4's
// reader goroutines, which block while the queue is full, can end.
func drain(sock zmq4.Socket) {
	for misses := 0; misses < 32; {
		if _, err := sock.Recv(); err != nil {
			misses++
			continue
		}
		misses = 0
	}
}

// route hands msg to the request it answers.
func (c *Client) route(channel string, msg *wire.Message) {
	parent, err := msg.ParentHeader()
	if err != nil {
		return
	}
	c.mu.Lock()
	cl := c.calls[parent.MsgID]
	if cl == nil {
		probe := c.probes[parent.MsgID]
		hook := c.unmatched
		c.mu.Unlock()
		if hook != nil && !probe {
			hook(channel, msg)
		}
		return
	}
	var notify func()
	switch channel {
	case "iopub":
		cl.reply.IOPub = append(cl.reply.IOPub, msg)
		if isState(msg, "idle") {
			cl.idle = true
		}
		notify = cl.onIOPub
	case "stdin":
		cl.reply.Stdin = append(cl.reply.Stdin, msg)
		if msg.Header.MsgType == "input_request" {
			c.helpers.Add(1)
			cl.inputs.Add(1)
			go func() {
				defer cl.inputs.Done()
				c.answer(msg, cl.input)
			}()
		}
	default:
		if channel == cl.channel {
			cl.reply.Msg = msg
		}
	}
	if cl.complete() {
		delete(c.calls, parent.MsgID)
		close(cl.done)
	}
	c.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// isState reports whether msg is an iopub status with execution_state
// state.
func isState(msg *wire.Message, state string) bool {
	if msg.Header.MsgType != "status" {
		return false
	}
	var s struct {
		ExecutionState string `json:"execution_state"`
	}
	return msg.DecodeContent(&s) == nil && s.ExecutionState == state
}

// answer asks input for the reply to an input_request and sends it.
func (c *Client) answer(req *wire.Message, input InputFunc) {
	defer c.helpers.Done()
	var ask struct {
		Prompt   string `json:"prompt"`
		Password bool   `json:"password"`
	}
	_ = req.DecodeContent(&ask)
	value := ""
	if input != nil {
		value = input(ask.Prompt, ask.Password)
	}
	reply, err := wire.NewMessage("input_reply", c.session, req, map[string]string{"value": value})
	if err != nil {
		return
	}
	c.setUsername(reply)
	_ = c.send(c.stdin, reply)
}

// Heartbeat sends a random payload to the heartbeat socket and returns how
// long the echo took. A heartbeat that times out leaves the client able to
// try again.
func (c *Client) Heartbeat(ctx context.Context) (time.Duration, error) {
	c.hbMu.Lock()
	defer c.hbMu.Unlock()
	if err := c.brokenErr(); err != nil {
		return 0, fmt.Errorf("client: heartbeat: %w", err)
	}
	if c.hb == nil {
		hb := zmq4.NewReq(c.ctx, zmq4.WithLogger(quietLogger), zmq4.WithDialerMaxRetries(0))
		if err := hb.Dial(c.info.Endpoint(c.info.HBPort)); err != nil {
			hb.Close()
			return 0, fmt.Errorf("client: heartbeat: %w", err)
		}
		c.hb = hb
	}
	payload := make([]byte, 16)
	_, _ = rand.Read(payload)
	start := time.Now()
	type result struct {
		echo zmq4.Msg
		err  error
	}
	done := make(chan result, 1)
	hb := c.hb
	go func() {
		if err := hb.Send(zmq4.NewMsg(payload)); err != nil {
			done <- result{err: err}
			return
		}
		echo, err := hb.Recv()
		done <- result{echo, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return 0, fmt.Errorf("client: heartbeat: %w", r.err)
		}
		if len(r.echo.Frames) != 1 || string(r.echo.Frames[0]) != string(payload) {
			return 0, fmt.Errorf("client: heartbeat: echo %q does not match", r.echo.Frames)
		}
		return time.Since(start), nil
	case <-ctx.Done():
		// The REQ socket now waits for an answer that may never come;
		// start afresh next time.
		hb.Close()
		<-done
		c.hb = nil
		return 0, fmt.Errorf("client: heartbeat: %w", ctx.Err())
	}
}

// brokenErr returns why the client stopped working, or nil while it works.
func (c *Client) brokenErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken
}

// closeSockets closes every socket the client has.
func (c *Client) closeSockets() {
	c.cancel()
	for _, sock := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub} {
		if sock != nil {
			sock.Close()
		}
	}
	c.hbMu.Lock()
	if c.hb != nil {
		c.hb.Close()
	}
	c.hbMu.Unlock()
}

// Close fails pending requests with ErrClosed, closes the sockets and waits
// for the client's goroutines, including Input functions still running.
func (c *Client) Close() error {
	c.fail(ErrClosed, 0)
	c.mu.Lock()
	c.broken = ErrClosed
	if c.failTimer != nil {
		c.failTimer.Stop()
	}
	c.mu.Unlock()
	c.closeSockets()
	c.readers.Wait()
	c.helpers.Wait()
	return nil
}
