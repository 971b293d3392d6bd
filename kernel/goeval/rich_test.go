package goeval

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestRichResultsOfNotebookTypes shows cell values of types declared in the notebook with
// rich-display methods, in one session, in order.
func TestRichResultsOfNotebookTypes(t *testing.T) {
	s := newSession(t)
	tests := []struct {
		name   string
		code   string
		want   map[string]any // the whole bundle; nil for no Out
		stdout string
		stderr string
	}{
		{name: "plain struct before any rich type", code: "type point struct{ X, Y int }\npoint{1, 2}",
			want: map[string]any{"text/plain": "{1 2}"}},
		{name: "value receiver, value", code: "type card struct{ title string }\n" +
			"func (c card) HTML() string { fmt.Println(\"HTML called\"); return \"<b>\" + c.title + \"</b>\" }\ncard{\"hi\"}",
			want: map[string]any{"text/html": "<b>hi</b>", "text/plain": "{hi}"}, stdout: "HTML called\n"},
		{name: "value receiver, pointer", code: "&card{\"ptr\"}",
			want: map[string]any{"text/html": "<b>ptr</b>", "text/plain": "&{ptr}"}, stdout: "HTML called\n"},
		{name: "variable of the type", code: "c := card{\"var\"}\nc",
			want: map[string]any{"text/html": "<b>var</b>", "text/plain": "{var}"}, stdout: "HTML called\n"},
		{name: "pointer receiver, pointer", code: "type pic struct{ n int }\nfunc (p *pic) SVG() string { return fmt.Sprintf(\"<svg>%d</svg>\", p.n) }\n&pic{1}",
			want: map[string]any{"image/svg+xml": "<svg>1</svg>", "text/plain": "&{1}"}},
		{name: "pointer receiver, value: not in its method set", code: "pic{2}",
			want: map[string]any{"text/plain": "{2}"}},
		{name: "named string type", code: "type md string\nfunc (m md) Markdown() string { return \"# \" + string(m) }\nmd(\"title\")",
			want: map[string]any{"text/markdown": "# title", "text/plain": `"title"`}},
		{name: "untyped constant keeps its default type", code: `"title"`,
			want: map[string]any{"text/plain": `"title"`}},
		{name: "several methods", code: "type both struct{}\nfunc (both) HTML() string { return \"<i>b</i>\" }\n" +
			"func (both) PNG() []byte { return []byte{1, 2} }\nboth{}",
			want: map[string]any{"text/html": "<i>b</i>", "image/png": base64.StdEncoding.EncodeToString([]byte{1, 2}), "text/plain": "{}"}},
		{name: "structurally equal type without methods", code: "type plain struct{ title string }\nplain{\"p\"}",
			want: map[string]any{"text/plain": "{p}"}},
		{name: "ordinary values are unchanged", code: "x := 40\nx + 2", want: map[string]any{"text/plain": "42"}},
		{name: "slice of rich values is text", code: "[]card{{\"a\"}}", want: map[string]any{"text/plain": "[{a}]"}},
		{name: "nil pointer", code: "var np *pic\nnp", want: map[string]any{"text/plain": "<nil>"},
			stderr: "SVG method of the cell's value panicked"},
		{name: "panicking method", code: "type bad struct{}\nfunc (bad) HTML() string { panic(\"no html\") }\nbad{}",
			want: map[string]any{"text/plain": "{}"}, stderr: "HTML method of the cell's value panicked (no html)"},
		{name: "void call", code: "func hello() { fmt.Println(\"hello\") }\nhello()", stdout: "hello\n"},
		{name: "two results", code: "strconv.Atoi(\"1\")"},
		{name: "statements before the value run once", code: "n := 0\nn++\nfmt.Println(\"n is\", n)\ncard{\"once\"}",
			want: map[string]any{"text/html": "<b>once</b>", "text/plain": "{once}"}, stdout: "n is 1\nHTML called\n"},
		{name: "compiled type with a method", code: "timeline.Stop()",
			want: map[string]any{"image/svg+xml": "", "text/plain": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			res, rec := s.run(tt.code)
			if res.Err != nil {
				t.Fatalf("error %s: %s\n%s", res.Err.Name, res.Err.Value, strings.Join(res.Err.Traceback, "\n"))
			}
			if rec.out() != tt.stdout {
				t.Errorf("stdout %q, want %q", rec.out(), tt.stdout)
			}
			if !strings.Contains(rec.errText(), tt.stderr) || (tt.stderr == "" && rec.errText() != "") {
				t.Errorf("stderr %q, want %q", rec.errText(), tt.stderr)
			}
			if len(res.Data) != len(tt.want) {
				t.Fatalf("bundle %v, want %v", res.Data, tt.want)
			}
			for mime, want := range tt.want {
				got, ok := res.Data[mime]
				if !ok || (want != "" && got != want) {
					t.Errorf("%s = %v, want %v", mime, got, want)
				}
			}
		})
	}
}

// TestRichResultErrorsPointAtTheCell checks that a panic in the trailing expression of a
// rich type is reported once, at its cell line, and that the session goes on.
func TestRichResultErrorsPointAtTheCell(t *testing.T) {
	s := newSession(t)
	s.ok("type card struct{ title string }\nfunc (c card) HTML() string { return c.title }")
	s.ok("runs := 0")
	err := s.fails("runs++\nfunc boom() card {\n\tpanic(\"boom now\")\n}\nboom()")
	all := err.Value + "\n" + strings.Join(err.Traceback, "\n")
	if !strings.Contains(all, "boom now") || !strings.Contains(all, "line 3") {
		t.Errorf("error %q", all)
	}
	if _, v := s.ok("runs"); v != "1" {
		t.Errorf("the cell ran %s times", v)
	}
}
