package gocell

import (
	"go/ast"
	"go/token"
	"strings"
)

// commClause walks a select case. A case v = <-ch receives into a fresh variable that
// the case body assigns: yaegi panics on the assignment form. Branch statements that
// leave the select are put in a block.
func (w *rewriter) commClause(c *ast.CommClause, sc *scope) {
	cs := newScope(sc)
	if as, ok := c.Comm.(*ast.AssignStmt); ok {
		for _, r := range as.Rhs {
			w.node(r, cs)
		}
		if as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					cs.declare(id.Name, &object{kind: objVar})
				}
			}
		} else {
			for _, l := range as.Lhs {
				w.node(l, cs)
			}
			w.selectAssign(c, as)
		}
	} else {
		w.node(c.Comm, cs)
	}
	for _, s := range c.Body {
		// yaegi runs continue, continue L and break L written directly in a case as a
		// break out of the select; inside a block they work.
		if b, ok := s.(*ast.BranchStmt); ok && (b.Tok == token.CONTINUE || b.Tok == token.BREAK && b.Label != nil) {
			w.insert(b.Pos(), "{ ")
			w.insertClosing(b.End(), " }")
		}
	}
	w.list(c.Body, cs)
}

// selectAssign rewrites case v, ok = <-ch into case R1, R2 := <-ch: v, ok = R1, R2.
func (w *rewriter) selectAssign(c *ast.CommClause, as *ast.AssignStmt) {
	defs, assign, ok := w.freshTargets(as.Lhs)
	if !ok {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	if assign == "" {
		w.replace(as.Pos(), as.Rhs[0].Pos(), "")
		return
	}
	w.replace(as.Pos(), as.Rhs[0].Pos(), defs+" := ")
	w.insert(c.Colon+1, assign)
}

// isReceive reports whether e is a receive expression written without parentheses.
func isReceive(e ast.Expr) bool {
	u, ok := e.(*ast.UnaryExpr)
	return ok && u.Op == token.ARROW
}

// assign walks an assignment. Receives assigned with = are parenthesized, v, _ = <-ch
// becomes v = (<-ch), and comma-ok definitions at the top level are rewritten.
func (w *rewriter) assign(n *ast.AssignStmt, sc *scope) {
	for _, r := range n.Rhs {
		w.node(r, sc)
	}
	if n.Tok == token.DEFINE {
		if sc == w.cell {
			w.topGeneric(identsOf(n.Lhs), n.Rhs, sc)
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				w.topCommaOkDefine(n)
			}
		}
		for i, l := range n.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok {
				continue
			}
			o := &object{kind: objVar}
			if len(n.Lhs) == len(n.Rhs) {
				o = w.valueObject(objVar, nil, n.Rhs[i], sc)
			}
			if sc == w.cell {
				o.at = w.off(id.Pos()) + 1
			}
			sc.declare(id.Name, o)
		}
		return
	}
	for _, l := range n.Lhs {
		w.node(l, sc)
	}
	if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
		if !isReceive(n.Rhs[0]) || n.Tok != token.ASSIGN {
			return
		}
		switch {
		case isBlank(n.Lhs[1]):
			w.replace(n.Lhs[0].End(), n.TokPos, " ")
			w.parenthesize(n.Rhs[0])
		case isBlank(n.Lhs[0]) && w.listed == ast.Stmt(n) && w.oneLine(n.Lhs[1]):
			// yaegi panics on _, ok = <-ch; receive into fresh variables instead.
			v, ok := w.gen("v"), w.gen("ok")
			w.replace(n.Lhs[0].Pos(), n.Rhs[0].Pos(), "func() { "+v+", "+ok+" := ")
			w.insertClosing(n.Rhs[0].End(), "; _ = "+v+"; "+w.src(n.Lhs[1])+" = "+ok+" }()")
		}
		return
	}
	for _, r := range n.Rhs {
		if isReceive(r) && !w.hoistedRecv[r] {
			w.parenthesize(r)
		}
	}
}

// topGeneric rejects top-level definitions from calls of generic functions: yaegi
// crashes on x := f(v) at the top level and stores a zero value for var x T = f(v) (which
// the kernel runs as var x T; x = f(v) instead, see topTypedSplit). names are the names
// defined.
//
// A call of package slices or maps whose results define several names works, and is left
// alone (i, found := slices.BinarySearch(xs, v)).
func (w *rewriter) topGeneric(names []*ast.Ident, values []ast.Expr, sc *scope) {
	for i, v := range values {
		if name, ok := w.genericCall(v, sc); ok {
			if strings.Contains(name, ".") && len(names) > len(values) {
				continue
			}
			x := "x"
			if i < len(names) && len(names) == len(values) {
				x = names[i].Name
			}
			w.unsupported(w.off(v.Pos()), "defining a variable at the top level of a cell from a call of the generic function %s is not supported by the interpreter; "+
				"give the variable its type (var %s T = %s(...)), or do the work inside a function", name, x, name)
		}
	}
}

// topCommaOkDefine rewrites v, ok := m[k] and v, ok := x.(T) at the top level of a cell,
// where yaegi crashes on them, into a definition followed by an assignment.
func (w *rewriter) topCommaOkDefine(n *ast.AssignStmt) {
	lhs := w.t.src[w.off(n.Lhs[0].Pos()):w.off(n.Lhs[1].End())]
	w.commaOk(lhs, n.Rhs[0], " := ")
}

// topCommaOk rewrites var v, ok = m[k] and var v, ok = x.(T) at the top level.
func (w *rewriter) topCommaOk(s *ast.ValueSpec) {
	if len(s.Names) != 2 || len(s.Values) != 1 || s.Type != nil {
		return
	}
	w.commaOk(s.Names[0].Name+", "+s.Names[1].Name, s.Values[0], " = ")
}

// commaOk emits the rewrite of lhs <op> rhs for a comma-ok rhs at the top level.
func (w *rewriter) commaOk(lhs string, rhs ast.Expr, op string) {
	if strings.Contains(lhs, "\n") {
		return
	}
	switch r := rhs.(type) {
	case *ast.IndexExpr:
		if !pure(r) || !w.oneLine(r) {
			w.unsupported(w.off(r.Pos()), "v, ok := m[k] at the top level of a cell needs a simple map and key here; compute them into variables first, or move the code into a function")
			return
		}
		w.insert(r.End(), ", false; "+lhs+" = "+w.src(r))
	case *ast.TypeAssertExpr:
		if r.Type == nil || !w.oneLine(r.Type) {
			return
		}
		w.insert(r.Pos(), "*new("+w.src(r.Type)+"), false; "+lhs+" = ")
	case *ast.UnaryExpr:
		if r.Op == token.ARROW {
			w.unsupported(w.off(r.Pos()), "v, ok%s<-ch at the top level of a cell crashes the interpreter; declare the variables first (var ok bool) and assign with =, or move the code into a function", op)
		}
	}
}

// returnStmt parenthesizes receives returned directly: yaegi panics on return <-ch.
func (w *rewriter) returnStmt(n *ast.ReturnStmt, sc *scope) {
	if w.funcDepth == 0 {
		w.unsupported(w.off(n.Pos()), "return is not allowed at the top level of a cell")
	}
	for _, r := range n.Results {
		if isReceive(r) {
			w.parenthesize(r)
		}
		w.node(r, sc)
	}
}

// identsOf returns the identifiers among exprs.
func identsOf(exprs []ast.Expr) []*ast.Ident {
	var ids []*ast.Ident
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok {
			ids = append(ids, id)
		}
	}
	return ids
}
