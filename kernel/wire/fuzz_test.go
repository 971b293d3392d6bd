package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// fuzzKey is the connection key of the fuzzed Signer.
const fuzzKey = "fuzz-key"

// fuzzSep separates frames in a fuzz input. JSON and hex never contain it.
var fuzzSep = []byte{0}

func FuzzDecode(f *testing.F) {
	s := NewSigner([]byte(fuzzKey))
	seed := func(m *Message) [][]byte {
		frames, err := s.Encode(m)
		if err != nil {
			f.Fatal(err)
		}
		return frames
	}
	valid := seed(&Message{
		Identities: [][]byte{[]byte("peer")},
		Header:     Header{MsgID: "1", MsgType: "execute_request", Version: "5.4"},
		Content:    json.RawMessage(`{"code":"1+1","silent":false}`),
		Buffers:    [][]byte{[]byte("buf")},
	})
	forged := append([][]byte(nil), valid...)
	forged[len(forged)-2] = []byte(`{"code":"evil"}`)
	for _, frames := range [][][]byte{
		valid,
		valid[:4],
		valid[1:],
		forged,
		{[]byte(Delimiter)},
		{[]byte("a"), []byte(Delimiter), []byte("00"), []byte("{}"), []byte("{}"), []byte("{}"), []byte("{}")},
		{},
	} {
		f.Add(bytes.Join(frames, fuzzSep))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		frames := bytes.Split(data, fuzzSep)
		msg, err := s.Decode(frames)
		if err == nil {
			assertGenuine(t, frames)
			if msg.Header.MsgType == "" {
				t.Fatal("accepted a header without msg_type")
			}
			again, err := s.Encode(msg)
			if err != nil {
				t.Fatalf("re-encoding an accepted message: %v", err)
			}
			back, err := s.Decode(again)
			if err != nil {
				t.Fatalf("an encoded message does not decode: %v", err)
			}
			assertSameMessage(t, back, msg)
		}
		if other, err := NewSigner([]byte("not-" + fuzzKey)).Decode(frames); err == nil {
			t.Fatalf("accepted a message under a key that did not sign it: %+v", other)
		}

		// Whatever the fuzzer makes must survive Encode then Decode.
		built := &Message{
			Identities: frames[:len(frames)/2],
			Header:     Header{MsgID: string(data), MsgType: "t" + string(data)},
			Content:    mustJSON(t, string(data)),
			Buffers:    frames[len(frames)/2:],
		}
		built.Content = json.RawMessage(`{"v":` + string(built.Content) + `}`)
		for _, id := range built.Identities {
			if string(id) == Delimiter {
				return // an identity may not look like the delimiter
			}
		}
		encoded, err := s.Encode(built)
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		back, err := s.Decode(encoded)
		if err != nil {
			t.Fatalf("Decode(Encode(m)): %v", err)
		}
		want := *built
		want.Header.MsgID, want.Header.MsgType = roundTripString(t, built.Header.MsgID), roundTripString(t, built.Header.MsgType)
		assertSameMessage(t, back, &want)
	})
}

// assertGenuine fails unless the signature frame of frames is the HMAC of
// the next four frames under fuzzKey, computed independently of Signer.
func assertGenuine(t *testing.T, frames [][]byte) {
	t.Helper()
	for i, frame := range frames {
		if string(frame) != Delimiter {
			continue
		}
		mac := hmac.New(sha256.New, []byte(fuzzKey))
		for _, p := range frames[i+2 : i+6] {
			mac.Write(p)
		}
		want := hex.EncodeToString(mac.Sum(nil))
		if !bytes.EqualFold(frames[i+1], []byte(want)) {
			t.Fatalf("accepted signature %q, the key gives %q", frames[i+1], want)
		}
		return
	}
	t.Fatal("accepted frames without a delimiter")
}

// mustJSON encodes s as a JSON string.
func mustJSON(t *testing.T, s string) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// roundTripString returns s as it comes back from JSON: invalid UTF-8 is
// replaced.
func roundTripString(t *testing.T, s string) string {
	t.Helper()
	var out string
	if err := json.Unmarshal(mustJSON(t, s), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
