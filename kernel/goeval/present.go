package goeval

import (
	"encoding/base64"
	"fmt"
	"reflect"
)

// richMethod is a method that gives a cell's value a rich form of a MIME type. It returns a
// string, or []byte for images.
type richMethod struct {
	method, mime string
	binary       bool
}

// richMethods returns the methods looked for, in the order they are called.
func richMethods() []richMethod {
	return []richMethod{
		{"HTML", "text/html", false},
		{"SVG", "image/svg+xml", false},
		{"Markdown", "text/markdown", false},
		{"PNG", "image/png", true},
		{"JPEG", "image/jpeg", true},
	}
}

// formatResult turns a cell's value into a MIME bundle: its text, and the forms its HTML,
// SVG, Markdown, PNG or JPEG methods give. Those were called by the interpreter when r is
// checked (see evalRich); otherwise they are looked for here, which sees the methods of
// compiled types only.
func formatResult(v reflect.Value, r rich) (map[string]any, map[string]any) {
	data := map[string]any{}
	var x any
	if v.IsValid() && v.CanInterface() {
		x = v.Interface()
	}
	if rv, ok := x.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		x = rv.Interface()
	}
	forms := r.forms
	if !r.checked {
		forms = compiledForms(x)
	}
	for _, m := range richMethods() {
		switch f := forms[m.mime].(type) {
		case string:
			data[m.mime] = f
		case []byte:
			data[m.mime] = base64.StdEncoding.EncodeToString(f)
		}
	}
	data["text/plain"] = formatValue(x)
	return data, map[string]any{}
}

// compiledForms calls the rich methods of x that reflection sees.
func compiledForms(x any) map[string]any {
	forms := map[string]any{}
	for _, m := range richMethods() {
		if m.binary {
			if b, ok := callBytes(x, m.method); ok {
				forms[m.mime] = b
			}
		} else if s, ok := callString(x, m.method); ok {
			forms[m.mime] = s
		}
	}
	return forms
}

// formatValue prints a value the way fmt does, quoting strings so that spaces show.
func formatValue(x any) string {
	switch s := x.(type) {
	case string:
		return fmt.Sprintf("%q", s)
	case nil:
		return "<nil>"
	case error:
		return s.Error()
	}
	return fmt.Sprintf("%v", x)
}

// callString calls x.name() when x has such a method returning a string.
func callString(x any, name string) (string, bool) {
	out, ok := callMethod(x, name)
	if !ok || out.Kind() != reflect.String {
		return "", false
	}
	return out.String(), true
}

// callBytes calls x.name() when x has such a method returning []byte.
func callBytes(x any, name string) ([]byte, bool) {
	out, ok := callMethod(x, name)
	if !ok || out.Kind() != reflect.Slice || out.Type().Elem().Kind() != reflect.Uint8 {
		return nil, false
	}
	return out.Bytes(), true
}

func callMethod(x any, name string) (v reflect.Value, ok bool) {
	if x == nil {
		return reflect.Value{}, false
	}
	m := reflect.ValueOf(x).MethodByName(name)
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return reflect.Value{}, false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return m.Call(nil)[0], true
}

// helpText is shown by %help.
const helpText = `gokernel runs Go cells with the yaegi interpreter.

Magics (IPython syntax; line magics may stand on any line of a cell)
  %help              this text
  name?              documentation of a standard-library or session name (strings.ToUpper?)
  %time STATEMENT    run the statement once and print CPU and wall time
  %%time             (first line) the same for the whole cell, keeping its output and Out
  %timeit [-n N] [-r R] STATEMENT
                     time many runs: mean ± std. dev. of R runs of N loops (chosen if absent)
  %%timeit [-n N] [-r R]
                     (first line) the same for the rest of the cell
  %env [NAME[=VALUE]]
                     list, show or set environment variables
  %%timeline         (first line) run the cell and chart what its threads, goroutines, pool
                     tasks and child processes did: running, sleeping, waiting, hand-offs

Cells
  A cell may mix imports, declarations and statements. Standard-library packages and the
  runtime packages (thread, lock, queue, pool, process, display, timeline) and html (an HTML
  parser) are imported automatically.
  A trailing expression is shown as Out[n].

Known limits of the interpreter
  - Generic code is limited; compiled generic APIs are not visible.
  - Redefining a type is ignored; functions compiled earlier keep the old version of a
    redefined function.
  - The builtins min and max are not available.
  - Index-out-of-range panics do not report the index and length.
  - Interrupt stops every goroutine the interpreter runs, not only the cell's.
`
