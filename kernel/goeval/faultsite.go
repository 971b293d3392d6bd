package goeval

import (
	"go/token"
	"strings"
)

// The interpreter places the innermost frame of a runtime error at the start of its
// function, where Go shows the line that failed. faultSite finds that line in the
// function's source when the error's kind leaves one candidate line: a division for
// "integer divide by zero", a store through an index for "assignment to entry in nil
// map", a call of close for "close of closed channel", and so on. Errors that many kinds
// of expression raise (a nil pointer dereference) stay where the interpreter puts them.

// faultKinds maps the words that start runtime errors (after "runtime error: ") to the
// tokens of a function body that can raise them (see the candidate functions).
var faultKinds = []struct {
	words      string
	candidates func(body []tok) []tok
}{
	{"integer divide by zero", divisions},
	{"assignment to entry in nil map", indexStores},
	{"close of closed channel", builtinCalls("close")},
	{"close of nil channel", builtinCalls("close")},
	{"send on closed channel", sends},
	{"slice bounds out of range", sliceColons},
	{"makeslice: ", builtinCalls("make")},
	{"makechan: ", builtinCalls("make")},
}

// faultSite returns the cell position of the expression that raised the runtime error
// whose message is text, in the frame of function fn (as a trace names it: "main.f",
// "main.f.func" for a function literal in f, "main.func" for one in the cell's
// statements), declared in code across cell line inside.
// It reports false when text is not a kind it knows, when the function is not found, or
// when the frame's code can raise the error on more than one line.
func faultSite(code, fn string, inside int, text string) (line, col int, ok bool) {
	var candidates func([]tok) []tok
	for _, k := range faultKinds {
		if strings.HasPrefix(strings.TrimPrefix(text, "runtime error: "), k.words) {
			candidates = k.candidates
			break
		}
	}
	if candidates == nil {
		return 0, 0, false
	}
	name, ok := strings.CutPrefix(fn, "main.")
	if !ok {
		return 0, 0, false
	}
	// A frame the trace names main.f is f's own. One named main.f.func is a literal's in
	// f, or f's own when f's first statement holds a literal (the interpreter names a
	// frame after the scope of its first statement), so all of f's body counts for it;
	// and one named main.func is a literal's in the cell's statements, or theirs, so all
	// of the cell counts.
	literal := false
	for {
		if name == "func" {
			name, literal = "", true
			break
		}
		rest, ok := strings.CutSuffix(name, ".func")
		if !ok {
			break
		}
		name, literal = rest, true
	}
	if strings.Contains(name, ".") {
		return 0, 0, false
	}
	body := scanTokens(code)
	if name != "" {
		if body, ok = declaredBody(code, name, inside); !ok {
			return 0, 0, false
		}
	}
	if !literal {
		body, _ = splitLiterals(body)
	}
	found := candidates(body)
	if len(found) == 0 {
		return 0, 0, false
	}
	for _, t := range found[1:] {
		if t.line != found[0].line {
			return 0, 0, false
		}
	}
	return found[0].line, found[0].col, true
}

// splitLiterals separates the tokens of a function body that run in the function's own
// frame from those of the bodies of the function literals in it, at any depth.
func splitLiterals(body []tok) (own, literals []tok) {
	for k := 0; k < len(body); k++ {
		if body[k].tok == token.FUNC {
			if open := bodyBrace(body, k); open > 0 {
				end := closing(body, open)
				literals = append(literals, body[open+1:min(end, len(body))]...)
				own = append(own, body[k:open+1]...)
				k = end - 1
				continue
			}
		}
		own = append(own, body[k])
	}
	return own, literals
}

// bodyBrace returns the index of the brace that opens the body of the function whose
// func keyword, or name, is body[k]: the first brace outside its parameters and results.
// It returns 0 when there is no body: func starts a function type, or a declaration
// without a body.
func bodyBrace(body []tok, k int) int {
	depth := 0
	for k++; k < len(body); k++ {
		switch body[k].tok {
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK:
			if depth--; depth < 0 {
				return 0
			}
		case token.LBRACE:
			if depth == 0 {
				return k
			}
		case token.SEMICOLON, token.COMMA, token.COLON, token.RBRACE, token.ASSIGN:
			if depth == 0 {
				return 0
			}
		}
	}
	return 0
}

// divisions returns the operators of body that divide by a value that may be zero: all
// but those whose divisor is a literal.
func divisions(body []tok) []tok {
	var out []tok
	for k, t := range body {
		switch t.tok {
		case token.QUO, token.REM, token.QUO_ASSIGN, token.REM_ASSIGN:
			if k+1 < len(body) && (body[k+1].tok == token.INT || body[k+1].tok == token.FLOAT) {
				continue
			}
			out = append(out, t)
		}
	}
	return out
}

// indexStores returns the closing brackets of body's indexed expressions that are
// assigned to: x[k] = v, x[k] += v, x[k]++, and x[k] among the left sides of a tuple
// assignment.
func indexStores(body []tok) []tok {
	var out []tok
	for k, t := range body {
		if t.tok != token.RBRACK || k+1 == len(body) {
			continue
		}
		switch next := body[k+1].tok; {
		case next == token.ASSIGN || next == token.INC || next == token.DEC ||
			next >= token.ADD_ASSIGN && next <= token.AND_NOT_ASSIGN:
			out = append(out, t)
		case next == token.COMMA:
			if _, assigns := statementSpan(body, k+1); assigns {
				out = append(out, t)
			}
		}
	}
	return out
}

// builtinCalls returns a function that finds the calls of the builtin name in a body
// (not of methods of that name).
func builtinCalls(name string) func(body []tok) []tok {
	return func(body []tok) []tok {
		var out []tok
		for k, t := range body {
			if t.tok == token.IDENT && t.lit == name && k+1 < len(body) && body[k+1].tok == token.LPAREN &&
				(k == 0 || body[k-1].tok != token.PERIOD) {
				out = append(out, t)
			}
		}
		return out
	}
}

// sends returns the arrows of body's send statements and send cases (ch <- v), telling
// them from receives (<-ch) and channel types (chan<- T) by the token before.
func sends(body []tok) []tok {
	var out []tok
	for k, t := range body {
		if t.tok != token.ARROW || k == 0 {
			continue
		}
		switch body[k-1].tok {
		case token.IDENT, token.RPAREN, token.RBRACK:
			out = append(out, t)
		}
	}
	return out
}

// sliceColons returns the colons of body's slice expressions: those whose innermost
// bracket is a square one (map literals' and cases' colons are not).
func sliceColons(body []tok) []tok {
	var out []tok
	var open []token.Token
	for _, t := range body {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			open = append(open, t.tok)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		case token.COLON:
			if len(open) > 0 && open[len(open)-1] == token.LBRACK {
				out = append(out, t)
			}
		}
	}
	return out
}
