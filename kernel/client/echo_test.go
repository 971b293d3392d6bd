package client

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/wire"
)

// echoKernel is a small kernel for tests, built on package wire. It
// answers kernel_info, interrupt and shutdown requests, and runs "code"
// made of these commands:
//
//	anything else  echo the code to stdout and as the execute_result
//	fail           reply with an error
//	input:PROMPT   ask for input (as a password if PROMPT is "secret") and
//	               print "got: VALUE"
//	sleep:DUR      sleep, then echo
//	burst:N        print the lines 0 to N-1, one stream message each
//	die            close every socket without replying
//	exit:N         end the process with status N (only in a launched kernel)
//
// Each shell request is served on its own goroutine, so the messages of
// concurrent requests interleave.
type echoKernel struct {
	e       *wire.Endpoints
	session string
	stdinMu sync.Mutex // one input request at a time
	wg      sync.WaitGroup
	stopped chan struct{}
	once    sync.Once

	shutdown     chan struct{} // closed once a shutdown_request is answered
	shutdownOnce sync.Once
}

// startEchoKernel listens on free tcp ports of 127.0.0.1 and serves.
func startEchoKernel(t *testing.T) *echoKernel {
	t.Helper()
	k, err := serveEchoKernel(wire.ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1", Key: "echo-key", SignatureScheme: wire.SignatureScheme,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.stop)
	return k
}

func serveEchoKernel(info wire.ConnectionInfo) (*echoKernel, error) {
	e, err := wire.Listen(context.Background(), info, log.New(os.Stderr, "echo kernel: ", 0))
	if err != nil {
		return nil, err
	}
	k := &echoKernel{e: e, session: "echo-session", stopped: make(chan struct{}), shutdown: make(chan struct{})}
	k.publish("status", nil, map[string]string{"execution_state": "starting"})
	for _, r := range []*wire.Router{e.Shell, e.Control} {
		k.wg.Add(1)
		go k.serve(r)
	}
	return k, nil
}

// stop closes the kernel's sockets and waits for its goroutines.
func (k *echoKernel) stop() {
	k.once.Do(func() {
		k.e.Close()
		close(k.stopped)
	})
	k.wg.Wait()
}

func (k *echoKernel) serve(r *wire.Router) {
	defer k.wg.Done()
	for {
		msg, err := r.Recv()
		if err != nil {
			return
		}
		if r == k.e.Shell {
			k.wg.Add(1)
			go func() {
				defer k.wg.Done()
				k.handle(r, msg)
			}()
			continue
		}
		k.handle(r, msg)
	}
}

func (k *echoKernel) publish(msgType string, parent *wire.Message, content any) {
	m, err := wire.NewMessage(msgType, k.session, parent, content)
	if err == nil {
		_ = k.e.IOPub.Publish(m)
	}
}

func (k *echoKernel) reply(r *wire.Router, req *wire.Message, content any) {
	msgType := strings.TrimSuffix(req.Header.MsgType, "_request") + "_reply"
	m, err := wire.NewMessage(msgType, k.session, req, content)
	if err == nil {
		_ = r.Send(m)
	}
}

func (k *echoKernel) handle(r *wire.Router, req *wire.Message) {
	k.publish("status", req, map[string]string{"execution_state": "busy"})
	switch req.Header.MsgType {
	case "kernel_info_request":
		k.reply(r, req, map[string]any{"status": "ok", "protocol_version": wire.ProtocolVersion, "implementation": "echo"})
	case "execute_request":
		var c struct {
			Code       string `json:"code"`
			AllowStdin bool   `json:"allow_stdin"`
		}
		_ = req.DecodeContent(&c)
		if !k.execute(r, req, c.Code, c.AllowStdin) {
			return
		}
	case "shutdown_request":
		k.reply(r, req, map[string]any{"status": "ok", "restart": false})
	default:
		k.reply(r, req, map[string]string{"status": "ok"})
	}
	k.publish("status", req, map[string]string{"execution_state": "idle"})
	if req.Header.MsgType == "shutdown_request" {
		k.shutdownOnce.Do(func() { close(k.shutdown) })
	}
}

// execute runs code and reports whether the kernel is still up.
func (k *echoKernel) execute(r *wire.Router, req *wire.Message, code string, allowStdin bool) bool {
	command, arg, _ := strings.Cut(code, ":")
	switch command {
	case "fail":
		k.publish("error", req, map[string]any{"ename": "EchoError", "evalue": "asked to fail", "traceback": []string{"line 1"}})
		k.reply(r, req, map[string]any{"status": "error", "ename": "EchoError", "evalue": "asked to fail", "traceback": []string{"line 1"}})
		return true
	case "die":
		go k.stop()
		return false
	case "exit":
		var status int
		fmt.Sscan(arg, &status)
		os.Exit(status)
	case "burst":
		var n int
		fmt.Sscan(arg, &n)
		for i := range n {
			k.publish("stream", req, map[string]string{"name": "stdout", "text": fmt.Sprintf("%d\n", i)})
		}
		k.reply(r, req, map[string]any{"status": "ok", "execution_count": 1})
		return true
	case "sleep":
		d, _ := time.ParseDuration(arg)
		select {
		case <-time.After(d):
		case <-k.stopped:
			return false
		}
	case "input":
		if !allowStdin {
			k.reply(r, req, map[string]any{"status": "error", "ename": "StdinNotImplementedError", "evalue": "stdin not allowed"})
			return true
		}
		value, ok := k.input(req, arg)
		if !ok {
			return false
		}
		k.publish("stream", req, map[string]string{"name": "stdout", "text": "got: " + value})
		k.reply(r, req, map[string]any{"status": "ok", "execution_count": 1})
		return true
	}
	k.publish("stream", req, map[string]string{"name": "stdout", "text": code})
	k.publish("stream", req, map[string]string{"name": "stderr", "text": "err:" + code})
	k.publish("execute_result", req, map[string]any{"execution_count": 1, "data": map[string]string{"text/plain": code}, "metadata": map[string]any{}})
	k.reply(r, req, map[string]any{"status": "ok", "execution_count": 1})
	return true
}

// input asks the frontend of req for a line on stdin.
func (k *echoKernel) input(req *wire.Message, prompt string) (string, bool) {
	k.stdinMu.Lock()
	defer k.stdinMu.Unlock()
	ask, err := wire.NewMessage("input_request", k.session, req, map[string]any{"prompt": prompt, "password": prompt == "secret"})
	if err != nil || k.e.Stdin.Send(ask) != nil {
		return "", false
	}
	for {
		answer, err := k.e.Stdin.Recv()
		if err != nil {
			return "", false
		}
		// jupyter_client sends input_reply without a parent header, so
		// any input_reply answers the one pending input_request.
		if answer.Header.MsgType != "input_reply" {
			continue
		}
		var c struct {
			Value string `json:"value"`
		}
		_ = answer.DecodeContent(&c)
		return c.Value, true
	}
}

// echoKernelEnv makes the test binary run as an echo kernel (see TestMain).
const echoKernelEnv = "GOKERNEL_CLIENT_ECHO_KERNEL"

// TestMain runs the echo kernel in place of the tests when the test binary
// is launched as a kernel.
func TestMain(m *testing.M) {
	if os.Getenv(echoKernelEnv) == "" {
		os.Exit(m.Run())
	}
	info, err := wire.ReadConnectionFile(os.Args[len(os.Args)-1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	k, err := serveEchoKernel(info)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println("echo kernel ready")
	// Exit once a shutdown_request is answered; Close flushes iopub.
	<-k.shutdown
	k.stop()
	os.Exit(0)
}
