package session

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/wire"
)

// flushDelay is how long stream text may wait before it is sent: output arrives coalesced
// into a few messages a second rather than one message per write.
const flushDelay = 50 * time.Millisecond

// maxChunk is the stream text size that is sent at once without waiting for flushDelay.
const maxChunk = 1 << 20

// output is the engine.Output of one execute_request: everything goes to iopub with the
// request as parent.
type output struct {
	s          *Server
	parent     *wire.Message
	silent     bool
	allowStdin bool

	mu      sync.Mutex
	chunks  []chunk // pending stream text, in order
	size    int
	timer   *time.Timer
	closed  bool
	inputMu sync.Mutex // one input request at a time
}

type chunk struct {
	name string
	text []byte
}

func newOutput(s *Server, parent *wire.Message, silent, allowStdin bool) *output {
	return &output{s: s, parent: parent, silent: silent, allowStdin: allowStdin}
}

// Stream buffers text; it is published within flushDelay.
func (o *output) Stream(name, text string) {
	if o.silent || text == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.chunks); n > 0 && o.chunks[n-1].name == name {
		o.chunks[n-1].text = append(o.chunks[n-1].text, text...)
	} else {
		o.chunks = append(o.chunks, chunk{name: name, text: []byte(text)})
	}
	o.size += len(text)
	if o.size >= maxChunk || o.closed {
		o.flushLocked()
		return
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(flushDelay, o.flush)
	}
}

// flush publishes the buffered stream text.
func (o *output) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *output) flushLocked() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	for _, c := range o.chunks {
		o.s.publish(o.parent, "stream", map[string]any{"name": c.name, "text": string(c.text)})
	}
	o.chunks = nil
	o.size = 0
}

// Display publishes display_data or update_display_data after the pending text.
func (o *output) Display(data, metadata map[string]any, displayID string, update bool) {
	if o.silent {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	transient := map[string]any{}
	if displayID != "" {
		transient["display_id"] = displayID
	}
	msgType := "display_data"
	if update {
		msgType = "update_display_data"
	}
	o.s.publish(o.parent, msgType, map[string]any{"data": data, "metadata": orEmpty(metadata), "transient": transient})
}

// Clear publishes clear_output after the pending text.
func (o *output) Clear(wait bool) {
	if o.silent {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	o.s.publish(o.parent, "clear_output", map[string]any{"wait": wait})
}

// Input asks the frontend for a line on the stdin channel.
func (o *output) Input(ctx context.Context, prompt string, password bool) (string, error) {
	if !o.allowStdin {
		return "", engine.ErrNoStdin
	}
	o.inputMu.Lock()
	defer o.inputMu.Unlock()
	o.mu.Lock()
	if prompt == "" {
		// A Go program prints its prompt and then reads (fmt.Print("name? "); fmt.Scan(&x)).
		// A prompt still waiting to be sent moves into the input box, as input("name? ")
		// does, instead of standing on a line of its own above it.
		prompt = o.takePromptLocked()
	}
	o.flushLocked()
	o.mu.Unlock()
	// Forget replies to earlier, abandoned requests.
	for len(o.s.inputs) > 0 {
		<-o.s.inputs
	}
	req, err := wire.NewMessage("input_request", o.s.session, o.parent, map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", err
	}
	if err := o.s.sock.Stdin.Send(req); err != nil {
		return "", err
	}
	select {
	case r := <-o.s.inputs:
		var content struct {
			Value string `json:"value"`
		}
		if err := r.DecodeContent(&content); err != nil {
			return "", err
		}
		return content.Value, nil
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// maxPrompt is the longest unfinished line taken as an input prompt.
const maxPrompt = 200

// takePromptLocked removes and returns the unfinished last line of pending stdout text, if
// it is short and no other stream followed it.
func (o *output) takePromptLocked() string {
	n := len(o.chunks)
	if n == 0 || o.chunks[n-1].name != "stdout" {
		return ""
	}
	text := o.chunks[n-1].text
	start := bytes.LastIndexByte(text, '\n') + 1
	if start == len(text) || len(text)-start > maxPrompt {
		return ""
	}
	prompt := string(text[start:])
	o.chunks[n-1].text = text[:start]
	o.size -= len(prompt)
	if start == 0 {
		o.chunks = o.chunks[:n-1]
	}
	return prompt
}

// close sends what is pending; later text (from goroutines still running) is sent at once.
func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
	o.closed = true
}
