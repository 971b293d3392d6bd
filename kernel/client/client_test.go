package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/wire"
)

// connect connects a client to k and closes it when the test ends.
func connect(t *testing.T, k *echoKernel) *Client {
	t.Helper()
	c, err := Connect(k.e.Info)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testCtx returns a context that ends after d or with the test.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestExecute(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	tests := []struct {
		code                         string
		stdout, stderr, result, errs string
		status                       string
	}{
		{code: "hello", stdout: "hello", stderr: "err:hello", result: "hello", status: "ok"},
		{code: "fail", status: "error", errs: "EchoError: asked to fail"},
		{code: "input:x", status: "error", errs: "StdinNotImplementedError: stdin not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r, err := c.Execute(testCtx(t, 10*time.Second), tt.code, ExecuteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Status(); got != tt.status {
				t.Errorf("Status = %q, want %q", got, tt.status)
			}
			if got := r.Stdout(); got != tt.stdout {
				t.Errorf("Stdout = %q, want %q", got, tt.stdout)
			}
			if got := r.Stderr(); got != tt.stderr {
				t.Errorf("Stderr = %q, want %q", got, tt.stderr)
			}
			if got := r.Result(); got != tt.result {
				t.Errorf("Result = %q, want %q", got, tt.result)
			}
			err = r.Err()
			switch {
			case tt.errs == "" && err != nil:
				t.Errorf("Err = %v", err)
			case tt.errs != "":
				var e *ExecError
				if !errors.As(err, &e) || e.Error() != tt.errs {
					t.Errorf("Err = %v, want ExecError %q", err, tt.errs)
				}
			}
			msgs := r.Messages()
			if len(msgs) < 2 || !isState(msgs[0], "busy") || !isState(msgs[len(msgs)-1], "idle") {
				t.Errorf("iopub messages do not run from busy to idle: %v", types(msgs))
			}
			for _, m := range append(msgs, r.Msg) {
				if p, _ := m.ParentHeader(); p.MsgID != r.Request.Header.MsgID {
					t.Errorf("%s has parent %q, not the request", m.Header.MsgType, p.MsgID)
				}
			}
		})
	}
}

func types(msgs []*wire.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Header.MsgType)
	}
	return out
}

func TestStdin(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	tests := []struct {
		prompt   string
		password bool
	}{
		{"name? ", false},
		{"secret", true},
	}
	for _, tt := range tests {
		var gotPrompt string
		var gotPassword bool
		r, err := c.Execute(testCtx(t, 10*time.Second), "input:"+tt.prompt, ExecuteOptions{
			AllowStdin: true,
			Input: func(prompt string, password bool) string {
				gotPrompt, gotPassword = prompt, password
				return "typed " + prompt
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if gotPrompt != tt.prompt || gotPassword != tt.password {
			t.Errorf("Input called with (%q, %v), want (%q, %v)", gotPrompt, gotPassword, tt.prompt, tt.password)
		}
		if want := "got: typed " + tt.prompt; r.Stdout() != want {
			t.Errorf("Stdout = %q, want %q", r.Stdout(), want)
		}
		if len(r.Stdin) != 1 || r.Stdin[0].Header.MsgType != "input_request" {
			t.Errorf("Stdin = %v, want one input_request", types(r.Stdin))
		}
	}
}

func TestConcurrentRequests(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := fmt.Sprintf("sleep:%dms", (i*7)%20)
			r, err := c.Execute(testCtx(t, 20*time.Second), code, ExecuteOptions{})
			if err != nil {
				errs <- err
				return
			}
			if r.Stdout() != code || r.Result() != code {
				errs <- fmt.Errorf("request %q got stdout %q and result %q", code, r.Stdout(), r.Result())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestControlRequests(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	ctx := testCtx(t, 10*time.Second)
	r, err := c.Interrupt(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Msg.Header.MsgType != "interrupt_reply" || r.Status() != "ok" {
		t.Errorf("interrupt answered %s with status %q", r.Msg.Header.MsgType, r.Status())
	}
	info, err := c.KernelInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var content struct {
		Implementation string `json:"implementation"`
	}
	if err := info.Content(&content); err != nil || content.Implementation != "echo" {
		t.Errorf("kernel_info content %s (%v)", info.Msg.Content, err)
	}
	if _, err := c.Request(ctx, "iopub", "kernel_info_request", nil); err == nil {
		t.Error("a request on iopub was accepted")
	}
}

func TestHeartbeat(t *testing.T) {
	k := startEchoKernel(t)
	c := connect(t, k)
	for range 3 {
		rtt, err := c.Heartbeat(testCtx(t, 5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if rtt <= 0 || rtt > 5*time.Second {
			t.Errorf("round trip %v", rtt)
		}
	}
	k.stop()
	start := time.Now()
	if _, err := c.Heartbeat(testCtx(t, 500*time.Millisecond)); err == nil {
		t.Error("heartbeat of a stopped kernel succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("failed heartbeat took %v despite a 500ms context", d)
	}
}

func TestRequestTimeout(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	r, err := c.Execute(testCtx(t, 300*time.Millisecond), "sleep:3s", ExecuteOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if r == nil || r.Msg != nil || len(r.IOPub) == 0 || !isState(r.IOPub[0], "busy") {
		t.Errorf("partial reply %+v should hold the busy status and no reply", r)
	}
	// The client still works.
	if _, err := c.Execute(testCtx(t, 10*time.Second), "after", ExecuteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestKernelLost(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	start := time.Now()
	_, err := c.Execute(testCtx(t, 20*time.Second), "die", ExecuteOptions{})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the lost connection", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("noticing the lost kernel took %v", d)
	}
	if _, err := c.KernelInfo(testCtx(t, time.Second)); err == nil {
		t.Error("a request after the kernel was lost succeeded")
	}
}

func TestUnmatched(t *testing.T) {
	k := startEchoKernel(t)
	c := connect(t, k)
	got := make(chan string, 10)
	c.OnUnmatched(func(channel string, m *wire.Message) { got <- channel + " " + m.Header.MsgType })
	k.publish("status", nil, map[string]string{"execution_state": "starting"})
	select {
	case s := <-got:
		if s != "iopub status" {
			t.Errorf("unmatched message %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a message without a matching request was not reported")
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	k := startEchoKernel(t)
	settle := func() int {
		runtime.GC()
		time.Sleep(100 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settle()
	for range 3 {
		c, err := Connect(k.e.Info)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(testCtx(t, 10*time.Second), "x", ExecuteOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Heartbeat(testCtx(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if _, err := c.KernelInfo(testCtx(t, time.Second)); !errors.Is(err, ErrClosed) {
			t.Errorf("request after Close: %v, want ErrClosed", err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	after := settle()
	for after > before && time.Now().Before(deadline) {
		after = settle()
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after closing the clients:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestConnectTimeout(t *testing.T) {
	info, err := NewConnectionInfo("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := ConnectContext(testCtx(t, 500*time.Millisecond), info); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("connecting to nothing: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v with a 500ms context", d)
	}
}

func TestLaunch(t *testing.T) {
	argv := []string{os.Args[0], "-test.run=^$", ConnectionFileArg}
	env := []string{echoKernelEnv + "=1"}
	tests := []struct {
		name string
		run  func(t *testing.T, k *Kernel)
	}{
		{"shutdown", func(t *testing.T, k *Kernel) {
			r, err := k.Client.Execute(testCtx(t, 10*time.Second), "launched", ExecuteOptions{})
			if err != nil || r.Stdout() != "launched" {
				t.Fatalf("execute: %q, %v", r.Stdout(), err)
			}
			if err := k.Shutdown(testCtx(t, 10*time.Second)); err != nil {
				t.Fatalf("Shutdown: %v (output %q)", err, k.Output())
			}
			if !strings.Contains(k.Output(), "echo kernel ready") {
				t.Errorf("kernel output %q", k.Output())
			}
		}},
		{"kill", func(t *testing.T, k *Kernel) {
			if err := k.Kill(); err != nil {
				t.Fatal(err)
			}
			if k.ExitErr() == nil {
				t.Error("killed kernel exited with status 0")
			}
		}},
		{"crash", func(t *testing.T, k *Kernel) {
			start := time.Now()
			_, err := k.Client.Execute(testCtx(t, 20*time.Second), "exit:3", ExecuteOptions{})
			if err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the kernel's exit", err)
			}
			// Well before lossGrace: the request ends once every socket is read out.
			if d := time.Since(start); d > lossGrace/2 {
				t.Errorf("noticing the exit took %v", d)
			}
			if !strings.Contains(k.ExitErr().Error(), "3") {
				t.Errorf("exit = %v, want status 3", k.ExitErr())
			}
			k.Kill()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Launch(testCtx(t, 30*time.Second), argv, env)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Kill()
			if _, err := os.Stat(k.ConnectionFile); err != nil {
				t.Fatal(err)
			}
			tt.run(t, k)
			if _, err := os.Stat(k.ConnectionFile); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("connection file left behind: %v", err)
			}
		})
	}
	if _, err := Launch(testCtx(t, 5*time.Second), []string{"/nonexistent/kernel"}, nil); err == nil {
		t.Error("launching a missing command succeeded")
	}
	if _, err := Launch(testCtx(t, 10*time.Second), []string{"/bin/sh", "-c", "echo broken >&2; exit 1"}, nil); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("launching a kernel that exits at once: %v, want its output in the error", err)
	}
}

func TestBurst(t *testing.T) {
	c := connect(t, startEchoKernel(t))
	const n = 20000
	r, err := c.Execute(testCtx(t, 60*time.Second), fmt.Sprintf("burst:%d", n), ExecuteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("got %d lines of %d", len(lines), n)
	}
	for i, line := range lines {
		if line != fmt.Sprint(i) {
			t.Fatalf("line %d is %q", i, line)
		}
	}
}

// benchClient starts an echo kernel signing with key and connects a
// client to it; both end with the benchmark.
func benchClient(b *testing.B, key string) *Client {
	b.Helper()
	k, err := serveEchoKernel(wire.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: key, SignatureScheme: wire.SignatureScheme})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(k.stop)
	c, err := Connect(k.e.Info)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func BenchmarkExecute(b *testing.B) {
	c := benchClient(b, "k")
	for b.Loop() {
		if _, err := c.Execute(context.Background(), "x", ExecuteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHeartbeat(b *testing.B) {
	c := benchClient(b, "")
	for b.Loop() {
		if _, err := c.Heartbeat(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestConnectToSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Accept connections and say nothing on them until the test ends.
	var mu sync.Mutex
	var conns []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	info := wire.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: port, IOPubPort: port, StdinPort: port, ControlPort: port, HBPort: port, SignatureScheme: wire.SignatureScheme}
	start := time.Now()
	if _, err := ConnectContext(testCtx(t, 300*time.Millisecond), info); err == nil {
		t.Fatal("connected to a server that is not a kernel")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("gave up after %v with a 300ms context", d)
	}
}
