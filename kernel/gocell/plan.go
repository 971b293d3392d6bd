package gocell

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Names that rewritten sources use and that the evaluator must define before the first
// cell runs.
const (
	// SpawnName is called with a func() to run on a new goroutine; go statements are
	// rewritten into calls of it.
	SpawnName = "__gk_go"
	// DeferName is called with a func() that must run when the cell ends; top-level
	// defer statements are rewritten into calls of it.
	DeferName = "__gk_defer"
	// NamedName is called as NamedName("f", f) for a top-level function f handed to
	// process.New or to a pool's Submit or Map, so that a child process can find f by name.
	NamedName = "__gk_named"
	// ShowName is called with the value of a cell's trailing expression by
	// [Result.ValueSource].
	ShowName = "__gk_show"
	// ClearName replaces the builtin clear, which yaegi lacks; see [Clear].
	ClearName = "__gk_clear"
	// MinName and MaxName replace the builtins min and max, which yaegi lacks; the
	// evaluator declares them with [MinMaxPrelude].
	MinName = "__gk_min"
	MaxName = "__gk_max"
	// MinPickName and MaxPickName are the names the evaluator binds [MinPick] and
	// [MaxPick] to.
	MinPickName = "__gk_minpick"
	MaxPickName = "__gk_maxpick"
	// IndexName is called as IndexName(i, len(x), line) by the guard in front of a statement
	// that indexes x with i, when i is out of range; see [IndexPanic].
	IndexName = "__gk_index"
	// CheckName is called as CheckName(x, i, line) in front of a statement that indexes x, of a
	// type known only when it runs, with i; see [IndexCheck].
	CheckName = "__gk_check"
	// AtName is called as AtName(i, len(x), line) in place of the index i of x[i] where
	// no guard can go in front of the statement; see [IndexAt].
	AtName = "__gk_at"
	// CheckedName is called as CheckedName(f(a), i, line).(T)[i] in place of the call
	// f(a) of f(a)[i] where no guard can go in front of the statement; see
	// [IndexChecked].
	CheckedName = "__gk_checked"
	// LineName is called as LineName(line) in front of each top-level statement of a cell
	// when [Env.MarkLines] is set, with the statement's cell line, so that a panic's trace
	// can place the cell's own frame at the statement that was running: the interpreter
	// places it at the start of the segment.
	LineName = "__gk_line"
	// PanicName is called as panic(PanicName(v, line)) in place of panic(v) when
	// [Env.MarkLines] is set, with the cell line of the call: it returns v, and lets the
	// evaluator place the innermost frame of the panic's trace at that line.
	PanicName = "__gk_panic"
	// RecoverName is called as RecoverName(recover()) in place of recover() when
	// [Env.UnwrapRecover] is set; see [Recovered].
	RecoverName = "__gk_recovered"
	// CallsName is the session's int variable that each function body counts down
	// with [Env.StackChecks]; when it goes below zero, the body sets it to
	// StackName(function, count, line).
	CallsName = "__gk_calls"
	// StackName is called as StackName(function, count, line) when [CallsName] runs
	// out: function is the name of the function whose body counts ("main.f",
	// "main.(*T).m", "main.f.func" for a function literal in f), count is [Env.Count]
	// and line is the cell line of the function's opening brace. It returns the next
	// count.
	StackName = "__gk_stack"
	// GeneratedPrefix starts every identifier that rewrites introduce.
	GeneratedPrefix = "__gk_"
)

// Source prefixes put in front of a segment's cell text.
const (
	declPrefix = "package main\n"
	stmtPrefix = ";\n"
)

// A Plan is the evaluation plan of one cell.
type Plan struct {
	// Imports lists the imports the cell needs, the ones it writes first (in cell
	// order), then the automatic ones. Evaluate each with [Import.Source] before the
	// segments, skipping those already imported under the same name: yaegi reports
	// an error when a package name is imported twice.
	Imports []Import
	// Segments are the sources to evaluate, in cell order.
	Segments []Segment
	// Result is non-nil when the cell ends in an expression whose value should be shown.
	Result *Result
	// Decls lists the top-level names the cell declares, in cell order.
	Decls []Decl
	// Undefined lists the names that the values of the cell's top-level definitions
	// without a type (x := e, var x = e) use and that neither the cell, nor the session,
	// nor the universe declares, in cell order, each at its first use. Package
	// qualifiers, field and method names and function literals are not looked at. The
	// interpreter reports such a name in misleading words ("constant definition loop");
	// a cell that dot-imports a package may use its names without declaring them.
	Undefined []Ident
}

// An Ident is a name at a cell position.
type Ident struct {
	Name         string
	Line, Column int
}

// An Import is one package the cell uses.
type Import struct {
	// Name is the name written in the import declaration ("str" in import str "strings",
	// "." or "_"), or "" for the package's own name.
	Name string
	// Path is the import path.
	Path string
	// Line and Column give the cell position of the import spec; both are 0 for
	// automatic imports.
	Line, Column int
	// Auto reports that the cell uses the package without importing it.
	Auto bool
}

// Source returns the import declaration to evaluate.
func (im Import) Source() string {
	if im.Name == "" {
		return "import " + strconv.Quote(im.Path)
	}
	return "import " + im.Name + " " + strconv.Quote(im.Path)
}

// PackageName returns the name the cell refers to the package by, "." or "_".
func (im Import) PackageName() string {
	if im.Name != "" {
		return im.Name
	}
	return DefaultName(im.Path)
}

// DefaultName returns the conventional package name for an import path: its last
// element, skipping a major-version element such as "v2", without a ".vN" or ".go"
// suffix or a "go-" prefix, and with "-" written "_" ("math/rand/v2" -> "rand",
// "gopkg.in/yaml.v3" -> "yaml").
func DefaultName(importPath string) string {
	elems := strings.Split(importPath, "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && isMajorVersion(name) {
		name = elems[len(elems)-2]
	}
	if i := strings.Index(name, ".v"); i > 0 && isMajorVersion(name[i+1:]) {
		name = name[:i]
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "go-"), ".go")
	return strings.ReplaceAll(name, "-", "_")
}

func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}

// SegmentKind says how the interpreter must read a segment.
type SegmentKind int

const (
	// Declarations is a run of func, method, type, var and const declarations,
	// evaluated as a file ("package main\n" prefix).
	Declarations SegmentKind = iota + 1
	// Statements is a run of statements, evaluated in statement mode (";\n" prefix).
	Statements
)

// String returns "declarations" or "statements".
func (k SegmentKind) String() string {
	switch k {
	case Declarations:
		return "declarations"
	case Statements:
		return "statements"
	}
	return "SegmentKind(" + strconv.Itoa(int(k)) + ")"
}

// A Segment is one source to pass to the interpreter.
type Segment struct {
	// Kind says whether Source holds declarations or statements.
	Kind SegmentKind
	// Source is exactly what to evaluate, prefix included.
	Source string
	// Line is the cell line (1-based) held by Source line FirstLine.
	Line int
	// FirstLine is the Source line holding the segment's first cell line.
	FirstLine int

	// guards lists the bounds guards inserted in front of statements, in cell order.
	guards []guardText
}

// A guardText is a bounds guard of n bytes inserted at a cell line and column, or a call
// the guard hoisted, whose removed bytes were replaced by n bytes (a variable's name).
type guardText struct {
	line, col, n int
	removed      int
	copies       []copyCol // copies of the line's text in the guard
}

// A copyCol is n bytes at offset at of a guard that copy the cell line from column col.
type copyCol struct{ at, n, col int }

// CellLine maps a line of Source, as the interpreter reports it, to a cell line.
// Lines of the prefix map to the segment's first cell line.
func (s Segment) CellLine(srcLine int) int {
	if srcLine < s.FirstLine {
		return s.Line
	}
	return s.Line + srcLine - s.FirstLine
}

// CellColumn maps a column of Source line srcLine, as the interpreter reports it, to a
// column of the cell line [Segment.CellLine] gives, undoing the bounds guards inserted in
// front of statements and the variables that replace calls the guards hoisted. A column
// inside a guard maps to the start of its statement, or into the call it copies, and a
// column inside such a variable to the start of the call. (Other rewrites still move the
// columns after them on their lines.)
func (s Segment) CellColumn(srcLine, srcCol int) int {
	line := s.CellLine(srcLine)
	shift := 0
	for _, g := range s.guards {
		if g.line != line {
			continue
		}
		start := g.col + shift
		switch {
		case srcCol < start:
			return srcCol - shift
		case srcCol < start+g.n:
			off := srcCol - start
			for _, c := range g.copies {
				if off >= c.at && off < c.at+c.n {
					return c.col + off - c.at
				}
			}
			return g.col
		}
		shift += g.n - g.removed
	}
	return srcCol - shift
}

// Hoisted reports whether guards in Source assign the results of calls to variables in
// front of the statements that index them. A call that fails to compile there can be
// reported by the interpreter in confusing words ("constant definition loop", for a
// top-level x := f()[i]); evaluating the segment of the plan [Env.NoHoist] gives, which
// ran nothing before failing, reports it plainly.
func (s Segment) Hoisted() bool {
	for _, g := range s.guards {
		if g.removed > 0 {
			return true
		}
	}
	return false
}

// Shift returns the segment with n newlines put in front of Source, for an evaluator
// that numbers the lines of a whole session uniquely.
func (s Segment) Shift(n int) Segment {
	if n <= 0 {
		return s
	}
	s.Source = strings.Repeat("\n", n) + s.Source
	s.FirstLine += n
	return s
}

// A Result describes a cell's trailing expression.
type Result struct {
	// Expr is the expression as written in the cell.
	Expr string
	// Line and Column give the expression's cell position.
	Line, Column int
	// ValueSource replaces the Source of the last segment: the same statements with
	// the trailing expression E written as ShowName(E). It fails to compile, before
	// anything runs, when E is a call of a function without results ("cannot use
	// func() as type ()") or with several ("too many arguments"); evaluate the plain
	// Source then.
	ValueSource string

	// template is ValueSource with markers in place of ShowName( and ).
	template string
}

// Markers that stand for the text around the trailing expression in Result.template. Go
// source cannot contain NUL, so they never occur in a cell.
const (
	openMarker  = "\x00("
	closeMarker = "\x00)"
)

// Wrap returns the last segment's statements with the trailing expression E written as
// open + E + close, on E's lines. ValueSource is Wrap(ShowName+"(", ")").
func (r *Result) Wrap(open, close string) string {
	return strings.Replace(strings.Replace(r.template, openMarker, open, 1), closeMarker, close, 1)
}

// DeclKind tells what a top-level name is.
type DeclKind int

// The kinds of top-level declaration.
const (
	FuncDecl DeclKind = iota + 1
	MethodDecl
	TypeDecl
	VarDecl
	ConstDecl
)

// String returns "func", "method", "type", "var" or "const".
func (k DeclKind) String() string {
	switch k {
	case FuncDecl:
		return "func"
	case MethodDecl:
		return "method"
	case TypeDecl:
		return "type"
	case VarDecl:
		return "var"
	case ConstDecl:
		return "const"
	}
	return "DeclKind(" + strconv.Itoa(int(k)) + ")"
}

// A Decl is one top-level name a cell declares.
type Decl struct {
	// Name is the declared name; for a method, the method's name.
	Name string
	// Kind tells what the name is.
	Kind DeclKind
	// Recv is the receiver's base type name of a method ("T" for func (t *T) M()).
	Recv string
	// Doc is the text of the doc comment, without comment markers.
	Doc string
	// Signature is the declaration without a function body: for funcs and methods the
	// header, for the others the declaration itself.
	Signature string
	// Source is the declaration's cell text. A top-level x := e statement is given as
	// var x = e. Several names declared together share one Source.
	Source string
	// Generic reports a func or type with type parameters.
	Generic bool
	// Line is the cell line where the declaration starts.
	Line int
	// Result is, for a function (not a method) with one result whose type is made of
	// predeclared types, exported types of packages and types declared at the top level
	// of a cell ([]string, [4]int, []time.Duration, []Celsius), the text of that type;
	// empty otherwise. A later cell's x := f()[i] at
	// the top level is checked with it; see [Env.Result].
	Result string
	// Compiled is, for a variable declared without a type from a value of a compiled
	// type (a package's variable or function result, or an element, slice or method
	// result of one), that type; nil otherwise. The interpreter holds the variable as a
	// value of that type.
	Compiled reflect.Type
}

// An Error reports a syntax error or an unsupported construct at a cell position.
type Error struct {
	// Line and Column give the cell position (1-based; Column counts bytes).
	Line, Column int
	// Msg describes the problem.
	Msg string
	// Text is the cell line at Line, without its newline.
	Text string
	// More counts the further errors found after this one.
	More int
	// Unsupported reports valid Go that the interpreter cannot run, as opposed to a
	// syntax error.
	Unsupported bool
	// Invalid reports Go that the Go compiler rejects too, for a reason other than its
	// syntax (a type error).
	Invalid bool
}

// Error returns "line:column: message", with a count of further errors.
func (e *Error) Error() string {
	s := fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	if e.More == 1 {
		s += " (and 1 more error)"
	} else if e.More > 1 {
		s += fmt.Sprintf(" (and %d more errors)", e.More)
	}
	return s
}
