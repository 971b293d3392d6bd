package gocell

import (
	"go/ast"
	"go/token"
	"reflect"
)

// Globals whose types the interpreter cannot infer.
//
// yaegi infers the type of a global variable declared without a type (a top-level
// x := e, or var x = e) from e alone, and it cannot infer the type of an index
// expression whose operand is a string or a value of a compiled type, such as
// strings.Split(s, ",")[1], os.Args[0] or ws[1] for ws := strings.Fields(s): it fails
// with "constant definition loop", or declares x with no type. The rewriter writes
// such an index expression as a conversion to its element type, (string)(os.Args[0]),
// which yaegi types from the conversion alone. It does so when the element type is
// made of predeclared types only (byte, string, []int, map[string]float64, ...); other
// element types would need names the cell may not see.

// typeGlobalIndexes converts the index expressions of e, the value of a global declared
// without a type, to their element types where the interpreter needs that.
func (w *rewriter) typeGlobalIndexes(e ast.Expr, sc *scope) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its body is typed as a function's
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				return false // &x[i] needs x[i] itself, not a conversion
			}
		case *ast.IndexExpr:
			if t := w.elemType(n.X, sc); t != "" {
				w.insert(n.Pos(), "("+t+")(")
				w.insertClosing(n.End(), ")")
			}
		}
		return true
	})
}

// elemType returns the Go text of the type of x[i] when x is a string or a value of a
// compiled type whose element type is made of predeclared types only, or "".
func (w *rewriter) elemType(x ast.Expr, sc *scope) string {
	if s := w.exprSeq(x, sc); s != nil && s.kind == seqString {
		if !w.universal("byte", sc) {
			return ""
		}
		return "byte"
	}
	t := deref(w.exprRType(x, sc))
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		if e := t.Elem(); predeclaredOnly(e) {
			return e.String()
		}
	}
	return ""
}

// predeclaredOnly reports whether t is written with predeclared types alone: an unnamed
// composite of unnamed basic types and empty interfaces, such as []map[string]any.
func predeclaredOnly(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return t.Name() == "" && predeclaredOnly(t.Elem())
	case reflect.Map:
		return t.Name() == "" && predeclaredOnly(t.Key()) && predeclaredOnly(t.Elem())
	case reflect.Interface:
		return t.NumMethod() == 0 && t.PkgPath() == ""
	case reflect.Struct, reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Invalid:
		return false
	}
	// A basic type: only its predeclared self, not a type named after a kind.
	return t.PkgPath() == "" && t.Name() == t.Kind().String()
}

// exprRType returns the type of expression e when it is a value of a compiled type the
// rewriter can see: a package's variable, a package function's result, a variable the
// cell declared from one of those, and elements and slices of those.
func (w *rewriter) exprRType(e ast.Expr, sc *scope) reflect.Type {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		if t := w.packageMember(e, sc); t != nil && t.Kind() != reflect.Func {
			return t
		}
	case *ast.CallExpr:
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok {
			if t := w.packageMember(sel, sc); t != nil && t.Kind() == reflect.Func && t.NumOut() == 1 {
				return t.Out(0)
			}
		}
	case *ast.Ident:
		// Not a session variable: its reflect type does not tell whether the interpreter
		// holds it as a compiled value, and it loses the names of the cell's types (an
		// element of []Celsius would be converted to float64).
		if o, found := w.lookupAt(e, sc); found && o != nil && o.kind == objVar {
			return o.rtype
		}
	case *ast.IndexExpr:
		x := deref(w.exprRType(e.X, sc))
		if x == nil {
			return nil
		}
		switch x.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return x.Elem()
		case reflect.String:
			return reflect.TypeFor[byte]()
		}
	case *ast.SliceExpr:
		x := deref(w.exprRType(e.X, sc))
		if x == nil {
			return nil
		}
		switch x.Kind() {
		case reflect.Slice, reflect.String:
			return x
		case reflect.Array:
			return reflect.SliceOf(x.Elem())
		}
	}
	return nil
}

// deref returns the array a pointer to an array t points to, which indexes and slices
// like it, and t itself otherwise (nil included).
func deref(t reflect.Type) reflect.Type {
	if t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Array {
		return t.Elem()
	}
	return t
}
