package goeval

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gokernel/gokernel/kernel/engine"
)

// docIndex finds documentation in the Go source of the standard library.
type docIndex struct {
	once   sync.Once
	goroot string
	extra  func(path string) ([]string, error) // packages outside GOROOT; may be nil

	mu   sync.Mutex
	pkgs map[string]*doc.Package // by import path; nil when not found
	fset *token.FileSet
}

// root returns GOROOT, asking the go command when the binary was moved.
func (d *docIndex) root() string {
	d.once.Do(func() {
		d.goroot = os.Getenv("GOROOT")
		if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
			d.goroot = strings.TrimSpace(string(out))
		}
	})
	return d.goroot
}

// pkg loads the documentation of the package at import path.
func (d *docIndex) pkg(path string) *doc.Package {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.pkgs[path]; ok {
		return p
	}
	if d.pkgs == nil {
		d.pkgs = map[string]*doc.Package{}
		d.fset = token.NewFileSet()
	}
	dir := filepath.Join(d.root(), "src", filepath.FromSlash(path))
	files := map[string]*ast.File{}
	entries, err := os.ReadDir(dir)
	if err == nil {
		for _, en := range entries {
			n := en.Name()
			if en.Type()&fs.ModeType != 0 || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(d.fset, filepath.Join(dir, n), nil, parser.ParseComments)
			if err != nil || f.Name.Name == "main" || strings.HasSuffix(f.Name.Name, "_test") {
				continue
			}
			files[n] = f
		}
	}
	if len(files) == 0 && d.extra != nil {
		srcs, _ := d.extra(path) // an error leaves the package undocumented, as a missing one
		for i, src := range srcs {
			name := fmt.Sprintf("%s/api%d.go", path, i)
			if f, err := parser.ParseFile(d.fset, name, src, parser.ParseComments); err == nil {
				files[name] = f
			}
		}
	}
	var p *doc.Package
	if len(files) > 0 {
		var list []*ast.File
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			list = append(list, files[n])
		}
		p, _ = doc.NewFromFiles(d.fset, list, path)
	}
	d.pkgs[path] = p
	return p
}

// lookup returns the signature and doc comment of pkg.name.
func (d *docIndex) lookup(path, name string) (sig, text string, ok bool) {
	p := d.pkg(path)
	if p == nil {
		return "", "", false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if name == "" {
		return "package " + p.Name + ` // import "` + path + `"`, p.Doc, true
	}
	for _, f := range p.Funcs {
		if f.Name == name {
			return d.signature(f.Decl), f.Doc, true
		}
	}
	for _, t := range p.Types {
		if t.Name == name {
			return d.typeSignature(t.Decl), t.Doc, true
		}
		for _, f := range t.Funcs {
			if f.Name == name {
				return d.signature(f.Decl), f.Doc, true
			}
		}
		for _, group := range append(t.Consts, t.Vars...) {
			if hasName(group, name) {
				return d.typeSignature(group.Decl), group.Doc, true
			}
		}
	}
	for _, group := range append(p.Consts, p.Vars...) {
		if hasName(group, name) {
			return d.typeSignature(group.Decl), group.Doc, true
		}
	}
	return "", "", false
}

func hasName(v *doc.Value, name string) bool {
	for _, n := range v.Names {
		if n == name {
			return true
		}
	}
	return false
}

// signature prints a function declaration without its body.
func (d *docIndex) signature(f *ast.FuncDecl) string {
	c := *f
	c.Body = nil
	c.Doc = nil
	var b bytes.Buffer
	_ = printer.Fprint(&b, d.fset, &c)
	return b.String()
}

// typeSignature prints a general declaration, trimming long ones.
func (d *docIndex) typeSignature(g *ast.GenDecl) string {
	c := *g
	c.Doc = nil
	var b bytes.Buffer
	_ = printer.Fprint(&b, d.fset, &c)
	s := b.String()
	if lines := strings.Split(s, "\n"); len(lines) > 30 {
		s = strings.Join(lines[:30], "\n") + "\n    ..."
	}
	return s
}

// documentation returns the text shown for a name: a package member ("strings.ToUpper"),
// a package ("strings") or a name declared in the session.
func (e *Engine) documentation(name string) (string, bool) {
	pkg, member, qualified := strings.Cut(name, ".")
	if !qualified {
		e.nameMu.RLock()
		d, ok := e.decls[name]
		e.nameMu.RUnlock()
		if ok {
			text := d.Signature
			if d.Doc != "" {
				text += "\n\n" + strings.TrimSpace(d.Doc)
			}
			return text, true
		}
		member = ""
	}
	path, ok := e.pkgs.lookup(pkg)
	if !ok {
		return "", false
	}
	sig, text, ok := e.docs.lookup(path, member)
	if !ok {
		if member != "" && e.pkgs.members[path][member] {
			return name + " (package " + path + "; no documentation available)", true
		}
		return "", false
	}
	out := sig
	if text != "" {
		out += "\n\n" + strings.TrimSpace(text)
	}
	return out, true
}

// runeOffset converts a cursor counted in code points into a byte offset in code.
func runeOffset(code string, cursor int) int {
	if cursor <= 0 {
		return 0
	}
	n := 0
	for i := range code {
		if n == cursor {
			return i
		}
		n++
	}
	return len(code)
}

// isIdent reports whether r can be part of a Go identifier.
func isIdent(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordAt returns the (possibly qualified) identifier around byte offset off, with its byte
// bounds. With extend, the identifier continues past off.
func wordAt(code string, off int, extend bool) (word string, start, end int) {
	start = off
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:start])
		if !isIdent(r) && r != '.' {
			break
		}
		start -= size
	}
	end = off
	if extend {
		for end < len(code) {
			r, size := utf8.DecodeRuneInString(code[end:])
			if !isIdent(r) {
				break
			}
			end += size
		}
	}
	return code[start:end], start, end
}

// Inspect returns the documentation of the name at the cursor.
func (e *Engine) Inspect(code string, cursor int, _ int) engine.Inspection {
	off := runeOffset(code, cursor)
	word, _, _ := wordAt(code, off, true)
	text, ok := e.documentationOf(strings.Trim(word, "."))
	if !ok {
		// Inside a call's arguments (Shift+Tab after "strings.ToUpper("), show the function
		// being called.
		text, ok = e.documentationOf(calleeAt(code[:off]))
	}
	if !ok {
		return engine.Inspection{}
	}
	return engine.Inspection{Found: true, Data: map[string]any{"text/plain": text}}
}

// documentationOf looks a (possibly qualified) name up; for a longer selector such as
// pkg.Type.Method or x.field.Method it also tries the last two parts.
func (e *Engine) documentationOf(word string) (string, bool) {
	if word == "" {
		return "", false
	}
	if text, ok := e.documentation(word); ok {
		return text, true
	}
	parts := strings.Split(word, ".")
	if len(parts) > 2 {
		return e.documentation(strings.Join(parts[len(parts)-2:], "."))
	}
	return "", false
}

// calleeAt returns the function named before the innermost parenthesis that is still open at
// the end of code, such as "strings.ToUpper" for `x := strings.ToUpper(name, ` , or "" when
// the end of code is not inside a call.
func calleeAt(code string) string {
	s := scan(code, nil)
	var open []string  // callee of each open parenthesis; "" for grouping parentheses
	var chain []string // the selector chain just scanned: ident (. ident)*
	dotted := false
	for {
		_, tok, lit := s.Scan()
		switch tok {
		case token.EOF:
			if len(open) == 0 {
				return ""
			}
			return open[len(open)-1]
		case token.IDENT:
			if !dotted {
				chain = chain[:0]
			}
			chain = append(chain, lit)
			dotted = false
			continue
		case token.PERIOD:
			if len(chain) > 0 {
				dotted = true
				continue
			}
		case token.LPAREN:
			open = append(open, strings.Join(chain, "."))
		case token.RPAREN:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
		chain, dotted = chain[:0], false
	}
}

// scan returns a scanner of code's Go tokens, comments skipped, that reports errors to errh
// (nil ignores them).
func scan(code string, errh scanner.ErrorHandler) *scanner.Scanner {
	var s scanner.Scanner
	s.Init(token.NewFileSet().AddFile("", -1, len(code)), []byte(code), errh, 0)
	return &s
}

// goKeywords and goBuiltins are offered by completion.
var goKeywords = strings.Fields(`break case chan const continue default defer else fallthrough for func go goto
if import interface map package range return select struct switch type var`)
var goBuiltins = strings.Fields(`append cap close complex copy delete imag len make new panic print println real recover
bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32
uint64 uintptr any comparable true false nil iota`)

// Complete proposes names for the identifier before the cursor.
func (e *Engine) Complete(code string, cursor int) engine.Completion {
	off := runeOffset(code, cursor)
	word, start, _ := wordAt(code, off, false)
	e.nameMu.RLock()
	defer e.nameMu.RUnlock()
	var candidates []string
	prefix := word
	if i := strings.LastIndex(word, "."); i >= 0 {
		pkg := word[:i]
		prefix = word[i+1:]
		start += i + 1
		if path, ok := e.pkgs.lookup(pkg); ok {
			for m := range e.pkgs.members[path] {
				candidates = append(candidates, m)
			}
		}
	} else {
		candidates = append(candidates, goKeywords...)
		candidates = append(candidates, goBuiltins...)
		for n := range e.names {
			candidates = append(candidates, n)
		}
		for n := range e.pkgs.byName {
			candidates = append(candidates, n)
		}
		candidates = append(candidates, identifiersIn(code)...)
	}
	seen := map[string]bool{}
	var matches []string
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) && !seen[c] && c != prefix {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return engine.Completion{
		Matches:     matches,
		CursorStart: utf8.RuneCountInString(code[:start]),
		CursorEnd:   utf8.RuneCountInString(code[:off]),
		Metadata:    map[string]any{},
	}
}

// identifiersIn lists the identifiers that appear in code.
func identifiersIn(code string) []string {
	s := scan(code, nil)
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.IDENT {
			out = append(out, lit)
		}
	}
}

// IsComplete reports whether code can run as it is.
func (e *Engine) IsComplete(code string) (string, string) {
	bad := false
	unterminated := false
	s := scan(code, func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		} else {
			bad = true
		}
	})
	depth, lowest := 0, 0
	for {
		_, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
			lowest = min(lowest, depth)
		}
	}
	switch {
	case unterminated:
		return "incomplete", ""
	case bad || lowest < 0:
		return "invalid", ""
	case depth > 0:
		return "incomplete", strings.Repeat("    ", depth)
	}
	trimmed := strings.TrimSpace(code)
	if strings.HasSuffix(trimmed, ",") || strings.HasSuffix(trimmed, "+") || strings.HasSuffix(trimmed, "&&") || strings.HasSuffix(trimmed, "||") {
		return "incomplete", ""
	}
	return "complete", ""
}
