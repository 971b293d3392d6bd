// Package gocell turns the text of one Go notebook cell into a plan of sources that the
// yaegi interpreter (github.com/traefik/yaegi v0.16.1) can evaluate one after another in
// a single persistent session.
//
// yaegi chooses between file mode and statement mode from the first token of each source
// it evaluates, so a cell that mixes declarations and statements cannot be evaluated in
// one piece. [Parse] splits a cell at its top-level semicolons, classifies each piece
// with go/parser, and groups consecutive pieces of the same kind into [Segment]s:
// declarations (func, method, type, const, and var without initial values) are
// evaluated as a file with the prefix "package main\n"; statements, and var
// declarations with initial values, in statement mode with the prefix ";\n". (In a file,
// yaegi rejects an initializer that reads a variable of an earlier evaluation with
// "variable definition loop".) Imports are hoisted out of the segments into
// [Plan.Imports], because yaegi refuses to import a package name a second time and a
// notebook re-runs cells.
//
// Every rewrite keeps line numbers: cell line k of a segment is always line
// FirstLine + (k - Line) of its Source, so a line reported by the interpreter maps back
// to the cell with [Segment.CellLine]. Rewrites splice text into the lines they touch;
// columns move on those lines only.
//
// # Rewrites
//
// Parse rewrites constructs that yaegi v0.16.1 mishandles into equivalent code that it
// runs correctly:
//
//   - go f(a, b) becomes a call of the spawner [SpawnName] with a closure made by a
//     function literal that evaluates f and the arguments at the go statement, so that
//     the goroutine starts in compiled code that can recover its panics.
//   - Compound statements at the top level of a cell (for, if, switch, select, blocks)
//     run inside func() { ... }(): at the top level yaegi lets a variable declared in a
//     block overwrite the session variable of the same name, and crashes on comma-ok
//     definitions, type switches and per-iteration loop variables there.
//   - Loops whose body contains a function literal, a go or a defer statement get Go
//     1.22 per-iteration variables: the body starts with i := i (not for a three-clause
//     loop whose body changes i).
//   - Function literals passed directly as call arguments are parenthesized: otherwise
//     yaegi hands a compiled callee a closure that sees the variables of the frame that
//     is current when it runs, not those of the iteration that created it.
//   - A receive used directly as a returned value or as the value of an assignment is
//     parenthesized (return (<-ch)); yaegi panics or stores a zero value otherwise.
//     v, _ = <-ch becomes v = (<-ch), _, ok = <-ch receives into fresh variables, and a
//     select case v = <-ch receives into a fresh variable that the case body assigns.
//   - continue, continue L and break L written directly in a select case are put in a
//     block: yaegi runs them as a break out of the select.
//   - for k, v = range x (the assignment form) ranges into fresh variables and assigns
//     them at the start of the body; yaegi leaves k and v unchanged after the loop.
//   - for i := range n over an integer becomes a counting loop when n is certainly an
//     integer: an integer literal or constant, len or cap, a conversion to an integer
//     type, arithmetic that only numbers allow, or a variable whose integer type the
//     cell or [Env.Kind] shows. Other range loops are left alone; yaegi crashes with
//     "nil type" on an integer it was not told about.
//   - clear(x) calls [ClearName], a compiled helper such as [Clear].
//   - min and max of constants written out become the untyped constant they give; other
//     calls become nested calls of [MinName] and [MaxName], generic functions that the
//     evaluator declares with [MinMaxPrelude], with literal arguments moved behind the
//     first argument that is not one, which the interpreter infers the type from. At the
//     top level, x := min(a, b) first defines x as a, then assigns x = MinName(x, b).
//   - A statement that certainly indexes a slice, array, pointer to an array or string x
//     with an integer i first runs, on its own line, if uint64(len(x)) <= uint64(i) {
//     IndexName(i, len(x), line) }, and [IndexName] (such as [IndexPanic]) panics with Go's
//     runtime error, "index out of range [5] with length 0"; yaegi's own panic carries
//     neither number. x is certainly a sequence when declared with such a type in the
//     cell (var, :=, make, append, literals, conversions, parameters, results of the
//     cell's functions, slices and elements of known sequences, range values, map
//     values), when it is a session variable of such a type according to [Env.Type] or
//     [Env.Kind], a variable of a type an earlier cell defined ([Env.TypeDef]), a package
//     variable or the result of a package function according to [Env.Symbol], or a
//     field of such a type, direct or promoted, selected from a variable (s.items,
//     p.a.xs). A variable of the cell whose type is unknown (a method's result, a type
//     parameter) gets CheckName(x, i, line) instead, which looks at the value's type when it
//     runs ([IndexCheck]). A call whose result is indexed directly, f(a)[i], or that is
//     the index itself, x[f(a)], is hoisted: v := f(a) runs first, among the guards, and
//     the statement indexes v, or indexes x with v (at the top
//     level, inside a block, and not in a statement that declares names; see
//     [Segment.Hoisted]). So is the right side of an assignment to an index, x[i] = f(a),
//     when it is a call or arithmetic on calls and receives (f() + g(), 2*f(a)), and x and
//     i are cheap, x certainly a slice or an array and i an integer, both possibly indexing
//     known sequences themselves (grid[r][c], x[perm[k]]): Go evaluates the right side
//     before it checks the indexes of the left, and so does the guard, v := f(a), before it
//     checks them, operands first, and the statement assigns v. In the right operand of a && b or a || b, the guard repeats a
//     as its condition when a is cheap and cannot panic. x and i must be names, literals,
//     known indexes, package variables, fields, len, cap or arithmetic. Only indexes
//     the statement evaluates before anything that may panic or be observed are guarded:
//     not after a division (other than an integer division of cheap operands, in the
//     index or before it, which the guards repeat first), dereference (other than of a name
//     in the index, xs[*p], which the guard repeats), unknown selector or receive, not in a statement
//     with a call (other than len, cap and conversions) that is not around the index,
//     not in tuple assignments with calls, and not in labelled statements. An index i of
//     x in for i := range x, for i := 0; i < len(x); i++ or for i := len(x) - 1; i >= 0;
//     i-- whose body assigns neither i nor x (nor a field or element of what x names) and
//     makes no calls, and x dereferences no pointer field, is not guarded, so that such
//     loops cost nothing more. [Segment.CellColumn] undoes the columns guards and hoists
//     move.
//   - An index that no guard can check, in a statement that makes a call or a receive
//     (beside the index, f(g(), x[i]), or inside it, x[f()+1]), is checked where it is
//     evaluated: its index i becomes AtName(i, len(x), line) ([IndexAt]), when x is
//     certainly a slice, an array or a string, cheap and without indexes of its own. Not
//     the index assigned to by x[i] = v (Go checks it after evaluating v), a constant
//     index of an array or a constant string (checked when the cell compiles), nor an
//     index inside a call a guard hoists. A call's result indexed where the call cannot
//     be hoisted, f(a)[i] (a top-level x := f(a)[i], or after another call), becomes
//     CheckedName(f(a), i, line).(T)[i] ([IndexChecked]) when f's result type T can be
//     spelled there: f is compiled and T is made of predeclared types and exported types of
//     packages whose names stand for them there, or f is a function of the cell or of an
//     earlier cell whose declaration spells T with predeclared types, packages' types and
//     types of the cells that still stand for them ([Decl.Result], [Env.Result]). A
//     package named in T that the cell does not import is imported.
//   - In the value of a global declared without a type (x := e or var x = e at the top
//     level), an index of a string or of a value of a compiled type is converted to its
//     element type, (string)(os.Args[0]), and the address of such an element to a pointer
//     to it, (*string)(&ws[0]), because yaegi cannot infer their types there. The value
//     is of a compiled type when it is a package's variable, a package function's result,
//     a field or method result of one, or a variable declared from one, by the cell or by
//     an earlier cell ([Env.Compiled], [Decl.Compiled]). Names such a value uses that
//     nothing declares are listed in [Plan.Undefined].
//   - With [Env.MarkLines], each top-level statement first calls [LineName] with its cell
//     line, on its own line, and panic(v) becomes panic(PanicName(v, line)).
//   - With [Env.UnwrapRecover], recover() becomes RecoverName(recover()) ([Recovered]).
//   - With [Env.Interfaces], x.(I) for an interface type I becomes IfaceName(x).(I), and a
//     type switch with a case of an interface type becomes a switch on the number of the
//     matching clause ([Interface]).
//   - With [Env.StackChecks], the body of each function and function literal that calls
//     anything but builtins and conversions starts, on the line of its first statement,
//     with a count-down of [CallsName] that calls [StackName] when it runs out, so that
//     the evaluator can stop a recursion that never ends.
//   - At the top level, v, ok := m[k] and x, ok := y.(T) first define the variables
//     with an ordinary assignment, then assign the comma-ok form.
//
// Parse rejects with an [*Error] whose Unsupported field is set what it cannot rewrite:
// a top-level definition from an expression around a call of min or max, range over a
// function, v, ok := <-ch at the top level, x := f(...) at the top level when f is
// generic, return outside a function, and
// declaring func main (yaegi would run it again after every later evaluation).
//
// # Results
//
// When a cell ends in an expression statement whose value should be shown,
// [Plan.Result] carries a variant of the last segment that passes the value to
// [ShowName]. A call of a function without results, or with several, makes that
// variant fail to compile, before anything runs; the evaluator then runs the plain
// segment instead.
//
// # Names the evaluator provides
//
// Rewritten sources call [SpawnName] (a func(func()) that runs its argument on a new
// goroutine), [ShowName] (a func(any) that receives a result) and [ClearName] (a
// func(any) with the behaviour of the builtin clear, such as [Clear]), and guards call
// [IndexName], [CheckName] and [AtName] (such as [IndexPanic], [IndexCheck] and
// [IndexAt]), top-level statements call [LineName] (a func(int)) and function bodies
// call [StackName] (a func(string, int, int) int) when asked to. The evaluator
// defines them before the first cell, for instance as variables holding compiled
// functions. Generated variables start with [GeneratedPrefix].
package gocell
