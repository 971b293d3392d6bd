package gocell

import (
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// A rewriter walks a cell's syntax trees with scopes, collecting edits, errors,
// automatic imports and declarations.
type rewriter struct {
	t    *text
	env  Env
	cell *scope
	u    *unit // the unit being walked

	edits []edit
	errs  []*Error
	auto  []Import
	decls []Decl
	// undefined are the names that values of top-level definitions without a type use
	// and that nothing declares; see Plan.Undefined.
	undefined []Ident

	listed    ast.Stmt // the statement being walked as an element of a statement list
	funcName  string   // the function whose body is being walked, as tracebacks name it
	depth     int      // syntax nesting, for ordering edits
	funcDepth int      // function bodies around the node being walked
	wrapped   bool     // inside a top-level statement run as func() { ... }()
	topGoto   bool     // the cell's top-level statements use goto
	counter   int      // suffix of the last generated name
	hoists    int      // the number of statements whose guards hoist calls
	autoSeen  map[string]bool
	// hoistedRecv are the receives x[i] = <-ch that guards hoist (see hoistValue): the
	// statement assigns a variable instead, and the receive needs no parentheses.
	hoistedRecv map[ast.Expr]bool
	// minMaxDefine is the top-level x := min(...) of the unit, if any; see minMax.
	minMaxDefine *minMaxDefine
}

func newRewriter(t *text, env Env) *rewriter {
	return &rewriter{t: t, env: env, cell: newScope(nil), autoSeen: map[string]bool{}, hoistedRecv: map[ast.Expr]bool{}}
}

func (w *rewriter) declared(name string) bool {
	return w.env.Declared != nil && w.env.Declared(name)
}

func (w *rewriter) known(name string) (string, bool) {
	if w.env.Package == nil {
		return "", false
	}
	return w.env.Package(name)
}

func (w *rewriter) kind(name string) reflect.Kind {
	if w.env.Kind == nil {
		return reflect.Invalid
	}
	return w.env.Kind(name)
}

// gen returns a fresh generated identifier.
func (w *rewriter) gen(role string) string {
	w.counter++
	return GeneratedPrefix + role + strconv.Itoa(w.counter)
}

// off converts a position of the current unit to a cell offset.
func (w *rewriter) off(p token.Pos) int { return w.u.off(p) }

// src returns the cell text of node n.
func (w *rewriter) src(n ast.Node) string { return w.t.src[w.off(n.Pos()):w.off(n.End())] }

// oneLine reports whether node n's text fits on one line, so that it may be copied.
func (w *rewriter) oneLine(n ast.Node) bool { return !strings.Contains(w.src(n), "\n") }

// declareCell declares the names of the cell's top-level declarations, so that uses
// before the declaration resolve, then describes them with what their own
// declarations show.
func (w *rewriter) declareCell(units []*unit) {
	for pass := 0; pass < 2; pass++ {
		for _, u := range units {
			w.u = u
			switch d := u.decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					o := w.funcObject(d.Type, w.cell)
					o.at = w.off(d.Name.Pos()) + 1
					w.cell.declare(d.Name.Name, o)
				}
			case *ast.GenDecl:
				if d.Tok != token.IMPORT {
					w.declareGen(d, w.cell)
				}
			}
			if as, ok := u.stmt.(*ast.AssignStmt); ok && as.Tok == token.DEFINE && pass == 0 {
				for _, l := range as.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						w.cell.declare(id.Name, &object{kind: objVar})
					}
				}
			}
		}
	}
	for _, u := range units {
		if u.stmt != nil && hasTopGoto(u.stmt) {
			w.topGoto = true
		}
	}
}

// declareGen declares the names of a var, const or type declaration in sc.
func (w *rewriter) declareGen(d *ast.GenDecl, sc *scope) {
	var typ ast.Expr
	var values []ast.Expr
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			o := &object{kind: objType}
			if s.TypeParams == nil {
				o.integer = w.isIntegerType(s.Type, sc)
				o.seq = w.typeSeq(s.Type, sc)
				if st, ptr := w.typeStruct(s.Type, sc); !ptr {
					o.strct = st
				}
				o.iface, o.emptyIface = w.ifaceType(s.Type, sc)
			}
			sc.declare(s.Name.Name, o)
		case *ast.ValueSpec:
			kind := objVar
			if d.Tok == token.CONST {
				kind = objConst
				if s.Type != nil || len(s.Values) > 0 {
					typ, values = s.Type, s.Values
				}
			} else {
				typ, values = s.Type, s.Values
			}
			for i, n := range s.Names {
				var v ast.Expr
				if len(values) == len(s.Names) {
					v = values[i]
				}
				o := w.valueObject(kind, typ, v, sc)
				if sc == w.cell {
					o.at = w.off(n.Pos()) + 1
				}
				sc.declare(n.Name, o)
			}
		}
	}
}

// hasTopGoto reports whether a top-level statement contains a goto outside function
// literals.
func hasTopGoto(s ast.Stmt) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				found = true
			}
		}
		return !found
	})
	return found
}

// unit walks one top-level piece.
func (w *rewriter) unit(u *unit) {
	w.u = u
	w.minMaxDefine = nil
	switch {
	case u.kind == unitImport:
	case u.stmt != nil:
		w.topStmt(u.stmt)
	default:
		switch d := u.decl.(type) {
		case *ast.FuncDecl:
			w.funcDecl(d)
		case *ast.GenDecl:
			if u.kind == unitStmt {
				// var x = v runs as a statement.
				w.markLine(d.Pos())
				w.guardStmt(&ast.DeclStmt{Decl: d}, w.cell)
			}
			if d.Tok == token.VAR {
				for _, spec := range d.Specs {
					if vs := spec.(*ast.ValueSpec); vs.Type == nil && len(vs.Values) == len(vs.Names) {
						for _, v := range vs.Values {
							w.globalValue(v)
						}
					}
					if vs := spec.(*ast.ValueSpec); vs.Type == nil {
						w.topMinMax(vs.Names, vs.Values, u.kind == unitStmt && len(d.Specs) == 1)
					}
				}
			}
			w.topGenDecl(d)
		}
	}
}

// markLine puts a call of LineName in front of the top-level statement at pos, when
// Env.MarkLines asks for it: on the statement's line, before its guards, and mapped back
// to cell columns as a guard is.
func (w *rewriter) markLine(pos token.Pos) {
	if !w.env.MarkLines {
		return
	}
	off := w.off(pos)
	line, _ := w.t.position(off)
	w.add(edit{pos: off, end: off, text: LineName + "(" + strconv.Itoa(line) + "); ", guard: true})
}

// topStmt walks a top-level statement, running compound statements inside a function
// literal.
func (w *rewriter) topStmt(s ast.Stmt) {
	w.listed = s
	w.markLine(s.Pos())
	w.guardStmt(s, w.cell)
	inner := s
	for l, ok := inner.(*ast.LabeledStmt); ok; l, ok = inner.(*ast.LabeledStmt) {
		inner = l.Stmt
	}
	switch inner.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
		*ast.TypeSwitchStmt, *ast.SelectStmt:
		if !w.topGoto {
			w.insert(s.Pos(), "func() { ")
			w.insertClosing(s.End(), " }()")
			w.wrapped = true
			w.node(s, w.cell)
			w.wrapped = false
			return
		}
	}
	if d, ok := s.(*ast.DeferStmt); ok {
		w.topDefer(d, w.cell)
		return
	}
	if as, ok := s.(*ast.AssignStmt); ok && as.Tok == token.DEFINE && len(as.Lhs) == len(as.Rhs) {
		for _, r := range as.Rhs {
			w.globalValue(r)
		}
	}
	if as, ok := s.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
		w.topMinMax(identsOf(as.Lhs), as.Rhs, true)
	}
	w.node(s, w.cell)
	if as, ok := s.(*ast.AssignStmt); ok {
		w.topDefineDecls(as)
	}
}

// topDefineDecls records x := e at the top level as var x = e.
func (w *rewriter) topDefineDecls(s *ast.AssignStmt) {
	if s.Tok != token.DEFINE {
		return
	}
	lhs := w.t.src[w.off(s.Lhs[0].Pos()):w.off(s.Lhs[len(s.Lhs)-1].End())]
	rhs := w.t.src[w.off(s.Rhs[0].Pos()):w.off(s.Rhs[len(s.Rhs)-1].End())]
	source := "var " + lhs + " = " + rhs
	line, _ := w.t.position(w.off(s.Pos()))
	for _, l := range s.Lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
			w.decls = append(w.decls, Decl{Name: id.Name, Kind: VarDecl, Signature: source, Source: source, Line: line, Compiled: w.compiledVar(id.Name)})
		}
	}
}

// funcDecl walks a top-level function or method declaration.
func (w *rewriter) funcDecl(d *ast.FuncDecl) {
	if d.Recv == nil && d.Name.Name == "main" {
		w.unsupported(w.off(d.Name.Pos()), "declaring func main is not supported: the interpreter would run it again after every later cell; give it another name and call it")
	}
	decl := Decl{Name: d.Name.Name, Kind: FuncDecl, Doc: d.Doc.Text(), Generic: d.Type.TypeParams != nil}
	if d.Recv != nil && len(d.Recv.List) == 1 {
		decl.Kind = MethodDecl
		decl.Recv = receiverBase(d.Recv.List[0].Type)
	}
	header := d.End()
	if d.Body != nil {
		header = d.Body.Lbrace
	}
	decl.Signature = strings.TrimSpace(w.t.src[w.off(d.Pos()):w.off(header)])
	decl.Source = w.src(d)
	decl.Line, _ = w.t.position(w.off(d.Pos()))
	if decl.Kind == FuncDecl && !decl.Generic {
		if o := w.cell.lookup(d.Name.Name); o != nil && o.kind == objFunc {
			decl.Result = o.resultType
		}
	}
	w.decls = append(w.decls, decl)

	w.body(d.Body, w.signature(d.Recv, d.Type, w.cell), funcName(d))
}

// funcName returns the name of a top-level function or method in tracebacks: main.f,
// main.T.m or main.(*T).m.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) != 1 {
		return "main." + d.Name.Name
	}
	recv := d.Recv.List[0].Type
	for {
		p, ok := recv.(*ast.ParenExpr)
		if !ok {
			break
		}
		recv = p.X
	}
	if _, ok := recv.(*ast.StarExpr); ok {
		return "main.(*" + receiverBase(recv) + ")." + d.Name.Name
	}
	return "main." + receiverBase(recv) + "." + d.Name.Name
}

// signature walks the types of a function's receiver (recv may be nil), type parameters,
// parameters and results, declares their names in a new scope inside sc and returns that
// scope, in which the function's body is walked.
func (w *rewriter) signature(recv *ast.FieldList, ft *ast.FuncType, sc *scope) *scope {
	fs := newScope(sc)
	w.fieldList(recv, fs)
	w.fieldList(ft.TypeParams, fs)
	w.fieldList(ft.Params, fs)
	w.fieldList(ft.Results, fs)
	return fs
}

// receiverBase returns the base type name of a receiver type expression.
func receiverBase(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// topGenDecl walks a top-level var, const or type declaration.
func (w *rewriter) topGenDecl(d *ast.GenDecl) {
	source := w.src(d)
	first := len(w.decls)
	for _, spec := range d.Specs {
		doc := d.Doc
		var names []*ast.Ident
		kind, generic := VarDecl, false
		switch s := spec.(type) {
		case *ast.TypeSpec:
			kind, names = TypeDecl, []*ast.Ident{s.Name}
			generic = s.TypeParams != nil
			if s.Doc != nil {
				doc = s.Doc
			}
		case *ast.ValueSpec:
			names = s.Names
			if d.Tok == token.CONST {
				kind = ConstDecl
			}
			if s.Doc != nil {
				doc = s.Doc
			}
		}
		sig := d.Tok.String() + " " + w.src(spec)
		line, _ := w.t.position(w.off(spec.Pos()))
		for _, n := range names {
			w.decls = append(w.decls, Decl{Name: n.Name, Kind: kind, Doc: doc.Text(), Signature: sig, Source: source, Generic: generic, Line: line})
		}
	}
	w.genDecl(d, w.cell)
	for k := first; k < len(w.decls); k++ {
		if w.decls[k].Kind == VarDecl {
			w.decls[k].Compiled = w.compiledVar(w.decls[k].Name)
		}
	}
	switch {
	case w.splitsTyped(d):
		w.topTypedSplit(d.Specs[0].(*ast.ValueSpec))
	case d.Tok == token.VAR:
		for _, spec := range d.Specs {
			vs := spec.(*ast.ValueSpec)
			w.topGeneric(vs.Names, vs.Values, w.cell)
		}
	}
	if d.Tok == token.VAR && len(d.Specs) == 1 && !d.Lparen.IsValid() {
		w.topCommaOk(d.Specs[0].(*ast.ValueSpec))
	}
}

// fieldList walks the types of a parameter, result, receiver or type parameter list and
// declares its names in sc.
func (w *rewriter) fieldList(fl *ast.FieldList, sc *scope) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		w.node(f.Type, sc)
		o := &object{kind: objVar, integer: w.isIntegerType(f.Type, sc), intPtr: w.isIntPtrType(f.Type, sc), seq: w.typeSeq(f.Type, sc)}
		o.strct, o.strctPtr = w.typeStruct(f.Type, sc)
		_, o.function = ast.Unparen(f.Type).(*ast.FuncType)
		for _, n := range f.Names {
			sc.declare(n.Name, o)
		}
	}
}

// body walks a function body in the function's scope. With [Env.StackChecks], it starts
// a body that calls anything but builtins and conversions (see callsAny) with a
// count-down of [CallsName] that calls StackName(name, count, line) when the count runs
// out: name is the function's name in tracebacks, count is [Env.Count] and line is the
// cell line of the body's opening brace.
func (w *rewriter) body(b *ast.BlockStmt, fs *scope, name string) {
	if b == nil {
		return
	}
	if w.env.StackChecks && w.callsAny(b, fs) {
		// The check goes in front of the first statement, on its line: the interpreter
		// places a frame that has not reached a call at its function's first statement.
		line, _ := w.t.position(w.off(b.Lbrace))
		p := w.off(b.List[0].Pos())
		check := "if " + CallsName + "--; " + CallsName + " < 0 { " + CallsName + " = " + StackName +
			"(" + strconv.Quote(name) + ", " + strconv.Itoa(w.env.Count) + ", " + strconv.Itoa(line) + ") }; "
		w.add(edit{pos: p, end: p, text: check, depth: w.depth, mapped: true})
	}
	outer := w.funcName
	w.funcName = name
	defer func() { w.funcName = outer }()
	w.funcDepth++
	w.list(b.List, fs)
	w.funcDepth--
}

// list walks the statements of a block, a case or a function body.
func (w *rewriter) list(stmts []ast.Stmt, sc *scope) {
	for _, s := range stmts {
		w.listed = s
		w.guardStmt(s, sc)
		w.node(s, sc)
	}
}

// genDecl walks a var, const or type declaration and declares its names in sc.
func (w *rewriter) genDecl(d *ast.GenDecl, sc *scope) {
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if sc != w.cell {
				sc.declare(s.Name.Name, &object{kind: objType})
			}
			ts := newScope(sc)
			w.fieldList(s.TypeParams, ts)
			w.node(s.Type, ts)
		case *ast.ValueSpec:
			if s.Type != nil {
				w.node(s.Type, sc)
			}
			for _, v := range s.Values {
				w.node(v, sc)
			}
		}
	}
	if sc != w.cell {
		w.declareGen(d, sc)
	}
}

// node walks any syntax node in scope sc.
func (w *rewriter) node(n ast.Node, sc *scope) {
	if isNil(n) {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	switch n := n.(type) {
	case *ast.Ident:
		w.use(n, sc)
	case *ast.SelectorExpr:
		if id, ok := n.X.(*ast.Ident); ok {
			w.qualifier(id, sc)
		} else {
			w.node(n.X, sc)
		}
	case *ast.CallExpr:
		w.call(n, sc, true)
	case *ast.FuncLit:
		w.body(n.Body, w.signature(nil, n.Type, sc), w.literalName())
	case *ast.FuncType:
		w.signature(nil, n, sc)
	case *ast.StructType:
		for _, f := range n.Fields.List {
			w.node(f.Type, sc)
		}
	case *ast.InterfaceType:
		for _, f := range n.Methods.List {
			w.node(f.Type, sc)
		}
	case *ast.CompositeLit:
		w.node(n.Type, sc)
		for _, e := range n.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if _, field := kv.Key.(*ast.Ident); !field {
					w.node(kv.Key, sc)
				}
				w.node(kv.Value, sc)
				continue
			}
			w.node(e, sc)
		}
	case *ast.BlockStmt:
		w.list(n.List, newScope(sc))
	case *ast.IfStmt:
		is := newScope(sc)
		w.node(n.Init, is)
		w.node(n.Cond, is)
		w.node(n.Body, is)
		w.node(n.Else, is)
	case *ast.ForStmt:
		w.forStmt(n, sc)
	case *ast.RangeStmt:
		w.rangeStmt(n, sc)
	case *ast.SwitchStmt:
		ss := newScope(sc)
		w.node(n.Init, ss)
		w.node(n.Tag, ss)
		for _, c := range n.Body.List {
			cc := c.(*ast.CaseClause)
			cs := newScope(ss)
			for _, e := range cc.List {
				w.node(e, cs)
			}
			w.list(cc.Body, cs)
		}
	case *ast.TypeSwitchStmt:
		w.typeSwitch(n, sc)
	case *ast.TypeAssertExpr:
		w.assertion(n, sc)
	case *ast.SelectStmt:
		for _, c := range n.Body.List {
			w.commClause(c.(*ast.CommClause), sc)
		}
	case *ast.AssignStmt:
		w.assign(n, sc)
	case *ast.DeclStmt:
		if d, ok := n.Decl.(*ast.GenDecl); ok {
			w.genDecl(d, sc)
		}
	case *ast.LabeledStmt:
		w.node(n.Stmt, sc)
	case *ast.BranchStmt:
	case *ast.GoStmt:
		w.goStmt(n, sc)
	case *ast.ReturnStmt:
		w.returnStmt(n, sc)
	default:
		ast.Inspect(n, func(c ast.Node) bool {
			if c == n {
				return true
			}
			w.node(c, sc)
			return false
		})
	}
}

// isNil reports whether n is nil or a typed nil pointer.
func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// use checks a name used as a value or type.
func (w *rewriter) use(id *ast.Ident, sc *scope) {
	switch id.Name {
	case "min", "max":
		if w.universal(id.Name, sc) {
			w.invalid(w.off(id.Pos()), "%s (built-in function %s) must be called", id.Name, id.Name)
		}
	}
}

// qualifier handles the name before the dot of a selector: a package the cell uses
// without importing it is imported automatically.
func (w *rewriter) qualifier(id *ast.Ident, sc *scope) {
	if sc.lookup(id.Name) != nil || w.declared(id.Name) || w.autoSeen[id.Name] {
		return
	}
	if p, ok := w.known(id.Name); ok {
		w.autoSeen[id.Name] = true
		w.auto = append(w.auto, Import{Path: p, Auto: true})
		if DefaultName(p) != id.Name {
			w.auto[len(w.auto)-1].Name = id.Name
		}
	}
}

// call walks a call, replacing clear, naming functions handed to child processes and
// parenthesizing function literal arguments.
func (w *rewriter) call(c *ast.CallExpr, sc *scope, parenFuncs bool) {
	switch name := w.builtinCalled(c, sc); name {
	case "min", "max":
		w.minMax(c, sc, name)
		return
	case "clear":
		fun := ast.Unparen(c.Fun)
		w.replace(fun.Pos(), fun.End(), ClearName)
	case "panic":
		if w.env.MarkLines && len(c.Args) == 1 && c.Ellipsis == token.NoPos {
			// Around every other edit of the value, as an inline check is.
			line, _ := w.t.position(w.off(c.Pos()))
			w.surround(c.Args[0], PanicName+"(", ", "+strconv.Itoa(line)+")", inlineDepth)
		}
	case "recover":
		if w.env.UnwrapRecover && len(c.Args) == 0 {
			w.surround(c, RecoverName+"(", ")", inlineDepth)
		}
	}
	if name, ok := w.processTarget(c, sc); ok {
		a := c.Args[0]
		w.replace(a.Pos(), a.End(), NamedName+"("+strconv.Quote(name)+", "+name+")")
	}
	w.node(c.Fun, sc)
	for _, a := range c.Args {
		if _, ok := a.(*ast.FuncLit); ok && parenFuncs {
			w.parenthesize(a)
		}
		w.node(a, sc)
	}
}

// processTarget reports whether c hands a top-level function to code that may run it in a
// child process, and the function's name: process.New(f, ...) and the Submit and Map methods
// of pools, whose first argument is the function. A child process finds a function by its
// name, which an interpreted function value does not carry, so these arguments become
// NamedName("f", f).
func (w *rewriter) processTarget(c *ast.CallExpr, sc *scope) (string, bool) {
	sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
	if !ok || len(c.Args) == 0 {
		return "", false
	}
	switch sel.Sel.Name {
	case "New":
		x, ok := sel.X.(*ast.Ident)
		if !ok || !strings.HasSuffix(w.packageOf(x.Name, sc), "/runtime/process") {
			return "", false
		}
	case "Submit", "Map":
		if x, ok := sel.X.(*ast.Ident); ok && w.packageOf(x.Name, sc) != "" {
			return "", false
		}
	default:
		return "", false
	}
	f, ok := ast.Unparen(c.Args[0]).(*ast.Ident)
	if !ok {
		return "", false
	}
	if o := sc.lookup(f.Name); o != nil {
		return f.Name, o.kind == objFunc && w.cell.lookup(f.Name) == o
	}
	return f.Name, w.declared(f.Name) && w.kind(f.Name) == reflect.Func
}

// packageOf returns the import path name stands for in sc, or "".
func (w *rewriter) packageOf(name string, sc *scope) string {
	o := sc.lookup(name)
	return w.packagePath(name, o, o != nil)
}

// packagePath returns the import path of the package that name stands for, when the
// cell's scopes resolve it to o (found), or else the session does: "" for a name of
// something else.
func (w *rewriter) packagePath(name string, o *object, found bool) string {
	if found {
		if o != nil && o.kind == objPkg {
			return o.path
		}
		return ""
	}
	if w.declared(name) {
		return ""
	}
	p, _ := w.known(name)
	return p
}

// typeSwitch walks a type switch, declaring the bound variable in every clause.
func (w *rewriter) typeSwitch(n *ast.TypeSwitchStmt, sc *scope) {
	ss := newScope(sc)
	rewritten := w.switchesOnInterfaces(n, ss)
	if rewritten {
		w.interfaceSwitch(n, ss)
	}
	w.node(n.Init, ss)
	bound := ""
	switch a := n.Assign.(type) {
	case *ast.AssignStmt:
		bound = a.Lhs[0].(*ast.Ident).Name
		if !rewritten && bound != "_" {
			w.emptyClauses(n, bound)
		}
		w.node(a.Rhs[0].(*ast.TypeAssertExpr).X, ss)
	case *ast.ExprStmt:
		w.node(a.X.(*ast.TypeAssertExpr).X, ss)
	}
	for _, c := range n.Body.List {
		cc := c.(*ast.CaseClause)
		cs := newScope(ss)
		for _, e := range cc.List {
			w.node(e, cs)
		}
		if bound != "" {
			cs.declare(bound, &object{kind: objVar})
		}
		w.list(cc.Body, cs)
	}
}

// literalName returns the name of a function literal in tracebacks: main.f.func inside
// function f, and main.func in the cell's own statements.
func (w *rewriter) literalName() string {
	if w.funcName == "" {
		return "main.func"
	}
	return w.funcName + ".func"
}

// callsAny reports whether function body b, in the function's scope fs, may call a
// function: whether it has a call, outside the function literals in it, that is not of a
// builtin or a conversion to a predeclared type. A body that calls nothing else cannot
// take part in a recursion, so it needs no stack check. A name the body uses otherwise
// than as the function of a call (len := 3) may not be the builtin, so its calls count.
func (w *rewriter) callsAny(b *ast.BlockStmt, fs *scope) bool {
	called := map[*ast.Ident]bool{}
	calls := false
	ast.Inspect(b, func(n ast.Node) bool {
		if calls {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			id, ok := ast.Unparen(n.Fun).(*ast.Ident)
			if !ok || !(builtinFunc(id.Name) || predeclaredType(id.Name)) || !w.universal(id.Name, fs) {
				calls = true
				return false
			}
			called[id] = true
		}
		return true
	})
	if calls {
		return true
	}
	names := map[string]bool{}
	for id := range called {
		names[id.Name] = true
	}
	ast.Inspect(b, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !called[id] && names[id.Name] {
			calls = true
		}
		return !calls
	})
	return calls
}
