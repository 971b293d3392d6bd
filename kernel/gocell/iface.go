package gocell

import (
	"go/ast"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Assertions to interface types.
//
// yaegi v0.16.1 gets type assertions to interface types wrong in ways that crash a cell or
// give a wrong answer:
//   - x.(I) for a nil x and a compiled interface I (error, fmt.Stringer) panics with a nil
//     dereference inside the interpreter, even in the comma-ok form;
//   - v, ok := x.(I) for a value of a cell's type and an interface the cell declares fails
//     with "reflect.Set: value of type interface {} is not assignable" when x implements I;
//   - a type switch compares the dynamic type's name with each case's, so a case of an
//     interface type (case error:, case fmt.Stringer:, case Shape:) never matches, or
//     matches a type that lacks the methods.
//
// With [Env.Interfaces], x.(I) for an interface type I becomes IfaceName(x).(I)
// ([Interface]): a value that has passed through compiled code is one the interpreter
// asserts correctly, and nil becomes a value that implements no interface. A type switch
// with a case of an interface type becomes a switch on the number of the first clause
// whose types match, each tested with such an assertion, in the order Go tests them:
//
//	switch v := x.(type) { case int: A; case error: B; default: C }
//
// becomes, on the same lines,
//
//	switch { default: __gk_t1 := x; __gk_c2 := 0; if _, ok := __gk_t1.(int); ok { __gk_c2 = 1 } else if …; switch __gk_c2 {
//	case 1: v := __gk_t1.(int); A; case 2: v := IfaceName(__gk_t1).(error); B; default: v := __gk_t1; C } }

// IfaceName is called as IfaceName(x).(I) in place of x.(I) for an interface type I when
// [Env.Interfaces] is set; see [Interface].
const IfaceName = "__gk_iface"

// nilInterface stands for a nil interface value in an assertion: it has no methods, so
// it implements no interface with any.
type nilInterface struct{}

// nilInterfaceType is the name the interpreter gives the type of the value [Interface]
// returns for nil, as its messages spell it ("interface conversion: gocell.nilInterface
// is not error: missing method Error"); Go says "interface conversion: interface is nil,
// not error".
const nilInterfaceType = "gocell.nilInterface"

// Interface returns v for an assertion to an interface type in a cell, or a value that
// implements no non-empty interface when v is nil; see IfaceName. It unwraps a
// reflect.Value as [Recovered] does, since recover().(error) in a cell becomes
// RecoverName(IfaceName(recover())).(error). The evaluator binds it to [IfaceName].
func Interface(v any) any {
	v = unwrapValue(v)
	if v == nil {
		return nilInterface{}
	}
	return v
}

// ifaceType reports whether type expression t, in scope sc, certainly denotes an
// interface type, and whether that interface is empty (any, interface{}), which every
// value but nil implements.
func (w *rewriter) ifaceType(t ast.Expr, sc *scope) (iface, empty bool) {
	switch t := ast.Unparen(t).(type) {
	case *ast.InterfaceType:
		return true, len(t.Methods.List) == 0
	case *ast.Ident:
		if o, found := w.lookupAt(t, sc); found {
			if o == nil || o.kind != objType {
				return false, false
			}
			return o.iface, o.emptyIface
		}
		switch {
		case w.declared(t.Name):
			// yaegi holds an interface a cell declared as this struct of its own.
			d := w.typeDef(t.Name)
			return d != nil && d.String() == "interp.valueInterface", false
		case t.Name == "error":
			return true, false
		case t.Name == "any":
			return true, true
		}
	case *ast.SelectorExpr:
		if rt := w.packageLookup(t, sc, w.env.PackageType); rt != nil && rt.Kind() == reflect.Interface {
			return true, rt.NumMethod() == 0
		}
	}
	return false, false
}

// assertion walks x.(T), passing x through IfaceName when T is a non-empty interface.
func (w *rewriter) assertion(n *ast.TypeAssertExpr, sc *scope) {
	if n.Type != nil && w.env.Interfaces {
		if iface, empty := w.ifaceType(n.Type, sc); iface && !empty {
			w.surround(n.X, IfaceName+"(", ")", w.depth)
		}
	}
	w.node(n.X, sc)
	w.node(n.Type, sc)
}

// switchesOnInterfaces reports whether a type switch has a case of an interface type,
// which yaegi never matches correctly, and may be rewritten: every case type is on one
// line.
func (w *rewriter) switchesOnInterfaces(n *ast.TypeSwitchStmt, sc *scope) bool {
	if !w.env.Interfaces {
		return false
	}
	found := false
	for _, c := range n.Body.List {
		for _, t := range c.(*ast.CaseClause).List {
			if !w.oneLine(t) {
				return false
			}
			if iface, _ := w.ifaceType(t, sc); iface {
				found = true
			}
		}
	}
	return found
}

// interfaceSwitch rewrites type switch n, which switchesOnInterfaces allows, into a switch
// on the number of the clause that matches (see the comment at the top of this file). The
// bound variable, if any, is bound in the first statement of each clause, and the case
// bodies stay where they are. The value switched on is assigned to a variable in a
// clause of a switch around, which break statements in the bodies leave as they would
// have left the type switch.
func (w *rewriter) interfaceSwitch(n *ast.TypeSwitchStmt, sc *scope) {
	var x ast.Expr
	bound := ""
	switch a := n.Assign.(type) {
	case *ast.AssignStmt:
		bound = a.Lhs[0].(*ast.Ident).Name
		x = a.Rhs[0].(*ast.TypeAssertExpr).X
	case *ast.ExprStmt:
		x = a.X.(*ast.TypeAssertExpr).X
	}
	t, clause := w.gen("t"), w.gen("c")
	var tests []string
	for k, c := range n.Body.List {
		for _, typ := range c.(*ast.CaseClause).List {
			tests = append(tests, "if "+w.matches(t, typ, sc)+" { "+clause+" = "+strconv.Itoa(k+1)+" }")
		}
	}
	w.replace(n.Assign.Pos(), x.Pos(), "{ default: "+t+" := ")
	w.replace(x.End(), n.Assign.End(), "; "+clause+" := 0; "+strings.Join(tests, " else ")+"; switch "+clause)
	w.insertClosing(n.End(), " }")
	for k, c := range n.Body.List {
		cc := c.(*ast.CaseClause)
		if cc.List != nil {
			w.replace(cc.List[0].Pos(), cc.List[len(cc.List)-1].End(), strconv.Itoa(k+1))
		}
		if bound == "" {
			continue
		}
		value := t
		if len(cc.List) == 1 && !w.nilIdent(cc.List[0], sc) {
			value = w.asserted(t, cc.List[0], sc)
		}
		w.insert(cc.Colon+1, " "+bound+" := "+value+";")
	}
}

// matches returns a Go condition that holds when the value of variable t matches case
// type typ of a type switch.
func (w *rewriter) matches(t string, typ ast.Expr, sc *scope) string {
	if w.nilIdent(typ, sc) {
		return t + " == nil"
	}
	if iface, empty := w.ifaceType(typ, sc); iface && empty {
		return t + " != nil"
	}
	return "_, ok := " + w.asserted(t, typ, sc) + "; ok"
}

// asserted returns the assertion of variable t to type typ, through IfaceName when typ is
// an interface, or its conversion to typ when typ is an empty interface.
func (w *rewriter) asserted(t string, typ ast.Expr, sc *scope) string {
	switch iface, empty := w.ifaceType(typ, sc); {
	case empty:
		return "(" + w.src(typ) + ")(" + t + ")"
	case iface:
		return IfaceName + "(" + t + ").(" + w.src(typ) + ")"
	}
	return t + ".(" + w.src(typ) + ")"
}

// nilIdent reports whether e is the predeclared nil.
func (w *rewriter) nilIdent(e ast.Expr, sc *scope) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "nil" && w.universal("nil", sc)
}

// A ConversionError is the runtime error of a type assertion that failed in a cell, as a
// compiled program reports it. yaegi panics with an error of its own whose message starts
// with the assertion's position in the source it ran, which means nothing to the cell.
type ConversionError struct {
	// Msg is Go's message: "interface conversion: …".
	Msg string
	// Line and Column are the position of the assertion in the interpreter's source.
	Line, Column int
}

// Error returns Go's message.
func (e ConversionError) Error() string { return e.Msg }

// RuntimeError marks e as a runtime.Error, as Go's own is.
func (ConversionError) RuntimeError() {}

// conversionMessage matches the interpreter's message for a failed assertion.
var conversionMessage = regexp.MustCompile(`^(\d+):(\d+): (interface conversion: .*)$`)

// nilConversion matches the message of an assertion of the value [Interface] passes for
// nil.
var nilConversion = regexp.MustCompile(`^interface conversion: ` + regexp.QuoteMeta(nilInterfaceType) + ` is not (.*): missing method \w+$`)

// interpErrorType is the type of the errors the interpreter panics with for a failed
// type assertion, among others.
const interpErrorType = "*interp.cfgError"

// Conversion returns the runtime error of a failed type assertion when v, a panic value
// of the interpreter, is one, in Go's words: "interface conversion: interface is nil, not
// error" for an assertion of a nil value to an interface.
func Conversion(v any) (ConversionError, bool) {
	err, ok := v.(error)
	if !ok || reflect.TypeOf(v).String() != interpErrorType {
		return ConversionError{}, false
	}
	m := conversionMessage.FindStringSubmatch(err.Error())
	if m == nil {
		return ConversionError{}, false
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	msg := m[3]
	if n := nilConversion.FindStringSubmatch(msg); n != nil {
		msg = "interface conversion: interface is nil, not " + n[1]
	}
	return ConversionError{Msg: msg, Line: line, Column: col}, true
}

// emptyClauses gives each empty clause of type switch n, whose bound variable is bound,
// the statement _ = bound: yaegi's compiler crashes on a type switch with a bound variable
// and an empty clause ("index out of range [-1]").
func (w *rewriter) emptyClauses(n *ast.TypeSwitchStmt, bound string) {
	for _, c := range n.Body.List {
		if cc := c.(*ast.CaseClause); len(cc.Body) == 0 {
			w.insert(cc.Colon+1, " _ = "+bound+";")
		}
	}
}
