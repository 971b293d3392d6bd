package display

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

func frameBytes(t *testing.T, f Frame) []byte {
	t.Helper()
	t.Setenv(EnvVar, "1")
	var buf bytes.Buffer
	if err := emit(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecoderSplitsTextAndFrames(t *testing.T) {
	html := Frame{Kind: KindDisplay, Data: map[string]any{"text/html": "<b>x</b>", "text/plain": "x"}}
	clear := Frame{Kind: KindClear, Wait: true}
	stream := append([]byte("before\n"), frameBytes(t, html)...)
	stream = append(stream, "middle"...)
	stream = append(stream, frameBytes(t, clear)...)
	stream = append(stream, "after\x1b]not a frame\a\n"...)

	// Feed the stream in every chunk size: the result must not depend on how reads split it.
	for chunk := 1; chunk <= len(stream); chunk++ {
		d := NewDecoder()
		var text bytes.Buffer
		var frames []Frame
		for i := 0; i < len(stream); i += chunk {
			for _, p := range d.Feed(stream[i:min(i+chunk, len(stream))]) {
				if p.Frame != nil {
					frames = append(frames, *p.Frame)
				} else {
					text.WriteString(p.Text)
				}
			}
		}
		for _, p := range d.Feed(nil) {
			text.WriteString(p.Text)
		}
		if got, want := text.String(), "before\nmiddleafter\x1b]not a frame\a\n"; got != want {
			t.Fatalf("chunk %d: text %q, want %q", chunk, got, want)
		}
		if len(frames) != 2 || !reflect.DeepEqual(frames[0], html) || !reflect.DeepEqual(frames[1], clear) {
			t.Fatalf("chunk %d: frames %+v", chunk, frames)
		}
	}
}

func TestFallbackOutsideKernel(t *testing.T) {
	os.Unsetenv(EnvVar)
	tests := []struct {
		name string
		f    Frame
		want string
	}{
		{"text", Frame{Kind: KindDisplay, Data: map[string]any{"text/plain": "hello"}}, "hello\n"},
		{"clear", Frame{Kind: KindClear}, ""},
		{"no text", Frame{Kind: KindDisplay, Data: map[string]any{"image/png": "AAA"}}, "<display image/png>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := emit(&buf, tt.f); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Fatalf("got %q, want %q", buf.String(), tt.want)
			}
		})
	}
}
