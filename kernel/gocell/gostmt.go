package gocell

import (
	"go/ast"
	"go/token"
	"strings"
)

// goBuiltin reports whether name is a builtin that a go statement may call.
func goBuiltin(name string) bool {
	switch name {
	case "close", "copy", "delete", "panic", "print", "println", "recover":
		return true
	}
	return false
}

// goStmt rewrites go f(a, b) into
//
//	SpawnName(func() func() { F, A, B := f, a, b; return func() { F(A, B) } }())
//
// so that f and its arguments are evaluated at the go statement, as in Go, and the
// goroutine starts in compiled code that can recover its panics. Constant arguments
// (literals, nil, the cell's constants) are not captured: they keep their untyped
// constant meaning in the call. Builtins are called by name.
func (w *rewriter) goStmt(n *ast.GoStmt, sc *scope) {
	w.hookCall(n.Go, n.Call, SpawnName, sc)
}

// topDefer rewrites a defer statement at the top level of a cell into a call of
// [DeferName] in the same way as goStmt: the call is evaluated at the defer statement and
// runs when the cell ends, as a deferred call of main runs when main returns. (Left to the
// interpreter, a top-level defer would run again at the end of every later cell.)
func (w *rewriter) topDefer(n *ast.DeferStmt, sc *scope) {
	w.hookCall(n.Defer, n.Call, DeferName, sc)
}

// hookCall rewrites "keyword f(a, b)" at kw into a call of hook with a closure that calls
// f with f and the arguments evaluated now.
func (w *rewriter) hookCall(kw token.Pos, c *ast.CallExpr, hook string, sc *scope) {
	builtin := w.builtinCalled(c, sc)
	if !goBuiltin(builtin) {
		builtin = ""
	}
	w.depth++
	defer func() { w.depth-- }()
	if builtin == "" {
		w.call(c, sc, false)
	} else {
		for _, a := range c.Args {
			w.node(a, sc)
		}
	}

	var names, inner []string
	var captured []ast.Expr
	fun := builtin
	if fun == "" {
		fun = w.gen("f")
		names = append(names, fun)
	}
	for _, a := range c.Args {
		if w.constant(a, sc) && w.oneLine(a) {
			inner = append(inner, w.src(a))
			continue
		}
		v := w.gen("a")
		names, inner, captured = append(names, v), append(inner, v), append(captured, a)
	}
	spread := ""
	if c.Ellipsis.IsValid() {
		spread = "..."
	}
	tail := "return func() { " + fun + "(" + strings.Join(inner, ", ") + spread + ") } }())"
	head := hook + "(func() func() { "
	if len(names) > 0 {
		head += strings.Join(names, ", ") + " := "
	}
	switch {
	case builtin != "" && len(captured) == 0:
		w.replace(kw, c.Rparen+1, head+tail)
	case builtin != "":
		w.replace(kw, captured[0].Pos(), head)
	default:
		w.replace(kw, c.Fun.Pos(), head)
		if len(captured) == 0 {
			w.replace(c.Fun.End(), c.Rparen+1, "; "+tail)
			return
		}
		w.replace(c.Fun.End(), captured[0].Pos(), ", ")
	}
	if len(captured) == 0 {
		return
	}
	for i := 1; i < len(captured); i++ {
		w.replace(captured[i-1].End(), captured[i].Pos(), ", ")
	}
	w.replace(captured[len(captured)-1].End(), c.Rparen+1, "; "+tail)
}

// constant reports whether e is certainly a constant: literals, true, false, nil, iota,
// the cell's constants and operators on them.
func (w *rewriter) constant(e ast.Expr, sc *scope) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		if o := sc.lookup(e.Name); o != nil {
			return o.kind == objConst
		}
		switch e.Name {
		case "true", "false", "nil", "iota":
			return !w.declared(e.Name)
		}
	case *ast.UnaryExpr:
		return e.Op != token.ARROW && e.Op != token.AND && w.constant(e.X, sc)
	case *ast.BinaryExpr:
		return w.constant(e.X, sc) && w.constant(e.Y, sc)
	}
	return false
}
