package wire

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"

	"github.com/gokernel/gokernel/kernel/internal/testutil"
)

// testKey signs every message in these tests.
const testKey = "test-key"

func newTestPublisher(t *testing.T, opts PublisherOptions) (*Publisher, *testutil.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &testutil.Buffer{}
	p := NewPublisher(ln, NewSigner([]byte(testKey)), log.New(logs, "", 0), opts)
	t.Cleanup(func() { p.Close() })
	return p, logs
}

// dialSub connects a zmq4 SUB socket to p, subscribed to topic.
func dialSub(t *testing.T, p *Publisher, topic string) zmq4.Socket {
	t.Helper()
	sub := zmq4.NewSub(context.Background(), zmq4.WithLogger(log.New(&testutil.Buffer{}, "", 0)))
	t.Cleanup(func() { sub.Close() })
	if err := sub.Dial("tcp://" + p.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	return sub
}

// waitSubscribed waits until n subscribers of p have a subscription.
func waitSubscribed(t *testing.T, p *Publisher, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		count := 0
		p.mu.Lock()
		for s := range p.subs {
			s.mu.Lock()
			if len(s.topics) > 0 {
				count++
			}
			s.mu.Unlock()
		}
		p.mu.Unlock()
		if count >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("fewer than %d subscribers subscribed within 10s", n)
}

// numbered builds message i of a burst: a stream message whose content
// carries i, padded to about size bytes.
func numbered(t testing.TB, i, size int) *Message {
	m, err := NewMessage("stream", "s", nil, map[string]any{"seq": i, "text": strings.Repeat("x", size)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// receiveAll reads n messages from sub, verifying each and checking that
// they arrive in order, and returns how many arrived before timeout or the
// first error.
func receiveAll(t *testing.T, sub zmq4.Socket, n int, timeout time.Duration) (int, error) {
	t.Helper()
	signer := NewSigner([]byte(testKey))
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	var got atomic.Int64
	go func() {
		for i := 0; i < n; i++ {
			raw, err := sub.Recv()
			if err != nil {
				done <- result{i, err}
				return
			}
			msg, err := signer.Decode(raw.Frames)
			if err != nil {
				done <- result{i, err}
				return
			}
			var c struct{ Seq int }
			if err := msg.DecodeContent(&c); err != nil || c.Seq != i {
				done <- result{i, fmt.Errorf("message %d has seq %d (%v)", i, c.Seq, err)}
				return
			}
			got.Add(1)
		}
		done <- result{n, nil}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-time.After(timeout):
		return int(got.Load()), errors.New("timed out")
	}
}

func TestPublisherBurst(t *testing.T) {
	const n = 10000
	p, logs := newTestPublisher(t, PublisherOptions{})
	subs := []zmq4.Socket{dialSub(t, p, ""), dialSub(t, p, "kernel.str")}
	waitSubscribed(t, p, len(subs))

	results := make(chan error, len(subs))
	for _, sub := range subs {
		go func() {
			got, err := receiveAll(t, sub, n, 60*time.Second)
			if err != nil {
				err = fmt.Errorf("received %d of %d: %w", got, n, err)
			}
			results <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := p.Publish(numbered(t, i, 100)); err != nil {
			t.Fatal(err)
		}
	}
	for range subs {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if s := logs.String(); s != "" {
		t.Errorf("unexpected log: %s", s)
	}
}

func TestPublisherTopics(t *testing.T) {
	p, _ := newTestPublisher(t, PublisherOptions{})
	hooked := make(chan string, 8)
	p.OnSubscribe(func(topic []byte) {
		select {
		case hooked <- string(topic):
		default:
		}
	})
	streams := dialSub(t, p, "kernel.stream")
	waitSubscribed(t, p, 1)
	// The hook runs just after the subscription is in force.
	select {
	case topic := <-hooked:
		if topic != "kernel.stream" {
			t.Errorf("OnSubscribe called with %q, want kernel.stream", topic)
		}
	case <-time.After(5 * time.Second):
		t.Error("OnSubscribe was not called")
	}
	for i, typ := range []string{"status", "stream", "execute_result", "stream"} {
		m, err := NewMessage(typ, "s", nil, map[string]int{"seq": i})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Publish(m); err != nil {
			t.Fatal(err)
		}
	}
	signer := NewSigner([]byte(testKey))
	for _, want := range []int{1, 3} {
		raw, err := streams.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if string(raw.Frames[0]) != "kernel.stream" {
			t.Errorf("topic frame = %q", raw.Frames[0])
		}
		msg, err := signer.Decode(raw.Frames)
		if err != nil {
			t.Fatal(err)
		}
		var c struct{ Seq int }
		if err := msg.DecodeContent(&c); err != nil || c.Seq != want {
			t.Errorf("got message %d (%v), want %d: prefix matching let the wrong topics through", c.Seq, err, want)
		}
	}
}

// rawSubscriber completes the ZMTP handshake with p over a connection
// with a receive buffer of readBuffer bytes, subscribes to everything, and
// returns the connection for the test to read (or not) as it likes.
func rawSubscriber(t *testing.T, p *Publisher, readBuffer int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.(*net.TCPConn).SetReadBuffer(readBuffer); err != nil {
		t.Fatal(err)
	}
	zc, err := zmq4.Open(conn, null.Security(), zmq4.Sub, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := zc.SendMsg(zmq4.NewMsg([]byte{1})); err != nil {
		t.Fatal(err)
	}
	return conn
}

// waitHungUp reads conn until the other side closes it, failing the test
// if that takes longer than timeout.
func waitHungUp(t *testing.T, conn net.Conn, timeout time.Duration) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the peer was not disconnected within %v", timeout)
			}
			return
		}
	}
}

func TestPublisherStuckSubscriber(t *testing.T) {
	n := 200000
	if raceEnabled {
		n = 20000
	}
	const stall = 2 * time.Second
	p, logs := newTestPublisher(t, PublisherOptions{StallTimeout: stall})
	rawSubscriber(t, p, 4096) // and never read from it
	healthy := dialSub(t, p, "")
	waitSubscribed(t, p, 2)

	var peakHeap atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(ms.HeapAlloc)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	received := make(chan error, 1)
	go func() {
		got, err := receiveAll(t, healthy, n, 90*time.Second)
		if err != nil {
			err = fmt.Errorf("healthy subscriber received %d of %d: %w", got, n, err)
		}
		received <- err
	}()
	start := time.Now()
	var slowest time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := p.Publish(numbered(t, i, 1000)); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(t0))
	}
	published := time.Since(start)
	if err := <-received; err != nil {
		t.Fatal(err)
	}
	close(stopSampling)
	<-sampled
	t.Logf("%d messages published in %v (slowest Publish %v), delivered in %v, peak heap %d MiB",
		n, published, slowest, time.Since(start), peakHeap.Load()>>20)

	if slowest > stall+3*time.Second {
		t.Errorf("one Publish took %v; a stuck subscriber may hold Publish for about %v only", slowest, stall)
	}
	if got := p.Subscribers(); got != 1 {
		t.Errorf("%d subscribers left, want only the healthy one", got)
	}
	if !strings.Contains(logs.String(), "dropped") {
		t.Errorf("dropping the stuck subscriber was not logged: %q", logs.String())
	}
	// The burst is n messages of over 1 KB: holding it for the stuck
	// subscriber would need far more than this.
	const heapLimit = 96 << 20
	if peak := peakHeap.Load(); !raceEnabled && peak > heapLimit {
		t.Errorf("peak heap %d MiB, want under %d MiB", peak>>20, heapLimit>>20)
	}
}

func TestPublisherFlushBeforeClose(t *testing.T) {
	for run := 0; run < 5; run++ {
		p, _ := newTestPublisher(t, PublisherOptions{})
		sub := dialSub(t, p, "")
		waitSubscribed(t, p, 1)
		const n = 500
		for i := 0; i < n; i++ {
			if err := p.Publish(numbered(t, i, 100)); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Flush(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if got, err := receiveAll(t, sub, n, 10*time.Second); err != nil {
			t.Fatalf("run %d: received %d of %d after Flush and Close: %v", run, got, n, err)
		}
		if err := p.Publish(numbered(t, n, 0)); !errors.Is(err, ErrClosed) {
			t.Errorf("Publish after Close: %v, want ErrClosed", err)
		}
	}
}

func TestPublisherSilentPeer(t *testing.T) {
	p, _ := newTestPublisher(t, PublisherOptions{HandshakeTimeout: time.Second})
	silent, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	sub := dialSub(t, p, "")
	waitSubscribed(t, p, 1)
	if err := p.Publish(numbered(t, 0, 10)); err != nil {
		t.Fatal(err)
	}
	if got, err := receiveAll(t, sub, 1, 5*time.Second); err != nil {
		t.Fatalf("a peer that never greets blocked the others: received %d: %v", got, err)
	}
	// The silent peer is hung up on after the handshake timeout.
	waitHungUp(t, silent, 10*time.Second)
}

func TestPublisherPing(t *testing.T) {
	p, _ := newTestPublisher(t, PublisherOptions{})
	conn, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	zc, err := zmq4.Open(conn, null.Security(), zmq4.Sub, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := zc.SendCmd(zmq4.CmdPing, []byte{0, 10, 'c', 't', 'x'}); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	cmd, err := zc.RecvCmd()
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Name != zmq4.CmdPong || string(cmd.Body) != "ctx" {
		t.Errorf("answer to PING = %s %q, want PONG \"ctx\"", cmd.Name, cmd.Body)
	}
	// ZMTP 3.1 subscriptions arrive as commands.
	if err := zc.SendCmd(zmq4.CmdSubscribe, []byte("kernel.")); err != nil {
		t.Fatal(err)
	}
	waitSubscribed(t, p, 1)
	m, err := NewMessage("status", "s", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(m); err != nil {
		t.Fatal(err)
	}
	raw, err := zc.RecvMsg()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner([]byte(testKey)).Decode(raw.Frames); err != nil {
		t.Errorf("published message does not decode: %v", err)
	}
}

func BenchmarkPublish(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	p := NewPublisher(ln, NewSigner([]byte(testKey)), nil, PublisherOptions{})
	defer p.Close()
	sub := zmq4.NewSub(context.Background())
	defer sub.Close()
	if err := sub.Dial("tcp://" + p.Addr().String()); err != nil {
		b.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		b.Fatal(err)
	}
	for p.Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	msg := numbered(b, 0, 200)
	go func() {
		for {
			if _, err := sub.Recv(); err != nil {
				return
			}
		}
	}()
	for b.Loop() {
		if err := p.Publish(msg); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Flush(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

func TestSplitBuffers(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		limit int
	}{
		{"fits", []int{3, 4}, 10},
		{"exact", []int{5, 5, 5}, 10},
		{"cuts one", []int{25}, 10},
		{"cuts later", []int{4, 20, 1}, 10},
		{"empty buffers", []int{0, 12, 0}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bufs net.Buffers
			var whole []byte
			next := byte(0)
			for _, n := range tt.sizes {
				b := make([]byte, n)
				for i := range b {
					b[i] = next
					next++
				}
				bufs = append(bufs, b)
				whole = append(whole, b...)
			}
			var joined []byte
			for rest := bufs; len(rest) > 0; {
				var head net.Buffers
				head, rest = splitBuffers(rest, tt.limit)
				size := 0
				for _, b := range head {
					size += len(b)
					joined = append(joined, b...)
				}
				if size > tt.limit || (size == 0 && len(rest) > 0) {
					t.Fatalf("chunk of %d bytes with limit %d", size, tt.limit)
				}
			}
			if !bytes.Equal(joined, whole) {
				t.Errorf("chunks join to %v, want %v", joined, whole)
			}
		})
	}
}

// slowReader lets through at most step bytes every pause.
type slowReader struct {
	conn  net.Conn
	step  int
	pause time.Duration
}

func (r slowReader) Read(p []byte) (int, error) {
	time.Sleep(r.pause)
	return r.conn.Read(p[:min(len(p), r.step)])
}

func TestPublisherSlowSubscriberKeepsUp(t *testing.T) {
	const n, size = 40, 200 << 10 // 8 MB at about 2 MB/s
	// A 256 KiB write takes about 0.13 s at that rate; the timeouts leave room for a loaded
	// machine (a one-second write timeout once dropped this reader under a busy CI run).
	p, logs := newTestPublisher(t, PublisherOptions{StallTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	conn := rawSubscriber(t, p, 16<<10)
	waitSubscribed(t, p, 1)

	got := make(chan int, 1)
	go func() {
		r := bufio.NewReader(slowReader{conn: conn, step: 16 << 10, pause: 8 * time.Millisecond})
		messages := 0
		for messages < n {
			f, err := readZMTPFrame(r, 1<<20)
			if err != nil {
				break
			}
			if !f.more() {
				messages++
			}
		}
		got <- messages
	}()
	for i := 0; i < n; i++ {
		if err := p.Publish(numbered(t, i, size)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case m := <-got:
		if m != n {
			t.Errorf("slow subscriber got %d of %d messages; log: %s", m, n, logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("slow subscriber did not get its messages within 60s")
	}
	if p.Subscribers() != 1 {
		t.Errorf("a slow but live subscriber was dropped: %s", logs.String())
	}
}
