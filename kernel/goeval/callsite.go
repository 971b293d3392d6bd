package goeval

import (
	"go/scanner"
	"go/token"
	"strings"
)

// The interpreter places every frame of a panic's call stack at the start of its
// function. For a frame that called the next one in, Go shows the line of that call.
// callSite finds it in the function's source when the source leaves no doubt: the
// function names its callee exactly on one line, and only in calls.

// callSite returns the cell position of the call from function fn, declared at the top
// level of code (a cell's source) across cell line inside, to the
// function or method named callee. It reports false when fn's declaration is not found,
// or when callee is named in fn's body other than in calls on a single line: never at
// all, on two lines (fn may call it from either), or as a value (fn may pass it to code
// that calls it).
func callSite(code, fn string, inside int, callee string) (line, col int, ok bool) {
	body, ok := declaredBody(code, fn, inside)
	if !ok {
		return 0, 0, false
	}
	return uniqueCall(body, callee)
}

// declaredBody returns the tokens of the body of function or method fn, declared at the
// top level of code across cell line inside.
func declaredBody(code, fn string, inside int) ([]tok, bool) {
	toks := scanTokens(code)
	for i := 0; i < len(toks); i++ {
		body, next, found := funcBody(toks, i, fn)
		if !found {
			continue
		}
		if toks[i].line > inside || next < len(toks) && toks[next].line < inside {
			i = next // another declaration of that name, in another part of the cell
			continue
		}
		return body, true
	}
	return nil, false
}

// A tok is a token of a cell with its position.
type tok struct {
	tok       token.Token
	lit       string
	line, col int
}

// scanTokens returns the tokens of code, without comments. Code need not be a valid
// file: a cell mixes declarations and statements, which the scanner reads alike.
func scanTokens(code string) []tok {
	fset := token.NewFileSet()
	f := fset.AddFile("cell", -1, len(code))
	var s scanner.Scanner
	s.Init(f, []byte(code), nil, 0)
	var out []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		p := fset.Position(pos)
		out = append(out, tok{tok: t, lit: lit, line: p.Line, col: p.Column})
	}
}

// funcBody reports whether toks[i] starts the top-level declaration of function or
// method fn, and returns the tokens of its body (between the braces) and the index of
// its closing brace.
func funcBody(toks []tok, i int, fn string) (body []tok, end int, ok bool) {
	if toks[i].tok != token.FUNC || i > 0 && toks[i-1].tok != token.SEMICOLON && toks[i-1].tok != token.RBRACE {
		return nil, i, false
	}
	k := i + 1
	if k < len(toks) && toks[k].tok == token.LPAREN { // a method's receiver
		k = closing(toks, k)
		k++
	}
	if k >= len(toks) || toks[k].tok != token.IDENT || toks[k].lit != fn {
		return nil, i, false
	}
	// The body starts at the first brace outside the parameters and results. A result
	// of a struct or interface type written out would be taken for it, and its fields
	// then searched in vain.
	open := bodyBrace(toks, k)
	if open == 0 {
		return nil, i, false // a declaration without a body
	}
	end = closing(toks, open)
	return toks[open+1 : min(end, len(toks))], end, true
}

// closing returns the index of the token that closes the bracket at toks[open], or
// len(toks) when nothing does.
func closing(toks []tok, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		switch toks[k].tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return len(toks)
}

// uniqueCall returns the position of callee's name in the calls of it in body, when
// body names callee only in calls (callee(…) or x.callee(…)) and all on one line. A
// deferred call runs when the function ends, wherever that is, and one in a go statement
// on a stack of its own: either leaves the call site in doubt.
func uniqueCall(body []tok, callee string) (line, col int, ok bool) {
	for k, t := range body {
		if t.tok != token.IDENT || t.lit != callee {
			continue
		}
		if k+1 == len(body) || body[k+1].tok != token.LPAREN {
			return 0, 0, false // a value, which something else may call
		}
		start := k
		for start >= 2 && body[start-1].tok == token.PERIOD && body[start-2].tok == token.IDENT {
			start -= 2
		}
		if start > 0 && (body[start-1].tok == token.DEFER || body[start-1].tok == token.GO) {
			return 0, 0, false
		}
		if ok && t.line != line {
			return 0, 0, false
		}
		if !ok {
			line, col, ok = t.line, t.col, true
		}
	}
	return line, col, ok
}

// literalCallSite returns the cell position of the call from function fn, declared at the
// top level of code across cell line inside, to a function literal in fn. It reports
// false unless fn holds exactly one function literal, bound to a name (f := func…) that
// fn calls on one line and uses in no other way, so that the literal's frame can only
// have been called there. (The interpreter names the frame of a function whose first
// statement holds a literal after the literal, but a function that calls anything starts
// with the kernel's stack check, so the frame before this one is the literal's.)
func literalCallSite(code, fn string, inside int) (line, col int, ok bool) {
	body, ok := declaredBody(code, fn, inside)
	if !ok {
		return 0, 0, false
	}
	own, _ := splitLiterals(body)
	name, bound := "", -1
	for k, t := range own {
		if t.tok != token.FUNC || bodyBrace(own, k) == 0 {
			continue
		}
		if name != "" || k < 2 || own[k-2].tok != token.IDENT ||
			own[k-1].tok != token.DEFINE && own[k-1].tok != token.ASSIGN {
			return 0, 0, false // a second literal, or one not bound to a name
		}
		name, bound = own[k-2].lit, k-2
	}
	if name == "" {
		return 0, 0, false
	}
	rest := append(append([]tok(nil), own[:bound]...), own[bound+1:]...)
	return uniqueCall(rest, name)
}

// goStatementFrame describes the outermost frame of a goroutine that a go statement of a
// cell started, given its trace line. That frame is the kernel's wrapper that calls the
// goroutine's function (see gocell's go statements), which the interpreter places on the
// statement's last line; it is shown as the go statement, where it starts, as Go shows
// where a goroutine was created. It reports false when the line is not a function
// literal's frame on the last line of exactly one go statement.
func (e *Engine) goStatementFrame(line string) (string, bool) {
	fn, l, c, ok := traceFrame(line)
	if !ok || !strings.HasSuffix(fn, ".func") {
		return "", false
	}
	p, ok := e.cellPos(l, c)
	if !ok {
		return "", false
	}
	toks := scanTokens(p.code)
	start := -1
	for k, t := range toks {
		if t.tok != token.GO {
			continue
		}
		if last, _ := statementSpan(toks, k); toks[last].line == p.line {
			if start >= 0 {
				return "", false
			}
			start = k
		}
	}
	if start < 0 {
		return "", false
	}
	p.line, p.col = toks[start].line, toks[start].col
	return frameText("created by go statement", p), true
}

// statementSpan reads from toks[k] to the end of the statement toks[k] is in: its last
// token before a semicolon outside brackets, or before the bracket that closes around
// the statement. It returns that token's index, and whether an = stands outside brackets
// on the way (toks[k] is then among the left sides of an assignment).
func statementSpan(toks []tok, k int) (last int, assigns bool) {
	for j := k; j < len(toks); j++ {
		switch toks[j].tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			j = closing(toks, j) // over what the brackets hold
		case token.RPAREN, token.RBRACK, token.RBRACE, token.SEMICOLON:
			return j - 1, assigns
		case token.ASSIGN:
			assigns = true
		}
	}
	return len(toks) - 1, assigns
}
