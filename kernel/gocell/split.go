package gocell

import (
	"go/scanner"
	"go/token"
	"sort"
	"strings"
)

// text is a cell's source with a table of line starts.
type text struct {
	src   string
	lines []int // byte offset of the start of each line
}

func newText(src string) *text {
	t := &text{src: src, lines: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// position returns the 1-based line and byte column of offset off.
func (t *text) position(off int) (line, col int) {
	off = max(0, min(off, len(t.src)))
	i := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	return i + 1, off - t.lines[i] + 1
}

// line returns the text of a 1-based line without its newline.
func (t *text) line(n int) string {
	if n < 1 || n > len(t.lines) {
		return ""
	}
	end := len(t.src)
	if n < len(t.lines) {
		end = t.lines[n] - 1
	}
	return strings.TrimSuffix(t.src[t.lines[n-1]:end], "\r")
}

// errorAt builds an Error at cell offset off.
func (t *text) errorAt(off int, unsupported bool, msg string) *Error {
	line, col := t.position(off)
	return &Error{Line: line, Column: col, Msg: msg, Text: t.line(line), Unsupported: unsupported}
}

// A piece is one top-level declaration or statement of a cell, or the part of a
// statement up to a semicolon of its for, if or switch header.
type piece struct {
	start, end int         // cell byte offsets of the piece's text
	tok        token.Token // its first token that is not a comment
	header     bool        // a for, if or switch keyword occurs outside brackets
}

// split cuts a cell into pieces at the semicolons, written or automatic, that lie outside
// any parentheses, brackets or braces. The semicolons of a for, if or switch header lie
// outside brackets too: the pieces they separate are joined again by parsePieces. A comment that follows a piece on its last line
// stays with it. Scanner errors (such as an unterminated string) are returned at cell
// offsets.
func split(t *text) ([]piece, []*Error) {
	var errs []*Error
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(t.src))
	var s scanner.Scanner
	s.Init(file, []byte(t.src), func(pos token.Position, msg string) {
		errs = append(errs, t.errorAt(pos.Offset, false, msg))
	}, scanner.ScanComments)

	var pieces []piece
	depth, start := 0, 0
	first, header := token.ILLEGAL, false
	last := token.ILLEGAL // the last token other than a comment
	for {
		pos, tok, lit := s.Scan()
		off := file.Offset(pos)
		switch tok {
		case token.EOF:
			if first != token.ILLEGAL {
				// A label ends the cell without a semicolon (L:); the piece ends with
				// it, not on the blank lines after it. Anything else unfinished keeps
				// them, for errors at the end of the cell.
				end := len(t.src)
				if last == token.COLON && depth == 0 {
					end = max(start, len(strings.TrimRight(t.src, " \t\r\n")))
				}
				pieces = append(pieces, piece{start: skipBlankLines(t.src, start), end: end, tok: first, header: header})
			}
			return pieces, errs
		case token.COMMENT:
			continue
		}
		last = tok
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth > 0 {
				continue
			}
			end, next := off, off
			if lit == ";" {
				next = off + 1
			}
			if e, n, ok := restOfLine(t.src, next); ok {
				end, next = e, n
			}
			if first != token.ILLEGAL {
				pieces = append(pieces, piece{start: skipBlankLines(t.src, start), end: end, tok: first, header: header})
			}
			start, first, header = next, token.ILLEGAL, false
			continue
		case token.FOR, token.IF, token.SWITCH:
			header = header || depth == 0
		}
		if first == token.ILLEGAL {
			first = tok
		}
	}
}

// skipBlankLines moves offset off past the blank lines that follow it.
func skipBlankLines(src string, off int) int {
	for i := off; i < len(src); i++ {
		switch src[i] {
		case ' ', '\t', '\r':
		case '\n':
			off = i + 1
		default:
			return off
		}
	}
	return off
}

// restOfLine reports whether only blanks and comments follow offset off up to the end of
// its line. If so it returns the end of the last such comment (or off) and the offset of
// the next line.
func restOfLine(src string, off int) (end, next int, ok bool) {
	end = off
	i := off
	for i < len(src) {
		switch c := src[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			return end, i + 1, true
		case strings.HasPrefix(src[i:], "//"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return len(src), len(src), true
			}
			return i + j, i + j + 1, true
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 || strings.Contains(src[i:i+2+j], "\n") {
				return 0, 0, false
			}
			i += j + 4
			end = i
		default:
			return 0, 0, false
		}
	}
	return end, len(src), true
}
