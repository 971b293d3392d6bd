// Package display shows rich output (HTML, Markdown, SVG, images, JSON) in a notebook.
//
// In a gokernel notebook every function here produces a Jupyter display: HTML renders as a
// page fragment, PNG as an image, and so on. In an ordinary compiled program, where there is no
// notebook to show them in, the functions print the plain-text form to standard output.
//
// The kernel tells the package it is inside a notebook through the GOKERNEL_DISPLAY
// environment variable; displays then travel as frames on standard output, so they keep their
// order with printed text and work from child processes too.
//
//	display.HTML("<b>done</b>")
//	bar := display.New()              // a display that can be redrawn in place
//	bar.Text("10%")
//	bar.Text("20%")
//	display.Clear(true)               // clear the cell's output when the next output arrives
//
// A cell's result is shown richly without calling this package when its type has a method
// HTML() string, SVG() string, Markdown() string, PNG() []byte or JPEG() []byte: the result
// carries that MIME type, as well as its text. This holds for types declared in the notebook
// and for compiled types, and follows Go's method sets: a method with a pointer receiver
// counts for a pointer result (&T{...}), not for a T value. Each method is called once; one
// that panics is reported under the cell, and the result is shown without that form.
//
//	type Badge struct{ Label string }
//	func (b Badge) HTML() string { return "<b>" + b.Label + "</b>" }
//	Badge{"ok"}                       // Out[n] renders as HTML
package display

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
)

// Bundle maps MIME types ("text/html", "image/png", ...) to their data. Binary data (images)
// is base64 text, as Jupyter expects.
type Bundle map[string]any

// EnvVar is the environment variable through which a kernel announces itself.
const EnvVar = "GOKERNEL_DISPLAY"

// Frame kinds.
const (
	KindDisplay = "display"
	KindUpdate  = "update"
	KindClear   = "clear"
)

// Frame is one display instruction as it travels on standard output.
type Frame struct {
	Kind     string         `json:"kind"`
	Data     map[string]any `json:"data,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
	ID       string         `json:"id,omitempty"`
	Wait     bool           `json:"wait,omitempty"`
}

const (
	frameStart = "\x1b]gokernel-display;"
	frameEnd   = '\a'
)

// inKernel reports whether displays go to a notebook.
func inKernel() bool { return os.Getenv(EnvVar) == "1" }

// emit writes a frame to w, or the plain-text fallback when not in a kernel.
func emit(w io.Writer, f Frame) error {
	if !inKernel() {
		if f.Kind == KindClear {
			return nil
		}
		text, _ := f.Data["text/plain"].(string)
		if text == "" {
			text = fallbackText(f.Data)
		}
		_, err := fmt.Fprintln(w, text)
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("display: encode: %w", err)
	}
	buf := make([]byte, 0, len(frameStart)+len(b)+1)
	buf = append(buf, frameStart...)
	buf = append(buf, b...)
	buf = append(buf, frameEnd)
	_, err = w.Write(buf)
	return err
}

// fallbackText names the MIME types of a bundle that has no text/plain form.
func fallbackText(data map[string]any) string {
	var b bytes.Buffer
	b.WriteString("<display")
	for k := range data {
		b.WriteString(" " + k)
	}
	b.WriteString(">")
	return b.String()
}

// Show displays a bundle. A text/plain entry is added when missing, for frontends that show
// only text.
func Show(b Bundle) { show(b, "", KindDisplay) }

func show(b Bundle, id, kind string) {
	data := map[string]any{}
	for k, v := range b {
		data[k] = v
	}
	if _, ok := data["text/plain"]; !ok {
		data["text/plain"] = fallbackText(b)
	}
	// A display that cannot be written has nowhere to report to either.
	_ = emit(os.Stdout, Frame{Kind: kind, Data: data, ID: id})
}

// HTML displays an HTML fragment.
func HTML(s string) { Show(HTMLBundle(s)) }

// Markdown displays Markdown text.
func Markdown(s string) { Show(Bundle{"text/markdown": s, "text/plain": s}) }

// SVG displays an SVG image given as XML text.
func SVG(s string) { Show(Bundle{"image/svg+xml": s, "text/plain": "<SVG image>"}) }

// PNG displays PNG-encoded bytes.
func PNG(b []byte) {
	Show(Bundle{"image/png": base64.StdEncoding.EncodeToString(b), "text/plain": "<PNG image>"})
}

// JPEG displays JPEG-encoded bytes.
func JPEG(b []byte) {
	Show(Bundle{"image/jpeg": base64.StdEncoding.EncodeToString(b), "text/plain": "<JPEG image>"})
}

// Image displays an image, encoded as PNG. An image that cannot be encoded is shown as the
// error text instead.
func Image(img image.Image) {
	b, err := ImageBundle(img)
	if err != nil {
		b = Bundle{"text/plain": err.Error()}
	}
	Show(b)
}

// JSON displays v as a JSON document that the frontend can fold and unfold. A value that
// cannot be encoded is shown as the error text instead.
func JSON(v any) {
	b, err := JSONBundle(v)
	if err != nil {
		b = Bundle{"text/plain": err.Error()}
	}
	Show(b)
}

// Text displays plain text.
func Text(s string) { Show(Bundle{"text/plain": s}) }

// HTMLBundle returns the bundle that shows s as HTML.
func HTMLBundle(s string) Bundle { return Bundle{"text/html": s, "text/plain": "<HTML>"} }

// ImageBundle returns the bundle that shows img as a PNG.
func ImageBundle(img image.Image) (Bundle, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("display: encode png: %w", err)
	}
	r := img.Bounds()
	return Bundle{
		"image/png":  base64.StdEncoding.EncodeToString(buf.Bytes()),
		"text/plain": fmt.Sprintf("<image %dx%d>", r.Dx(), r.Dy()),
	}, nil
}

// JSONBundle returns the bundle that shows v as JSON.
func JSONBundle(v any) (Bundle, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("display: encode json: %w", err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("display: decode json: %w", err)
	}
	return Bundle{"application/json": doc, "text/plain": string(b)}, nil
}

// Clear clears the cell's output. With wait, the output is cleared only when new output
// arrives, which avoids flicker when redrawing.
func Clear(wait bool) { _ = emit(os.Stdout, Frame{Kind: KindClear, Wait: wait}) }

// Handle is a display that can be replaced in place, for progress and live results.
type Handle struct {
	id    string
	shown bool
}

// New returns a handle with a fresh display id. Nothing is shown until a method is called.
func New() *Handle {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Handle{id: "gokernel-" + hex.EncodeToString(b[:])}
}

// ID returns the display id.
func (h *Handle) ID() string { return h.id }

// Show displays b the first time and replaces the earlier display afterwards.
func (h *Handle) Show(b Bundle) {
	kind := KindUpdate
	if !h.shown {
		kind = KindDisplay
		h.shown = true
	}
	show(b, h.id, kind)
}

// Text shows s as plain text in the handle's display.
func (h *Handle) Text(s string) { h.Show(Bundle{"text/plain": s}) }

// HTML shows s as HTML in the handle's display.
func (h *Handle) HTML(s string) { h.Show(HTMLBundle(s)) }
