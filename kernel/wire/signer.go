package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// Delimiter separates the routing identities of a message from its signed
// parts.
const Delimiter = "<IDS|MSG>"

// ErrBadSignature reports a message whose signature is missing or was not
// made with the connection key. Such a message must be dropped.
var ErrBadSignature = errors.New("wire: bad message signature")

// ErrMalformed reports frames that do not form a Jupyter message.
var ErrMalformed = errors.New("wire: malformed message")

// signedParts is the number of frames after the delimiter that every message
// has: signature, header, parent header, metadata and content.
const signedParts = 5

// Signer signs and verifies messages with the HMAC-SHA256 key of a
// connection, and converts messages to and from frames. A Signer with an
// empty key neither signs nor checks signatures. It is safe for concurrent
// use.
type Signer struct {
	key  []byte
	macs sync.Pool // of hash.Hash keyed with key
}

// NewSigner returns a Signer for key. An empty key disables signing.
func NewSigner(key []byte) *Signer {
	s := &Signer{key: append([]byte(nil), key...)}
	s.macs.New = func() any { return hmac.New(sha256.New, s.key) }
	return s
}

// Enabled reports whether s signs messages (its key is not empty).
func (s *Signer) Enabled() bool { return len(s.key) > 0 }

// Sign returns the hex-encoded HMAC-SHA256 of the concatenated parts, or
// an empty signature when signing is disabled.
func (s *Signer) Sign(parts ...[]byte) []byte {
	if !s.Enabled() {
		return []byte{}
	}
	mac := s.macs.Get().(hash.Hash)
	defer s.macs.Put(mac)
	mac.Reset()
	for _, p := range parts {
		mac.Write(p)
	}
	var sum [sha256.Size]byte
	out := make([]byte, hex.EncodedLen(sha256.Size))
	hex.Encode(out, mac.Sum(sum[:0]))
	return out
}

// Verify reports whether signature is the hex HMAC of parts, comparing in
// constant time. With signing disabled every signature is accepted.
func (s *Signer) Verify(signature []byte, parts ...[]byte) bool {
	if !s.Enabled() {
		return true
	}
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return false
	}
	want := s.Sign(parts...)
	// Jupyter writes lower-case hex; accept upper case too.
	return hmac.Equal(want, bytes.ToLower(signature))
}

// Encode converts m to frames: its identities, the delimiter, the
// signature, the header (Header encoded as JSON), parent header, metadata,
// content, then the buffers. Empty parent, metadata or content are sent as
// "{}".
func (s *Signer) Encode(m *Message) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("wire: encode header: %w", err)
	}
	parent, metadata, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	frames := make([][]byte, 0, len(m.Identities)+1+signedParts+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames,
		[]byte(Delimiter),
		s.Sign(header, parent, metadata, content),
		header, parent, metadata, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

// orEmpty returns raw, or "{}" when raw is empty.
func orEmpty(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return emptyObject
	}
	return raw
}

// Decode parses frames received from a socket into a Message. It finds the
// delimiter, checks the signature (a missing or wrong one gives an error
// wrapping ErrBadSignature), and checks that the header is a JSON object
// with a msg_type and that the other parts are JSON. Other problems give an
// error wrapping ErrMalformed. The returned message shares memory with
// frames. Decode never panics.
func (s *Signer) Decode(frames [][]byte) (*Message, error) {
	delim := -1
	for i, f := range frames {
		if string(f) == Delimiter {
			delim = i
			break
		}
	}
	if delim < 0 {
		return nil, fmt.Errorf("%w: no %s delimiter in %d frames", ErrMalformed, Delimiter, len(frames))
	}
	parts := frames[delim+1:]
	if len(parts) < signedParts {
		return nil, fmt.Errorf("%w: %d frames after the delimiter, want at least %d", ErrMalformed, len(parts), signedParts)
	}
	signature, header, parent, metadata, content := parts[0], parts[1], parts[2], parts[3], parts[4]
	if !s.Verify(signature, header, parent, metadata, content) {
		return nil, ErrBadSignature
	}
	msg := &Message{
		Identities: frames[:delim],
		RawHeader:  header,
		Parent:     parent,
		Metadata:   metadata,
		Content:    content,
		Buffers:    parts[signedParts:],
	}
	if err := json.Unmarshal(header, &msg.Header); err != nil || !isObject(header) {
		return nil, fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	if msg.Header.MsgType == "" {
		return nil, fmt.Errorf("%w: header has no msg_type", ErrMalformed)
	}
	for _, p := range []struct {
		name string
		raw  []byte
	}{{"parent header", parent}, {"metadata", metadata}, {"content", content}} {
		if !isObject(p.raw) {
			return nil, fmt.Errorf("%w: %s is not a JSON object", ErrMalformed, p.name)
		}
	}
	return msg, nil
}

// isObject reports whether raw is a valid JSON object.
func isObject(raw []byte) bool {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(raw)
}
