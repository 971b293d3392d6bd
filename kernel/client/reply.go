package client

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gokernel/gokernel/kernel/wire"
)

// InputFunc answers a kernel's input_request: it gets the prompt and
// whether the input is a password, and returns the text typed.
type InputFunc func(prompt string, password bool) string

// Reply is what a request brought back.
type Reply struct {
	// Request is the request as sent.
	Request *wire.Message
	// Msg is the reply on the request's channel; nil if it never came.
	Msg *wire.Message
	// IOPub holds the iopub messages whose parent is the request, in the
	// order they arrived.
	IOPub []*wire.Message
	// Stdin holds the input requests the kernel sent for the request.
	Stdin []*wire.Message
}

// clone returns a copy of r that later messages do not change.
func (r *Reply) clone() *Reply {
	out := *r
	out.IOPub = append([]*wire.Message(nil), r.IOPub...)
	out.Stdin = append([]*wire.Message(nil), r.Stdin...)
	return &out
}

// Messages returns the iopub messages of the request.
func (r *Reply) Messages() []*wire.Message { return r.IOPub }

// Outputs returns the iopub messages of type msgType.
func (r *Reply) Outputs(msgType string) []*wire.Message {
	var out []*wire.Message
	for _, m := range r.IOPub {
		if m.Header.MsgType == msgType {
			out = append(out, m)
		}
	}
	return out
}

// Content decodes the reply's content into v.
func (r *Reply) Content(v any) error {
	if r.Msg == nil {
		return fmt.Errorf("client: no reply to %s", r.Request.Header.MsgType)
	}
	return r.Msg.DecodeContent(v)
}

// Status returns the reply's "status" ("ok", "error", "aborted"), or "" when
// there is no reply.
func (r *Reply) Status() string {
	var c struct {
		Status string `json:"status"`
	}
	if r.Content(&c) != nil {
		return ""
	}
	return c.Status
}

// Stdout returns the text of every stdout stream message, concatenated.
func (r *Reply) Stdout() string { return r.stream("stdout") }

// Stderr returns the text of every stderr stream message, concatenated.
func (r *Reply) Stderr() string { return r.stream("stderr") }

func (r *Reply) stream(name string) string {
	var b strings.Builder
	for _, m := range r.Outputs("stream") {
		var c struct {
			Name string `json:"name"`
			Text string `json:"text"`
		}
		if m.DecodeContent(&c) == nil && c.Name == name {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// Result returns the text/plain form of the last execute_result, or "".
func (r *Reply) Result() string {
	results := r.Outputs("execute_result")
	if len(results) == 0 {
		return ""
	}
	var c struct {
		Data map[string]any `json:"data"`
	}
	if results[len(results)-1].DecodeContent(&c) != nil {
		return ""
	}
	text, _ := c.Data["text/plain"].(string)
	return text
}

// ExecError is an error a kernel reported for a request.
type ExecError struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// Error returns "Name: Value".
func (e *ExecError) Error() string { return e.Name + ": " + e.Value }

// Err returns nil when the reply's status is "ok". For status "error" it
// returns an *ExecError taken from the reply, or from an iopub error
// message when the reply carries none; for any other status, or no reply,
// an error saying so.
func (r *Reply) Err() error {
	switch status := r.Status(); status {
	case "ok":
		return nil
	case "error":
		var e ExecError
		if r.Content(&e) == nil && e.Name != "" {
			return &e
		}
		for _, m := range r.Outputs("error") {
			if m.DecodeContent(&e) == nil {
				return &e
			}
		}
		return &ExecError{Name: "error"}
	case "":
		return fmt.Errorf("client: no reply to %s", r.Request.Header.MsgType)
	default:
		return fmt.Errorf("client: %s status %q", r.Request.Header.MsgType, status)
	}
}

// call is a pending request.
type call struct {
	channel string
	reply   *Reply
	idle    bool
	input   InputFunc
	onIOPub func() // called after each iopub message, outside the lock
	err     error  // set when the client failed before the request completed
	done    chan struct{}
	inputs  sync.WaitGroup // running answers to input requests
}

// complete reports whether both the reply and the idle status are in.
func (cl *call) complete() bool { return cl.reply.Msg != nil && cl.idle }

// ExecuteOptions tune an execute_request. The zero value asks for what
// Jupyter frontends send by default, without stdin.
type ExecuteOptions struct {
	// Silent asks the kernel to run the code without output or history.
	Silent bool
	// SkipHistory sets store_history to false.
	SkipHistory bool
	// ContinueOnError sets stop_on_error to false.
	ContinueOnError bool
	// UserExpressions are evaluated after the code.
	UserExpressions map[string]string
	// AllowStdin lets the kernel send input requests, answered by Input.
	AllowStdin bool
	// Input answers input requests; nil answers with empty text. When
	// Execute succeeds, every call of Input it made has returned.
	Input InputFunc
}

// Execute runs code with an execute_request on shell.
func (c *Client) Execute(ctx context.Context, code string, opts ExecuteOptions) (*Reply, error) {
	expressions := opts.UserExpressions
	if expressions == nil {
		expressions = map[string]string{}
	}
	content := map[string]any{
		"code":             code,
		"silent":           opts.Silent,
		"store_history":    !opts.SkipHistory && !opts.Silent,
		"user_expressions": expressions,
		"allow_stdin":      opts.AllowStdin,
		"stop_on_error":    !opts.ContinueOnError,
	}
	return c.request(ctx, Shell, "execute_request", content, opts.Input)
}

// KernelInfo sends kernel_info_request on shell.
func (c *Client) KernelInfo(ctx context.Context) (*Reply, error) {
	return c.Request(ctx, Shell, "kernel_info_request", nil)
}

// Interrupt sends interrupt_request on control.
func (c *Client) Interrupt(ctx context.Context) (*Reply, error) {
	return c.Request(ctx, Control, "interrupt_request", nil)
}

// Shutdown sends shutdown_request on control.
func (c *Client) Shutdown(ctx context.Context, restart bool) (*Reply, error) {
	return c.Request(ctx, Control, "shutdown_request", map[string]bool{"restart": restart})
}
