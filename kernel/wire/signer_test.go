package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSign(t *testing.T) {
	// RFC 4231, test case 2, with the data split across parts: the
	// signature covers the concatenation of the parts.
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	s := NewSigner([]byte("Jefe"))
	got := s.Sign([]byte("what do ya "), []byte("want for "), []byte("nothing?"))
	if string(got) != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if got := NewSigner(nil).Sign([]byte("x")); len(got) != 0 {
		t.Errorf("Sign without a key = %q, want empty", got)
	}
}

func TestVerify(t *testing.T) {
	parts := [][]byte{[]byte(`{"msg_type":"x"}`), []byte(`{}`), []byte(`{}`), []byte(`{"a":1}`)}
	keyed := NewSigner([]byte("key"))
	good := keyed.Sign(parts...)
	flipped := bytes.Clone(good)
	flipped[0] ^= 1
	tests := []struct {
		name   string
		signer *Signer
		sig    []byte
		parts  [][]byte
		want   bool
	}{
		{"valid", keyed, good, parts, true},
		{"upper-case hex", keyed, bytes.ToUpper(good), parts, true},
		{"one bit off", keyed, flipped, parts, false},
		{"empty", keyed, nil, parts, false},
		{"truncated", keyed, good[:10], parts, false},
		{"other key", NewSigner([]byte("other")), good, parts, false},
		{"content changed", keyed, good, [][]byte{parts[0], parts[1], parts[2], []byte(`{"a":2}`)}, false},
		{"parts moved", keyed, good, [][]byte{parts[0], parts[1], parts[3], parts[2]}, false},
		{"no key accepts anything", NewSigner(nil), []byte("junk"), parts, true},
	}
	for _, tt := range tests {
		if got := tt.signer.Verify(tt.sig, tt.parts...); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNewMessage(t *testing.T) {
	parentHeader := `{"version":"5.3","msg_type":"execute_request","msg_id":"p1","session":"s","username":"u","date":"2020-01-01T00:00:00Z","subshell_id":null}`
	parent := &Message{
		Identities: [][]byte{[]byte("peer-1"), []byte("peer-2")},
		RawHeader:  json.RawMessage(parentHeader),
	}
	msg, err := NewMessage("execute_reply", "session-1", parent, map[string]any{"status": "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if string(msg.Parent) != parentHeader {
		t.Errorf("parent header = %s, want the parent's header verbatim", msg.Parent)
	}
	parent.Identities[0][0] = 'X'
	if string(msg.Identities[0]) != "peer-1" || string(msg.Identities[1]) != "peer-2" {
		t.Errorf("identities = %q, want an independent copy of the parent's", msg.Identities)
	}
	h := msg.Header
	if h.MsgType != "execute_reply" || h.Session != "session-1" || h.Version != ProtocolVersion || h.Username != Username || h.MsgID == "" {
		t.Errorf("header = %+v", h)
	}
	date, err := time.Parse(time.RFC3339Nano, h.Date)
	if err != nil {
		t.Errorf("date %q is not ISO 8601 with a zone: %v", h.Date, err)
	} else if d := time.Since(date); d < -time.Minute || d > time.Minute {
		t.Errorf("date %v is not now", date)
	}
	var fromRaw Header
	if err := json.Unmarshal(msg.RawHeader, &fromRaw); err != nil || fromRaw != h {
		t.Errorf("RawHeader %s does not match Header %+v (%v)", msg.RawHeader, h, err)
	}
	var content map[string]string
	if err := msg.DecodeContent(&content); err != nil || content["status"] != "ok" {
		t.Errorf("content = %s (%v)", msg.Content, err)
	}

	other, err := NewMessage("status", "session-1", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Header.MsgID == h.MsgID {
		t.Error("two messages share a msg_id")
	}
	for name, raw := range map[string]json.RawMessage{"parent": other.Parent, "metadata": other.Metadata, "content": other.Content} {
		if string(raw) != "{}" {
			t.Errorf("%s of a message without parent or content = %s, want {}", name, raw)
		}
	}
	if len(other.Identities) != 0 {
		t.Errorf("identities without a parent = %q", other.Identities)
	}
	if _, err := NewMessage("x", "s", nil, func() {}); err == nil {
		t.Error("content that is not JSON was accepted")
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		key  string
		msg  Message
	}{
		{"signed with buffers", "k", Message{
			Identities: [][]byte{[]byte("a"), {0, 1, 2}},
			Header:     Header{MsgID: "1", Session: "s", Username: "u", Date: "d", MsgType: "comm_msg", Version: "5.4"},
			Parent:     json.RawMessage(`{"msg_id":"0"}`),
			Metadata:   json.RawMessage(`{"m":true}`),
			Content:    json.RawMessage(`{"data":{}}`),
			Buffers:    [][]byte{{0xff, 0}, {}},
		}},
		{"unsigned, no identities", "", Message{
			Header:  Header{MsgID: "2", MsgType: "status"},
			Content: json.RawMessage(`{"execution_state":"idle"}`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSigner([]byte(tt.key))
			frames, err := s.Encode(&tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Decode(frames)
			if err != nil {
				t.Fatal(err)
			}
			assertSameMessage(t, got, &tt.msg)
		})
	}
}

// assertSameMessage fails unless got carries what want does; empty JSON
// parts of want count as "{}".
func assertSameMessage(t *testing.T, got, want *Message) {
	t.Helper()
	if got.Header != want.Header {
		t.Errorf("header = %+v, want %+v", got.Header, want.Header)
	}
	if !equalFrames(got.Identities, want.Identities) {
		t.Errorf("identities = %q, want %q", got.Identities, want.Identities)
	}
	if !equalFrames(got.Buffers, want.Buffers) {
		t.Errorf("buffers = %q, want %q", got.Buffers, want.Buffers)
	}
	for _, p := range []struct {
		name      string
		got, want []byte
	}{{"parent", got.Parent, orEmpty(want.Parent)}, {"metadata", got.Metadata, orEmpty(want.Metadata)}, {"content", got.Content, orEmpty(want.Content)}} {
		if !bytes.Equal(p.got, p.want) {
			t.Errorf("%s = %s, want %s", p.name, p.got, p.want)
		}
	}
}

func equalFrames(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestDecodeRejects(t *testing.T) {
	s := NewSigner([]byte("key"))
	signed := func(header, parent, metadata, content string) [][]byte {
		parts := [][]byte{[]byte(header), []byte(parent), []byte(metadata), []byte(content)}
		return append([][]byte{[]byte("id"), []byte(Delimiter), s.Sign(parts...)}, parts...)
	}
	valid := signed(`{"msg_type":"kernel_info_request","msg_id":"1"}`, `{}`, `{}`, `{}`)
	forged := signed(`{"msg_type":"kernel_info_request"}`, `{}`, `{}`, `{}`)
	forged[len(forged)-1] = []byte(`{"code":"rm -rf"}`)

	tests := []struct {
		name   string
		frames [][]byte
		want   error
	}{
		{"nil", nil, ErrMalformed},
		{"no delimiter", [][]byte{[]byte("id"), []byte("x")}, ErrMalformed},
		{"delimiter only", [][]byte{[]byte(Delimiter)}, ErrMalformed},
		{"truncated", valid[:len(valid)-1], ErrMalformed},
		{"content swapped after signing", forged, ErrBadSignature},
		{"signature missing", append([][]byte{[]byte(Delimiter), nil}, valid[3:]...), ErrBadSignature},
		{"signature of another key", append([][]byte{[]byte(Delimiter), NewSigner([]byte("guess")).Sign(valid[3:7]...)}, valid[3:]...), ErrBadSignature},
		{"header not JSON", signed(`{"msg_type":`, `{}`, `{}`, `{}`), ErrMalformed},
		{"header an array", signed(`["msg_type"]`, `{}`, `{}`, `{}`), ErrMalformed},
		{"header null", signed(`null`, `{}`, `{}`, `{}`), ErrMalformed},
		{"no msg_type", signed(`{"msg_id":"1"}`, `{}`, `{}`, `{}`), ErrMalformed},
		{"msg_type not a string", signed(`{"msg_type":1}`, `{}`, `{}`, `{}`), ErrMalformed},
		{"parent not JSON", signed(`{"msg_type":"a"}`, `{`, `{}`, `{}`), ErrMalformed},
		{"metadata a string", signed(`{"msg_type":"a"}`, `{}`, `"m"`, `{}`), ErrMalformed},
		{"content empty", signed(`{"msg_type":"a"}`, `{}`, `{}`, ``), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := s.Decode(tt.frames)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			if msg != nil {
				t.Errorf("Decode returned a message with error %v", err)
			}
		})
	}
	msg, err := s.Decode(valid)
	if err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}
	if msg.Header.MsgType != "kernel_info_request" || len(msg.Identities) != 1 || string(msg.Identities[0]) != "id" {
		t.Errorf("decoded %+v", msg)
	}
	if !strings.Contains(string(msg.RawHeader), `"msg_id":"1"`) {
		t.Errorf("RawHeader = %s", msg.RawHeader)
	}
}
