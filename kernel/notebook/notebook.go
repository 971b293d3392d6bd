// Package notebook executes Jupyter notebooks (nbformat 4) with an engine, without Jupyter.
//
// It is the kernel's built-in runner: `gokernel run notebook.ipynb` runs every code cell in
// order with a fresh engine, writes the outputs back in nbformat 4 (streams, displays, results,
// errors, execution counts), and reports progress. Cells tagged "raises-exception" may fail;
// any other failure stops the run, as Jupyter's nbclient does.
package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
)

// Notebook is a notebook as read from disk. Fields the runner does not touch are kept as they
// were.
type Notebook struct {
	raw   map[string]any
	cells []map[string]any
}

// Read parses a notebook file.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notebook: %w", err)
	}
	return Parse(b)
}

// Parse decodes notebook JSON.
func Parse(b []byte) (*Notebook, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("notebook: decode: %w", err)
	}
	if v, _ := raw["nbformat"].(float64); v != 4 {
		return nil, fmt.Errorf("notebook: nbformat %v is not supported (want 4)", raw["nbformat"])
	}
	list, _ := raw["cells"].([]any)
	nb := &Notebook{raw: raw}
	for i, c := range list {
		cell, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("notebook: cell %d is not an object", i+1)
		}
		nb.cells = append(nb.cells, cell)
	}
	return nb, nil
}

// Marshal encodes the notebook as Jupyter writes it: indented JSON with a final newline.
func (nb *Notebook) Marshal() ([]byte, error) {
	cells := make([]any, len(nb.cells))
	for i, c := range nb.cells {
		cells[i] = c
	}
	nb.raw["cells"] = cells
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<" readable, as Jupyter does
	enc.SetIndent("", " ")
	if err := enc.Encode(nb.raw); err != nil {
		return nil, fmt.Errorf("notebook: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// CodeCells returns the number of code cells.
func (nb *Notebook) CodeCells() int {
	n := 0
	for _, c := range nb.cells {
		if c["cell_type"] == "code" {
			n++
		}
	}
	return n
}

// Source returns a cell's source as one string.
func Source(cell map[string]any) string { return Text(cell["source"]) }

// Text flattens nbformat's "string or list of strings" (sources, stream text, MIME text).
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, s := range x {
			if str, ok := s.(string); ok {
				b.WriteString(str)
			}
		}
		return b.String()
	}
	return ""
}

// splitLines turns text into nbformat's list of lines, each keeping its newline.
func splitLines(s string) []any {
	var out []any
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// tagged reports whether a cell carries the tag.
func tagged(cell map[string]any, tag string) bool {
	md, _ := cell["metadata"].(map[string]any)
	tags, _ := md["tags"].([]any)
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Progress receives a line for each cell as the run goes.
type Progress func(index, total int, cell map[string]any, took time.Duration, err *engine.Error)

// CellError reports a cell that failed without the raises-exception tag.
type CellError struct {
	Index int // 1-based among code cells
	Err   *engine.Error
}

// Error implements error.
func (e *CellError) Error() string {
	return fmt.Sprintf("code cell %d failed: %s: %s", e.Index, e.Err.Name, e.Err.Value)
}

// Run executes every code cell of nb in order with eng, replacing the cells' outputs. It stops
// at the first failing cell that is not tagged "raises-exception" and returns a *CellError.
func Run(ctx context.Context, nb *Notebook, eng engine.Engine, progress Progress) error {
	total := nb.CodeCells()
	count := 0 // the code cell's 1-based index, which is also its execution count
	for _, cell := range nb.cells {
		if cell["cell_type"] != "code" {
			continue
		}
		count++
		out := &outputs{}
		start := time.Now()
		res := eng.Execute(ctx, engine.ExecuteRequest{Code: Source(cell), Count: count}, out)
		took := time.Since(start)
		out.finish(res, count)
		cell["outputs"] = out.list()
		cell["execution_count"] = count
		if progress != nil {
			progress(count, total, cell, took, res.Err)
		}
		if res.Err != nil && !tagged(cell, "raises-exception") {
			return &CellError{Index: count, Err: res.Err}
		}
	}
	return nil
}

// outputs collects a cell's outputs in nbformat 4 form. It implements engine.Output.
type outputs struct {
	mu        sync.Mutex
	items     []map[string]any
	clearNext bool // a clear_output(wait) waits for the next output
}

// applyClear carries out a waiting clear_output(wait) before a new output is added.
func (o *outputs) applyClear() {
	if o.clearNext {
		o.items = nil
		o.clearNext = false
	}
}

// Stream appends text, merging it into the previous output of the same stream. The text is
// kept as a growing []byte until list, so that a cell printing many lines costs linear time.
func (o *outputs) Stream(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.applyClear()
	if n := len(o.items); n > 0 && o.items[n-1]["output_type"] == "stream" && o.items[n-1]["name"] == name {
		o.items[n-1]["text"] = append(o.items[n-1]["text"].([]byte), text...)
		return
	}
	o.items = append(o.items, map[string]any{"output_type": "stream", "name": name, "text": []byte(text)})
}

// Display adds a display, or replaces the displays that carry the same id.
func (o *outputs) Display(data, metadata map[string]any, id string, update bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if metadata == nil {
		metadata = map[string]any{}
	}
	if update {
		for _, it := range o.items {
			if it["display_id"] == id {
				it["data"], it["metadata"] = data, metadata
			}
		}
		return
	}
	o.applyClear()
	item := map[string]any{"output_type": "display_data", "data": data, "metadata": metadata}
	if id != "" {
		item["display_id"] = id
	}
	o.items = append(o.items, item)
}

// Clear removes the outputs so far, at once or when the next output arrives.
func (o *outputs) Clear(wait bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if wait {
		o.clearNext = true
		return
	}
	o.items = nil
}

// Input has no one to ask in a batch run.
func (o *outputs) Input(context.Context, string, bool) (string, error) {
	return "", engine.ErrNoStdin
}

// finish adds the cell's result or error.
func (o *outputs) finish(res engine.ExecuteResult, count int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range res.Payloads {
		if p["source"] == "page" {
			if data, ok := p["data"].(map[string]any); ok {
				o.items = append(o.items, map[string]any{"output_type": "display_data", "data": data, "metadata": map[string]any{}})
			}
		}
	}
	if res.Data != nil {
		md := res.Metadata
		if md == nil {
			md = map[string]any{}
		}
		o.items = append(o.items, map[string]any{"output_type": "execute_result", "data": res.Data, "metadata": md, "execution_count": count})
	}
	if res.Err != nil {
		tb := res.Err.Traceback
		if tb == nil {
			tb = []string{}
		}
		o.items = append(o.items, map[string]any{"output_type": "error", "ename": res.Err.Name, "evalue": res.Err.Value, "traceback": tb})
	}
}

// list returns the outputs in nbformat form: stream text and text MIME data as lists of
// lines, display ids dropped (they live only while a kernel runs).
func (o *outputs) list() []any {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]any, 0, len(o.items))
	for _, it := range o.items {
		c := map[string]any{}
		for k, v := range it {
			if k != "display_id" {
				c[k] = v
			}
		}
		if t, ok := c["text"].([]byte); ok {
			c["text"] = splitLines(string(t))
		}
		if data, ok := c["data"].(map[string]any); ok {
			d := map[string]any{}
			for mime, v := range data {
				if s, ok := v.(string); ok && (strings.HasPrefix(mime, "text/") || mime == "image/svg+xml") {
					d[mime] = splitLines(s)
				} else {
					d[mime] = v
				}
			}
			c["data"] = d
		}
		out = append(out, c)
	}
	return out
}

// ProgressWriter returns a Progress that prints "[i/n] ok 0.12s  first line of the cell".
func ProgressWriter(w io.Writer, name string) Progress {
	return func(index, total int, cell map[string]any, took time.Duration, err *engine.Error) {
		first, _, _ := strings.Cut(strings.TrimSpace(Source(cell)), "\n")
		if r := []rune(first); len(r) > 60 {
			first = string(r[:57]) + "..."
		}
		status := "ok"
		if err != nil {
			status = "error " + err.Name
			if tagged(cell, "raises-exception") {
				status += " (expected)"
			}
		}
		fmt.Fprintf(w, "%s [%d/%d] %s %.2fs  %s\n", name, index, total, status, took.Seconds(), first)
	}
}
