package goeval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/gocell"
)

// Rich results of notebook types.
//
// A value of a type declared in a notebook loses its methods when it reaches compiled code,
// and yaegi's dynamic checks for them (type assertions and type switches to interfaces) give
// wrong answers for such types. So the methods are found statically: for each notebook type
// T with rich-display methods, the final segment is compiled once more with its trailing
// expression E written as
//
//	__gk_vN := E; var _ T = __gk_vN; __gk_rich(__gk_vN); __gk_form("text/html", <__gk_vN.HTML()>)
//
// (and the same with *T), which compiles only when E is of type T. The first variant that
// compiles is run instead of the plain one; when none does, the value is shown as before.
// Each method is called once, in a function that recovers its panic.

// richHooks declares the interpreter's names of the hooks that rich variants call.
const richHooks = "var __gk_rich = __gk.Rich\nvar __gk_form = __gk.Form\nvar __gk_fail = __gk.Fail\n"

// rich is what the interpreter found of a value's rich forms.
type rich struct {
	forms   map[string]any // MIME type -> string, or []byte for images
	checked bool           // the interpreter called the value's rich methods
}

// resultHolder keeps the value of a cell's trailing expression.
type resultHolder struct {
	v      reflect.Value
	rich   rich
	failed map[string]bool // forms whose method panicked
	ok     bool
}

// set keeps a cell's value. A nil interface (typically a nil error, as from t.Join()) is not
// shown, as IPython shows no None.
func (h *resultHolder) set(v any, checked bool) {
	h.v, h.ok = reflect.ValueOf(v), v != nil
	h.rich = rich{forms: map[string]any{}, checked: checked}
	h.failed = map[string]bool{}
}

// richTypes maps the notebook's type names to their rich-display methods, each with whether
// its receiver is a pointer.
type richTypes map[string]map[string]bool

// pointerReceiver matches the header of a method with a pointer receiver.
var pointerReceiver = regexp.MustCompile(`^func\s*\(\s*(\w+\s+)?\*`)

// add notes d if it declares a rich-display method.
func (t richTypes) add(d gocell.Decl) {
	if d.Kind != gocell.MethodDecl || !slices.ContainsFunc(richMethods(), func(m richMethod) bool { return m.method == d.Name }) {
		return
	}
	if t[d.Recv] == nil {
		t[d.Recv] = map[string]bool{}
	}
	t[d.Recv][d.Name] = pointerReceiver.MatchString(d.Signature)
}

// variants returns the sources to try for a trailing expression whose value is kept in the
// variable v: for each type, and for the pointer to it, the statements that show v with the
// forms of its methods. Each compiles only when v has that type.
func (t richTypes) variants(r *gocell.Result, v string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(t)) {
		methods := t[name]
		for _, pointer := range []bool{false, true} {
			typ := name
			if pointer {
				typ = "*" + name
			}
			var calls strings.Builder
			for _, m := range richMethods() {
				isPointer, ok := methods[m.method]
				if !ok || (isPointer && !pointer) {
					continue
				}
				result := "string"
				if m.binary {
					result = "[]byte"
				}
				fmt.Fprintf(&calls, "; __gk_form(%q, func() (r %s) { defer func() { __gk_fail(%q, %q, recover()) }(); return %s.%s() }())",
					m.mime, result, m.mime, m.method, v, m.method)
			}
			if calls.Len() == 0 {
				continue
			}
			out = append(out, r.Wrap(v+" := ", "; var _ "+typ+" = "+v+"; __gk_rich("+v+")"+calls.String()))
		}
	}
	return out
}

// evalRich runs the first variant of the final segment that shows the trailing expression
// with the rich forms of a notebook type (see richTypes.variants), and reports whether one
// compiled and ran. Nothing runs when no variant compiles.
func (e *Engine) evalRich(ctx context.Context, count int, code string, seg gocell.Segment, r *gocell.Result) (bool, error) {
	e.nameMu.RLock()
	variants := e.rich.variants(r, "__gk_v"+strconv.Itoa(count))
	e.nameMu.RUnlock()
	for _, src := range variants {
		src = enterStatements(src)
		withValue := seg
		withValue.Source = src
		numbered, sp := e.place(count, code, withValue, src)
		prog, err := e.compileRaw(numbered)
		if err != nil {
			continue
		}
		e.record(sp)
		return true, e.executeRaw(ctx, prog)
	}
	return false, nil
}

// compileRaw compiles src without running it, turning interpreter crashes into errors.
func (e *Engine) compileRaw(src string) (p *interp.Program, err error) {
	defer catchCrash(&err)
	return e.i.Compile(src)
}

// executeRaw runs a compiled program, turning interpreter crashes into errors.
func (e *Engine) executeRaw(ctx context.Context, p *interp.Program) (err error) {
	defer catchCrash(&err)
	_, err = e.i.ExecuteWithContext(ctx, p)
	return err
}

// showRich receives a trailing expression's value whose rich methods the interpreter calls
// next, reporting each form with addForm.
func (e *Engine) showRich(v any) {
	if h := e.sink(); h != nil {
		h.set(v, true)
	}
}

// addForm receives the result of a rich method of the cell's value: a string, or []byte.
func (e *Engine) addForm(mime string, data any) {
	if h := e.sink(); h != nil && h.rich.forms != nil && !h.failed[mime] {
		h.rich.forms[mime] = data
	}
}

// formFailed receives what the rich method giving the form mime recovered: nil, or the
// value of its panic, which is reported on the cell's standard error; the value is then
// shown without that form.
func (e *Engine) formFailed(mime, method string, failure any) {
	if failure == nil {
		return
	}
	if h := e.sink(); h != nil {
		h.failed[mime] = true
	}
	msg := fmt.Sprintf("note: the %s method of the cell's value panicked (%s); the value is shown without it\n",
		method, panicText(failure))
	_, stderr := e.streams()
	_, _ = io.WriteString(stderr, msg)
}
