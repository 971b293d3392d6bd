package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/wire"
)

// fakeChannel is an in-memory Channel: the test pushes requests, the server's replies are
// collected.
type fakeChannel struct {
	in      chan *wire.Message
	mu      sync.Mutex
	replies []*wire.Message
	sent    chan *wire.Message
}

func newFakeChannel() *fakeChannel {
	return &fakeChannel{in: make(chan *wire.Message, 64), sent: make(chan *wire.Message, 1024)}
}

func (c *fakeChannel) Recv() (*wire.Message, error) {
	m, ok := <-c.in
	if !ok {
		return nil, io.EOF
	}
	return m, nil
}

func (c *fakeChannel) Send(m *wire.Message) error {
	c.mu.Lock()
	c.replies = append(c.replies, m)
	c.mu.Unlock()
	c.sent <- m
	return nil
}

// fakePublisher records iopub messages.
type fakePublisher struct {
	mu   sync.Mutex
	msgs []*wire.Message
}

func (p *fakePublisher) Publish(m *wire.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
	return nil
}

func (p *fakePublisher) Flush(time.Duration) error { return nil }

// of returns the iopub messages whose parent is req.
func (p *fakePublisher) of(req *wire.Message) []*wire.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*wire.Message
	for _, m := range p.msgs {
		var h wire.Header
		_ = json.Unmarshal(m.Parent, &h)
		if h.MsgID == req.Header.MsgID {
			out = append(out, m)
		}
	}
	return out
}

// fakeEngine runs scripted cells: "fail" fails, "sleep" waits, "print N" prints N lines.
type fakeEngine struct {
	mu  sync.Mutex
	ran []string
}

func (f *fakeEngine) Info() engine.Info {
	return engine.Info{Implementation: "fake", Language: engine.LanguageInfo{Name: "fake"}}
}

func (f *fakeEngine) Execute(ctx context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	f.mu.Lock()
	f.ran = append(f.ran, req.Code)
	f.mu.Unlock()
	switch {
	case req.Code == "panic":
		panic("engine bug")
	case req.Code == "fail":
		time.Sleep(100 * time.Millisecond) // let the next requests queue up
		return engine.ExecuteResult{Err: &engine.Error{Name: "E", Value: "failed"}}
	case strings.HasPrefix(req.Code, "print"):
		for i := 0; i < 100000; i++ {
			out.Stream("stdout", "line\n")
		}
	case req.Code == "value":
		return engine.ExecuteResult{Data: map[string]any{"text/plain": "42"}}
	case strings.HasPrefix(req.Code, "read-after:"):
		// Stream the text after the colon (parts split by "|" go to stdout and stderr in
		// turn), then read a line with no prompt of its own.
		for i, part := range strings.Split(strings.TrimPrefix(req.Code, "read-after:"), "|") {
			out.Stream([]string{"stdout", "stderr"}[i%2], part)
		}
		s, err := out.Input(ctx, "", false)
		if err != nil {
			return engine.ExecuteResult{Err: &engine.Error{Name: "NoInput", Value: err.Error()}}
		}
		out.Stream("stdout", "got "+s)
	case req.Code == "input":
		s, err := out.Input(ctx, "name? ", false)
		if err != nil {
			return engine.ExecuteResult{Err: &engine.Error{Name: "NoInput", Value: err.Error()}}
		}
		out.Stream("stdout", "hello "+s)
	}
	return engine.ExecuteResult{}
}

func (f *fakeEngine) Complete(code string, _ int) engine.Completion {
	if code == "panic" {
		panic("completion bug")
	}
	return engine.Completion{}
}
func (f *fakeEngine) Inspect(string, int, int) engine.Inspection { return engine.Inspection{} }
func (f *fakeEngine) IsComplete(string) (string, string)         { return "complete", "" }
func (f *fakeEngine) Interrupt()                                 {}
func (f *fakeEngine) Close() error                               { return nil }
func (f *fakeEngine) ranCodes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ran...)
}
func request(t *testing.T, msgType string, content any) *wire.Message {
	t.Helper()
	m, err := wire.NewMessage(msgType, "client", nil, content)
	if err != nil {
		t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("peer")}
	return m
}

type harness struct {
	srv                   *Server
	shell, control, stdin *fakeChannel
	iopub                 *fakePublisher
	eng                   *fakeEngine
	cancel                context.CancelFunc
}

func start(t *testing.T) *harness {
	t.Helper()
	h := &harness{shell: newFakeChannel(), control: newFakeChannel(), stdin: newFakeChannel(), iopub: &fakePublisher{}, eng: &fakeEngine{}}
	h.srv = New(h.eng, Sockets{Shell: h.shell, Control: h.control, Stdin: h.stdin, IOPub: h.iopub}, log.New(io.Discard, "", 0))
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { _, _ = h.srv.Run(ctx) }()
	t.Cleanup(cancel)
	return h
}

// reply waits for the next reply on ch.
func reply(t *testing.T, ch *fakeChannel) *wire.Message {
	t.Helper()
	select {
	case m := <-ch.sent:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no reply")
		return nil
	}
}

func content(t *testing.T, m *wire.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitIdle waits until the idle status for req is published.
func (h *harness) waitIdle(t *testing.T, req *wire.Message) []*wire.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := h.iopub.of(req)
		if n := len(msgs); n > 0 && msgs[n-1].Header.MsgType == "status" && strings.Contains(string(msgs[n-1].Content), "idle") {
			return msgs
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no idle for %s", req.Header.MsgType)
	return nil
}

func TestEveryRequestIsAnsweredBetweenBusyAndIdle(t *testing.T) {
	h := start(t)
	tests := []struct {
		msgType, replyType string
		content            any
		control            bool
	}{
		{"kernel_info_request", "kernel_info_reply", nil, false},
		{"kernel_info_request", "kernel_info_reply", nil, true},
		{"execute_request", "execute_reply", map[string]any{"code": "x"}, false},
		{"complete_request", "complete_reply", map[string]any{"code": "x", "cursor_pos": 1}, false},
		{"inspect_request", "inspect_reply", map[string]any{"code": "x", "cursor_pos": 1}, false},
		{"is_complete_request", "is_complete_reply", map[string]any{"code": "x"}, false},
		{"history_request", "history_reply", map[string]any{"hist_access_type": "tail", "n": 3}, false},
		{"comm_info_request", "comm_info_reply", nil, false},
		{"interrupt_request", "interrupt_reply", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.msgType, func(t *testing.T) {
			req := request(t, tt.msgType, tt.content)
			ch := h.shell
			if tt.control {
				ch = h.control
			}
			ch.in <- req
			r := reply(t, ch)
			if r.Header.MsgType != tt.replyType {
				t.Fatalf("reply %s, want %s", r.Header.MsgType, tt.replyType)
			}
			if r.Header.Version != "5.4" || string(r.Parent) != string(req.RawHeader) {
				t.Fatalf("bad reply header: version %q parent %s", r.Header.Version, r.Parent)
			}
			wantStatus := "ok"
			if tt.msgType == "is_complete_request" {
				wantStatus = "complete" // is_complete_reply's status is the verdict
			}
			if c := content(t, r); c["status"] != wantStatus {
				t.Fatalf("status %v, want %s", c["status"], wantStatus)
			}
			msgs := h.waitIdle(t, req)
			if msgs[0].Header.MsgType != "status" || !strings.Contains(string(msgs[0].Content), "busy") {
				t.Fatalf("first iopub message for the request is %s %s, want busy", msgs[0].Header.MsgType, msgs[0].Content)
			}
		})
	}
	// An unknown request is logged, not fatal: the kernel still answers afterwards.
	h.shell.in <- request(t, "no_such_request", nil)
	req := request(t, "kernel_info_request", nil)
	h.shell.in <- req
	if r := reply(t, h.shell); r.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("after an unknown request got %s", r.Header.MsgType)
	}
}

func TestEnginePanicFailsOnlyItsRequest(t *testing.T) {
	h := start(t)
	tests := []struct {
		msgType, replyType, panic string
		content                   any
	}{
		{"execute_request", "execute_reply", "engine bug", map[string]any{"code": "panic"}},
		{"complete_request", "complete_reply", "completion bug", map[string]any{"code": "panic", "cursor_pos": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.msgType, func(t *testing.T) {
			req := request(t, tt.msgType, tt.content)
			h.shell.in <- req
			r := reply(t, h.shell)
			c := content(t, r)
			if r.Header.MsgType != tt.replyType || c["status"] != "error" || c["ename"] != "InternalError" || !strings.Contains(fmt.Sprint(c["evalue"]), tt.panic) {
				t.Fatalf("reply %s %v, want %s with an InternalError naming %q", r.Header.MsgType, c, tt.replyType, tt.panic)
			}
			msgs := h.waitIdle(t, req)
			if tt.msgType == "execute_request" {
				found := false
				for _, m := range msgs {
					found = found || m.Header.MsgType == "error"
				}
				if !found {
					t.Errorf("no error message on iopub")
				}
			}
		})
	}
	req := request(t, "execute_request", map[string]any{"code": "value"})
	h.shell.in <- req
	if c := content(t, reply(t, h.shell)); c["status"] != "ok" {
		t.Fatalf("the next cell: %v", c)
	}
}

func TestStopOnErrorAbortsQueuedCells(t *testing.T) {
	h := start(t)
	fail := request(t, "execute_request", map[string]any{"code": "fail"})
	next1 := request(t, "execute_request", map[string]any{"code": "after1"})
	next2 := request(t, "execute_request", map[string]any{"code": "after2"})
	info := request(t, "kernel_info_request", nil)
	for _, m := range []*wire.Message{fail, next1, info, next2} {
		h.shell.in <- m
	}
	got := map[string]string{}
	for i := 0; i < 4; i++ {
		r := reply(t, h.shell)
		var p wire.Header
		_ = json.Unmarshal(r.Parent, &p)
		got[p.MsgID] = r.Header.MsgType + ":" + content(t, r)["status"].(string)
	}
	if got[fail.Header.MsgID] != "execute_reply:error" || got[next1.Header.MsgID] != "execute_reply:error" ||
		got[next2.Header.MsgID] != "execute_reply:error" || got[info.Header.MsgID] != "kernel_info_reply:ok" {
		t.Fatalf("replies: %v", got)
	}
	if ran := h.eng.ranCodes(); len(ran) != 1 || ran[0] != "fail" {
		t.Fatalf("cells run: %v, want only the failing one", ran)
	}
	// Without stop_on_error the next cell runs.
	noStop := request(t, "execute_request", map[string]any{"code": "fail", "stop_on_error": false})
	after := request(t, "execute_request", map[string]any{"code": "after3"})
	h.shell.in <- noStop
	h.shell.in <- after
	reply(t, h.shell)
	if r := reply(t, h.shell); content(t, r)["status"] != "ok" {
		t.Fatalf("cell after a stop_on_error=false failure: %s", r.Content)
	}
}

func TestStreamOutputIsCoalesced(t *testing.T) {
	h := start(t)
	req := request(t, "execute_request", map[string]any{"code": "print"})
	h.shell.in <- req
	reply(t, h.shell)
	msgs := h.waitIdle(t, req)
	var text strings.Builder
	streams := 0
	for _, m := range msgs {
		if m.Header.MsgType == "stream" {
			streams++
			text.WriteString(content(t, m)["text"].(string))
		}
	}
	if n := strings.Count(text.String(), "line\n"); n != 100000 {
		t.Fatalf("got %d lines, want 100000", n)
	}
	if streams > 20 {
		t.Fatalf("100000 lines took %d stream messages, want at most 20", streams)
	}
}

func TestExecuteResultAndHistory(t *testing.T) {
	h := start(t)
	req := request(t, "execute_request", map[string]any{"code": "value"})
	h.shell.in <- req
	r := reply(t, h.shell)
	if c := content(t, r); c["execution_count"] != float64(1) {
		t.Fatalf("execution_count %v", c["execution_count"])
	}
	msgs := h.waitIdle(t, req)
	var types []string
	for _, m := range msgs {
		types = append(types, m.Header.MsgType)
	}
	if strings.Join(types, ",") != "status,execute_input,execute_result,status" {
		t.Fatalf("iopub sequence %v", types)
	}
	tests := []struct {
		name    string
		request map[string]any
		want    int
	}{
		{"tail", map[string]any{"hist_access_type": "tail", "n": 10}, 1},
		{"search hit", map[string]any{"hist_access_type": "search", "pattern": "val*"}, 1},
		{"search miss", map[string]any{"hist_access_type": "search", "pattern": "nothing*"}, 0},
		{"range", map[string]any{"hist_access_type": "range", "start": 1, "stop": 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.shell.in <- request(t, "history_request", tt.request)
			hist := content(t, reply(t, h.shell))["history"].([]any)
			if len(hist) != tt.want {
				t.Fatalf("history %v, want %d entries", hist, tt.want)
			}
		})
	}
}

func TestInputRequest(t *testing.T) {
	h := start(t)
	req := request(t, "execute_request", map[string]any{"code": "input", "allow_stdin": true})
	h.shell.in <- req
	ir := reply(t, h.stdin)
	if ir.Header.MsgType != "input_request" || string(ir.Identities[0]) != "peer" {
		t.Fatalf("got %s to %q", ir.Header.MsgType, ir.Identities)
	}
	ans, err := wire.NewMessage("input_reply", "client", nil, map[string]any{"value": "gopher"})
	if err != nil {
		t.Fatal(err)
	}
	h.stdin.in <- ans
	if r := reply(t, h.shell); content(t, r)["status"] != "ok" {
		t.Fatalf("reply %s", r.Content)
	}
	msgs := h.waitIdle(t, req)
	found := false
	for _, m := range msgs {
		if m.Header.MsgType == "stream" && strings.Contains(string(m.Content), "hello gopher") {
			found = true
		}
	}
	if !found {
		t.Fatal("the answer did not reach the cell")
	}
	// Without allow_stdin the cell gets a clear error instead of hanging.
	h.shell.in <- request(t, "execute_request", map[string]any{"code": "input", "allow_stdin": false})
	r := content(t, reply(t, h.shell))
	if r["status"] != "error" || !strings.Contains(r["evalue"].(string), "stdin") {
		t.Fatalf("reply %v", r)
	}
}

// TestPrintedPromptMovesIntoTheInputBox checks that an unfinished line printed just before a
// read becomes the input_request's prompt and is not also sent as a stream.
func TestPrintedPromptMovesIntoTheInputBox(t *testing.T) {
	tests := []struct {
		printed  string // what the cell streams before reading
		prompt   string // the input_request's prompt
		streamed string // the stream text sent before the answer
	}{
		{"name? ", "name? ", ""},
		{"Welcome!\nname? ", "name? ", "Welcome!\n"},
		{"a whole line\n", "", "a whole line\n"},
		{"", "", ""},
		{"warn|name? ", "", "warnname? "},                        // stderr came last: no prompt is taken
		{"name? |oops", "", "name? oops"},                        // idem
		{strings.Repeat("x", 300), "", strings.Repeat("x", 300)}, // too long to be a prompt
	}
	for _, tt := range tests {
		t.Run(tt.printed, func(t *testing.T) {
			h := start(t)
			req := request(t, "execute_request", map[string]any{"code": "read-after:" + tt.printed, "allow_stdin": true})
			h.shell.in <- req
			ir := reply(t, h.stdin)
			if got := content(t, ir)["prompt"]; got != tt.prompt {
				t.Errorf("prompt %q, want %q", got, tt.prompt)
			}
			ans, err := wire.NewMessage("input_reply", "client", nil, map[string]any{"value": "gopher"})
			if err != nil {
				t.Fatal(err)
			}
			h.stdin.in <- ans
			reply(t, h.shell)
			var streamed strings.Builder
			for _, m := range h.waitIdle(t, req) {
				if m.Header.MsgType == "stream" {
					streamed.WriteString(content(t, m)["text"].(string))
				}
			}
			if want := tt.streamed + "got gopher"; streamed.String() != want {
				t.Errorf("streamed %q, want %q", streamed.String(), want)
			}
		})
	}
}

func TestShutdownReplies(t *testing.T) {
	h := &harness{shell: newFakeChannel(), control: newFakeChannel(), stdin: newFakeChannel(), iopub: &fakePublisher{}, eng: &fakeEngine{}}
	srv := New(h.eng, Sockets{Shell: h.shell, Control: h.control, Stdin: h.stdin, IOPub: h.iopub}, log.New(io.Discard, "", 0))
	done := make(chan bool, 1)
	go func() {
		restart, _ := srv.Run(context.Background())
		done <- restart
	}()
	req := request(t, "shutdown_request", map[string]any{"restart": true})
	h.control.in <- req
	if r := reply(t, h.control); r.Header.MsgType != "shutdown_reply" || content(t, r)["restart"] != true {
		t.Fatalf("reply %s %s", r.Header.MsgType, r.Content)
	}
	select {
	case restart := <-done:
		if !restart {
			t.Fatal("restart not reported")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	h.waitIdle(t, req)
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, text string
		want          bool
	}{
		{"", "anything", true},
		{"*", "", true},
		{"fmt*", "fmt.Println(1)", true},
		{"*Println*", "fmt.Println(1)", true},
		{"a?c", "abc", true},
		{"a?c", "abbc", false},
		{"x*", "fmt", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.text); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.text, got)
		}
	}
}
