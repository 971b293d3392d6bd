package wire

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"

	"github.com/gokernel/gokernel/kernel/internal/testutil"
)

// listenTest binds endpoints for info and closes them when the test ends.
func listenTest(t *testing.T, info ConnectionInfo) (*Endpoints, *testutil.Buffer) {
	t.Helper()
	logs := &testutil.Buffer{}
	e, err := Listen(context.Background(), info, log.New(logs, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, logs
}

// dialSocket connects a zmq4 socket made by newSocket to endpoint.
func dialSocket(t *testing.T, newSocket func(context.Context, ...zmq4.Option) zmq4.Socket, endpoint string, opts ...zmq4.Option) zmq4.Socket {
	t.Helper()
	opts = append(opts, zmq4.WithLogger(log.New(&testutil.Buffer{}, "", 0)))
	sock := newSocket(context.Background(), opts...)
	t.Cleanup(func() { sock.Close() })
	if err := sock.Dial(endpoint); err != nil {
		t.Fatal(err)
	}
	return sock
}

// within returns what f returns, failing the test if f fails or takes
// longer than timeout.
func within[T any](t *testing.T, timeout time.Duration, f func() (T, error)) T {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.v
	case <-time.After(timeout):
		t.Fatalf("nothing received within %v", timeout)
		var zero T
		return zero
	}
}

// recvTimeout receives from sock or fails the test after timeout.
func recvTimeout(t *testing.T, sock zmq4.Socket, timeout time.Duration) zmq4.Msg {
	t.Helper()
	return within(t, timeout, sock.Recv)
}

// routerRecvTimeout receives from r or fails the test after timeout.
func routerRecvTimeout(t *testing.T, r *Router, timeout time.Duration) *Message {
	t.Helper()
	return within(t, timeout, r.Recv)
}

// sendRequest sends a signed request of msgType from sock.
func sendRequest(t *testing.T, sock zmq4.Socket, signer *Signer, msgType string) *Message {
	t.Helper()
	m, err := NewMessage(msgType, "client-session", nil, map[string]string{"hello": "kernel"})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := signer.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestListen(t *testing.T) {
	shortDir, err := os.MkdirTemp("", "wire")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shortDir) })
	tests := []struct {
		name string
		info ConnectionInfo
	}{
		{"tcp", ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: testKey, SignatureScheme: SignatureScheme}},
		{"ipc", ConnectionInfo{Transport: "ipc", IP: filepath.Join(shortDir, "k"), Key: testKey, SignatureScheme: SignatureScheme}},
		{"tcp unsigned", ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", SignatureScheme: SignatureScheme}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := listenTest(t, tt.info)
			info := e.Info
			seen := map[int]bool{}
			for _, p := range info.namedPorts() {
				if p.port == 0 || seen[p.port] {
					t.Fatalf("%s = %d: ports must be chosen and distinct: %+v", p.name, p.port, info)
				}
				seen[p.port] = true
			}
			signer := NewSigner([]byte(tt.info.Key))
			identity := zmq4.WithID(zmq4.SocketIdentity("client-1"))
			shell := dialSocket(t, zmq4.NewDealer, info.Endpoint(info.ShellPort), identity)
			control := dialSocket(t, zmq4.NewDealer, info.Endpoint(info.ControlPort))
			stdin := dialSocket(t, zmq4.NewDealer, info.Endpoint(info.StdinPort), identity)
			hb := dialSocket(t, zmq4.NewReq, info.Endpoint(info.HBPort))
			iopub := dialSocket(t, zmq4.NewSub, info.Endpoint(info.IOPubPort))
			if err := iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
				t.Fatal(err)
			}

			// shell: request in, reply out to the same peer.
			sent := sendRequest(t, shell, signer, "kernel_info_request")
			req := routerRecvTimeout(t, e.Shell, 5*time.Second)
			if req.Header != sent.Header || len(req.Identities) != 1 || string(req.Identities[0]) != "client-1" {
				t.Fatalf("shell received %+v from %q", req.Header, req.Identities)
			}
			reply, err := NewMessage("kernel_info_reply", "kernel-session", req, map[string]string{"status": "ok"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Shell.Send(reply); err != nil {
				t.Fatal(err)
			}
			got, err := signer.Decode(recvTimeout(t, shell, 5*time.Second).Frames)
			if err != nil {
				t.Fatal(err)
			}
			if got.Header.MsgType != "kernel_info_reply" || !bytes.Equal(got.Parent, req.RawHeader) {
				t.Errorf("shell reply %s with parent %s, want the request header %s", got.Header.MsgType, got.Parent, req.RawHeader)
			}

			// control works the same way.
			sendRequest(t, control, signer, "interrupt_request")
			if m := routerRecvTimeout(t, e.Control, 5*time.Second); m.Header.MsgType != "interrupt_request" {
				t.Errorf("control received %s", m.Header.MsgType)
			}

			// stdin reaches the peer with the shell request's identity.
			ask, err := NewMessage("input_request", "kernel-session", req, map[string]any{"prompt": "? ", "password": false})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Stdin.Send(ask); err != nil {
				t.Fatal(err)
			}
			if m, err := signer.Decode(recvTimeout(t, stdin, 5*time.Second).Frames); err != nil || m.Header.MsgType != "input_request" {
				t.Errorf("stdin received %+v, %v", m, err)
			}

			// heartbeat echoes.
			if err := hb.Send(zmq4.NewMsgString("ping-42")); err != nil {
				t.Fatal(err)
			}
			if echo := recvTimeout(t, hb, 5*time.Second); len(echo.Frames) != 1 || string(echo.Frames[0]) != "ping-42" {
				t.Errorf("heartbeat answered %q", echo.Frames)
			}

			// iopub publishes.
			waitSubscribed(t, e.IOPub, 1)
			status, err := NewMessage("status", "kernel-session", req, map[string]string{"execution_state": "idle"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.IOPub.Publish(status); err != nil {
				t.Fatal(err)
			}
			if m, err := signer.Decode(recvTimeout(t, iopub, 5*time.Second).Frames); err != nil || m.Header.MsgType != "status" {
				t.Errorf("iopub received %+v, %v", m, err)
			}

			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Shell.Recv(); !errors.Is(err, ErrClosed) {
				t.Errorf("Recv after Close: %v, want ErrClosed", err)
			}
			if tt.info.Transport == "ipc" {
				if left, _ := filepath.Glob(tt.info.IP + "-*"); len(left) != 0 {
					t.Errorf("socket files left after Close: %v", left)
				}
			}
		})
	}
}

func TestRouterDropsForgedMessages(t *testing.T) {
	e, logs := listenTest(t, ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: testKey, SignatureScheme: SignatureScheme})
	shell := dialSocket(t, zmq4.NewDealer, e.Info.Endpoint(e.Info.ShellPort))
	sendRequest(t, shell, NewSigner([]byte("wrong key")), "execute_request")
	if err := shell.SendMulti(zmq4.NewMsgFromString([]string{"no", "delimiter"})); err != nil {
		t.Fatal(err)
	}
	sendRequest(t, shell, NewSigner([]byte(testKey)), "kernel_info_request")
	if m := routerRecvTimeout(t, e.Shell, 5*time.Second); m.Header.MsgType != "kernel_info_request" {
		t.Fatalf("received %s, want only the genuine kernel_info_request", m.Header.MsgType)
	}
	if got := strings.Count(logs.String(), "dropped"); got != 2 {
		t.Errorf("logged %d dropped messages, want 2: %q", got, logs.String())
	}
	if err := e.Shell.Send(&Message{Header: Header{MsgType: "x"}}); err == nil {
		t.Error("Send without an identity succeeded")
	}
}

func TestRouterSilentPeer(t *testing.T) {
	e, _ := listenTest(t, ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: testKey, SignatureScheme: SignatureScheme})
	endpoint := e.Info.Endpoint(e.Info.ShellPort)
	silent, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(50 * time.Millisecond)

	shell := zmq4.NewDealer(context.Background(), zmq4.WithLogger(log.New(&testutil.Buffer{}, "", 0)))
	defer shell.Close()
	dialed := make(chan error, 1)
	go func() { dialed <- shell.Dial(endpoint) }()
	select {
	case err := <-dialed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a peer that never greets blocked the next connection")
	}
	sendRequest(t, shell, NewSigner([]byte(testKey)), "kernel_info_request")
	routerRecvTimeout(t, e.Shell, 2*time.Second)
}

// testGuarded is a guarded transport with short timeouts for tests.
const testGuarded = "gokernel-test-tcp"

var registerTestGuarded sync.Once

// The timeouts of testGuarded.
const (
	testHandshakeTimeout = time.Second
	testWriteTimeout     = 500 * time.Millisecond
)

// listenTestGuarded returns a ROUTER listening on testGuarded and its
// address.
func listenTestGuarded(t *testing.T) (zmq4.Socket, string) {
	t.Helper()
	registerTestGuarded.Do(func() {
		err := zmq4.RegisterTransport(testGuarded, guardedTransport{network: "tcp", handshake: testHandshakeTimeout, write: testWriteTimeout})
		if err != nil {
			t.Fatal(err)
		}
	})
	router := zmq4.NewRouter(context.Background(), zmq4.WithLogger(log.New(&testutil.Buffer{}, "", 0)))
	t.Cleanup(func() { router.Close() })
	if err := router.Listen(testGuarded + "://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	return router, router.Addr().String()
}

func TestGuardedHandshakeDeadline(t *testing.T) {
	_, addr := listenTestGuarded(t)
	tests := []struct {
		name string
		send []byte
	}{
		{"nothing", nil},
		{"part of a greeting", []byte{0xff, 0, 0, 0, 0}},
		{"a whole greeting", append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0}, make([]byte, 52)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			waitHungUp(t, conn, 10*time.Second)
			if d := time.Since(start); d > testHandshakeTimeout+2*time.Second {
				t.Errorf("disconnected after %v, want about %v", d, testHandshakeTimeout)
			}
		})
	}
}

func TestGuardedWriteDeadline(t *testing.T) {
	router, addr := listenTestGuarded(t)

	// A peer that completes the handshake and then never reads.
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.(*net.TCPConn).SetReadBuffer(4096); err != nil {
		t.Fatal(err)
	}
	zc, err := zmq4.Open(raw, null.Security(), zmq4.Dealer, zmq4.SocketIdentity("stuck"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = zc
	healthy := dialSocket(t, zmq4.NewDealer, "tcp://"+addr, zmq4.WithID(zmq4.SocketIdentity("healthy")))
	time.Sleep(100 * time.Millisecond) // let the router register both peers

	stuckDone := make(chan error, 1)
	go func() {
		big := bytes.Repeat([]byte("z"), 1<<20)
		for i := 0; i < 64; i++ {
			if err := router.SendMulti(zmq4.NewMsgFrom([]byte("stuck"), big)); err != nil {
				stuckDone <- err
				return
			}
		}
		stuckDone <- nil
	}()
	time.Sleep(200 * time.Millisecond) // the stuck peer's buffers fill up

	sent := make(chan error, 1)
	go func() { sent <- router.SendMulti(zmq4.NewMsgFrom([]byte("healthy"), []byte("hello"))) }()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a peer that does not read held a reply to another peer for 5s")
	}
	if got := recvTimeout(t, healthy, 5*time.Second); string(got.Frames[0]) != "hello" {
		t.Errorf("healthy peer got %q", got.Frames)
	}
	select {
	case err := <-stuckDone:
		if err == nil {
			t.Error("64 MiB went to a peer that reads nothing")
		}
	case <-time.After(10 * time.Second):
		t.Error("writing to a peer that reads nothing never timed out")
	}
}
