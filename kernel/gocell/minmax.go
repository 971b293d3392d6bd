package gocell

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"math"
	"reflect"
	"slices"
	"strings"
)

// MinPick reports, for the evaluator's replacement of the builtin min (see [MinName]),
// whether y is to be taken instead of x: when y orders before x, or by Go's rules for
// floating-point values, when y is a NaN and x is not, or when both are zeros and only y
// is negative.
func MinPick(x, y any) bool { return pick(x, y, -1) }

// MaxPick is [MinPick] for the builtin max: y is taken when it orders after x, when y is
// a NaN and x is not, or when both are zeros and only x is negative.
func MaxPick(x, y any) bool { return pick(x, y, +1) }

// pick reports whether y compares to x as want says (-1: before, +1: after), with NaNs
// and zeros handled as the builtins min and max handle them.
func pick(x, y any, want int) bool {
	vx, vy := reflect.ValueOf(x), reflect.ValueOf(y)
	if vx.Kind() != vy.Kind() {
		panic(fmt.Sprintf("invalid argument: mismatched types %T and %T", x, y))
	}
	switch vx.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(vy.Int(), vx.Int()) == want
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(vy.Uint(), vx.Uint()) == want
	case reflect.String:
		return cmp.Compare(vy.String(), vx.String()) == want
	case reflect.Float32, reflect.Float64:
		fx, fy := vx.Float(), vy.Float()
		switch {
		case math.IsNaN(fx):
			return false
		case math.IsNaN(fy):
			return true
		case fx == 0 && fy == 0:
			nx, ny := math.Signbit(fx), math.Signbit(fy)
			if want < 0 {
				return ny && !nx
			}
			return nx && !ny
		}
		return cmp.Compare(fy, fx) == want
	}
	panic(fmt.Sprintf("invalid argument: %T cannot be ordered (min and max take integers, floating-point numbers and strings)", x))
}

// minMaxPrelude declares the generic functions that calls of min and max become. The
// interpreter infers their type argument from the first argument, so a rewritten call
// puts an argument that is not a literal first.
const minMaxPrelude = "func " + MinName + "[T any](x, y T) T {\n\tif " + MinPickName + "(x, y) {\n\t\treturn y\n\t}\n\treturn x\n}\n" +
	"func " + MaxName + "[T any](x, y T) T {\n\tif " + MaxPickName + "(x, y) {\n\t\treturn y\n\t}\n\treturn x\n}\n"

// MinMaxPrelude returns the declarations of [MinName] and [MaxName], which the evaluator
// runs once, before any cell, after binding [MinPick] to [MinPickName] and [MaxPick] to
// [MaxPickName].
func MinMaxPrelude() string { return minMaxPrelude }

// literal reports whether e is a constant written out: a number, rune or string literal,
// possibly signed and parenthesized. It returns the constant.
func literal(e ast.Expr) (constant.Value, bool) {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		v := constant.MakeFromLiteral(e.Value, e.Kind, 0)
		return v, v.Kind() != constant.Unknown
	case *ast.UnaryExpr:
		if e.Op != token.ADD && e.Op != token.SUB {
			return nil, false
		}
		v, ok := literal(e.X)
		if !ok || v.Kind() == constant.String {
			return nil, false
		}
		return constant.UnaryOp(e.Op, v, 0), true
	}
	return nil, false
}

// foldMinMax computes min or max (want -1 or +1) of constants written out, as the
// builtin does for untyped constants, and returns the result as Go source of the same
// kind. ok is false unless every argument is such a constant, all numbers (not complex) or
// all strings.
func foldMinMax(args []ast.Expr, want int, src func(ast.Node) string) (string, bool) {
	var best constant.Value
	bestArg := -1
	kind := constant.Unknown // the largest kind among the arguments: int < float < complex
	for i, a := range args {
		v, ok := literal(a)
		if !ok || v.Kind() == constant.Complex {
			return "", false
		}
		if best != nil && (v.Kind() == constant.String) != (best.Kind() == constant.String) {
			return "", false
		}
		if v.Kind() > kind {
			kind = v.Kind()
		}
		op := token.LSS
		if want > 0 {
			op = token.GTR
		}
		if best == nil || constant.Compare(v, op, best) {
			best, bestArg = v, i
		}
	}
	text := strings.TrimSpace(src(ast.Unparen(args[bestArg])))
	switch {
	case kind == constant.Float && best.Kind() == constant.Int:
		// min(1, 2.5) is the untyped floating-point constant 1.
		text = best.ExactString() + ".0"
	case kind == constant.Int && hasRune(args) && !isRune(args[bestArg]):
		// min('a', 1) is the untyped rune constant 1.
		text = "rune(" + best.ExactString() + ")"
	}
	return "(" + text + ")", true
}

// literalKinds returns the kinds of constants args are, "untyped string" and "untyped
// number", in the order they first occur, when every argument is a literal.
func literalKinds(args []ast.Expr) []string {
	var kinds []string
	for _, a := range args {
		v, ok := literal(a)
		if !ok {
			return nil
		}
		k := "untyped number"
		if v.Kind() == constant.String {
			k = "untyped string"
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// isRune reports whether literal e is a rune literal, possibly signed.
func isRune(e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok {
		return isRune(u.X)
	}
	b, ok := e.(*ast.BasicLit)
	return ok && b.Kind == token.CHAR
}

// hasRune reports whether one of args is a rune literal.
func hasRune(args []ast.Expr) bool {
	for _, a := range args {
		if isRune(a) {
			return true
		}
	}
	return false
}

// minMax rewrites a call of the builtin min or max (name), which the interpreter lacks.
// A call of constants written out becomes its result, an untyped constant as in Go. Any
// other call becomes nested calls of [MinName] or [MaxName], one per argument after the
// first: min(a, b, c) is MinName(MinName(a, b), c). Those infer their type from their
// first argument, so literal arguments in front of the first that is not a literal move
// behind it (constants have no side effects, and min and max do not depend on the order
// of their arguments). The arguments are walked for their own rewrites.
func (w *rewriter) minMax(c *ast.CallExpr, sc *scope, name string) {
	want, helper := -1, MinName
	if name == "max" {
		want, helper = +1, MaxName
	}
	if c.Ellipsis.IsValid() {
		w.invalid(w.off(c.Ellipsis), "invalid operation: invalid use of ... with built-in %s", name)
		return
	}
	if len(c.Args) == 0 {
		w.invalid(w.off(c.Rparen), "not enough arguments for %s() (expected 1, found 0)", name)
		return
	}
	if folded, ok := foldMinMax(c.Args, want, func(n ast.Node) string { return w.src(n) }); ok {
		w.replace(c.Pos(), c.End(), folded)
		return
	}
	if kinds := literalKinds(c.Args); len(kinds) > 1 {
		w.invalid(w.off(c.Args[0].Pos()), "invalid argument: mismatched types %s (previous argument) and %s in %s", kinds[0], kinds[1], name)
		return
	}
	for _, a := range c.Args {
		w.node(a, sc)
	}
	n := len(c.Args)
	if n == 1 {
		w.replace(c.Fun.Pos(), c.Fun.End(), "")
		return
	}
	first := 0
	for first < n-1 {
		if _, lit := literal(c.Args[first]); !lit {
			break
		}
		first++
	}
	// The arguments in the order of the nested calls: the first that is not a literal,
	// then the literals in front of it, then the rest where they stand.
	var moved strings.Builder
	for i := range first {
		moved.WriteString(", " + strings.TrimSpace(w.src(c.Args[i])))
		if i < n-2 {
			moved.WriteString(")")
		}
	}
	opens := strings.Repeat(helper+"(", n-1)
	if v := w.minMaxDefine; v != nil && v.call == c {
		// x := min(a, b) at the top of a cell: the interpreter cannot type a variable
		// defined from a call of a generic function, so the variable takes the first
		// argument and then the result: x := a; x = MinName(x, b).
		w.replace(c.Pos(), c.Args[first].Pos(), "")
		w.insertClosing(c.Args[first].End(), "; "+v.name+" = "+opens+v.name+moved.String())
	} else {
		w.replace(c.Pos(), c.Args[first].Pos(), opens)
		w.insertClosing(c.Args[first].End(), moved.String())
	}
	for i := first + 1; i < n-1; i++ {
		w.insertClosing(c.Args[i].End(), ")")
	}
}

// minMaxCall returns the call of the builtin min or max that e is, possibly in
// parentheses, and reports whether it is one that is not folded into a constant.
func (w *rewriter) minMaxCall(e ast.Expr, sc *scope) (*ast.CallExpr, bool) {
	c, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	switch w.builtinCalled(c, sc) {
	case "min", "max":
		_, folded := foldMinMax(c.Args, -1, func(n ast.Node) string { return w.src(n) })
		return c, !folded && len(c.Args) > 1 && !c.Ellipsis.IsValid()
	}
	return nil, false
}

// typedByMinMax reports whether the type of e, defined at the top of a cell, comes from a
// call of min or max that the interpreter must make through a generic function: the call
// is an operand of e's arithmetic, not an argument, an element or an index.
func (w *rewriter) typedByMinMax(e ast.Expr, sc *scope) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		_, ok := w.minMaxCall(e, sc)
		return ok
	case *ast.UnaryExpr:
		return e.Op != token.AND && e.Op != token.ARROW && w.typedByMinMax(e.X, sc)
	case *ast.BinaryExpr:
		switch e.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return false
		case token.SHL, token.SHR:
			return w.typedByMinMax(e.X, sc)
		}
		return w.typedByMinMax(e.X, sc) || w.typedByMinMax(e.Y, sc)
	}
	return false
}

// topMinMax prepares a top-level definition of names from values for the rewriting of min
// and max: a single name defined from a call becomes two statements (see minMax) when the
// definition runs as a statement (splittable); other definitions whose type comes from
// such a call are rejected.
func (w *rewriter) topMinMax(names []*ast.Ident, values []ast.Expr, splittable bool) {
	for i, v := range values {
		if !w.typedByMinMax(v, w.cell) {
			continue
		}
		if c, ok := w.minMaxCall(v, w.cell); ok && splittable && len(names) == 1 && len(values) == 1 && v == ast.Expr(c) {
			w.minMaxDefine = &minMaxDefine{call: c, name: names[0].Name}
			continue
		}
		name := "_"
		if i < len(names) {
			name = names[i].Name
		}
		w.unsupported(w.off(v.Pos()), "the interpreter cannot define %s at the top level from an expression around min or max; "+
			"define it from the call alone (%s := min(a, b)), or declare it with its type first (var %s T) and assign it with =", name, name, name)
	}
}

// splitsTyped reports whether top-level declaration d, which runs as a statement, has a
// single spec with a type whose values call generic functions (min and max among them):
// yaegi stores the zero value in a global declared with a type from such a call.
// topTypedSplit then rewrites it.
func (w *rewriter) splitsTyped(d *ast.GenDecl) bool {
	if d.Tok != token.VAR || w.u.kind != unitStmt || len(d.Specs) != 1 {
		return false
	}
	vs := d.Specs[0].(*ast.ValueSpec)
	return vs.Type != nil && len(vs.Values) == len(vs.Names) && slices.ContainsFunc(vs.Values, w.callsGeneric)
}

// topTypedSplit rewrites var x, y T = e, f into var x, y T; x = e; y = f: one assignment
// per name, since yaegi mishandles the other values of a tuple assignment with such a
// call, and the values cannot refer to the names they initialize.
func (w *rewriter) topTypedSplit(vs *ast.ValueSpec) {
	for i, v := range vs.Values {
		from := vs.Type.End()
		if i > 0 {
			from = vs.Values[i-1].End()
		}
		w.replace(from, v.Pos(), "; "+vs.Names[i].Name+" = ")
	}
}

// callsGeneric reports whether e, outside the function literals in it, calls a generic
// function, min and max included.
func (w *rewriter) callsGeneric(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			_, mm := w.minMaxCall(n, w.cell)
			_, generic := w.genericCall(n, w.cell)
			found = mm || generic
		}
		return !found
	})
	return found
}

// A minMaxDefine is a top-level x := min(...) being rewritten.
type minMaxDefine struct {
	call *ast.CallExpr
	name string
}
