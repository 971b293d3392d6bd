package gocell

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"
)

// Globals whose types the interpreter cannot infer.
//
// yaegi infers the type of a global variable declared without a type (a top-level
// x := e, or var x = e) from e alone, and it cannot infer the type of an index
// expression whose operand is a string or a value of a compiled type, such as
// strings.Split(s, ",")[1], os.Args[0], time.Now().String()[0] or ws[1] for
// ws := strings.Fields(s), in the same cell or a later one: it fails with "constant
// definition loop", or declares x with no type, which panics when x is used. The
// rewriter writes such an index expression as a conversion to its element type,
// (string)(os.Args[0]), and the address of one, &ws[0], as a conversion to a pointer to
// it, (*string)(&ws[0]); yaegi types both from the conversion alone. It does so when the
// element type is made of predeclared types (byte, string, []int, map[string]float64,
// ...) and of exported types of packages the cell can name there (time.Time,
// reflect.StructField; see rtypeText).

// globalValue handles e, the value of a top-level variable declared without a type: it
// converts the indexes yaegi cannot type and records the names nothing declares.
func (w *rewriter) globalValue(e ast.Expr) {
	w.typeGlobalIndexes(e, w.cell)
	w.typeRuneConstant(e)
	w.findUndefined(e)
}

// typeRuneConstant converts e to rune when it is a constant of literals whose default type
// is rune ('x', 'a' + 1): yaegi gives such a global the type int.
func (w *rewriter) typeRuneConstant(e ast.Expr) {
	if runes, ok := runeLiterals(e); runes && ok && w.universal("rune", w.cell) {
		w.convert(e, "rune")
	}
}

// runeLiterals reports whether e contains a rune literal (runes) and whether it is made
// of rune and integer literals alone, with parentheses, signs and arithmetic other than
// shifts (ok): then its default type is rune.
func runeLiterals(e ast.Expr) (runes, ok bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.CHAR, e.Kind == token.CHAR || e.Kind == token.INT
	case *ast.ParenExpr:
		return runeLiterals(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.ADD || e.Op == token.SUB || e.Op == token.XOR {
			return runeLiterals(e.X)
		}
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
			rx, okx := runeLiterals(e.X)
			ry, oky := runeLiterals(e.Y)
			return rx || ry, okx && oky
		}
	}
	return false, false
}

// typeGlobalIndexes converts the index expressions of e, the value of a global declared
// without a type, to their element types where the interpreter needs that.
func (w *rewriter) typeGlobalIndexes(e ast.Expr, sc *scope) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its body is typed as a function's
		case *ast.UnaryExpr:
			if n.Op != token.AND {
				break
			}
			// &x[i] needs x[i] itself, not a conversion of it: the address is converted.
			if ix, ok := ast.Unparen(n.X).(*ast.IndexExpr); ok {
				if t := w.elemType(ix.X, sc); t != "" && t != "byte" {
					w.convert(n, "*"+t)
				}
				w.typeGlobalIndexes(ix.Index, sc)
			}
			return false
		case *ast.IndexExpr:
			if t := w.elemType(n.X, sc); t != "" {
				w.convert(n, t)
			}
		}
		return true
	})
}

// convert writes e as a conversion to type t, with error columns mapped around the
// inserted text.
func (w *rewriter) convert(e ast.Expr, t string) {
	w.surround(e, "("+t+")(", ")", w.depth)
}

// elemType returns the Go text of the type of x[i] when x is a string or a value of a
// compiled type whose element type is made of predeclared types only, or "".
func (w *rewriter) elemType(x ast.Expr, sc *scope) string {
	s := w.exprSeq(x, sc)
	t := deref(w.exprRType(x, sc))
	if s != nil && s.kind == seqString || t != nil && t.Kind() == reflect.String {
		if !w.universal("byte", sc) {
			return ""
		}
		return "byte"
	}
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return w.rtypeText(t.Elem(), sc, x.Pos())
	}
	return ""
}

// rtypeText returns Go text that denotes compiled type t at position at in scope sc, or
// "": t must be made of predeclared types and of exported named types of packages whose
// names stand for those packages at that position (time.Duration, big.Word), through
// slices, arrays, maps and pointers. A package that the cell does not import but may use
// by name is imported, as when the cell writes its name.
func (w *rewriter) rtypeText(t reflect.Type, sc *scope, at token.Pos) string {
	if predeclaredOnly(t) {
		return t.String()
	}
	if name := t.Name(); name != "" {
		if t.PkgPath() == "" || !token.IsExported(name) || strings.ContainsAny(name, "[]") {
			return "" // error, an unexported type, an instance of a generic type
		}
		pkg, _, _ := strings.Cut(t.String(), ".")
		if !w.packageAt(pkg, t.PkgPath(), sc, at) {
			return ""
		}
		return pkg + "." + name
	}
	elem := func() string { return w.rtypeText(t.Elem(), sc, at) }
	switch t.Kind() {
	case reflect.Slice:
		if e := elem(); e != "" {
			return "[]" + e
		}
	case reflect.Array:
		if e := elem(); e != "" {
			return "[" + strconv.Itoa(t.Len()) + "]" + e
		}
	case reflect.Pointer:
		if e := elem(); e != "" {
			return "*" + e
		}
	case reflect.Map:
		if k, e := w.rtypeText(t.Key(), sc, at), elem(); k != "" && e != "" {
			return "map[" + k + "]" + e
		}
	}
	return ""
}

// packageAt reports whether name stands for the package with import path path at
// position at in scope sc (see packageNamed), and imports it if the cell does not.
func (w *rewriter) packageAt(name, path string, sc *scope, at token.Pos) bool {
	if path == "" || w.packageNamed(name, sc, at) != path {
		return false
	}
	w.qualifier(&ast.Ident{Name: name, NamePos: at}, sc)
	return true
}

// packageNamed returns the import path of the package that name stands for at position
// at in scope sc, or "": a package the cell imports under that name, or one it may use
// without importing it (which qualifier then imports).
func (w *rewriter) packageNamed(name string, sc *scope, at token.Pos) string {
	o, found := w.lookupAt(&ast.Ident{Name: name, NamePos: at}, sc)
	return w.packagePath(name, o, found)
}

// rtypeMatches reports whether the packages' types that type expression t names are
// those of compiled type rt, with t's names of packages looked up at position at in
// scope sc. The rest of t is not compared: a type a cell declared has, in rt, the
// underlying type it was built from.
func (w *rewriter) rtypeMatches(t ast.Expr, rt reflect.Type, sc *scope, at token.Pos) bool {
	switch t := ast.Unparen(t).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && rt.Name() == t.Sel.Name && rt.PkgPath() != "" && rt.PkgPath() == w.packageNamed(x.Name, sc, at)
	case *ast.ArrayType:
		if t.Len == nil {
			return rt.Kind() == reflect.Slice && w.rtypeMatches(t.Elt, rt.Elem(), sc, at)
		}
		return rt.Kind() == reflect.Array && w.rtypeMatches(t.Elt, rt.Elem(), sc, at)
	case *ast.MapType:
		return rt.Kind() == reflect.Map && w.rtypeMatches(t.Key, rt.Key(), sc, at) && w.rtypeMatches(t.Value, rt.Elem(), sc, at)
	case *ast.StarExpr:
		return rt.Kind() == reflect.Pointer && w.rtypeMatches(t.X, rt.Elem(), sc, at)
	}
	return false
}

// compiledVar returns the compiled type of the cell's top-level variable name, declared
// without a type from a value of a compiled type, or nil.
func (w *rewriter) compiledVar(name string) reflect.Type {
	if o := w.cell.names[name]; o != nil && o.kind == objVar {
		return o.rtype
	}
	return nil
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
// cell or an earlier one declared from one of those, and elements, slices, fields and
// method results of those.
func (w *rewriter) exprRType(e ast.Expr, sc *scope) reflect.Type {
	switch e := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		if t := w.packageMember(e, sc); t != nil && t.Kind() != reflect.Func {
			return t
		}
		if x := w.exprRType(e.X, sc); x != nil {
			if x.Kind() == reflect.Pointer {
				x = x.Elem()
			}
			if x.Kind() == reflect.Struct {
				if f, ok := x.FieldByName(e.Sel.Name); ok && f.IsExported() {
					return f.Type
				}
			}
		}
	case *ast.CallExpr:
		sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr)
		if !ok {
			break
		}
		if t := w.packageMember(sel, sc); t != nil {
			if t.Kind() == reflect.Func && t.NumOut() == 1 {
				return t.Out(0)
			}
			break
		}
		if m := method(w.exprRType(sel.X, sc), sel.Sel.Name); m != nil && m.NumOut() == 1 {
			return m.Out(0)
		}
	case *ast.Ident:
		o, found := w.lookupAt(e, sc)
		if found && o != nil && o.kind == objVar {
			return o.rtype
		}
		// A session variable counts only when the interpreter holds it as a compiled
		// value: the reflect types of the others lose the names of the cell's types (an
		// element of []Celsius would be converted to float64).
		if !found && w.env.Compiled != nil && w.declared(e.Name) {
			return w.env.Compiled(e.Name)
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

// method returns the function type of the method name of compiled type t, or nil; for a
// concrete t its first parameter is the receiver, and callers look only at the results.
// Methods of *t count too: a variable of type t is addressable.
func method(t reflect.Type, name string) reflect.Type {
	if t == nil || !token.IsExported(name) {
		return nil
	}
	m, ok := t.MethodByName(name)
	if !ok && t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		m, ok = reflect.PointerTo(t).MethodByName(name)
	}
	if !ok {
		return nil
	}
	return m.Type
}

// findUndefined records the names that e, the value of a top-level definition without a
// type, uses and that nothing declares (see Plan.Undefined).
func (w *rewriter) findUndefined(e ast.Expr) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.Field:
			w.findUndefined(n.Type) // not the names of fields and parameters
			return false
		case *ast.SelectorExpr:
			if _, ok := n.X.(*ast.Ident); !ok {
				w.findUndefined(n.X)
			}
			return false // a package qualifier, or a field or method name
		case *ast.KeyValueExpr:
			if _, ok := n.Key.(*ast.Ident); !ok {
				w.findUndefined(n.Key) // an ident key may be a struct field's name
			}
			w.findUndefined(n.Value)
			return false
		case *ast.Ident:
			if n.Name == "_" || w.cell.lookup(n.Name) != nil || w.declared(n.Name) || types.Universe.Lookup(n.Name) != nil {
				return false
			}
			for _, u := range w.undefined {
				if u.Name == n.Name {
					return false
				}
			}
			line, col := w.t.position(w.off(n.Pos()))
			w.undefined = append(w.undefined, Ident{Name: n.Name, Line: line, Column: col})
		}
		return true
	})
}
