package gocell

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// Env describes what a cell can see besides its own declarations. Every field may be nil.
type Env struct {
	// Package reports the import path of a package name that a cell may use without
	// importing it ("strings" -> "strings", "thread" -> ".../runtime/thread").
	Package func(name string) (path string, ok bool)
	// Declared reports whether name is a session-level identifier (declared by an
	// earlier cell), so that a session variable named like a package is not imported
	// and a session function named like a builtin is not rewritten.
	Declared func(name string) bool
	// Kind reports the reflect.Kind of the value of session-level identifier name, or
	// reflect.Invalid. It lets for i := range n be rewritten when n is a session
	// variable of integer type, and range over a session function be rejected.
	Kind func(name string) reflect.Kind
	// Type reports the static type of session-level variable, constant or function name,
	// or nil. It tells which session variables are slices, arrays or strings, and of what
	// elements, and what session functions return, so that indexing them can be guarded;
	// without it, Kind tells the outermost kind.
	Type func(name string) reflect.Type
	// TypeDef reports the type that session-level type name denotes, or nil, so that
	// variables, parameters and fields of types an earlier cell defined can be guarded
	// like those of the cell's own types.
	TypeDef func(name string) reflect.Type
	// Symbol reports the type of exported member name of the package with import path
	// pkgPath as a cell sees it: a function's type, a variable's or a typed constant's
	// type, string for an untyped string constant; nil for a type or an unknown name. It
	// tells which package functions return, and which package variables are, slices,
	// arrays or strings, so that indexing them can be guarded.
	Symbol func(pkgPath, name string) reflect.Type
	// PackageType reports the type that exported type name of the package with import
	// path pkgPath denotes, or nil, so that assertions to compiled interfaces can be
	// told from others; see [Env.Interfaces].
	PackageType func(pkgPath, name string) reflect.Type
	// Generic reports whether session-level name is a generic function, so that a
	// top-level x := name(...), which crashes yaegi, is rejected with an explanation.
	Generic func(name string) bool
	// Compiled reports the type of session-level variable name when an earlier cell
	// declared it from a value of a compiled type ([Decl.Compiled]), or nil. The
	// interpreter holds such a variable as a value of that type, and cannot infer the
	// type of a top-level definition that indexes it (w := ws[1] after
	// ws := strings.Fields(s)) unless the index is written as a conversion.
	Compiled func(name string) reflect.Type
	// Result reports the [Decl.Result] of session function name, as an earlier cell
	// declared it, or "". The reflect type of an interpreted function loses the names
	// of the cell's types ([]Celsius looks like []float64), so a top-level
	// x := f()[i] is checked against f's result (see [IndexChecked]) only with the
	// result's text.
	Result func(name string) string
	// MarkLines puts a call of [LineName] in front of each top-level statement, and
	// passes the value of each call of the builtin panic through [PanicName].
	MarkLines bool
	// UnwrapRecover passes the result of each call of the builtin recover through
	// [RecoverName].
	UnwrapRecover bool
	// Interfaces passes the value of each assertion to an interface type through
	// [IfaceName], and rewrites type switches with a case of an interface type into
	// switches on the number of the matching clause, whose cases yaegi tests wrongly
	// (see [Interface]).
	Interfaces bool
	// StackChecks starts each function body with a count-down of [CallsName] that
	// calls StackName(function, count, line) whenever the count runs out, so that the
	// evaluator can measure the goroutine's stack and stop a recursion that never
	// ends before Go's fatal stack overflow ends the process. StackName returns the
	// next count.
	StackChecks bool
	// Count is the cell's execution count, which stack checks pass on so that a
	// report names the cell (In [Count]).
	Count int
	// NoHoist keeps calls whose results a statement indexes directly (f()[i]) in their
	// statements; see [Segment.Hoisted].
	NoHoist bool
}

// Parse analyses one cell with [Env.Parse]. known reports the import path of a package
// name the cell may use without importing it; declared reports whether a name is a
// session-level identifier.
func Parse(src string, known func(name string) (path string, ok bool), declared func(name string) bool) (*Plan, error) {
	return Env{Package: known, Declared: declared}.Parse(src)
}

// Parse splits a cell into segments, rewrites them for the interpreter and describes the
// cell's imports, trailing expression and declarations. It returns an [*Error] at cell
// positions for a syntax error or a construct the interpreter cannot run.
func (env Env) Parse(src string) (*Plan, error) {
	t := newText(src)
	pieces, errs := split(t)
	if len(errs) > 0 {
		return nil, firstError(errs)
	}
	units, errs := parsePieces(t, pieces)
	if len(errs) > 0 {
		return nil, firstError(errs)
	}

	w := newRewriter(t, env)
	plan := &Plan{}
	for _, u := range units {
		if u.kind == unitImport {
			plan.Imports = append(plan.Imports, w.imports(u)...)
		}
	}
	w.declareCell(units)
	for _, u := range units {
		w.unit(u)
	}
	w.dropConflictingHoists()
	if len(w.errs) > 0 {
		return nil, firstError(w.errs)
	}
	plan.Imports = append(plan.Imports, w.auto...)
	plan.Decls = w.decls
	plan.Undefined = w.undefined

	var last *unit
	lastStart := 0 // cell offset of the segment that ends with last
	for i := 0; i < len(units); {
		u := units[i]
		if u.kind == unitImport {
			i++
			continue
		}
		j := i + 1
		for j < len(units) && units[j].kind == u.kind {
			j++
		}
		start, end := u.start, units[j-1].end
		seg := Segment{Kind: Declarations, FirstLine: 2}
		seg.Line, _ = t.position(start)
		prefix := declPrefix
		if u.kind == unitStmt {
			seg.Kind, prefix = Statements, stmtPrefix
		}
		body, err := w.apply(start, end, nil)
		if err != nil {
			return nil, err
		}
		seg.Source = prefix + body
		seg.guards = w.guardTexts(start, end)
		plan.Segments = append(plan.Segments, seg)
		last, lastStart = units[j-1], start
		i = j
	}
	if last != nil && last == units[len(units)-1] && last.kind == unitStmt {
		r, err := w.result(last, lastStart)
		if err != nil {
			return nil, err
		}
		plan.Result = r
	}
	return plan, nil
}

// firstError returns the earliest error, counting the others.
func firstError(errs []*Error) *Error {
	first := errs[0]
	for _, e := range errs[1:] {
		if later(first, e) {
			first = e
		}
	}
	e := *first
	e.More = len(errs) - 1
	return &e
}

type unitKind int

const (
	unitImport unitKind = iota + 1
	unitDecl
	unitStmt
	unitPackage
)

// A unit is a parsed piece.
type unit struct {
	piece
	kind   unitKind
	file   *token.File
	prefix int      // bytes the parse wrapper put in front of the piece's text
	decl   ast.Decl // for imports and declarations
	stmt   ast.Stmt // for statements
}

// off converts a position in the unit's parse to a cell offset.
func (u *unit) off(p token.Pos) int {
	o := u.file.Offset(p) - u.prefix + u.start
	return max(u.start, min(o, u.end))
}

// Wrappers that make one piece a Go file for go/parser.
const (
	declWrap    = "package p\n"
	stmtWrap    = "package p;func _(){"
	stmtWrapEnd = "\n}"
)

// parsePieces parses the pieces of a cell. A piece whose for, if or switch header
// contains semicolons does not parse alone; it is joined with the pieces that follow
// until the result parses. When no join parses, the errors of the attempt that got
// furthest are returned.
func parsePieces(t *text, pieces []piece) ([]*unit, []*Error) {
	var units []*unit
	for i := 0; i < len(pieces); {
		var best []*Error
		j := i
		for ; j < len(pieces); j++ {
			p := pieces[i]
			p.end = pieces[j].end
			u, errs := parsePiece(t, p)
			if errs == nil {
				if u.kind != unitPackage {
					units = append(units, u)
				}
				break
			}
			if best == nil || later(errs[0], best[0]) {
				best = errs
			}
			if !pieces[i].header || j-i >= maxHeaderJoins {
				j = len(pieces)
			}
		}
		if j >= len(pieces) {
			return nil, best
		}
		i = j + 1
	}
	return units, nil
}

// maxHeaderJoins bounds the pieces joined to one: a for header has two semicolons, and
// each else if with an init statement adds one.
const maxHeaderJoins = 16

// parsePiece parses one piece as a declaration or a statement.
func parsePiece(t *text, p piece) (*unit, []*Error) {
	switch p.tok {
	case token.PACKAGE:
		return parsePackage(t, p)
	case token.IMPORT, token.TYPE, token.VAR, token.CONST:
		return parseDecl(t, p)
	case token.FUNC:
		u, derr := parseDecl(t, p)
		if derr == nil {
			return u, nil
		}
		u, serr := parseStmt(t, p)
		if serr == nil {
			return u, nil
		}
		// Report the reading that got further.
		if later(serr[0], derr[0]) {
			return nil, serr
		}
		return nil, derr
	}
	return parseStmt(t, p)
}

// later reports whether error a lies after error b in the cell.
func later(a, b *Error) bool {
	return a.Line > b.Line || a.Line == b.Line && a.Column > b.Column
}

func parsePackage(t *text, p piece) (*unit, []*Error) {
	fields := strings.Fields(t.src[p.start:p.end])
	if len(fields) == 2 && token.IsIdentifier(fields[1]) {
		return &unit{piece: p, kind: unitPackage}, nil
	}
	return nil, []*Error{t.errorAt(p.start, false, "a cell may start with a package clause such as package main, nothing more")}
}

func parseDecl(t *text, p piece) (*unit, []*Error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", declWrap+t.src[p.start:p.end], parser.ParseComments|parser.SkipObjectResolution)
	u := &unit{piece: p, kind: unitDecl, prefix: len(declWrap)}
	if err != nil {
		return nil, parseErrors(t, u, err)
	}
	u.file = fset.File(f.Package)
	if len(f.Decls) != 1 {
		return nil, []*Error{t.errorAt(p.start, false, "expected one declaration")}
	}
	u.decl = f.Decls[0]
	if d, ok := u.decl.(*ast.GenDecl); ok {
		switch {
		case d.Tok == token.IMPORT:
			u.kind = unitImport
		case d.Tok == token.VAR && hasValues(d):
			// In a file, yaegi fails with "variable definition loop" on an initializer
			// that reads a variable of an earlier evaluation. As a statement it works,
			// and at the top level it declares the same session variable.
			u.kind = unitStmt
		}
	}
	return u, nil
}

func parseStmt(t *text, p piece) (*unit, []*Error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", stmtWrap+t.src[p.start:p.end]+stmtWrapEnd, parser.ParseComments|parser.SkipObjectResolution)
	u := &unit{piece: p, kind: unitStmt, prefix: len(stmtWrap)}
	if err != nil {
		return nil, parseErrors(t, u, err)
	}
	u.file = fset.File(f.Package)
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) != 1 {
		return nil, []*Error{t.errorAt(p.start, false, "expected one statement")}
	}
	u.stmt = body[0]
	return u, nil
}

// hasValues reports whether a var declaration initializes a variable.
func hasValues(d *ast.GenDecl) bool {
	for _, s := range d.Specs {
		if len(s.(*ast.ValueSpec).Values) > 0 {
			return true
		}
	}
	return false
}

// parseErrors converts go/parser errors to cell positions.
func parseErrors(t *text, u *unit, err error) []*Error {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return []*Error{t.errorAt(u.start, false, err.Error())}
	}
	out := make([]*Error, 0, len(list))
	for _, e := range list {
		off := e.Pos.Offset - u.prefix + u.start
		msg := e.Msg
		if off >= u.end {
			// The parse wrapper's closing brace or the end of the file.
			msg = strings.NewReplacer("found '}'", "found end of statement", "found 'EOF'", "found end of declaration").Replace(msg)
		}
		out = append(out, t.errorAt(max(u.start, min(off, u.end)), false, msg))
	}
	return out
}

// imports returns the imports of an import declaration and declares their names.
func (w *rewriter) imports(u *unit) []Import {
	var out []Import
	for _, spec := range u.decl.(*ast.GenDecl).Specs {
		s := spec.(*ast.ImportSpec)
		p, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			w.errs = append(w.errs, w.t.errorAt(u.off(s.Path.Pos()), false, "invalid import path "+s.Path.Value))
			continue
		}
		im := Import{Path: p}
		if s.Name != nil {
			im.Name = s.Name.Name
		}
		im.Line, im.Column = w.t.position(u.off(s.Pos()))
		out = append(out, im)
		if name := im.PackageName(); name != "." && name != "_" {
			w.cell.declare(name, &object{kind: objPkg, path: p})
		}
	}
	return out
}

// result describes the cell's trailing expression statement, if it should be shown. u ends
// the cell's last segment, which starts at cell offset start.
func (w *rewriter) result(u *unit, start int) (*Result, error) {
	es, ok := u.stmt.(*ast.ExprStmt)
	if !ok || !w.showable(es.X) {
		return nil, nil
	}
	pos, end := u.off(es.X.Pos()), u.off(es.X.End())
	r := &Result{Expr: w.t.src[pos:end]}
	r.Line, r.Column = w.t.position(pos)
	body, err := w.apply(start, u.end, []edit{
		{pos: pos, end: pos, text: openMarker, depth: -1},
		{pos: end, end: end, text: closeMarker, depth: -1, closing: true},
	})
	if err != nil {
		return nil, err
	}
	r.template = stmtPrefix + body
	r.ValueSource = r.Wrap(ShowName+"(", ")")
	return r, nil
}

// showable reports whether the value of a trailing expression should be shown: not for
// calls that Go programs make for their effect (fmt.Print*, log.*, print, panic, ...).
func (w *rewriter) showable(e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return true
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if o := w.cell.lookup(fun.Name); o != nil {
			return !(o.kind == objFunc && o.results == 0)
		}
		if w.declared(fun.Name) {
			return true
		}
		switch fun.Name {
		case "print", "println", "panic", "close", "delete", "clear":
			return false
		}
	case *ast.SelectorExpr:
		id, ok := fun.X.(*ast.Ident)
		if !ok {
			return true
		}
		switch w.packageOf(id.Name, w.cell) {
		case "fmt":
			n := fun.Sel.Name
			return !strings.HasPrefix(n, "Print") && !strings.HasPrefix(n, "Fprint")
		case "log":
			return false
		}
	}
	return true
}

// invalid records an error of the cell's Go at cell offset off, one that the Go compiler
// reports too.
func (w *rewriter) invalid(off int, format string, args ...any) {
	err := w.t.errorAt(off, false, fmt.Sprintf(format, args...))
	err.Invalid = true
	w.errs = append(w.errs, err)
}

// unsupported records an unsupported construct at cell offset off.
func (w *rewriter) unsupported(off int, format string, args ...any) {
	w.errs = append(w.errs, w.t.errorAt(off, true, fmt.Sprintf(format, args...)))
}
