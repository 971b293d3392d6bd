package gocell

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// An IndexError is the value a guard panics with: the runtime error of a compiled program,
// and the cell line of the statement whose index is out of range, which the interpreter's
// own trace does not tell.
type IndexError struct {
	// Err is Go's runtime error ("runtime error: index out of range [5] with length 0").
	Err runtime.Error
	// Line is the cell line (1-based) of the guarded statement.
	Line int
}

// Error returns Go's message.
func (e IndexError) Error() string { return e.Err.Error() }

// RuntimeError marks e as a runtime.Error.
func (e IndexError) RuntimeError() {}

// IndexPanic panics with the runtime error of a compiled program that indexes a sequence of
// length n with i, an integer: "runtime error: index out of range [5] with length 0", or
// "[-1]" alone for a negative index, in an [IndexError] for cell line line. The value
// implements runtime.Error. The evaluator binds it to [IndexName]; guards call it only when
// i is out of range, and it returns when i is not.
func IndexPanic(i any, n, line int) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(runtime.Error); ok {
				panic(IndexError{Err: err, Line: line})
			}
			panic(r)
		}
	}()
	s := make([]struct{}, n) // zero-size elements: nothing is allocated whatever n is
	v := reflect.ValueOf(i)
	switch {
	case v.CanInt():
		_ = s[v.Int()]
	case v.CanUint():
		_ = s[v.Uint()]
	}
}

// IndexCheck panics as [IndexPanic] does when x is a slice, an array, a pointer to an
// array or a string and i, an integer, is not a valid index of it, for cell line line. It
// returns otherwise:
// for a map, a nil pointer (indexing one panics by itself) and any other value. The
// evaluator binds it to [CheckName].
func IndexCheck(x, i any, line int) {
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Array {
			return
		}
		v = v.Elem()
	case reflect.Slice, reflect.Array, reflect.String:
	default:
		return
	}
	IndexPanic(i, v.Len(), line)
}

// IndexChecked returns x after checking, as [IndexCheck] does, that i is a valid index
// of it. The evaluator binds it to [CheckedName]; see the inline checks among the bounds
// guards.
func IndexChecked(x, i any, line int) any {
	IndexCheck(x, i, line)
	return x
}

// IndexAt returns i, an integer, as an int when it is a valid index of a sequence of
// length n, and otherwise panics as [IndexPanic] does, for cell line line. The evaluator
// binds it to [AtName]; see the inline checks among the bounds guards.
func IndexAt(i any, n, line int) int {
	v := reflect.ValueOf(i)
	switch {
	case v.CanInt():
		if k := v.Int(); k >= 0 && k < int64(n) {
			return int(k)
		}
	case v.CanUint():
		if k := v.Uint(); k < uint64(n) {
			return int(k)
		}
	default:
		panic(fmt.Sprintf("gocell: index of type %T is not an integer", i))
	}
	IndexPanic(i, n, line)
	panic("unreachable: IndexPanic returned for an index out of range")
}

// Bounds guards.
//
// yaegi indexes slices, arrays and strings with reflect.Value.Index, whose panic says
// "reflect: slice index out of range" without the index and the length, and it re-panics
// in every interpreted frame, so the numbers cannot be recovered afterwards. Before a
// statement that certainly evaluates x[i], with x certainly a slice, an array or a
// string, the rewriter inserts on the statement's line
//
//	if uint64(len(x)) <= uint64(i) { IndexName(i, len(x), line) };
//
// IndexName (such as [IndexPanic]) panics with the runtime error a compiled program
// raises, so the interpreter's own index never fails in those cases; line is the cell line
// of the statement, which the interpreter's trace does not give (it reports each frame
// at the start of its function).
//
// A guard must never panic where Go would not, nor before something Go would do first.
// It is therefore inserted only for an index expression that the statement evaluates
// before anything that could panic or be observed: not inside a function literal (whose
// own statements get guards), not after a division, a dereference (a field selector
// through a pointer included, after the index it selects the sequence of), a selector
// that is neither a package member nor a known field, a slice expression or an index of
// unknown type, and not in a statement that makes a call (other than len, cap and
// conversions to predeclared types), a receive or a type assertion unless the index is
// inside that call's arguments, since the compiler evaluates calls before the other
// operands. In the right operand of && or ||, the guard is conditional on the left
// operand (see conditional). x and i must be cheap and free of side effects: names,
// literals, package variables, field selectors on variables, the indexes of known
// sequences and arithmetic on them. A call's result indexed directly is assigned to a
// variable first (see hoist), and a variable whose type shows only when the cell runs is
// checked then (see check). Where a statement makes calls that keep the guard from its
// front, the index itself is written as a call that checks it, x[AtName(i, len(x), line)]
// (see inline).

// seqKind tells which kind of sequence a type is.
type seqKind int

const (
	seqSlice seqKind = iota + 1
	seqArray
	seqArrayPtr // a pointer to an array, indexed like the array
	seqString
	seqMap // not a sequence, but its values may be: m[k][i]
)

// A seq describes a type that is certainly a slice, an array or a string, or a map
// (whose elements are its values).
type seq struct {
	kind seqKind
	elem *seq // the element type, when it is certainly a sequence or a map itself
	// intElem is set when the element type is certainly an integer type, as a string's
	// bytes are.
	intElem bool
	// ifaceKey is set on a map whose keys may be interfaces: reading it may panic
	// (an unhashable key), so nothing after the read is guarded.
	ifaceKey bool
}

// reflectKind returns the kind of a slice, an array or a string that s describes, or
// reflect.Invalid.
func (s *seq) reflectKind() reflect.Kind {
	switch s.kind {
	case seqSlice:
		return reflect.Slice
	case seqArray:
		return reflect.Array
	case seqString:
		return reflect.String
	}
	return reflect.Invalid
}

// builtinFunc reports whether name is the name of one of Go's builtin functions.
func builtinFunc(name string) bool {
	switch name {
	case "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make",
		"max", "min", "new", "panic", "print", "println", "real", "recover":
		return true
	}
	return false
}

// builtinCalled returns the name of the builtin function that c calls, or "" when c calls
// something else (a builtin's name the cell or session has given to something else among
// them).
func (w *rewriter) builtinCalled(c *ast.CallExpr, sc *scope) string {
	if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok && builtinFunc(id.Name) && w.universal(id.Name, sc) {
		return id.Name
	}
	return ""
}

// stringSeq describes a string.
func stringSeq() *seq { return &seq{kind: seqString, intElem: true} }

// sequence reports whether s describes a slice, an array, a pointer to an array or a
// string.
func (s *seq) sequence() bool { return s != nil && s.kind != seqMap }

// fixed reports whether s describes an array or a pointer to one, whose length is a
// constant: len does not evaluate it, and a constant index out of range does not compile.
func (s *seq) fixed() bool { return s != nil && (s.kind == seqArray || s.kind == seqArrayPtr) }

// lookupAt returns the object that identifier id, used at its position in scope sc,
// certainly stands for. found reports whether the cell declares the name in sc; o is then
// nil when the use may see the session's object instead: a top-level declaration of a name
// the session has takes effect only where it is evaluated, and a type redefinition does not
// take effect at all.
func (w *rewriter) lookupAt(id *ast.Ident, sc *scope) (o *object, found bool) {
	o = sc.lookup(id.Name)
	if o == nil {
		return nil, false
	}
	if w.cell.names[id.Name] == o && w.declared(id.Name) {
		if o.kind == objType || o.at == 0 || o.at > w.off(id.Pos()) {
			return nil, true
		}
	}
	return o, true
}

// typeSeq describes type expression t when it certainly denotes a slice, an array or a
// string (or a named type of the cell whose underlying type is one).
func (w *rewriter) typeSeq(t ast.Expr, sc *scope) *seq {
	switch t := ast.Unparen(t).(type) {
	case *ast.ArrayType:
		k := seqArray
		if t.Len == nil {
			k = seqSlice
		}
		return &seq{kind: k, elem: w.typeSeq(t.Elt, sc), intElem: w.isIntegerType(t.Elt, sc)}
	case *ast.StarExpr:
		if a, ok := ast.Unparen(t.X).(*ast.ArrayType); ok && a.Len != nil {
			return &seq{kind: seqArrayPtr, elem: w.typeSeq(a.Elt, sc), intElem: w.isIntegerType(a.Elt, sc)}
		}
	case *ast.MapType:
		return &seq{kind: seqMap, elem: w.typeSeq(t.Value, sc), intElem: w.isIntegerType(t.Value, sc), ifaceKey: !w.comparableKey(t.Key, sc)}
	case *ast.Ident:
		if o, found := w.lookupAt(t, sc); found {
			if o != nil && o.kind == objType {
				return o.seq
			}
			return nil
		}
		if t.Name == "string" && !w.declared(t.Name) {
			return stringSeq()
		}
		if d := w.typeDef(t.Name); d != nil {
			return typeOfSeq(d)
		}
	}
	return nil
}

// typeDef returns the type that name denotes when it is a type an earlier cell defined,
// or nil.
func (w *rewriter) typeDef(name string) reflect.Type {
	if w.env.TypeDef == nil || !w.declared(name) {
		return nil
	}
	return w.env.TypeDef(name)
}

// sessionFunc returns the type of session function (or variable of function type) name
// when it has a single result, or nil.
func (w *rewriter) sessionFunc(name string) reflect.Type {
	if w.env.Type == nil || !w.declared(name) {
		return nil
	}
	if t := w.env.Type(name); t != nil && t.Kind() == reflect.Func && t.NumOut() == 1 {
		return t
	}
	return nil
}

// exprSeq describes the type of expression e when it is certainly a slice, an array or a
// string, assuming the program is valid where e stands.
func (w *rewriter) exprSeq(e ast.Expr, sc *scope) *seq {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			return stringSeq()
		}
	case *ast.CompositeLit:
		if e.Type == nil {
			return nil
		}
		if a, ok := e.Type.(*ast.ArrayType); ok {
			if _, ok := a.Len.(*ast.Ellipsis); ok {
				return &seq{kind: seqArray, elem: w.typeSeq(a.Elt, sc), intElem: w.isIntegerType(a.Elt, sc)}
			}
		}
		return w.typeSeq(e.Type, sc)
	case *ast.Ident:
		if o, found := w.lookupAt(e, sc); found {
			if o != nil && (o.kind == objVar || o.kind == objConst) {
				return o.seq
			}
			return nil
		}
		if w.env.Type != nil {
			if t := w.env.Type(e.Name); t != nil {
				return typeOfSeq(t)
			}
			return nil
		}
		switch w.kind(e.Name) {
		case reflect.Slice:
			return &seq{kind: seqSlice}
		case reflect.Array:
			return &seq{kind: seqArray}
		case reflect.String:
			return stringSeq()
		}
	case *ast.CallExpr:
		return w.callSeq(e, sc)
	case *ast.UnaryExpr:
		if x := w.exprSeq(e.X, sc); e.Op == token.AND && x != nil && x.kind == seqArray {
			return &seq{kind: seqArrayPtr, elem: x.elem, intElem: x.intElem}
		}
	case *ast.SelectorExpr:
		if t := w.packageMember(e, sc); t != nil {
			return typeOfSeq(t)
		}
		if f, _ := w.fieldOf(e, sc); f != nil {
			return f.seq
		}
	case *ast.SliceExpr:
		x := w.exprSeq(e.X, sc)
		switch {
		case !x.sequence():
			return nil
		case x.kind == seqString:
			return x
		}
		return &seq{kind: seqSlice, elem: x.elem, intElem: x.intElem}
	case *ast.IndexExpr:
		if x := w.exprSeq(e.X, sc); x != nil && x.kind != seqString {
			return x.elem
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			if x := w.exprSeq(e.X, sc); x != nil && x.kind == seqString {
				return x
			}
			if y := w.exprSeq(e.Y, sc); y != nil && y.kind == seqString {
				return y
			}
		}
	}
	return nil
}

// comparableKey reports whether map key type t is certainly not an interface: a
// predeclared type other than any and error, a pointer, a channel, or an array of such
// keys. Structs and types declared by the cell or the session may hold interfaces.
func (w *rewriter) comparableKey(t ast.Expr, sc *scope) bool {
	switch t := ast.Unparen(t).(type) {
	case *ast.StarExpr, *ast.ChanType:
		return true
	case *ast.ArrayType:
		return t.Len != nil && w.comparableKey(t.Elt, sc)
	case *ast.Ident:
		// A predeclared type, other than the interfaces any and error.
		return predeclaredType(t.Name) && t.Name != "any" && t.Name != "error" && w.universal(t.Name, sc)
	}
	return false
}

// typeOfSeq describes t when it is a slice, an array, a string or a map.
func typeOfSeq(t reflect.Type) *seq {
	switch t.Kind() {
	case reflect.Map:
		k := t.Key().Kind()
		return &seq{kind: seqMap, elem: typeOfSeq(t.Elem()), intElem: isIntegerKind(t.Elem().Kind()), ifaceKey: k == reflect.Interface || k == reflect.Struct || k == reflect.Array}
	case reflect.Slice:
		return &seq{kind: seqSlice, elem: typeOfSeq(t.Elem()), intElem: isIntegerKind(t.Elem().Kind())}
	case reflect.Array:
		return &seq{kind: seqArray, elem: typeOfSeq(t.Elem()), intElem: isIntegerKind(t.Elem().Kind())}
	case reflect.String:
		return stringSeq()
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Array {
			return &seq{kind: seqArrayPtr, elem: typeOfSeq(t.Elem().Elem()), intElem: isIntegerKind(t.Elem().Elem().Kind())}
		}
	}
	return nil
}

// callSeq describes the result of a call: make and append of slices, conversions to
// sequence types, functions of the cell and functions of packages ([Env.Symbol]).
func (w *rewriter) callSeq(c *ast.CallExpr, sc *scope) *seq {
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.ArrayType:
		return w.typeSeq(fun, sc)
	case *ast.SelectorExpr:
		if t := w.packageMember(fun, sc); t != nil && t.Kind() == reflect.Func && t.NumOut() == 1 {
			return typeOfSeq(t.Out(0))
		}
	case *ast.Ident:
		if o, found := w.lookupAt(fun, sc); found {
			switch {
			case o == nil:
			case o.kind == objType:
				return o.seq
			case o.kind == objFunc && o.results == 1:
				return o.seq
			}
			return nil
		}
		if w.declared(fun.Name) {
			if t := w.typeDef(fun.Name); t != nil {
				return typeOfSeq(t) // a conversion
			}
			if t := w.sessionFunc(fun.Name); t != nil {
				return typeOfSeq(t.Out(0))
			}
			return nil
		}
		switch fun.Name {
		case "make":
			if len(c.Args) > 0 {
				if s := w.typeSeq(c.Args[0], sc); s != nil && s.kind == seqSlice {
					return s
				}
			}
		case "append":
			if len(c.Args) > 0 {
				if s := w.exprSeq(c.Args[0], sc); s != nil && s.kind == seqSlice {
					return s
				}
			}
		case "string":
			return stringSeq()
		}
	}
	return nil
}

// guardStmt inserts the bounds guards of statement s, an element of a statement list,
// walked in scope sc, in front of it.
func (w *rewriter) guardStmt(s ast.Stmt, sc *scope) {
	g := &guardScan{w: w, sc: sc, s: s, start: s.Pos()}
	g.stmt(s)
	// A repeated division is of use only before a guard of an index.
	for n := len(g.divisions); n > 0 && g.divisions[n-1] == len(g.guards)-1; n-- {
		g.guards = g.guards[:len(g.guards)-1]
	}
	if len(g.guards) == 0 {
		return
	}
	// At the top level of a cell, := declares globals, which the interpreter cannot
	// always redeclare after a cell failed to compile: hoisted calls go in a block.
	block := len(g.hoists) > 0 && sc == w.cell
	text := ""
	if block {
		text = "{ "
	}
	at := make([]int, len(g.guards)) // where each guard starts in text
	seen := map[string]bool{}
	for i, t := range g.guards {
		at[i] = len(text)
		if !seen[t] { // one guard of x[i] covers the statement's other reads of x[i]
			seen[t] = true
			text += t + " "
		}
	}
	guard := edit{pos: w.off(s.Pos()), end: w.off(s.Pos()), text: text, guard: true}
	if len(g.hoists) > 0 {
		w.hoists++
		guard.hoist = w.hoists
	}
	for _, h := range g.hoists {
		guard.copies = append(guard.copies, copySpan{at: at[h.guard] + len(h.name+" := "), n: int(h.expr.End() - h.expr.Pos()), pos: w.off(h.expr.Pos())})
	}
	w.add(guard)
	for _, h := range g.hoists {
		if isReceive(h.expr) {
			w.hoistedRecv[h.expr] = true
		}
		// After the guard, so that the edits at the statement's offset keep their order.
		w.add(edit{pos: w.off(h.expr.Pos()), end: w.off(h.expr.End()), text: h.name, depth: w.depth, hoist: guard.hoist})
	}
	if block {
		// Closed after everything else that ends with the statement, the markers around
		// a trailing expression (depth -1) included.
		end := w.off(s.End())
		w.add(edit{pos: end, end: end, text: " }", depth: -2, closing: true, hoist: guard.hoist})
	}
}

// dropConflictingHoists removes the guards of a statement, with the calls they hoist,
// when another rewrite edits the text of a hoisted call: the copy in the guard would
// miss that edit.
func (w *rewriter) dropConflictingHoists() {
	drop := map[int]bool{}
	for _, r := range w.edits {
		if r.hoist == 0 || r.guard {
			continue
		}
		for _, e := range w.edits {
			if e.hoist == r.hoist {
				continue
			}
			if e.pos < r.end && e.end > r.pos || e.pos > r.pos && e.pos < r.end {
				drop[r.hoist] = true
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := w.edits[:0]
	for _, e := range w.edits {
		if !drop[e.hoist] {
			kept = append(kept, e)
		}
	}
	w.edits = kept
}

// guardTexts lists the guards inserted in the cell bytes [start, end), in cell order.
func (w *rewriter) guardTexts(start, end int) []guardText {
	var out []guardText
	for _, e := range w.edits {
		if (e.guard || e.mapped || e.hoist != 0) && e.pos >= start && e.pos < end {
			line, col := w.t.position(e.pos)
			g := guardText{line: line, col: col, n: len(e.text), removed: e.end - e.pos}
			for _, c := range e.copies {
				_, ccol := w.t.position(c.pos)
				g.copies = append(g.copies, copyCol{at: c.at, n: c.n, col: ccol})
			}
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.line < b.line || a.line == b.line && a.col < b.col
	})
	return out
}

// A guardScan walks one statement in the order Go evaluates it and collects the guards
// that may run before it.
type guardScan struct {
	w  *rewriter
	sc *scope
	// effects are the calls, receives, type assertions and indexes of unknown type the
	// statement makes: the compiler may evaluate them before other operands, so only an
	// index inside all of them may be guarded.
	effects []ast.Node
	stack   []ast.Node // the expressions around the one being walked
	stopped bool       // something that may panic or be observed has been evaluated
	// conds are the conditions under which the expression being walked is evaluated:
	// the left operands of the && and || whose right operands are around it, written
	// as Go conditions ("(a)" for a && …, "!(a)" for a || …).
	conds  []string
	guards []string
	// hoists are the calls whose results the statement indexes directly (f()[i]), which
	// the guards assign to variables first; see hoist.
	hoists []hoist
	// hoisting counts the hoisted calls being walked, whose copies in the guards would
	// miss an inline check of their arguments; see inline.
	hoisting int
	// assigned is the index expression assigned to by x[i] = v, whose index Go checks
	// after evaluating v: it is never checked inline.
	assigned *ast.IndexExpr
	// divisions are the positions in guards of the divisions that divideFirst repeats.
	divisions []int
	s         ast.Stmt  // the statement
	start     token.Pos // its position
}

// A hoist is a call, or the right side of an assignment to an index, moved into the
// guards: name := expr, with expr in the statement replaced by name. guard is the index
// of its text in guardScan.guards.
type hoist struct {
	expr  ast.Expr // a call, or the right side of x[i] = v (see hoistValue)
	name  string
	guard int
}

// stmt walks the parts of s that run first and unconditionally.
func (g *guardScan) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.ExprStmt:
		g.exprs(s.X)
	case *ast.SendStmt:
		g.exprs(s.Chan, s.Value)
	case *ast.IncDecStmt:
		g.exprs(s.X)
	case *ast.ReturnStmt:
		g.exprs(s.Results...)
	case *ast.AssignStmt:
		g.assign(s)
	case *ast.DeclStmt:
		d, ok := s.Decl.(*ast.GenDecl)
		if !ok || d.Tok != token.VAR || len(d.Specs) != 1 {
			return
		}
		if values := d.Specs[0].(*ast.ValueSpec).Values; len(values) == 1 {
			g.exprs(values[0])
		}
	case *ast.IfStmt:
		if s.Init != nil {
			g.stmt(s.Init)
			return
		}
		g.exprs(s.Cond)
	case *ast.SwitchStmt:
		if s.Init != nil {
			g.stmt(s.Init)
			return
		}
		g.exprs(s.Tag)
	case *ast.ForStmt:
		g.stmt(s.Init)
	case *ast.GoStmt:
		// The function value and the arguments are evaluated here, as for a call.
		g.exprs(s.Call)
	case *ast.DeferStmt:
		g.exprs(s.Call)
	case *ast.RangeStmt:
		// An array's range expression is not evaluated when there is at most one
		// iteration variable; a slice's or a string's always is.
		if x := g.w.exprSeq(s.X, g.sc); x != nil && !x.fixed() {
			g.exprs(s.X)
		}
	}
}

// exprs walks expressions evaluated one after another.
func (g *guardScan) exprs(es ...ast.Expr) {
	for _, e := range es {
		g.effectsOf(e)
	}
	for _, e := range es {
		g.expr(e, true)
	}
}

// assign walks an assignment. For x[i] = v, Go checks the index after evaluating v; for
// x[i] op= v, before. The compiler evaluates the operands of a tuple assignment in an
// order of its own, so one is guarded only when it has no effects at all; see tuple.
func (g *guardScan) assign(s *ast.AssignStmt) {
	if len(s.Lhs) > 1 && len(s.Lhs) == len(s.Rhs) {
		g.tuple(s)
		return
	}
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
		return
	}
	l, r := s.Lhs[0], s.Rhs[0]
	g.effectsOf(l)
	g.effectsOf(r)
	ix, isIndex := ast.Unparen(l).(*ast.IndexExpr)
	switch {
	case s.Tok == token.DEFINE:
		g.expr(r, true)
	case s.Tok == token.ASSIGN && isIndex && g.hoistAssigned(ix, r):
	case s.Tok == token.ASSIGN && isIndex:
		g.assigned = ix
		g.stack = append(g.stack, ix)
		x := g.w.exprSeq(ix.X, g.sc)
		g.expr(ix.X, true)
		g.expr(ix.Index, true)
		g.stack = g.stack[:len(g.stack)-1]
		g.expr(r, true)
		g.stack = append(g.stack, ix)
		g.indexOp(ix, x, true)
		g.stack = g.stack[:len(g.stack)-1]
	default:
		if _, ok := ast.Unparen(l).(*ast.Ident); !ok {
			g.expr(l, true)
		}
		g.expr(r, true)
	}
}

// hoistAssigned guards x[i] = f(a), where x is cheap and certainly a slice or an array
// and i a cheap integer, by assigning the call's result to a new variable v in front of
// the statement, as hoist does:
//
//	v := f(a); if uint64(len(x)) <= uint64(i) { IndexName(i, len(x), line) }; … x[i] = v
//
// That is the order of Go, which evaluates the right side before it checks the indexes
// of the left: the call's output comes before the panic, and a call that changes x or i
// is seen. x may itself index slices and arrays (grid[r][c] = f(a)), and i may index
// known sequences (x[idx[k]] = f(a)); their guards come in the order Go evaluates them,
// operands first. The right side may also be arithmetic on calls (f() + g(), 2*f(a)); see
// hoistValue. A single call must be one that hoistable allows, on one line. It reports
// whether it walked the assignment.
func (g *guardScan) hoistAssigned(ix *ast.IndexExpr, r ast.Expr) bool {
	if x := g.w.exprSeq(ix.X, g.sc); x == nil || x.kind != seqSlice && x.kind != seqArray {
		return false
	}
	if !g.w.universal("len", g.sc) || !g.w.universal("uint64", g.sc) {
		return false
	}
	guards, ok := g.readGuards(ix)
	if !ok || len(guards) == 0 {
		return false
	}
	c, isCall := ast.Unparen(r).(*ast.CallExpr)
	switch {
	case !isCall:
		if !g.hoistValue(ix, r) {
			return false
		}
	case g.harmlessCall(c) || !g.hoistable(ix, c, true) || !g.w.oneLine(c):
		return false
	default:
		if g.w.builtinCalled(c, g.sc) != "" {
			// A builtin's result may be an untyped constant (complex(1, 2), real(2i)),
			// which a variable would give a default type the element may not have.
			return false
		}
		if _, ok := g.hoistCall(c, true); !ok {
			return true
		}
	}
	g.stopped = true
	g.guards = append(g.guards, guards...)
	return true
}

// readGuards returns the guards of the indexes that evaluating e makes, in the order Go
// makes them (an index's operands before the index), when e is cheap and every sequence
// it indexes is known: a slice, an array or a string, each index a cheap integer, or a
// map whose reads cannot panic. An index of an array by a constant is checked when the
// cell compiles and needs no guard. The length of an array is a constant that does not
// evaluate its operand, so e must not index inside len or cap.
func (g *guardScan) readGuards(e ast.Expr) ([]string, bool) {
	if !g.cheap(e) || !g.w.oneLine(e) {
		return nil, false
	}
	var guards []string
	ok := true
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.UnaryExpr:
			walk(e.X)
		case *ast.BinaryExpr:
			walk(e.X)
			walk(e.Y)
		case *ast.CallExpr: // len or cap, as cheap allows
			ok = ok && !hasIndex(e)
		case *ast.SelectorExpr:
			if g.w.packageMember(e, g.sc) == nil {
				walk(e.X)
			}
		case *ast.IndexExpr:
			walk(e.X)
			walk(e.Index)
			x := g.w.exprSeq(e.X, g.sc)
			switch {
			case x == nil:
				ok = false
			case x.kind == seqMap:
				ok = ok && !x.ifaceKey
			case !g.w.isInteger(e.Index, g.sc, true):
				ok = false
			case x.fixed() && g.w.constant(e.Index, g.sc):
			default:
				guards = append(guards, g.boundsGuard(g.w.src(e.X), g.w.src(e.Index)))
			}
		}
	}
	walk(e)
	return guards, ok
}

// hoistValue walks r, the right side of x[i] = r, when r is arithmetic (no shifts, no
// comparisons) on calls, receives and cheap operands, such as f() + g() or 2*f(a), and
// assigns it to a new variable v in front of the statement, as hoistAssigned does with
// a single call. Go evaluates r whole before it checks the indexes of x[i], so v := r
// keeps the order of every call and receive in it. v has r's type, which is the type of
// a call of a function that is not a builtin, or of a receive, among its operands: r must
// have one. The statement may have no other effects, nothing before it may have stopped
// the guards, and r must be on one line, the statement's first. Guards of indexes in r's
// operands, before its first call, go in front of v; indexes after that are left to the
// interpreter. It reports whether it hoisted r.
func (g *guardScan) hoistValue(ix *ast.IndexExpr, r ast.Expr) bool {
	if g.w.env.NoHoist || g.stopped || len(g.conds) > 0 || !g.w.oneLine(ix) || !g.w.oneLine(r) {
		return false
	}
	if g.line(r.Pos()) != g.line(g.start) {
		return false
	}
	if isReceive(r) && !g.simple(r.(*ast.UnaryExpr).X) {
		// x[i] = <-ch is parenthesized for the interpreter unless hoisted (see assign),
		// and its hoist must not be dropped for an edit of the channel's text.
		return false
	}
	for _, eff := range g.effects {
		if eff.Pos() < r.Pos() || eff.End() > r.End() {
			return false
		}
	}
	typed, ok := false, true
	var operand func(e ast.Expr)
	operand = func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.BinaryExpr:
			switch e.Op {
			case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
				operand(e.X)
				operand(e.Y)
			default:
				ok = false
			}
		case *ast.UnaryExpr:
			switch e.Op {
			case token.ARROW:
				typed = true
			case token.ADD, token.SUB, token.XOR:
				operand(e.X)
			default:
				ok = false
			}
		case *ast.CallExpr:
			if g.w.builtinCalled(e, g.sc) != "" {
				ok = ok && g.harmlessCall(e) // len(s); complex(1, 2) may be untyped
				return
			}
			if !g.harmlessCall(e) {
				typed = true
			}
		default:
			ok = ok && g.cheap(e)
		}
	}
	operand(r)
	if !ok || !typed {
		return false
	}
	// Walked as any statement's operands are: a guard is collected only before anything
	// that stops the guards, and only inside every call the compiler might make first.
	g.hoisting++
	g.expr(r, true)
	g.hoisting--
	v := g.w.gen("v")
	g.hoists = append(g.hoists, hoist{expr: r, name: v, guard: len(g.guards)})
	g.guards = append(g.guards, v+" := "+g.w.src(r)+";")
	return true
}

// tuple walks a tuple assignment (a, b = x[i], y[j]) that makes no calls, receives or
// type assertions and no index of unknown type. Where two indexes are out of range, the
// compiler's choice of the one that panics follows no rule the specification states; the
// guards check those of the left-hand side first, then the values, left to right.
func (g *guardScan) tuple(s *ast.AssignStmt) {
	for _, e := range append(append([]ast.Expr{}, s.Lhs...), s.Rhs...) {
		g.effectsOf(e)
	}
	if len(g.effects) > 0 {
		return
	}
	if s.Tok != token.DEFINE {
		for _, l := range s.Lhs {
			if _, ok := ast.Unparen(l).(*ast.Ident); !ok {
				g.expr(l, true)
			}
		}
	}
	g.exprs(s.Rhs...)
}

// effectsOf records the effects of e, outside function literals. e may be nil (the tag
// of switch {}).
func (g *guardScan) effectsOf(e ast.Expr) {
	if e == nil {
		return
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if !g.harmlessCall(n) {
				g.effects = append(g.effects, n)
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				g.effects = append(g.effects, n)
			}
		case *ast.TypeAssertExpr, *ast.IndexListExpr:
			g.effects = append(g.effects, n)
		case *ast.IndexExpr:
			if x := g.w.exprSeq(n.X, g.sc); x == nil || x.kind == seqMap && x.ifaceKey {
				g.effects = append(g.effects, n)
			}
		}
		return true
	})
}

// harmlessCall reports whether c is a call of len or cap, or a conversion to a predeclared
// type, which neither panics nor can be observed.
func (g *guardScan) harmlessCall(c *ast.CallExpr) bool {
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		if !g.w.universal(fun.Name, g.sc) {
			return false
		}
		switch fun.Name {
		case "len", "cap", "string", "bool", "float32", "float64":
			return true
		}
		return integerType(fun.Name)
	case *ast.ArrayType:
		return fun.Len == nil // []byte(s) and []rune(s); a slice-to-array conversion may panic
	}
	return false
}

// expr walks e in evaluation order. With collect unset, e may not be evaluated at all (the
// right operand of && and ||), so nothing in it is guarded.
func (g *guardScan) expr(e ast.Expr, collect bool) {
	if e == nil {
		return
	}
	g.stack = append(g.stack, e)
	defer func() { g.stack = g.stack[:len(g.stack)-1] }()
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit, *ast.FuncLit:
	case *ast.ParenExpr:
		g.expr(e.X, collect)
	case *ast.UnaryExpr:
		g.expr(e.X, collect)
		if e.Op == token.ARROW {
			g.stopped = true
		}
	case *ast.BinaryExpr:
		g.expr(e.X, collect)
		if e.Op == token.LAND || e.Op == token.LOR {
			g.conditional(e, collect)
			return
		}
		g.expr(e.Y, collect)
		switch e.Op {
		case token.QUO, token.REM:
			if lit, ok := ast.Unparen(e.Y).(*ast.BasicLit); (!ok || strings.Trim(lit.Value, "0._") == "") && !g.divideFirst(e, collect) {
				g.stopped = true
			}
		case token.SHL, token.SHR:
			if !g.w.constant(e.Y, g.sc) {
				g.stopped = true
			}
		case token.EQL, token.NEQ:
			// Comparing interfaces that hold uncomparable values panics.
			if !g.w.isInteger(e.X, g.sc, true) && !g.w.isInteger(e.Y, g.sc, true) {
				g.stopped = true
			}
		}
	case *ast.IndexExpr:
		g.index(e, collect)
	case *ast.CallExpr:
		g.call(e, collect)
	case *ast.SelectorExpr:
		if g.w.packageMember(e, g.sc) != nil {
			return // reading a package's variable cannot panic
		}
		if f, deref := g.w.fieldOf(e, g.sc); f != nil {
			if deref {
				g.stopped = true // a nil pointer
			}
			return
		}
		g.expr(e.X, collect)
		g.stopped = true
	case *ast.CompositeLit:
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			g.expr(el, collect)
		}
		if _, ok := e.Type.(*ast.ArrayType); !ok {
			// A map literal may panic on a key, and a literal of another type may be one.
			g.stopped = true
		}
	default:
		// Dereferences, selectors, slice expressions, type assertions: they may panic.
		ast.Inspect(e, func(n ast.Node) bool {
			if n != e {
				if x, ok := n.(ast.Expr); ok {
					g.expr(x, collect)
					return false
				}
			}
			return true
		})
		g.stopped = true
	}
}

// divideFirst lets the guards go on past an integer division x / y or x % y whose divisor
// may be zero, by repeating the division among them, where it panics as the statement
// would (integer divide by zero) before any later guard runs. x and y must be cheap
// integers, and the division evaluated unconditionally, with nothing observable before it.
// The guard is kept only if a later guard follows it; see guardStmt. It reports whether
// it added the guard.
func (g *guardScan) divideFirst(e *ast.BinaryExpr, collect bool) bool {
	if !collect || g.stopped || g.hoisting > 0 || len(g.conds) > 0 || !g.insideEffects() {
		return false
	}
	if !g.cheap(e.X) || !g.cheap(e.Y) || !g.w.isInteger(e.X, g.sc, true) || !g.w.isInteger(e.Y, g.sc, true) || !g.w.oneLine(e) {
		return false
	}
	g.divisions = append(g.divisions, len(g.guards))
	g.guards = append(g.guards, "_ = ("+g.w.src(e.X)+") "+e.Op.String()+" ("+g.w.src(e.Y)+");")
	return true
}

// conditional walks the right operand of a && b or a || b, whose left operand has been
// walked. b is evaluated only when a is true (false for ||), so its guards test a too:
// if (a) && … for &&, if !(a) && … for ||. That needs a to be a condition the guard may
// evaluate again, before the statement, with the same result and no effects: see
// cheapCond. Otherwise nothing in b is guarded.
func (g *guardScan) conditional(e *ast.BinaryExpr, collect bool) {
	if !collect || g.stopped || !g.cheapCond(e.X) || !g.w.oneLine(e.X) {
		g.expr(e.Y, false)
		return
	}
	c := "(" + g.w.src(e.X) + ")"
	if e.Op == token.LOR {
		c = "!" + c
	}
	g.conds = append(g.conds, c)
	g.expr(e.Y, true)
	g.conds = g.conds[:len(g.conds)-1]
}

// cheapCond reports whether condition e is cheap (see cheap) and cannot panic: names,
// negations, && and ||, orderings of cheap operands, and comparisons of cheap operands
// that cannot both be interfaces holding uncomparable values.
func (g *guardScan) cheapCond(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return g.cheap(e)
	case *ast.UnaryExpr:
		return e.Op == token.NOT && g.cheapCond(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.LAND, token.LOR:
			return g.cheapCond(e.X) && g.cheapCond(e.Y)
		case token.LSS, token.GTR, token.LEQ, token.GEQ:
			return g.cheap(e.X) && g.cheap(e.Y)
		case token.EQL, token.NEQ:
			return g.cheap(e.X) && g.cheap(e.Y) && (g.notIface(e.X) || g.notIface(e.Y))
		}
	}
	return false
}

// notIface reports whether e certainly is not an interface, which could hold an
// uncomparable value: an integer, a literal, nil or a string.
func (g *guardScan) notIface(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		if e.Name == "nil" && g.w.universal("nil", g.sc) {
			return true
		}
	}
	if x := g.w.exprSeq(e, g.sc); x != nil && x.kind == seqString {
		return true
	}
	return g.w.isInteger(e, g.sc, true)
}

// call walks a call: the function, the arguments, then the call itself.
func (g *guardScan) call(c *ast.CallExpr, collect bool) {
	harmless := g.harmlessCall(c)
	g.callee(c, collect)
	if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok && harmless && (id.Name == "len" || id.Name == "cap") && len(c.Args) == 1 {
		// len and cap of an array do not evaluate their argument unless it has calls or
		// receives: guard inside only slices and strings.
		x := g.w.exprSeq(c.Args[0], g.sc)
		g.expr(c.Args[0], collect && x != nil && !x.fixed())
		return
	}
	for _, a := range c.Args {
		g.expr(a, collect)
	}
	if !harmless {
		g.stopped = true
	}
}

// callee walks the function value of call c.
func (g *guardScan) callee(c *ast.CallExpr, collect bool) {
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.Ident, *ast.ArrayType:
	case *ast.SelectorExpr:
		// A package's function is harmless to name; a method value may dereference its
		// receiver before the arguments are evaluated.
		if x, ok := fun.X.(*ast.Ident); !ok || g.w.packageOf(x.Name, g.sc) == "" {
			g.expr(fun, collect)
		}
	default:
		g.expr(fun, collect)
	}
}

// index walks x[i] and guards it when it can.
func (g *guardScan) index(e *ast.IndexExpr, collect bool) {
	x := g.w.exprSeq(e.X, g.sc)
	if c, ok := ast.Unparen(e.X).(*ast.CallExpr); ok && g.hoist(e, c, x, collect) {
		return
	}
	if c, ok := ast.Unparen(e.Index).(*ast.CallExpr); ok && x != nil && !g.harmlessCall(c) && g.hoistIndex(e, c, x, collect) {
		return
	}
	if sel, ok := ast.Unparen(e.X).(*ast.SelectorExpr); ok {
		if f, deref := g.w.fieldOf(sel, g.sc); f != nil && deref {
			// p.items[i]: the guard dereferences p as the index does, and panics as it
			// would when p is nil; nothing in i may run before that.
			if !g.simple(e.Index) {
				g.stopped = true
			}
			g.expr(e.Index, collect)
			g.indexOp(e, x, collect)
			g.stopped = true
			return
		}
	}
	if c, ok := ast.Unparen(e.X).(*ast.CallExpr); ok && !g.harmlessCall(c) {
		// The call stops the guards; its result may still be checked inline.
		g.expr(e.X, collect)
		g.expr(e.Index, collect)
		g.inlineResult(e, c)
		g.stopped = true
		return
	}
	g.expr(e.X, collect)
	stopped := g.stopped
	g.expr(e.Index, collect)
	if divided := !stopped && g.stopped && g.dividing(e.Index); divided {
		// The guard divides as the index does, first, and panics where it would.
		g.stopped = false
		n := len(g.guards)
		g.indexOp(e, x, collect)
		g.stopped = g.stopped || len(g.guards) == n
		return
	}
	g.indexOp(e, x, collect)
}

// dividing reports whether index e is made of names, literals, len and cap of those,
// and arithmetic including divisions and dereferences of names, which alone may panic
// (dividing by zero, a nil pointer). A guard that repeats e divides and dereferences
// first, as the index would, and panics where it would, so these need not stop the guard
// of the index they are in.
func (g *guardScan) dividing(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.StarExpr:
		_, ok := ast.Unparen(e.X).(*ast.Ident)
		return ok
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR) && g.dividing(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.AND, token.OR, token.XOR, token.AND_NOT, token.QUO, token.REM:
			return g.dividing(e.X) && g.dividing(e.Y)
		}
		return false
	}
	return g.simple(e)
}

// hoist guards f(a)[i], where the call's result is neither a map nor assigned to a
// variable, by assigning the result to a new variable v in front of the statement:
//
//	v := f(a); if uint64(len(v)) <= uint64(i) { IndexName(i, len(v), line) }; … v[i] …
//
// (or CheckName(v, i) when the result's type is unknown). That is sound under the
// conditions of hoistable. The index must not index anything itself: its guards would
// have to come after the call's. It reports whether it walked e.
func (g *guardScan) hoist(e *ast.IndexExpr, c *ast.CallExpr, x *seq, collect bool) bool {
	if x != nil && !x.sequence() || !g.cheap(e.Index) || hasIndex(e.Index) || !g.w.isInteger(e.Index, g.sc, true) {
		return false
	}
	if !g.hoistable(e, c, collect) {
		return false
	}
	v, ok := g.hoistCall(c, collect)
	if !ok {
		g.expr(e.Index, collect)
		return true
	}
	i := g.w.src(e.Index)
	if x == nil {
		g.guards = append(g.guards, CheckName+"("+v+", "+i+", "+g.lineArg()+");")
	} else {
		g.guards = append(g.guards, g.boundsGuard(v, i))
	}
	g.stopped = true
	return true
}

// hoistIndex guards x[f(a)], where x is cheap and certainly a slice, an array or a
// string, and the index is a call, by assigning the call's result to a new variable v
// in front of the statement, as hoist does:
//
//	v := f(a); if uint64(len(x)) <= uint64(v) { IndexName(v, len(x), line) }; … x[v] …
//
// Go evaluates x, which has no effects, then the call, then indexes. The conditions on
// the call are hoist's. It reports whether it walked e.
func (g *guardScan) hoistIndex(e *ast.IndexExpr, c *ast.CallExpr, x *seq, collect bool) bool {
	if !x.sequence() || !g.cheap(e.X) || hasIndex(e.X) || !g.hoistable(e, c, collect) {
		return false
	}
	g.expr(e.X, collect)
	v, ok := g.hoistCall(c, collect)
	if !ok {
		return true
	}
	n := g.w.src(e.X)
	g.guards = append(g.guards, g.boundsGuard(n, v))
	g.stopped = true
	return true
}

// hoistable reports whether call c, in index expression e, may run in front of the
// statement: when it is the first call the statement makes (Go makes calls and receives
// in lexical order, those around the index after its operands), when the statement has
// no other effects (type assertions, indexes of unknown type) but those in the call's
// arguments, when nothing before it has stopped the guards, and when the index is
// evaluated unconditionally. At the top level, the statement must declare no names.
func (g *guardScan) hoistable(e *ast.IndexExpr, c *ast.CallExpr, collect bool) bool {
	if g.w.env.NoHoist || !collect || g.stopped || len(g.conds) > 0 {
		return false
	}
	if g.sc == g.w.cell {
		// At the top level, the variable goes in a block with the statement (see
		// guardStmt), which must then not declare names for later statements.
		switch s := g.s.(type) {
		case *ast.DeclStmt:
			return false
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				return false
			}
		}
	}
	if !g.w.oneLine(e) {
		return false
	}
	if line, _ := g.w.t.position(g.w.off(c.Pos())); line != g.line(g.start) {
		return false // the copy in the guard must stay on the call's line
	}
	for _, eff := range g.effects {
		if eff.Pos() >= c.Pos() && eff.End() <= c.End() {
			continue // the call, or an effect in its arguments
		}
		if eff.Pos() >= c.End() && g.ordered(eff) {
			continue // a later call or receive, made after this one
		}
		if !g.around(eff) {
			return false
		}
	}
	return true
}

// hoistCall walks call c, which hoistable allowed, and assigns its result to a new
// variable among the guards, whose name it returns. It returns false, with the guards
// stopped, when the arguments have guards and something in the call may panic or be
// observed after them: the guards, in front of the hoisted call, would then run first.
func (g *guardScan) hoistCall(c *ast.CallExpr, collect bool) (string, bool) {
	g.stack = append(g.stack, c)
	g.hoisting++
	defer func() { g.hoisting-- }()
	g.callee(c, collect)
	// A method value may panic on its receiver, which the hoisted call then does first
	// too; but the guards of its arguments would run before it.
	calleeStopped := g.stopped
	g.stopped = false
	before := len(g.guards)
	for _, a := range c.Args {
		g.expr(a, collect && !calleeStopped)
	}
	g.stack = g.stack[:len(g.stack)-1]
	if g.stopped && len(g.guards) > before {
		return "", false
	}
	v := g.w.gen("v")
	g.hoists = append(g.hoists, hoist{expr: c, name: v, guard: len(g.guards)})
	g.guards = append(g.guards, v+" := "+g.w.src(c)+";")
	return v, true
}

// hasIndex reports whether e contains an index expression.
func hasIndex(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		_, ok := n.(*ast.IndexExpr)
		found = found || ok
		return !found
	})
	return found
}

// ordered reports whether effect n is a call or a receive, which Go evaluates in
// lexical order with the statement's other calls.
func (g *guardScan) ordered(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.CallExpr:
		return true
	case *ast.UnaryExpr:
		return n.Op == token.ARROW
	}
	return false
}

// lineArg returns the cell line of the statement, as a guard's last argument.
func (g *guardScan) lineArg() string { return strconv.Itoa(g.line(g.start)) }

// line returns the cell line of p.
func (g *guardScan) line(p token.Pos) int {
	line, _ := g.w.t.position(g.w.off(p))
	return line
}

// simple reports whether e is made of names, literals, len, cap and arithmetic that cannot
// panic: it evaluates nothing that a guard would be put in front of.
func (g *guardScan) simple(e ast.Expr) bool {
	ok := g.cheap(e)
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.IndexExpr, *ast.SelectorExpr:
			ok = false
		}
		return ok
	})
	return ok
}

// indexOp guards the index operation of x[i], whose operands have been walked, when it
// can. x describes the type of e.X.
func (g *guardScan) indexOp(e *ast.IndexExpr, x *seq, collect bool) {
	if x == nil {
		g.check(e, collect)
		g.stopped = true
		return
	}
	if x.kind == seqMap {
		// Reading a map never panics, unless a key is an unhashable interface value.
		if x.ifaceKey {
			g.stopped = true
		}
		return
	}
	if g.stopped || !collect || !g.insideEffects() {
		g.inline(e, x)
		g.stopped = true
		return
	}
	if g.inRange(e) {
		// A loop index that stays in range: no guard, by design. Unless the loop body
		// makes calls, which might change the sequence behind the rewriter's back, it
		// cannot panic, and later indexes may still be guarded.
		return
	}
	if !g.w.universal("len", g.sc) || !g.w.universal("uint64", g.sc) {
		g.stopped = true
		return
	}
	if !g.cheap(e.X) || !g.cheap(e.Index) && !g.dividing(e.Index) || !g.w.isInteger(e.Index, g.sc, true) || !g.w.oneLine(e) {
		g.inline(e, x)
		g.stopped = true
		return
	}
	if g.w.constant(e.Index, g.sc) {
		if _, lit := ast.Unparen(e.Index).(*ast.BasicLit); !lit || x.fixed() {
			// A constant index of an array is checked when the cell compiles, and a
			// negative one of any sequence too.
			return
		}
	}
	xs, i := g.w.src(e.X), g.w.src(e.Index)
	g.guards = append(g.guards, g.boundsGuard(xs, i))
}

// boundsGuard returns the guard of index i of sequence xs, both Go text, under the
// conditions of the expression being walked:
//
//	if uint64(len(xs)) <= uint64(i) { IndexName(i, len(xs), line) };
func (g *guardScan) boundsGuard(xs, i string) string {
	return "if " + g.condPrefix() + "uint64(len(" + xs + ")) <= uint64(" + i + ") { " + IndexName + "(" + i + ", len(" + xs + "), " + g.lineArg() + ") };"
}

// inRange reports whether x[i] indexes x with the index of a range loop over x whose body
// makes no calls, which cannot be out of range.
func (g *guardScan) inRange(e *ast.IndexExpr) bool {
	id, ok := ast.Unparen(e.Index).(*ast.Ident)
	if !ok {
		return false
	}
	o, _ := g.w.lookupAt(id, g.sc)
	return o != nil && o.inRange != "" && o.inRange == g.w.src(e.X) && !o.rangeCalls
}

// inline checks x[i] where the statement evaluates it, when no guard can go in front of
// the statement, by writing the index as AtName(i, len(x), line) ([IndexAt]): the check
// runs exactly when the index does, after whatever the statement evaluates first. It
// costs a call of compiled code each time, so it is made only in statements that make
// calls or receives anyway: an index beside a call (f(g(), x[i])), an index made by a
// call (x[f()+1]), an index inside another index's arguments. x must be certainly a
// slice, an array or a string, and cheap, since len(x) evaluates it again after i; Go,
// too, reads x after the calls in i, and when x indexes something itself (grid[r][f()]),
// it evaluates those indexes after the calls as well, as len(x) does: a call that changes
// r is seen by the check as by Go. A constant index of an array or of a constant string is
// checked when the cell compiles, and is left alone. So are the index assigned to by
// x[i] = v, which Go checks after evaluating v, and indexes inside a call that a guard
// hoists, since the guard copies the call.
func (g *guardScan) inline(e *ast.IndexExpr, x *seq) {
	if g.hoisting > 0 || e == g.assigned || !g.makesCalls() || !x.sequence() || !g.cheap(e.X) {
		return
	}
	if !g.w.isInteger(e.Index, g.sc, true) || !g.w.oneLine(e) || !g.w.universal("len", g.sc) || g.inRange(e) {
		return
	}
	if g.w.constant(e.Index, g.sc) {
		if _, lit := ast.Unparen(e.Index).(*ast.BasicLit); !lit || x.fixed() || g.w.constant(e.X, g.sc) {
			return
		}
	}
	// Around everything else that starts and ends with the index (depth inline).
	g.w.surround(e.Index, AtName+"(", ", len("+g.w.src(e.X)+"), "+strconv.Itoa(g.line(e.Pos()))+")", inlineDepth)
}

// inlineResult checks f(a)[i] where the statement evaluates it, when the call could not
// be hoisted in front of the statement (at the top level of a cell, x := f(a)[i] declares
// x for later statements; elsewhere, another call may have to run first): the call is
// written as CheckedName(f(a), i, line).(T)[i] ([IndexChecked]), which checks i against
// the result and passes the result on. That needs the result's type T (a slice, an array
// or a string) in Go text that denotes it where the call stands: see resultOf. i is evaluated twice,
// so it must be a cheap integer without indexes; the index assigned to by f(a)[i] = v,
// which Go checks after evaluating v, is left alone.
func (g *guardScan) inlineResult(e *ast.IndexExpr, c *ast.CallExpr) {
	if g.hoisting > 0 || e == g.assigned || !g.cheap(e.Index) || hasIndex(e.Index) || !g.w.isInteger(e.Index, g.sc, true) || !g.w.oneLine(e) {
		return
	}
	text, kind := g.resultOf(c)
	switch kind {
	case reflect.Array:
		if g.w.constant(e.Index, g.sc) {
			return // checked when the cell compiles
		}
	case reflect.Slice, reflect.String:
	default:
		return
	}
	g.w.surround(c, CheckedName+"(", ", "+g.w.src(e.Index)+", "+strconv.Itoa(g.line(e.Pos()))+").("+text+")", -inlineDepth)
}

// resultOf returns the text and the kind of the type of call c's result when that text
// denotes the type where c stands: a compiled function's or method's result made of
// predeclared types and packages' types (see rtypeText), or the result of a function
// the cell or an earlier cell declared as that declaration spells it ([Env.Result]),
// when its names still stand for the same types at c (see spelledHere). It returns
// reflect.Invalid otherwise.
func (g *guardScan) resultOf(c *ast.CallExpr) (string, reflect.Kind) {
	if t := g.w.exprRType(c, g.sc); t != nil {
		text := g.w.rtypeText(t, g.sc, c.Pos())
		if text == "" {
			return "", reflect.Invalid
		}
		return text, t.Kind()
	}
	id, ok := ast.Unparen(c.Fun).(*ast.Ident)
	if !ok {
		return "", reflect.Invalid
	}
	if o, found := g.w.lookupAt(id, g.sc); found {
		// o is nil where the use may see the session's function of that name instead
		// of the cell's.
		// The cell's imports are the same where the function is declared and here.
		if o == nil || o.kind != objFunc || o.resultType == "" || !o.seq.sequence() || !g.spelledHere(o.resultType, c, nil) {
			return "", reflect.Invalid
		}
		return o.resultType, o.seq.reflectKind()
	}
	if g.w.env.Result == nil || !g.w.declared(id.Name) {
		return "", reflect.Invalid
	}
	text, t := g.w.env.Result(id.Name), g.w.sessionFunc(id.Name)
	if text == "" || t == nil || !g.spelledHere(text, c, t.Out(0)) {
		return "", reflect.Invalid
	}
	return text, t.Out(0).Kind()
}

// spelledHere parses type text and reports whether it denotes, where call c stands, the
// type it denoted where it was declared (see spelled). When rt, the type's
// compiled form, is known, the packages' types it names must be rt's (an earlier cell
// may have given a package's name to another package). The packages it names are
// imported where the cell does not import them.
func (g *guardScan) spelledHere(text string, c *ast.CallExpr, rt reflect.Type) bool {
	t, err := parser.ParseExpr(text)
	if err != nil || !g.w.spelled(t, g.sc, c.Pos()) || rt != nil && !g.w.rtypeMatches(t, rt, g.sc, c.Pos()) {
		return false
	}
	ast.Inspect(t, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			g.w.qualifier(&ast.Ident{Name: sel.X.(*ast.Ident).Name, NamePos: c.Pos()}, g.sc)
		}
		return true
	})
	return true
}

// inlineDepth is the depth of an inline check's edits, which enclose every other edit
// at the start and the end of the index; those of inlineResult, at -inlineDepth, are
// enclosed by every other edit at the start and the end of the call.
const inlineDepth = -1 << 20

// makesCalls reports whether the statement makes a call or a receive.
func (g *guardScan) makesCalls() bool {
	for _, eff := range g.effects {
		if g.ordered(eff) {
			return true
		}
	}
	return false
}

// check guards x[i] when x is a variable of a type the rewriter does not know, such as a
// method's result, with a call of CheckName (see [IndexCheck]), which looks at the value's
// type when it runs. Otherwise the index is left to the interpreter. Either way, x may be
// a map read, which the compiler may make before other operands, so nothing after it is
// guarded.
func (g *guardScan) check(e *ast.IndexExpr, collect bool) {
	if g.stopped || !collect || !g.insideEffects() || !g.variable(e.X) {
		return
	}
	if !g.cheap(e.Index) || !g.w.isInteger(e.Index, g.sc, true) || !g.w.oneLine(e) {
		return
	}
	call := CheckName + "(" + g.w.src(e.X) + ", " + g.w.src(e.Index) + ", " + g.lineArg() + ")"
	if len(g.conds) > 0 {
		g.guards = append(g.guards, "if "+strings.TrimSuffix(g.condPrefix(), " && ")+" { "+call+" };")
		return
	}
	g.guards = append(g.guards, call+";")
}

// variable reports whether e names a variable of the cell. (The session's variables have
// types the evaluator reports.)
func (g *guardScan) variable(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	o, found := g.w.lookupAt(id, g.sc)
	return found && o != nil && o.kind == objVar
}

// condPrefix returns the conditions of the expression being walked, each followed by &&.
func (g *guardScan) condPrefix() string {
	s := ""
	for _, c := range g.conds {
		s += c + " && "
	}
	return s
}

// insideEffects reports whether every effect of the statement is around the expression
// being walked.
func (g *guardScan) insideEffects() bool {
	for _, eff := range g.effects {
		if !g.around(eff) {
			return false
		}
	}
	return true
}

// around reports whether n is one of the expressions around the one being walked.
func (g *guardScan) around(n ast.Node) bool {
	for _, a := range g.stack {
		if a == n {
			return true
		}
	}
	return false
}

// cheap reports whether e may be evaluated twice at no cost and without effects: names,
// literals, indexes of known sequences, len and cap, and arithmetic that cannot panic.
func (g *guardScan) cheap(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR) && g.cheap(e.X)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.AND, token.OR, token.XOR, token.AND_NOT:
			return g.cheap(e.X) && g.cheap(e.Y)
		}
	case *ast.IndexExpr:
		return g.w.exprSeq(e.X, g.sc) != nil && g.cheap(e.X) && g.cheap(e.Index)
	case *ast.SelectorExpr:
		// A package's variable, or a field of a variable (through pointers that are nil
		// only when the indexed expression dereferences them too).
		if t := g.w.packageMember(e, g.sc); t != nil {
			return t.Kind() != reflect.Func
		}
		f, _ := g.w.fieldOf(e, g.sc)
		return f != nil
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		return ok && (id.Name == "len" || id.Name == "cap") && g.w.universal(id.Name, g.sc) && len(e.Args) == 1 && g.cheap(e.Args[0])
	}
	return false
}

// A structT describes a struct type whose fields the rewriter knows: one the cell declares
// (fields and embeds), or the type of a session variable or one an earlier cell defined
// (rt, a reflect struct type, which does not tell which fields are embedded).
type structT struct {
	fields map[string]*field
	embeds []*field // the embedded fields, also in fields under their type's name
	rt     reflect.Type
}

// A field describes a struct field: seq when its type is certainly a slice, an array or
// a string, strct when it is a known struct type or a pointer (ptr) to one. An embedded
// field is opaque when the rewriter does not know which fields it promotes.
type field struct {
	seq    *seq
	strct  *structT
	ptr    bool
	opaque bool
}

// field returns the field of st named name, declared by the struct or promoted from an
// embedded one, or nil. deref reports whether reaching a promoted field goes through an
// embedded pointer, which panics when it is nil. Like Go, it takes the shallowest field
// of that name, and none when two are equally shallow.
func (st *structT) field(name string) (f *field, deref bool) {
	type node struct {
		st    *structT
		deref bool
	}
	level := []node{{st, false}}
	for depth := 0; len(level) > 0 && depth < 8; depth++ {
		var next []node
		found, opaque := 0, false
		for _, n := range level {
			if d := n.st.direct(name); d != nil {
				f, deref = d, n.deref
				found++
				continue
			}
			if n.st.fields == nil {
				opaque = true // a reflect type's embedded fields are unknown
			}
			for _, e := range n.st.embeds {
				switch {
				case e.strct != nil:
					next = append(next, node{e.strct, n.deref || e.ptr})
				case e.opaque:
					opaque = true
				}
			}
		}
		switch {
		case found == 1:
			return f, deref
		case found > 1 || opaque:
			return nil, false
		}
		level = next
	}
	return nil, false
}

// direct returns the field of st named name that the struct declares itself, or nil.
func (st *structT) direct(name string) *field {
	if st.fields != nil {
		return st.fields[name]
	}
	// yaegi builds struct types with reflect.StructOf, naming an unexported field X+name.
	rname := name
	if !ast.IsExported(name) {
		rname = "X" + name
	}
	for i := 0; i < st.rt.NumField(); i++ {
		if f := st.rt.Field(i); f.Name == rname && !f.Anonymous {
			out := &field{seq: typeOfSeq(f.Type)}
			out.strct, out.ptr = reflectStruct(f.Type)
			return out
		}
	}
	return nil
}

// reflectStruct describes t when it is a struct type or a pointer to one.
func reflectStruct(t reflect.Type) (*structT, bool) {
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	return &structT{rt: t}, ptr
}

// typeStruct describes type expression t when it certainly denotes a struct type the cell
// declares (ptr unset), or a pointer to one (ptr set).
func (w *rewriter) typeStruct(t ast.Expr, sc *scope) (st *structT, ptr bool) {
	switch t := ast.Unparen(t).(type) {
	case *ast.StarExpr:
		if st, ptr := w.typeStruct(t.X, sc); st != nil && !ptr {
			return st, true
		}
	case *ast.Ident:
		if o, found := w.lookupAt(t, sc); found {
			if o != nil && o.kind == objType {
				return o.strct, false
			}
			return nil, false
		}
		if d := w.typeDef(t.Name); d != nil && d.Kind() == reflect.Struct {
			return &structT{rt: d}, false
		}
	case *ast.StructType:
		st := &structT{fields: map[string]*field{}}
		for _, f := range t.Fields.List {
			d := &field{seq: w.typeSeq(f.Type, sc)}
			d.strct, d.ptr = w.typeStruct(f.Type, sc)
			for _, n := range f.Names {
				if n.Name != "_" {
					st.fields[n.Name] = d
				}
			}
			if len(f.Names) == 0 {
				// An embedded T, *T or pkg.T, named T. Unless T is a struct the rewriter
				// knows or certainly a sequence, what it promotes is unknown.
				name := embeddedName(f.Type)
				if name == "" {
					return nil, false
				}
				d.opaque = d.strct == nil && d.seq == nil
				st.fields[name] = d
				st.embeds = append(st.embeds, d)
			}
		}
		return st, false
	}
	return nil, false
}

// exprStruct describes the type of expression e when it is certainly a known struct type
// (ptr unset) or a pointer to one (ptr set): a variable of such a type, a field of one,
// a composite literal, its address or new(T).
func (w *rewriter) exprStruct(e ast.Expr, sc *scope) (st *structT, ptr bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if o, found := w.lookupAt(e, sc); found {
			if o != nil && o.kind == objVar {
				return o.strct, o.strctPtr
			}
			return nil, false
		}
		if w.env.Type != nil {
			if t := w.env.Type(e.Name); t != nil {
				return reflectStruct(t)
			}
		}
	case *ast.SelectorExpr:
		if f, _ := w.fieldOf(e, sc); f != nil {
			return f.strct, f.ptr
		}
	case *ast.CompositeLit:
		if st, ptr := w.typeStruct(e.Type, sc); !ptr {
			return st, false
		}
	case *ast.UnaryExpr:
		if lit, ok := ast.Unparen(e.X).(*ast.CompositeLit); ok && e.Op == token.AND {
			if st, _ := w.exprStruct(lit, sc); st != nil {
				return st, true
			}
		}
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		if !ok {
			return nil, false
		}
		if id.Name == "new" && len(e.Args) == 1 && w.universal("new", sc) {
			if st, ptr := w.typeStruct(e.Args[0], sc); st != nil && !ptr {
				return st, true
			}
			return nil, false
		}
		if o, found := w.lookupAt(id, sc); found {
			if o != nil && o.kind == objFunc && o.results == 1 {
				return o.strct, o.strctPtr
			}
			return nil, false
		}
		if t := w.sessionFunc(id.Name); t != nil {
			return reflectStruct(t.Out(0))
		}
	}
	return nil, false
}

// fieldOf describes the field that selector e reads when e is a chain of field selectors
// on a variable, each of a known struct type or a pointer to one (s.items, p.a.b). deref
// reports whether reading it dereferences a pointer, which panics when it is nil.
func (w *rewriter) fieldOf(e *ast.SelectorExpr, sc *scope) (f *field, deref bool) {
	var st *structT
	var ptr bool
	switch x := ast.Unparen(e.X).(type) {
	case *ast.Ident:
		st, ptr = w.exprStruct(x, sc)
	case *ast.SelectorExpr:
		var xf *field
		xf, deref = w.fieldOf(x, sc)
		if xf != nil {
			st, ptr = xf.strct, xf.ptr
		}
	}
	if st == nil {
		return nil, false
	}
	f, promoted := st.field(e.Sel.Name)
	if f == nil {
		return nil, false
	}
	return f, deref || ptr || promoted
}

// embeddedName returns the name of an embedded field of type t (T, *T, pkg.T or
// *pkg.T), or "" for a type the rewriter does not expect there.
func embeddedName(t ast.Expr) string {
	switch t := ast.Unparen(t).(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}

// packageMember returns the type of pkg.Name, a variable, constant or function of a
// package, as [Env.Symbol] reports it, or nil.
func (w *rewriter) packageMember(e *ast.SelectorExpr, sc *scope) reflect.Type {
	return w.packageLookup(e, sc, w.env.Symbol)
}

// packageLookup returns what lookup, one of the Env's functions of a package's import
// path and a member's name, reports about pkg.Name when pkg stands for a package in sc;
// nil otherwise.
func (w *rewriter) packageLookup(e *ast.SelectorExpr, sc *scope, lookup func(pkgPath, name string) reflect.Type) reflect.Type {
	x, ok := e.X.(*ast.Ident)
	if !ok || lookup == nil {
		return nil
	}
	p := w.packageOf(x.Name, sc)
	if p == "" {
		return nil
	}
	return lookup(p, e.Sel.Name)
}
