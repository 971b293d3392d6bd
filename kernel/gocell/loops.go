package gocell

import (
	"go/ast"
	"go/token"
	"strings"
)

// hasClosure reports whether a loop body creates closures or goroutines.
func hasClosure(b *ast.BlockStmt) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// assignsAny reports whether a loop body may change one of the named variables:
// assignments, ++ and --, and taking an address, of the variable or of a field or an
// element of it. Shadowing is ignored (a safe answer).
func assignsAny(b *ast.BlockStmt, names []string) bool {
	is := func(e ast.Expr) bool {
		for {
			switch x := ast.Unparen(e).(type) {
			case *ast.SelectorExpr:
				e = x.X
				continue
			case *ast.IndexExpr:
				e = x.X
				continue
			}
			break
		}
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return false
		}
		for _, n := range names {
			if id.Name == n {
				return true
			}
		}
		return false
	}
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					found = found || is(l)
				}
			}
		case *ast.IncDecStmt:
			found = found || is(n.X)
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && is(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				found = found || n.Key != nil && is(n.Key) || n.Value != nil && is(n.Value)
			}
		}
		return !found
	})
	return found
}

// identNames returns the names of the identifiers among es, without blanks.
func identNames(es ...ast.Expr) []string {
	var out []string
	for _, e := range es {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			out = append(out, id.Name)
		}
	}
	return out
}

// copiesAllowed reports whether per-iteration copies may be declared here: at the top
// level yaegi hangs on i := i unless the statement runs inside a function literal.
func (w *rewriter) copiesAllowed() bool { return w.funcDepth > 0 || w.wrapped }

// copyVars inserts names := names at the start of a loop body.
func (w *rewriter) copyVars(b *ast.BlockStmt, names []string) {
	list := strings.Join(names, ", ")
	w.depth++
	w.insert(b.Lbrace+1, " "+list+" := "+list+";")
	w.depth--
}

// forStmt walks a three-clause loop, giving it per-iteration variables when its body
// makes closures.
func (w *rewriter) forStmt(n *ast.ForStmt, sc *scope) {
	fs := newScope(sc)
	w.node(n.Init, fs)
	w.countingLoop(n, fs)
	w.node(n.Cond, fs)
	w.node(n.Post, fs)
	if as, ok := n.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE && hasClosure(n.Body) && w.copiesAllowed() {
		if names := identNames(as.Lhs...); len(names) > 0 && !assignsAny(n.Body, names) {
			w.copyVars(n.Body, names)
		}
	}
	w.node(n.Body, fs)
}

// rangeStmt walks a range loop: range over an integer becomes a counting loop, range
// over a function is rejected, the assignment form ranges into fresh variables, and
// loops making closures get per-iteration variables.
func (w *rewriter) rangeStmt(n *ast.RangeStmt, sc *scope) {
	w.node(n.X, sc)
	if n.Tok == token.ASSIGN {
		w.node(n.Key, sc)
		w.node(n.Value, sc)
	}
	rs := newScope(sc)
	integer := n.X != nil && w.isInteger(n.X, sc, true)
	var xs *seq
	if n.X != nil {
		xs = w.exprSeq(n.X, sc)
	}
	if n.Tok == token.DEFINE {
		if id, ok := n.Key.(*ast.Ident); ok {
			o := &object{kind: objVar, integer: integer || xs.sequence()}
			if xs.sequence() {
				o.inRange = w.loopRange(n.X, id, n.Body, sc)
				o.rangeCalls = w.makesCalls(n.Body, sc)
			}
			rs.declare(id.Name, o)
		}
		if id, ok := n.Value.(*ast.Ident); ok {
			o := &object{kind: objVar}
			if xs != nil {
				o.integer = xs.kind == seqString // a rune
				if xs.kind != seqString {
					o.seq = xs.elem
				}
			}
			rs.declare(id.Name, o)
		}
	}
	switch {
	case n.X == nil:
	case w.rangeIterator(n, sc):
	case w.isFunction(n.X, sc, true):
		w.unsupported(w.off(n.X.Pos()), "range over a function (an iterator) is not supported by the interpreter; call the function with a yield callback instead")
	case integer:
		w.rangeInteger(n)
	case n.Tok == token.ASSIGN:
		w.rangeAssign(n)
	case n.Tok == token.DEFINE && hasClosure(n.Body) && w.copiesAllowed():
		if names := identNames(n.Key, n.Value); len(names) > 0 {
			w.copyVars(n.Body, names)
		}
	}
	w.node(n.Body, rs)
}

// rangeInteger rewrites for k := range n over an integer n into
// { N := n; for I := N - N; I < N; I++ { k := I; ... } }. The counter is separate, so
// the body may change k without changing the iteration, and closures see a variable of
// their own iteration.
func (w *rewriter) rangeInteger(n *ast.RangeStmt) {
	count, limit := w.gen("i"), w.gen("n")
	bodyStart := ""
	if n.Key != nil && !isBlank(n.Key) {
		switch {
		case n.Tok == token.DEFINE:
			bodyStart = " " + w.src(n.Key) + " := " + count + ";"
		case w.oneLine(n.Key):
			bodyStart = " " + w.src(n.Key) + " = " + count + ";"
		default:
			w.unsupported(w.off(n.Key.Pos()), "range over an integer into a variable written over several lines is not supported here")
			return
		}
	}
	loop := "for " + count + " := " + limit + " - " + limit + "; " + count + " < " + limit + "; " + count + "++"
	w.depth++
	defer func() { w.depth-- }()
	if w.labeled(n) {
		if strings.Contains(w.t.src[w.off(n.For):w.off(n.Body.Lbrace)], "\n") {
			w.unsupported(w.off(n.For), "range over an integer in a labelled loop whose header spans lines is not supported here; write the header on one line")
			return
		}
		if !w.oneLine(n.X) || !pure(n.X) {
			w.unsupported(w.off(n.X.Pos()), "range over an integer in a labelled loop needs a simple bound here; assign the bound to a variable first")
			return
		}
		x := "(" + w.src(n.X) + ")"
		w.replace(n.For, n.Body.Lbrace, "for "+count+", "+limit+" := "+x+" - "+x+", "+x+"; "+count+" < "+limit+"; "+count+"++ ")
	} else {
		w.replace(n.For, n.X.Pos(), "{ "+limit+" := ")
		w.insert(n.X.End(), "; "+loop)
		w.insertClosing(n.End(), " }")
	}
	if bodyStart != "" {
		w.depth++
		w.insert(n.Body.Lbrace+1, bodyStart)
		w.depth--
	}
}

// labeled reports whether statement s carries a label.
func (w *rewriter) labeled(s ast.Stmt) bool {
	found := false
	root := ast.Node(w.u.stmt)
	if root == nil {
		root = w.u.decl
	}
	ast.Inspect(root, func(n ast.Node) bool {
		if l, ok := n.(*ast.LabeledStmt); ok && l.Stmt == s {
			found = true
		}
		return !found
	})
	return found
}

// rangeAssign rewrites for k, v = range x into for K, V := range x { k, v = K, V; ... }:
// yaegi leaves k and v unchanged after such a loop.
func (w *rewriter) rangeAssign(n *ast.RangeStmt) {
	targets := []ast.Expr{n.Key}
	if n.Value != nil {
		targets = append(targets, n.Value)
	}
	defs, assign, ok := w.freshTargets(targets)
	if !ok || assign == "" {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	w.replace(n.Key.Pos(), n.TokPos+1, defs+" :=")
	w.depth++
	w.insert(n.Body.Lbrace+1, assign)
	w.depth--
}

// freshTargets prepares the receive into fresh variables that replaces an assignment to
// targets: defs lists the fresh variables to define in their place ("_" for a blank
// target), and assign is the statement that copies them to the targets, " t1, t2 = R1, R2;",
// or "" when every target is blank. ok is false when a target spans lines and cannot be
// copied.
func (w *rewriter) freshTargets(targets []ast.Expr) (defs, assign string, ok bool) {
	var lhs, fresh, names []string
	for _, e := range targets {
		if isBlank(e) {
			names = append(names, "_")
			continue
		}
		if !w.oneLine(e) {
			return "", "", false
		}
		v := w.gen("r")
		lhs, fresh, names = append(lhs, w.src(e)), append(fresh, v), append(names, v)
	}
	if len(lhs) > 0 {
		assign = " " + strings.Join(lhs, ", ") + " = " + strings.Join(fresh, ", ") + ";"
	}
	return strings.Join(names, ", "), assign, true
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// pure reports whether evaluating e twice is the same as evaluating it once: names,
// literals, selectors, indexing and operators, without calls or receives.
func pure(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr, *ast.FuncLit, *ast.CompositeLit:
			ok = false
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		}
		return ok
	})
	return ok
}

// loopRange returns the text of sequence x when index i, declared by a loop over x with
// the given body, certainly stays a valid index of x in the body: x is written on one line
// without calls or dereferences of pointer fields, and the body assigns neither i nor a
// name x mentions (nor a field or an element of one). It returns "" otherwise.
func (w *rewriter) loopRange(x ast.Expr, i *ast.Ident, body *ast.BlockStmt, sc *scope) string {
	if !pure(x) || !w.oneLine(x) {
		return ""
	}
	deref := false
	ast.Inspect(x, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			f, d := w.fieldOf(sel, sc)
			deref = deref || f != nil && d
		}
		return !deref
	})
	if deref {
		// The body may change the field through another pointer to the same struct.
		return ""
	}
	names := []string{i.Name}
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
		return true
	})
	if assignsAny(body, names) {
		return ""
	}
	return w.src(x)
}

// countingLoop marks the variable of for i := 0; i < len(x); i++ and of
// for i := len(x) - 1; i >= 0; i-- as a valid index of x in the body (see loopRange), so
// that x[i] there is not guarded.
func (w *rewriter) countingLoop(n *ast.ForStmt, fs *scope) {
	init, ok := n.Init.(*ast.AssignStmt)
	if !ok || init.Tok != token.DEFINE || len(init.Lhs) != 1 || len(init.Rhs) != 1 {
		return
	}
	id, ok := init.Lhs[0].(*ast.Ident)
	cond, ok2 := ast.Unparen(n.Cond).(*ast.BinaryExpr)
	post, ok3 := n.Post.(*ast.IncDecStmt)
	if !ok || !ok2 || !ok3 || !isName(cond.X, id.Name) || !isName(post.X, id.Name) {
		return
	}
	o := fs.lookup(id.Name)
	if o == nil {
		return
	}
	var x ast.Expr
	switch {
	case cond.Op == token.LSS && post.Tok == token.INC && isZero(init.Rhs[0]):
		x = w.lenArg(cond.Y, fs)
	case cond.Op == token.GEQ && post.Tok == token.DEC && isZero(cond.Y):
		if b, ok := ast.Unparen(init.Rhs[0]).(*ast.BinaryExpr); ok && b.Op == token.SUB && isOne(b.Y) {
			x = w.lenArg(b.X, fs)
		}
	}
	if x != nil {
		o.inRange = w.loopRange(x, id, n.Body, fs)
		o.rangeCalls = w.makesCalls(n.Body, fs)
	}
}

// makesCalls reports whether a loop body, in scope sc, calls anything but len, cap and
// conversions to predeclared types, or starts goroutines.
func (w *rewriter) makesCalls(b *ast.BlockStmt, sc *scope) bool {
	g := &guardScan{w: w, sc: sc}
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			found = found || !g.harmlessCall(n)
		case *ast.GoStmt, *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// lenArg returns x when e is len(x) with the builtin len.
func (w *rewriter) lenArg(e ast.Expr, sc *scope) ast.Expr {
	c, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(c.Args) != 1 || !isName(c.Fun, "len") || !w.universal("len", sc) {
		return nil
	}
	return c.Args[0]
}

func isName(e ast.Expr, name string) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == name
}

func isZero(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && lit.Kind == token.INT && lit.Value == "0"
}

func isOne(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && lit.Kind == token.INT && lit.Value == "1"
}

// rangeIterator rewrites a range over an iterator of package maps or slices into the range
// over the map or slice it iterates, which the interpreter runs (it has no range over
// functions): for k := range maps.Keys(m) becomes for k := range (m), for v := range
// maps.Values(m) becomes for _, v := range (m), and maps.All and slices.All range as their
// argument does, slices.Values as its elements. The iterators range over their argument in
// the same way, so the loop sees the same keys and values in the same order. It reports
// whether n ranges over such an iterator; slices.Backward is rejected.
func (w *rewriter) rangeIterator(n *ast.RangeStmt, sc *scope) bool {
	c, ok := ast.Unparen(n.X).(*ast.CallExpr)
	if !ok || len(c.Args) != 1 || c.Ellipsis.IsValid() {
		return false
	}
	name, _ := w.sourcePackageFunc(c.Fun, sc)
	switch name {
	case "maps.Keys", "maps.Values", "slices.Values":
		if n.Value != nil {
			w.invalid(w.off(n.Value.Pos()), "range over %s(...) permits only one iteration variable", name)
			return true
		}
		if name != "maps.Keys" && n.Key != nil && !isBlank(n.Key) {
			w.insert(n.Key.Pos(), "_, ")
		}
	case "maps.All", "slices.All":
	case "slices.Backward":
		w.unsupported(w.off(n.X.Pos()), "range over slices.Backward is not supported by the interpreter; count down instead: for i := len(s) - 1; i >= 0; i--")
		return true
	default:
		return false
	}
	w.replace(c.Fun.Pos(), c.Fun.End(), "")
	return true
}
