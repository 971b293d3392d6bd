package gocell

import (
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strings"
)

// An edit replaces the cell bytes [pos, end) with text. Edits at one offset apply in
// nesting order: closing edits first, innermost first; then opening edits and
// replacements, outermost first. A guard (inserted in front of a statement, see
// guardStmt) comes after the opening edits made before it, which belong to the
// enclosing block, and before those made after it, which belong to the statement.
type edit struct {
	pos, end int
	text     string
	depth    int
	closing  bool
	guard    bool
	// mapped marks inserted text that error columns are mapped around, as a guard's
	// are, without a guard's place in the order of edits.
	mapped bool
	seq    int
	// hoist numbers the guard of a statement that hoists calls and the replacements of
	// those calls by variables, which stand or fall together; see dropConflictingHoists.
	hoist int
	// copies lists the places in text that copy cell text.
	copies []copySpan
}

// A copySpan is n bytes at offset at of an edit's text that copy the cell text at offset
// pos.
type copySpan struct{ at, n, pos int }

// replace replaces the text between two positions of the current unit. Text that starts
// with a word right after a word of the cell gets a space in front, so that the two do
// not run together (for(k) = range x becoming for R1 := range x, not forR1).
func (w *rewriter) replace(pos, end token.Pos, text string) {
	p := w.off(pos)
	if p > 0 && text != "" && wordByte(w.t.src[p-1]) && wordByte(text[0]) {
		text = " " + text
	}
	w.add(edit{pos: p, end: w.off(end), text: text, depth: w.depth})
}

// wordByte reports whether c may be part of an identifier or keyword (any byte of a
// multi-byte letter counts).
func wordByte(c byte) bool {
	return c == '_' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// insert inserts text that opens a construct at a position of the current unit.
func (w *rewriter) insert(pos token.Pos, text string) {
	p := w.off(pos)
	w.add(edit{pos: p, end: p, text: text, depth: w.depth})
}

// insertClosing inserts text that closes a construct at a position of the current unit.
func (w *rewriter) insertClosing(pos token.Pos, text string) {
	p := w.off(pos)
	w.add(edit{pos: p, end: p, text: text, depth: w.depth, closing: true})
}

// add records an edit, numbered in the order edits are made.
func (w *rewriter) add(e edit) {
	e.seq = len(w.edits)
	w.edits = append(w.edits, e)
}

// surround inserts open before n and close after it at the given depth, with error
// columns mapped around both (see edit.mapped).
func (w *rewriter) surround(n ast.Node, open, close string, depth int) {
	pos, end := w.off(n.Pos()), w.off(n.End())
	w.add(edit{pos: pos, end: pos, text: open, depth: depth, mapped: true})
	w.add(edit{pos: end, end: end, text: close, depth: depth, closing: true, mapped: true})
}

// parenthesize wraps e in parentheses.
func (w *rewriter) parenthesize(e ast.Expr) {
	w.insert(e.Pos(), "(")
	w.insertClosing(e.End(), ")")
}

// apply returns the cell text [start, end) with the edits that fall inside it, and extra.
// Text removed by a replacement keeps its newlines, appended to the replacement, so
// that every line after an edit stays where it was.
func (w *rewriter) apply(start, end int, extra []edit) (string, error) {
	var es []edit
	for _, e := range w.edits {
		if e.pos >= start && e.end <= end {
			es = append(es, e)
		}
	}
	for _, e := range extra {
		e.seq = len(w.edits) + len(es)
		es = append(es, e)
	}
	// group orders the opening edits at a guard's offset around it: 0 before, 2 after.
	guards := map[int]int{}
	for _, e := range es {
		if e.guard {
			guards[e.pos] = e.seq
		}
	}
	group := func(e edit) int {
		g, ok := guards[e.pos]
		switch {
		case !ok || e.closing || e.seq < g:
			return 0
		case e.guard:
			return 1
		}
		return 2
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		if a.closing != b.closing {
			return a.closing
		}
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		if a.depth != b.depth {
			if a.closing {
				return a.depth > b.depth
			}
			return a.depth < b.depth
		}
		return a.seq < b.seq
	})
	var b strings.Builder
	at := start
	for _, e := range es {
		if e.pos < at {
			return "", fmt.Errorf("gocell: overlapping rewrites at offset %d", e.pos)
		}
		if strings.Contains(e.text, "\n") {
			return "", fmt.Errorf("gocell: rewrite at offset %d adds a line", e.pos)
		}
		b.WriteString(w.t.src[at:e.pos])
		b.WriteString(e.text)
		b.WriteString(strings.Repeat("\n", strings.Count(w.t.src[e.pos:e.end], "\n")))
		at = e.end
	}
	b.WriteString(w.t.src[at:end])
	return b.String(), nil
}
