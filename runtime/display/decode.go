package display

import (
	"bytes"
	"encoding/json"
)

// Part is a piece of a decoded output stream: either plain Text or a display Frame.
type Part struct {
	Text  string
	Frame *Frame
}

// Decoder splits an output stream into text and display frames. Frames may arrive split
// across any number of Feed calls. A frame that does not decode is passed through as text.
type Decoder struct {
	pending []byte
}

// NewDecoder returns an empty decoder.
func NewDecoder() *Decoder { return &Decoder{} }

// maxFrame bounds a frame held while waiting for its end; larger ones pass through as text.
const maxFrame = 64 << 20

// Feed adds b to the stream and returns the parts that are complete.
func (d *Decoder) Feed(b []byte) []Part {
	data := append(d.pending, b...)
	d.pending = nil
	var parts []Part
	for len(data) > 0 {
		i := bytes.Index(data, []byte(frameStart))
		if i < 0 {
			// Hold back a tail that could be the beginning of a frame marker.
			keep := partialPrefix(data)
			if len(data)-keep > 0 {
				parts = append(parts, Part{Text: string(data[:len(data)-keep])})
			}
			d.pending = append([]byte(nil), data[len(data)-keep:]...)
			return parts
		}
		if i > 0 {
			parts = append(parts, Part{Text: string(data[:i])})
		}
		body := data[i+len(frameStart):]
		end := bytes.IndexByte(body, frameEnd)
		if end < 0 {
			if len(body) > maxFrame {
				parts = append(parts, Part{Text: string(data[i:])})
				return parts
			}
			d.pending = append([]byte(nil), data[i:]...)
			return parts
		}
		var f Frame
		if err := json.Unmarshal(body[:end], &f); err != nil || f.Kind == "" {
			parts = append(parts, Part{Text: string(data[i : i+len(frameStart)+end+1])})
		} else {
			parts = append(parts, Part{Frame: &f})
		}
		data = body[end+1:]
	}
	return parts
}

// partialPrefix returns the length of the longest suffix of b that is a proper prefix of the
// frame marker.
func partialPrefix(b []byte) int {
	for n := min(len(frameStart)-1, len(b)); n > 0; n-- {
		if bytes.HasSuffix(b, []byte(frameStart[:n])) {
			return n
		}
	}
	return 0
}
