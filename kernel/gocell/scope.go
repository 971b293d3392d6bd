package gocell

import (
	"go/ast"
	"go/token"
	"reflect"
)

type objKind int

const (
	objVar objKind = iota + 1
	objConst
	objType
	objFunc
	objPkg
)

// An object is what a name declared in the cell stands for, with the little the
// rewrites need to know about its type.
type object struct {
	kind     objKind
	integer  bool   // a value of integer type, or an integer type
	intPtr   bool   // a value of a pointer to an integer type
	function bool   // a value of function type
	path     string // import path of a package name
	results  int    // number of results of a func
	generic  bool   // a func with type parameters
	// Whether a func's single result is an integer or a function.
	resultInteger, resultFunction bool
	// resultType is the text of a func's single result type when a later cell can
	// write it to the same effect; see spelled.
	resultType string
	// seq describes a variable's or constant's type, a type's underlying type or a
	// func's single result when it is certainly a slice, an array or a string.
	seq *seq
	// strct describes a type's underlying struct type, or the struct type of a variable
	// or a func's single result or what it points to (strctPtr set), when it is known.
	strct    *structT
	strctPtr bool
	// iface is set on a type whose underlying type is an interface, and emptyIface
	// when that interface has no methods; see ifaceType.
	iface, emptyIface bool
	// rtype is the type of a variable declared from a value of a compiled type (see
	// exprRType), when known.
	rtype reflect.Type
	// at is the cell offset of a top-level declaration, which takes effect there when the
	// session already has the name; 0 elsewhere.
	at int
	// inRange is set on a loop variable that is certainly a valid index of the sequence
	// written inRange throughout the loop body (for i := range xs, for i := 0; i < len(xs);
	// i++), so that indexing it needs no guard.
	inRange string
	// rangeCalls reports that the body of the loop that makes inRange calls functions.
	rangeCalls bool
}

// A scope maps names to objects; lookups continue in the parent.
type scope struct {
	parent *scope
	names  map[string]*object
}

// newScope returns an empty scope inside parent.
func newScope(parent *scope) *scope { return &scope{parent: parent} }

// declare binds name to o; the blank identifier is not bound.
func (s *scope) declare(name string, o *object) {
	if name == "_" {
		return
	}
	if s.names == nil {
		s.names = map[string]*object{}
	}
	s.names[name] = o
}

// lookup returns the object name is bound to in s or its parents, or nil.
func (s *scope) lookup(name string) *object {
	for ; s != nil; s = s.parent {
		if o, ok := s.names[name]; ok {
			return o
		}
	}
	return nil
}

// integerType reports whether name is a predeclared integer type.
func integerType(name string) bool {
	switch name {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
		"uint64", "uintptr", "byte", "rune":
		return true
	}
	return false
}

// universal reports whether name, seen in scope sc, is the predeclared identifier: the
// cell does not declare it there and the session does not either.
func (w *rewriter) universal(name string, sc *scope) bool {
	return sc.lookup(name) == nil && !w.declared(name)
}

// isIntegerType reports whether type expression t certainly denotes an integer type.
func (w *rewriter) isIntegerType(t ast.Expr, sc *scope) bool {
	id, ok := ast.Unparen(t).(*ast.Ident)
	if !ok {
		return false
	}
	if o := sc.lookup(id.Name); o != nil {
		return o.kind == objType && o.integer
	}
	return integerType(id.Name) && !w.declared(id.Name)
}

// isIntPtrType reports whether type expression t is a pointer to an integer type.
func (w *rewriter) isIntPtrType(t ast.Expr, sc *scope) bool {
	st, ok := ast.Unparen(t).(*ast.StarExpr)
	return ok && w.isIntegerType(st.X, sc)
}

// isIntPtr reports whether expression e certainly is a pointer to an integer: the
// address of an integer variable, new of an integer type, or a variable the cell shows to
// be one. (A session variable's type comes from Env.Type.)
func (w *rewriter) isIntPtr(e ast.Expr, sc *scope) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		id, ok := ast.Unparen(e.X).(*ast.Ident)
		return e.Op == token.AND && ok && w.isInteger(id, sc, true)
	case *ast.CallExpr:
		return w.builtinCalled(e, sc) == "new" && len(e.Args) == 1 && w.isIntegerType(e.Args[0], sc)
	case *ast.Ident:
		if o, found := w.lookupAt(e, sc); found {
			return o != nil && o.kind == objVar && o.intPtr
		}
		if w.env.Type != nil {
			t := w.env.Type(e.Name)
			return t != nil && t.Kind() == reflect.Pointer && isIntegerKind(t.Elem().Kind())
		}
	}
	return false
}

// isInteger reports whether expression e certainly has an integer type, assuming the
// program is valid where e ranges: literals, len and cap, conversions to integer types,
// arithmetic that only numbers allow, names the cell shows to be integers, and elements
// of sequences and maps of integers. With
// session set, it asks Env.Kind about the session's names too.
func (w *rewriter) isInteger(e ast.Expr, sc *scope, session bool) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT || e.Kind == token.CHAR
	case *ast.UnaryExpr:
		return e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR
	case *ast.BinaryExpr:
		switch e.Op {
		case token.ADD:
			return w.isInteger(e.X, sc, session) || w.isInteger(e.Y, sc, session)
		case token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR,
			token.AND, token.OR, token.XOR, token.AND_NOT:
			return true
		}
	case *ast.CallExpr:
		switch fun := ast.Unparen(e.Fun).(type) {
		case *ast.FuncLit:
			r := fun.Type.Results
			return r != nil && len(r.List) == 1 && len(r.List[0].Names) <= 1 && w.isIntegerType(r.List[0].Type, sc)
		case *ast.SelectorExpr:
			// A package's function or a method of a compiled type.
			t := w.exprRType(e, sc)
			return t != nil && isIntegerKind(t.Kind())
		case *ast.Ident:
			if o := sc.lookup(fun.Name); o != nil {
				return o.kind == objType && o.integer || o.kind == objFunc && o.resultInteger
			}
			if w.declared(fun.Name) {
				// A function of an earlier cell: the kind of its result is reliable,
				// though its reflect type may lose the name of a cell's type.
				t := w.sessionFunc(fun.Name)
				return session && t != nil && isIntegerKind(t.Out(0).Kind())
			}
			return fun.Name == "len" || fun.Name == "cap" || integerType(fun.Name)
		}
		return false
	case *ast.Ident:
		if o := sc.lookup(e.Name); o != nil {
			return (o.kind == objVar || o.kind == objConst) && o.integer
		}
		return session && isIntegerKind(w.kind(e.Name))
	case *ast.IndexExpr:
		x := w.exprSeq(e.X, sc)
		return x != nil && x.intElem
	case *ast.StarExpr:
		return w.isIntPtr(e.X, sc)
	}
	return false
}

// isFunction reports whether expression e certainly has a function type. With session
// set, it asks Env.Kind about the session's names too.
func (w *rewriter) isFunction(e ast.Expr, sc *scope, session bool) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return true
	case *ast.Ident:
		if o := sc.lookup(e.Name); o != nil {
			return o.kind == objFunc || o.kind == objVar && o.function
		}
		return session && w.kind(e.Name) == reflect.Func
	case *ast.CallExpr:
		if id, ok := ast.Unparen(e.Fun).(*ast.Ident); ok {
			if o := sc.lookup(id.Name); o != nil {
				return o.kind == objFunc && o.resultFunction
			}
		}
	}
	return false
}

// valueObject describes a variable or constant from its type and value expressions.
func (w *rewriter) valueObject(kind objKind, typ, value ast.Expr, sc *scope) *object {
	o := &object{kind: kind}
	switch {
	case typ != nil:
		o.integer = w.isIntegerType(typ, sc)
		o.intPtr = w.isIntPtrType(typ, sc)
		_, o.function = ast.Unparen(typ).(*ast.FuncType)
		o.seq = w.typeSeq(typ, sc)
		o.strct, o.strctPtr = w.typeStruct(typ, sc)
	case value != nil:
		o.integer = w.isInteger(value, sc, false)
		o.intPtr = w.isIntPtr(value, sc)
		o.function = w.isFunction(value, sc, false)
		o.seq = w.exprSeq(value, sc)
		o.strct, o.strctPtr = w.exprStruct(value, sc)
		o.rtype = w.exprRType(value, sc)
	}
	return o
}

// funcObject describes a function from its type.
func (w *rewriter) funcObject(ft *ast.FuncType, sc *scope) *object {
	o := &object{kind: objFunc, generic: ft.TypeParams != nil}
	if ft.Results == nil {
		return o
	}
	o.results = ft.Results.NumFields()
	if o.results == 1 {
		t := ft.Results.List[0].Type
		o.resultInteger = w.isIntegerType(t, sc)
		_, o.resultFunction = ast.Unparen(t).(*ast.FuncType)
		o.seq = w.typeSeq(t, sc)
		o.strct, o.strctPtr = w.typeStruct(t, sc)
		if len(ft.Results.List[0].Names) <= 1 && w.spelled(t, sc, token.NoPos) && w.oneLine(t) {
			o.resultType = w.src(t)
		}
	}
	return o
}

// spelled reports whether type expression t is made of names that stand, in scope sc,
// for predeclared types or for types declared at the top level of this cell or an earlier
// one, of exported types of packages (time.Duration), and of slices, arrays of literal
// length, maps and pointers of those: its text then denotes the same type at the top
// level of a later cell, where a function's result type is spelled out to check an index
// of it (see [Decl.Result]), provided its package names stand for the same packages
// there (see rtypeMatches). Names are looked up as used at position at, or where they
// stand in t when at is token.NoPos.
func (w *rewriter) spelled(t ast.Expr, sc *scope, at token.Pos) bool {
	switch t := ast.Unparen(t).(type) {
	case *ast.Ident:
		id := t
		if at != token.NoPos {
			id = &ast.Ident{Name: t.Name, NamePos: at}
		}
		if predeclaredType(id.Name) && w.universal(id.Name, sc) {
			return true
		}
		if o, found := w.lookupAt(id, sc); found {
			return o != nil && o.kind == objType && w.cell.names[id.Name] == o
		}
		return w.typeDef(id.Name) != nil
	case *ast.ArrayType:
		if t.Len != nil {
			if lit, ok := t.Len.(*ast.BasicLit); !ok || lit.Kind != token.INT {
				return false
			}
		}
		return w.spelled(t.Elt, sc, at)
	case *ast.MapType:
		return w.spelled(t.Key, sc, at) && w.spelled(t.Value, sc, at)
	case *ast.StarExpr:
		return w.spelled(t.X, sc, at)
	case *ast.SelectorExpr:
		// An exported type of a package whose name stands for one here.
		x, ok := t.X.(*ast.Ident)
		if !ok || !token.IsExported(t.Sel.Name) {
			return false
		}
		pos := x.Pos()
		if at != token.NoPos {
			pos = at
		}
		return w.packageNamed(x.Name, sc, pos) != ""
	}
	return false
}

// predeclaredType reports whether name is the name of one of Go's predeclared types.
func predeclaredType(name string) bool {
	switch name {
	case "any", "bool", "complex64", "complex128", "error", "float32", "float64", "string":
		return true
	}
	return integerType(name)
}

// sourcePackageFunc returns the package and name of function fun, as "maps.Keys", when it
// is a function of a standard package that exists in a session only as interpreted
// generic source: slices and maps.
func (w *rewriter) sourcePackageFunc(fun ast.Expr, sc *scope) (string, bool) {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	q, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	switch path := w.packageOf(q.Name, sc); path {
	case "slices", "maps":
		return path + "." + sel.Sel.Name, true
	}
	return "", false
}

// genericCall reports whether e calls a generic function of the cell, of the session or
// of package slices or maps, and returns the function's name.
func (w *rewriter) genericCall(e ast.Expr, sc *scope) (string, bool) {
	c, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return "", false
	}
	fun := ast.Unparen(c.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		_, ok := w.sourcePackageFunc(sel, sc)
		return w.src(sel), ok // as the cell writes it
	}
	id, ok := fun.(*ast.Ident)
	if !ok {
		return "", false
	}
	if o := sc.lookup(id.Name); o != nil {
		return id.Name, o.kind == objFunc && o.generic
	}
	return id.Name, w.env.Generic != nil && w.env.Generic(id.Name)
}

// isIntegerKind reports whether k is one of the integer kinds.
func isIntegerKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uintptr
}
