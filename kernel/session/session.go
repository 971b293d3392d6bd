// Package session is gokernel's protocol side: it answers Jupyter requests with an Engine.
//
// A Server reads requests from the shell, control and stdin channels, publishes status,
// inputs, outputs, results and errors on iopub, and replies. Shell requests run one at a time
// in arrival order (the execution queue); control requests are answered at once, even while a
// cell runs. The server never interprets code itself: everything language-specific is behind
// engine.Engine.
package session

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/wire"
)

// Channel is a request/reply channel (shell, control or stdin).
type Channel interface {
	// Recv returns the next verified message.
	Recv() (*wire.Message, error)
	// Send sends a message to the peer named by its identities.
	Send(*wire.Message) error
}

// Publisher broadcasts iopub messages.
type Publisher interface {
	Publish(*wire.Message) error
	Flush(timeout time.Duration) error
}

// Sockets are the channels a Server talks on.
type Sockets struct {
	Shell, Control, Stdin Channel
	IOPub                 Publisher
}

// Server answers the requests of one kernel session.
type Server struct {
	eng     engine.Engine
	sock    Sockets
	log     *log.Logger
	session string

	queue *queue // shell requests waiting to run

	mu      sync.Mutex
	count   int // execution count of the last stored cell
	history []historyEntry

	inputs chan *wire.Message // input_reply messages from stdin

	done     chan struct{}
	doneOnce sync.Once
	restart  bool
}

type historyEntry struct {
	line   int
	input  string
	output string
}

// New returns a server for eng on sock. Diagnostics go to logger.
func New(eng engine.Engine, sock Sockets, logger *log.Logger) *Server {
	return &Server{
		eng:     eng,
		sock:    sock,
		log:     logger,
		session: uuid.NewString(),
		queue:   newQueue(),
		inputs:  make(chan *wire.Message, 16),
		done:    make(chan struct{}),
	}
}

// Run serves requests until a shutdown request arrives or ctx ends. It reports whether the
// shutdown asked for a restart. Before it returns, the last messages are flushed.
func (s *Server) Run(ctx context.Context) (restart bool, err error) {
	s.publish(nil, "status", map[string]any{"execution_state": "starting"})
	go s.read("shell", s.sock.Shell, func(m *wire.Message) { s.queue.push(m) })
	go s.read("control", s.sock.Control, s.handleControl)
	go s.read("stdin", s.sock.Stdin, func(m *wire.Message) {
		if m.Header.MsgType == "input_reply" {
			select {
			case s.inputs <- m:
			default:
				s.log.Printf("stdin: dropped an input_reply nobody waits for")
			}
			return
		}
		s.log.Printf("stdin: ignored %s", m.Header.MsgType)
	})
	go s.runShell(ctx)
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-s.done:
	}
	s.queue.close()
	if ferr := s.sock.IOPub.Flush(2 * time.Second); ferr != nil {
		s.log.Printf("flush iopub: %v", ferr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restart, err
}

// Interrupt interrupts the running cell, as an interrupt_request does.
func (s *Server) Interrupt() { s.eng.Interrupt() }

// read feeds every message of ch to handle until the channel fails.
func (s *Server) read(name string, ch Channel, handle func(*wire.Message)) {
	for {
		m, err := ch.Recv()
		if err != nil {
			if errors.Is(err, wire.ErrBadSignature) || errors.Is(err, wire.ErrMalformed) {
				s.log.Printf("%s: dropped a message: %v", name, err)
				continue
			}
			select {
			case <-s.done:
			default:
				s.log.Printf("%s: %v", name, err)
			}
			return
		}
		handle(m)
	}
}

// runShell serves shell requests one at a time.
func (s *Server) runShell(ctx context.Context) {
	for {
		m, ok := s.queue.pop()
		if !ok {
			return
		}
		s.handle(ctx, m, "shell", s.sock.Shell)
	}
}

// handleControl serves a control request at once.
func (s *Server) handleControl(m *wire.Message) {
	s.handle(context.Background(), m, "control", s.sock.Control)
}

// handle runs one request between busy and idle.
func (s *Server) handle(ctx context.Context, m *wire.Message, channel string, ch Channel) {
	s.publish(m, "status", map[string]any{"execution_state": "busy"})
	defer s.publish(m, "status", map[string]any{"execution_state": "idle"})
	replied := false
	reply := func(msgType string, content any) {
		replied = true
		r, err := wire.NewMessage(msgType, s.session, m, content)
		if err != nil {
			s.log.Printf("%s: build %s: %v", channel, msgType, err)
			return
		}
		if err := ch.Send(r); err != nil {
			s.log.Printf("%s: send %s: %v", channel, msgType, err)
		}
	}
	defer func() {
		// A panic in the engine (a kernel bug) fails this request, not the kernel.
		if r := recover(); r != nil {
			s.log.Printf("%s: %s panicked: %v\n%s", channel, m.Header.MsgType, r, debug.Stack())
			if name, ok := strings.CutSuffix(m.Header.MsgType, "_request"); ok && !replied {
				reply(name+"_reply", map[string]any{"status": "error", "ename": "InternalError",
					"evalue": fmt.Sprint(r), "traceback": []string{"InternalError: " + fmt.Sprint(r)}})
			}
		}
	}()
	switch m.Header.MsgType {
	case "kernel_info_request":
		reply("kernel_info_reply", s.kernelInfo())
	case "execute_request":
		reply("execute_reply", s.execute(ctx, m))
	case "complete_request":
		var req struct {
			Code      string `json:"code"`
			CursorPos int    `json:"cursor_pos"`
		}
		if !s.decode(m, &req, reply) {
			return
		}
		c := s.eng.Complete(req.Code, req.CursorPos)
		matches := c.Matches
		if matches == nil {
			matches = []string{}
		}
		reply("complete_reply", map[string]any{"status": "ok", "matches": matches,
			"cursor_start": c.CursorStart, "cursor_end": c.CursorEnd, "metadata": orEmpty(c.Metadata)})
	case "inspect_request":
		var req struct {
			Code        string `json:"code"`
			CursorPos   int    `json:"cursor_pos"`
			DetailLevel int    `json:"detail_level"`
		}
		if !s.decode(m, &req, reply) {
			return
		}
		in := s.eng.Inspect(req.Code, req.CursorPos, req.DetailLevel)
		reply("inspect_reply", map[string]any{"status": "ok", "found": in.Found,
			"data": orEmpty(in.Data), "metadata": map[string]any{}})
	case "is_complete_request":
		var req struct {
			Code string `json:"code"`
		}
		if !s.decode(m, &req, reply) {
			return
		}
		status, indent := s.eng.IsComplete(req.Code)
		content := map[string]any{"status": status}
		if status == "incomplete" {
			content["indent"] = indent
		}
		reply("is_complete_reply", content)
	case "history_request":
		var req historyRequest
		if !s.decode(m, &req, reply) {
			return
		}
		reply("history_reply", map[string]any{"status": "ok", "history": s.historyFor(req)})
	case "comm_info_request":
		reply("comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open":
		// No comm targets are registered: tell the frontend the comm is closed.
		var req struct {
			CommID string `json:"comm_id"`
		}
		_ = m.DecodeContent(&req)
		s.publish(m, "comm_close", map[string]any{"comm_id": req.CommID, "data": map[string]any{}})
	case "comm_msg", "comm_close":
		s.log.Printf("%s: %s for an unknown comm", channel, m.Header.MsgType)
	case "interrupt_request":
		s.eng.Interrupt()
		reply("interrupt_reply", map[string]any{"status": "ok"})
	case "shutdown_request":
		var req struct {
			Restart bool `json:"restart"`
		}
		_ = m.DecodeContent(&req)
		s.eng.Interrupt()
		reply("shutdown_reply", map[string]any{"status": "ok", "restart": req.Restart})
		s.mu.Lock()
		s.restart = req.Restart
		s.mu.Unlock()
		defer s.doneOnce.Do(func() { close(s.done) })
	default:
		s.log.Printf("%s: unknown request type %q ignored", channel, m.Header.MsgType)
	}
}

// decode reads a request's content, replying with an error when it is malformed.
func (s *Server) decode(m *wire.Message, v any, reply func(string, any)) bool {
	if err := m.DecodeContent(v); err != nil {
		s.log.Printf("%v", err)
		replyType := strings.TrimSuffix(m.Header.MsgType, "_request") + "_reply"
		reply(replyType, map[string]any{"status": "error", "ename": "BadRequest", "evalue": err.Error(), "traceback": []string{err.Error()}})
		return false
	}
	return true
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// kernelInfo builds the kernel_info_reply content.
func (s *Server) kernelInfo() map[string]any {
	info := s.eng.Info()
	links := info.HelpLinks
	if links == nil {
		links = []engine.HelpLink{}
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       wire.ProtocolVersion,
		"implementation":         info.Implementation,
		"implementation_version": info.ImplementationVersion,
		"language_info":          info.Language,
		"banner":                 info.Banner,
		"help_links":             links,
		"debugger":               false,
	}
}

// publish sends an iopub message whose parent is parent (nil for none).
func (s *Server) publish(parent *wire.Message, msgType string, content any) {
	m, err := wire.NewMessage(msgType, s.session, parent, content)
	if err != nil {
		s.log.Printf("iopub: build %s: %v", msgType, err)
		return
	}
	if err := s.sock.IOPub.Publish(m); err != nil {
		s.log.Printf("iopub: publish %s: %v", msgType, err)
	}
}

// executeRequest is the content of execute_request.
type executeRequest struct {
	Code            string         `json:"code"`
	Silent          bool           `json:"silent"`
	StoreHistory    *bool          `json:"store_history"`
	UserExpressions map[string]any `json:"user_expressions"`
	AllowStdin      bool           `json:"allow_stdin"`
	StopOnError     *bool          `json:"stop_on_error"`
}

// execute runs one execute_request and returns the reply content.
func (s *Server) execute(ctx context.Context, m *wire.Message) map[string]any {
	var req executeRequest
	if err := m.DecodeContent(&req); err != nil {
		return map[string]any{"status": "error", "ename": "BadRequest", "evalue": err.Error(), "traceback": []string{err.Error()}, "execution_count": s.executionCount()}
	}
	store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
	s.mu.Lock()
	if store {
		s.count++
	}
	count := s.count
	s.mu.Unlock()
	if !req.Silent {
		s.publish(m, "execute_input", map[string]any{"code": req.Code, "execution_count": count})
	}
	out := newOutput(s, m, req.Silent, req.AllowStdin)
	res := s.run(ctx, engine.ExecuteRequest{Code: req.Code, Count: count, Silent: req.Silent, AllowStdin: req.AllowStdin}, out)
	out.close()

	var textOut string
	if res.Data != nil && !req.Silent {
		s.publish(m, "execute_result", map[string]any{"execution_count": count, "data": res.Data, "metadata": orEmpty(res.Metadata)})
		textOut, _ = res.Data["text/plain"].(string)
	}
	if store {
		s.mu.Lock()
		s.history = append(s.history, historyEntry{line: count, input: req.Code, output: textOut})
		s.mu.Unlock()
	}
	if res.Err != nil {
		tb := res.Err.Traceback
		if tb == nil {
			tb = []string{}
		}
		if !req.Silent {
			s.publish(m, "error", map[string]any{"ename": res.Err.Name, "evalue": res.Err.Value, "traceback": tb})
		}
		if req.StopOnError == nil || *req.StopOnError {
			s.abortQueued()
		}
		return map[string]any{"status": "error", "execution_count": count, "ename": res.Err.Name, "evalue": res.Err.Value, "traceback": tb}
	}
	payload := res.Payloads
	if payload == nil {
		payload = []map[string]any{}
	}
	return map[string]any{"status": "ok", "execution_count": count, "payload": payload, "user_expressions": map[string]any{}}
}

// run executes a cell on the engine. A panic that escapes the engine (a kernel bug)
// becomes the cell's error, which is reported like any other.
func (s *Server) run(ctx context.Context, req engine.ExecuteRequest, out engine.Output) (res engine.ExecuteResult) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Printf("execute: the engine panicked: %v\n%s", r, debug.Stack())
			msg := fmt.Sprintf("the kernel failed on this cell: %v", r)
			res = engine.ExecuteResult{Err: &engine.Error{Name: "InternalError", Value: msg, Traceback: []string{"InternalError: " + msg}}}
		}
	}()
	return s.eng.Execute(ctx, req, out)
}

func (s *Server) executionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// abortQueued answers every queued execute_request with an error without running it: an
// earlier cell failed, and the cells after it were written expecting it to succeed.
func (s *Server) abortQueued() {
	for _, m := range s.queue.take(func(m *wire.Message) bool { return m.Header.MsgType == "execute_request" }) {
		s.publish(m, "status", map[string]any{"execution_state": "busy"})
		const msg = "not run: an earlier cell failed (stop_on_error)"
		r, err := wire.NewMessage("execute_reply", s.session, m, map[string]any{
			"status": "error", "execution_count": s.executionCount(),
			"ename": "Aborted", "evalue": msg, "traceback": []string{"Aborted: " + msg},
		})
		if err == nil {
			if err := s.sock.Shell.Send(r); err != nil {
				s.log.Printf("shell: send aborted reply: %v", err)
			}
		}
		s.publish(m, "status", map[string]any{"execution_state": "idle"})
	}
}

// historyRequest is the content of history_request.
type historyRequest struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// historySession is the session number history entries carry.
const historySession = 1

// historyFor answers a history request from this session's history.
func (s *Server) historyFor(req historyRequest) []any {
	s.mu.Lock()
	entries := append([]historyEntry(nil), s.history...)
	s.mu.Unlock()
	var picked []historyEntry
	switch req.HistAccessType {
	case "tail":
		n := req.N
		if n <= 0 || n > len(entries) {
			n = len(entries)
		}
		picked = entries[len(entries)-n:]
	case "range":
		for _, e := range entries {
			if e.line >= req.Start && (req.Stop <= 0 || e.line < req.Stop) {
				picked = append(picked, e)
			}
		}
	case "search":
		seen := map[string]bool{}
		for k := len(entries) - 1; k >= 0; k-- {
			e := entries[k]
			if !globMatch(req.Pattern, e.input) || (req.Unique && seen[e.input]) {
				continue
			}
			seen[e.input] = true
			picked = append([]historyEntry{e}, picked...)
			if req.N > 0 && len(picked) == req.N {
				break
			}
		}
	}
	out := make([]any, 0, len(picked))
	for _, e := range picked {
		if req.Output {
			out = append(out, []any{historySession, e.line, []any{e.input, e.output}})
		} else {
			out = append(out, []any{historySession, e.line, e.input})
		}
	}
	return out
}

// globMatch matches text against a pattern with * and ? wildcards, as IPython's history
// search does.
func globMatch(pattern, text string) bool {
	if pattern == "" {
		return true
	}
	p, t := []rune(pattern), []rune(text)
	var match func(i, j int) bool
	memo := map[[2]int]bool{}
	match = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var r bool
		switch {
		case i == len(p):
			r = j == len(t)
		case p[i] == '*':
			r = match(i+1, j) || (j < len(t) && match(i, j+1))
		case j < len(t) && (p[i] == '?' || p[i] == t[j]):
			r = match(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return match(0, 0)
}
