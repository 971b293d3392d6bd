package goeval

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/gokernel/gokernel/kernel/engine"
)

// formatResult turns a cell's value into a MIME bundle. Values with an HTML, SVG or Markdown
// method (returning string) are shown in that form as well as text.
func formatResult(v reflect.Value) (map[string]any, map[string]any) {
	data := map[string]any{}
	var x any
	if v.IsValid() && v.CanInterface() {
		x = v.Interface()
	}
	if rv, ok := x.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		x = rv.Interface()
	}
	for _, m := range []struct{ method, mime string }{
		{"HTML", "text/html"}, {"SVG", "image/svg+xml"}, {"Markdown", "text/markdown"},
	} {
		if s, ok := callString(x, m.method); ok {
			data[m.mime] = s
		}
	}
	if b, ok := callBytes(x, "PNG"); ok {
		data["image/png"] = base64.StdEncoding.EncodeToString(b)
	}
	data["text/plain"] = formatValue(x)
	return data, map[string]any{}
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

// pagerQuery matches "name?" and "pkg.Name?" (and ?? forms) on a line of its own.
var pagerQuery = regexp.MustCompile(`^\s*\??\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\?{1,2}\s*$`)

// magic handles cells that are not Go: %help and documentation queries ("strings.ToUpper?").
func (e *Engine) magic(_ context.Context, req engine.ExecuteRequest) (engine.ExecuteResult, bool) {
	code := strings.TrimSpace(req.Code)
	if m := pagerQuery.FindStringSubmatch(code); m != nil {
		doc, ok := e.documentation(m[1])
		if !ok {
			msg := "no documentation found for " + m[1]
			return engine.ExecuteResult{Err: &engine.Error{Name: "NameError", Value: msg, Traceback: []string{"NameError: " + msg}}}, true
		}
		return engine.ExecuteResult{Payloads: []map[string]any{{
			"source": "page",
			"data":   map[string]any{"text/plain": doc},
			"start":  0,
		}}}, true
	}
	if code == "%help" || code == "%lsmagic" {
		return engine.ExecuteResult{Data: map[string]any{"text/plain": helpText, "text/markdown": helpText}}, true
	}
	if strings.HasPrefix(code, "%") && !strings.Contains(code, "\n") {
		name := strings.Fields(code)[0]
		msg := "unknown magic " + name + " (type %help for the list)"
		return engine.ExecuteResult{Err: &engine.Error{Name: "UsageError", Value: msg, Traceback: []string{"UsageError: " + msg}}}, true
	}
	return engine.ExecuteResult{}, false
}

// helpText is shown by %help.
const helpText = `gokernel runs Go cells with the yaegi interpreter.

Magics
  %help            this text
  name?            documentation of a standard-library or session name (e.g. strings.ToUpper?)

Cells
  A cell may mix imports, declarations and statements. Standard-library packages and the
  runtime packages (thread, lock, queue, pool, display) are imported automatically.
  A trailing expression is shown as Out[n].

Known limits of the interpreter
  - Generic code is limited; compiled generic APIs are not visible.
  - Redefining a type is ignored; functions compiled earlier keep the old version of a
    redefined function.
  - The builtins min, max and clear are not available.
  - Index-out-of-range panics do not report the index and length.
  - Interrupt stops every goroutine the interpreter runs, not only the cell's.
`
