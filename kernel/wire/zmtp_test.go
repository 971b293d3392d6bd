package wire

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestZMTPFrames(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 300)
	frames := [][]byte{[]byte("topic"), {}, long, []byte("end")}
	data := appendZMTPMessage(nil, frames)
	data = appendZMTPCommand(data, "PONG", []byte("ctx"))

	r := bufio.NewReader(bytes.NewReader(data))
	for i, want := range frames {
		f, err := readZMTPFrame(r, 1<<20)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(f.body, want) || f.command() || f.more() != (i < len(frames)-1) {
			t.Errorf("frame %d = %+v (more %v), want body of %d bytes", i, f, f.more(), len(want))
		}
	}
	f, err := readZMTPFrame(r, 1<<20)
	if err != nil || !f.command() || f.more() {
		t.Fatalf("command frame = %+v, %v", f, err)
	}
	name, body, ok := parseZMTPCommand(f.body)
	if !ok || name != "PONG" || string(body) != "ctx" {
		t.Errorf("command = %q %q %v", name, body, ok)
	}

	if _, err := readZMTPFrame(bufio.NewReader(bytes.NewReader(appendZMTPMessage(nil, [][]byte{long}))), 100); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized frame: err = %v", err)
	}
	for _, bad := range [][]byte{{}, {5}, {3, 'a'}} {
		if _, _, ok := parseZMTPCommand(bad); ok {
			t.Errorf("parseZMTPCommand(%q) accepted", bad)
		}
	}
}

// TestZMTPTracker feeds a stream (greeting, a command, a short and a long
// message) to the tracker in every possible split and checks that it finds
// exactly the message ends.
func TestZMTPTracker(t *testing.T) {
	greeting := make([]byte, zmtpGreetingLen)
	var stream []byte
	var ends []int
	stream = append(stream, greeting...)
	ends = append(ends, len(stream))
	stream = appendZMTPCommand(stream, "READY", []byte("meta"))
	ends = append(ends, len(stream))
	stream = appendZMTPMessage(stream, [][]byte{[]byte("id"), {}, []byte("body")})
	ends = append(ends, len(stream))
	stream = appendZMTPMessage(stream, [][]byte{bytes.Repeat([]byte("y"), 1000), {}})
	ends = append(ends, len(stream))

	isEnd := map[int]bool{}
	for _, e := range ends {
		isEnd[e] = true
	}
	for chunk := 1; chunk <= len(stream); chunk++ {
		var tr zmtpTracker
		for pos := 0; pos < len(stream); pos += chunk {
			next := min(pos+chunk, len(stream))
			boundary := tr.consume(stream[pos:next])
			if boundary != isEnd[next] {
				t.Fatalf("chunk %d: at %d boundary = %v, want %v", chunk, next, boundary, isEnd[next])
			}
		}
		if tr.messages != len(ends) {
			t.Fatalf("chunk %d: counted %d messages, want %d", chunk, tr.messages, len(ends))
		}
	}
}
