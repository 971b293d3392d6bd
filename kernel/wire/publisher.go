package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// ErrClosed reports use of a socket after Close.
var ErrClosed = errors.New("wire: socket closed")

// PublisherOptions tune a Publisher. Zero fields take the documented
// defaults.
type PublisherOptions struct {
	// QueueLen is how many messages may wait for one subscriber
	// (default 1024).
	QueueLen int
	// QueueBytes is how many bytes may wait for one subscriber
	// (default 64 MiB). One message is always accepted into an empty
	// queue, however large.
	QueueBytes int
	// StallTimeout is how long Publish waits on a subscriber whose queue
	// is full and whose writer makes no progress before it drops that
	// subscriber (default 2 s).
	StallTimeout time.Duration
	// WriteTimeout bounds each write of up to 256 KiB to a subscriber;
	// a subscriber whose write times out is dropped (default 5 s).
	WriteTimeout time.Duration
	// HandshakeTimeout bounds the ZMTP handshake of a new subscriber
	// (default 5 s).
	HandshakeTimeout time.Duration
}

func (o PublisherOptions) withDefaults() PublisherOptions {
	if o.QueueLen <= 0 {
		o.QueueLen = 1024
	}
	if o.QueueBytes <= 0 {
		o.QueueBytes = 64 << 20
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 2 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 5 * time.Second
	}
	return o
}

// closeFlushTimeout bounds how long Close waits for queued messages.
const closeFlushTimeout = 2 * time.Second

// closeLinger bounds how long Close waits for a subscriber to hang up after
// the last message, so that closing does not reset data still in flight.
const closeLinger = 250 * time.Millisecond

// maxSubscriptionFrame bounds the frames a subscriber may send.
const maxSubscriptionFrame = 64 << 10

// Publisher is the kernel's iopub socket: a ZeroMQ PUB endpoint that
// speaks ZMTP 3 to SUB peers. Every subscriber has its own bounded queue and
// writer, so a subscriber that stops reading delays nobody else for longer
// than StallTimeout and is then dropped; a live subscriber that reads more
// slowly than messages are published slows Publish down instead of losing
// messages. Subscriptions are prefix matches on the topic, as in ZeroMQ.
//
// A Publisher is safe for concurrent use; concurrent Publish calls are
// delivered to every subscriber in the same order.
type Publisher struct {
	ln     net.Listener
	signer *Signer
	logger *log.Logger
	opts   PublisherOptions

	publishMu sync.Mutex // orders Publish calls

	mu          sync.Mutex
	subs        map[*subscriber]struct{}
	handshaking map[net.Conn]struct{} // connections not yet subscribers
	onSubscribe func(topic []byte)
	closed      bool

	wg sync.WaitGroup
}

// NewPublisher serves subscribers that connect to ln, signing messages with
// signer. Problems with subscribers are logged to logger (nil discards
// them). The Publisher owns ln and closes it on Close.
func NewPublisher(ln net.Listener, signer *Signer, logger *log.Logger, opts PublisherOptions) *Publisher {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	p := &Publisher{
		ln:          ln,
		signer:      signer,
		logger:      logger,
		opts:        opts.withDefaults(),
		subs:        make(map[*subscriber]struct{}),
		handshaking: make(map[net.Conn]struct{}),
	}
	p.wg.Add(1)
	go p.accept()
	return p
}

// Addr returns the address subscribers connect to.
func (p *Publisher) Addr() net.Addr { return p.ln.Addr() }

// OnSubscribe sets a function called with the topic of every subscription
// a subscriber sends after this call, once the subscription is in force.
// It runs on that subscriber's reader and may call Publish.
func (p *Publisher) OnSubscribe(f func(topic []byte)) {
	p.mu.Lock()
	p.onSubscribe = f
	p.mu.Unlock()
}

// Subscribers returns the number of connected subscribers.
func (p *Publisher) Subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.subs)
}

// Topic returns the topic frame Publish gives a message of type msgType.
func Topic(msgType string) []byte { return []byte("kernel." + msgType) }

// Publish signs m and queues it for every subscriber whose subscription
// matches its topic. The message goes out with the single topic frame
// Topic(m.Header.MsgType) in place of m's identities. Publish returns once
// the message is queued; it waits only while a subscriber's queue is full,
// and never longer than StallTimeout for a subscriber that writes nothing.
func (p *Publisher) Publish(m *Message) error {
	out := *m
	out.Identities = [][]byte{Topic(m.Header.MsgType)}
	frames, err := p.signer.Encode(&out)
	if err != nil {
		return fmt.Errorf("wire: publish %s: %w", m.Header.MsgType, err)
	}
	data := appendZMTPMessage(nil, frames)
	topic := out.Identities[0]

	p.publishMu.Lock()
	defer p.publishMu.Unlock()
	subs, closed := p.subscribers()
	if closed {
		return fmt.Errorf("wire: publish %s: %w", m.Header.MsgType, ErrClosed)
	}
	for _, s := range subs {
		if s.matches(topic) {
			p.enqueue(s, data)
		}
	}
	return nil
}

// subscribers returns the current subscribers and whether p is closed.
func (p *Publisher) subscribers() (subs []*subscriber, closed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	subs = make([]*subscriber, 0, len(p.subs))
	for s := range p.subs {
		subs = append(subs, s)
	}
	return subs, p.closed
}

// enqueue adds data to s's queue, waiting while the queue is full and s
// makes progress, and dropping s when it makes none for StallTimeout.
func (p *Publisher) enqueue(s *subscriber, data []byte) {
	for {
		s.mu.Lock()
		if s.dropped {
			s.mu.Unlock()
			return
		}
		if len(s.queue) == 0 || (len(s.queue) < p.opts.QueueLen && s.queueBytes+len(data) <= p.opts.QueueBytes) {
			s.queue = append(s.queue, data)
			s.queueBytes += len(data)
			s.queued++
			s.mu.Unlock()
			s.wakeWriter()
			return
		}
		// Wait for the writer to take the queue or finish a write. The
		// stall is timed from now, not from the last progress: a writer
		// that was idle may not have run yet since the queue filled.
		progress := s.progress
		s.mu.Unlock()

		timer := time.NewTimer(p.opts.StallTimeout)
		select {
		case <-progress:
			timer.Stop()
		case <-s.gone:
			timer.Stop()
			return
		case <-timer.C:
			p.drop(s, fmt.Errorf("queue full and nothing written for %v", p.opts.StallTimeout))
			return
		}
	}
}

// Flush waits until every message published so far has been written to
// every subscriber that is still connected, or until timeout. Written means
// handed to the operating system, which delivers it even if the Publisher
// is closed right after.
func (p *Publisher) Flush(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	subs, _ := p.subscribers()
	for _, s := range subs {
		if !s.waitWritten(deadline) {
			return fmt.Errorf("wire: flush iopub: subscriber %s not written within %v", s.remote, timeout)
		}
	}
	return nil
}

// Close flushes queued messages (waiting at most a few seconds), hangs up
// on every subscriber and stops listening. Publish fails with ErrClosed
// afterwards.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	for conn := range p.handshaking {
		conn.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	if ferr := p.Flush(closeFlushTimeout); ferr != nil {
		p.logger.Print(ferr)
	}

	var hangups sync.WaitGroup
	subs, _ := p.subscribers()
	for _, s := range subs {
		hangups.Add(1)
		go func() {
			defer hangups.Done()
			s.hangUp(closeLinger)
			p.drop(s, nil)
		}()
	}
	hangups.Wait()
	p.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("wire: close iopub: %w", err)
	}
	return nil
}

// accept takes new subscriber connections until the listener is closed.
func (p *Publisher) accept() {
	defer p.wg.Done()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			p.logger.Printf("wire: iopub accept: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			conn.Close()
			return
		}
		p.handshaking[conn] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handshake(conn)
	}
}

// handshake performs the ZMTP handshake with a new peer and, when it
// succeeds, starts serving it as a subscriber.
func (p *Publisher) handshake(conn net.Conn) {
	defer p.wg.Done()
	remote := conn.RemoteAddr().String()
	_ = conn.SetDeadline(time.Now().Add(p.opts.HandshakeTimeout))
	_, err := zmq4.Open(conn, null.Security(), zmq4.Pub, nil, true, nil)
	_ = conn.SetDeadline(time.Time{})

	p.mu.Lock()
	delete(p.handshaking, conn)
	closed := p.closed
	p.mu.Unlock()
	if err != nil {
		if !closed {
			p.logger.Printf("wire: iopub handshake with %s: %v", remote, err)
		}
		conn.Close()
		return
	}

	s := newSubscriber(conn, remote)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		conn.Close()
		return
	}
	p.subs[s] = struct{}{}
	p.wg.Add(2)
	p.mu.Unlock()
	go p.write(s)
	go p.read(s)
}

// drop removes s, closes its connection and logs why when reason is not
// nil. Dropping twice does nothing.
func (p *Publisher) drop(s *subscriber, reason error) {
	s.mu.Lock()
	if s.dropped {
		s.mu.Unlock()
		return
	}
	s.dropped = true
	s.queue, s.queueBytes = nil, 0
	close(s.gone)
	s.mu.Unlock()
	s.conn.Close()

	p.mu.Lock()
	delete(p.subs, s)
	p.mu.Unlock()
	if reason != nil {
		p.logger.Printf("wire: iopub subscriber %s dropped: %v", s.remote, reason)
	}
}

// write sends s's queued messages until s is dropped, batching whatever
// has accumulated into one write.
func (p *Publisher) write(s *subscriber) {
	defer p.wg.Done()
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.dropped {
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-s.gone:
			}
			s.mu.Lock()
		}
		if s.dropped {
			s.mu.Unlock()
			return
		}
		batch := s.queue
		s.queue, s.queueBytes = nil, 0
		s.noteProgress(0)
		s.mu.Unlock()

		if err := p.writeBatch(s, batch); err != nil {
			p.drop(s, fmt.Errorf("write: %w", err))
			return
		}
		s.mu.Lock()
		s.noteProgress(uint64(len(batch)))
		s.mu.Unlock()
	}
}

// writeChunk is the most written to a subscriber under one deadline, so
// that a large batch or message to a slow but live subscriber shows
// progress often enough not to count as stalled.
const writeChunk = 256 << 10

// writeBatch writes the encoded messages of batch to s in chunks of at
// most writeChunk bytes, each under WriteTimeout, noting progress after
// each chunk.
func (p *Publisher) writeBatch(s *subscriber, batch [][]byte) error {
	rest := append(net.Buffers(nil), batch...)
	for len(rest) > 0 {
		var chunk net.Buffers
		chunk, rest = splitBuffers(rest, writeChunk)
		_ = s.conn.SetWriteDeadline(time.Now().Add(p.opts.WriteTimeout))
		if _, err := chunk.WriteTo(s.conn); err != nil {
			return err
		}
		s.mu.Lock()
		s.noteProgress(0)
		s.mu.Unlock()
	}
	return nil
}

// splitBuffers splits bufs after limit bytes (cutting a buffer if needed).
func splitBuffers(bufs net.Buffers, limit int) (head, tail net.Buffers) {
	n := 0
	for i, b := range bufs {
		if n+len(b) <= limit {
			n += len(b)
			continue
		}
		cut := limit - n
		head = append(bufs[:i:i], b[:cut])
		tail = append(net.Buffers{b[cut:]}, bufs[i+1:]...)
		return head, tail
	}
	return bufs, nil
}

// read applies the subscriptions s sends and answers its pings, until the
// connection ends.
func (p *Publisher) read(s *subscriber) {
	defer p.wg.Done()
	defer close(s.readerDone)
	r := bufio.NewReader(s.conn)
	var message [][]byte
	for {
		f, err := readZMTPFrame(r, maxSubscriptionFrame)
		if err != nil {
			var reason error
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				reason = fmt.Errorf("read: %w", err)
			}
			p.drop(s, reason)
			return
		}
		if f.command() {
			p.handleCommand(s, f.body)
			continue
		}
		message = append(message, f.body)
		if f.more() {
			continue
		}
		if len(message) == 1 && len(message[0]) > 0 {
			switch message[0][0] {
			case 1:
				p.subscribe(s, message[0][1:])
			case 0:
				s.unsubscribe(message[0][1:])
			}
		}
		message = nil
	}
}

// handleCommand applies a ZMTP 3.1 SUBSCRIBE or CANCEL command and answers
// PING with PONG.
func (p *Publisher) handleCommand(s *subscriber, body []byte) {
	name, data, ok := parseZMTPCommand(body)
	if !ok {
		return
	}
	switch name {
	case zmq4.CmdSubscribe:
		p.subscribe(s, data)
	case zmq4.CmdCancel:
		s.unsubscribe(data)
	case zmq4.CmdPing:
		if len(data) >= 2 {
			p.enqueue(s, appendZMTPCommand(nil, zmq4.CmdPong, data[2:]))
		}
	}
}

// subscribe adds topic to s's subscriptions and calls the OnSubscribe hook.
func (p *Publisher) subscribe(s *subscriber, topic []byte) {
	s.subscribe(topic)
	p.mu.Lock()
	hook := p.onSubscribe
	p.mu.Unlock()
	if hook != nil {
		hook(bytes.Clone(topic))
	}
}

// subscriber is one SUB peer of a Publisher.
type subscriber struct {
	conn       net.Conn
	remote     string
	wake       chan struct{} // tells the writer the queue is not empty
	gone       chan struct{} // closed when the subscriber is dropped
	readerDone chan struct{} // closed when the reader has returned

	mu         sync.Mutex
	topics     map[string]int // subscription counts, as in ZeroMQ
	queue      [][]byte       // encoded messages waiting to be written
	queueBytes int
	queued     uint64        // messages ever queued
	written    uint64        // messages ever written
	progress   chan struct{} // closed and replaced on every progress
	dropped    bool
}

func newSubscriber(conn net.Conn, remote string) *subscriber {
	return &subscriber{
		conn:       conn,
		remote:     remote,
		wake:       make(chan struct{}, 1),
		gone:       make(chan struct{}),
		readerDone: make(chan struct{}),
		topics:     make(map[string]int),
		progress:   make(chan struct{}),
	}
}

// wakeWriter tells the writer there is something to write.
func (s *subscriber) wakeWriter() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// noteProgress records that the writer took the queue or wrote n messages.
// s.mu must be held.
func (s *subscriber) noteProgress(n uint64) {
	s.written += n
	close(s.progress)
	s.progress = make(chan struct{})
}

// waitWritten waits until everything queued so far is written, s is
// dropped, or deadline passes; it reports false only on the deadline.
func (s *subscriber) waitWritten(deadline time.Time) bool {
	s.mu.Lock()
	target := s.queued
	for s.written < target && !s.dropped {
		progress := s.progress
		s.mu.Unlock()
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-progress:
			timer.Stop()
		case <-s.gone:
			timer.Stop()
		case <-timer.C:
			return false
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	return true
}

// hangUp half-closes the connection so the peer reads everything written,
// then waits up to linger for the peer to hang up too.
func (s *subscriber) hangUp(linger time.Duration) {
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := s.conn.(closeWriter); ok {
		if cw.CloseWrite() == nil {
			select {
			case <-s.readerDone:
			case <-time.After(linger):
			}
		}
	}
}

func (s *subscriber) subscribe(topic []byte) {
	s.mu.Lock()
	s.topics[string(topic)]++
	s.mu.Unlock()
}

func (s *subscriber) unsubscribe(topic []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := string(topic)
	if s.topics[key] <= 1 {
		delete(s.topics, key)
		return
	}
	s.topics[key]--
}

// matches reports whether one of s's subscriptions is a prefix of topic.
func (s *subscriber) matches(topic []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for prefix := range s.topics {
		if bytes.HasPrefix(topic, []byte(prefix)) {
			return true
		}
	}
	return false
}
