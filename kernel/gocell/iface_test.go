package gocell

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
)

// sessionInterface is the type yaegi gives an interface a cell declared, as the
// evaluator's TypeDef reports it.
var sessionInterface = func() reflect.Type {
	i := interp.New(interp.Options{})
	if _, err := i.Eval("type shape interface{ Area() float64 }"); err != nil {
		panic(err)
	}
	v, err := i.Eval("*new(shape)")
	if err != nil {
		panic(err)
	}
	return v.Type()
}()

// ifaceEnv is globalsEnv with interface assertions rewritten, package io's types known,
// and a session interface (shape) and struct (point).
func ifaceEnv() Env {
	env := globalsEnv()
	env.Interfaces = true
	env.UnwrapRecover = true
	known := env.Package
	env.Package = func(name string) (string, bool) {
		if name == "io" {
			return "io", true
		}
		return known(name)
	}
	env.PackageType = func(pkgPath, name string) reflect.Type {
		switch pkgPath + "." + name {
		case "io.Reader":
			return reflect.TypeFor[io.Reader]()
		case "io.SectionReader":
			return reflect.TypeFor[io.SectionReader]()
		}
		return nil
	}
	declared := env.Declared
	env.Declared = func(name string) bool { return name == "shape" || name == "point" || declared(name) }
	typeDef := env.TypeDef
	env.TypeDef = func(name string) reflect.Type {
		switch name {
		case "shape":
			return sessionInterface
		case "point":
			return reflect.TypeFor[struct{ X int }]()
		}
		if typeDef != nil {
			return typeDef(name)
		}
		return nil
	}
	return env
}

func TestParseInterfaceAssertions(t *testing.T) {
	wrapped := func(x, typ string) string { return IfaceName + "(" + x + ").(" + typ + ")" }
	tests := []struct {
		name, cell string
		want       []string // in the source
		not        []string // not in the source
	}{
		{"error", "func f(r any) {\n\tv, ok := r.(error)\n\t_, _ = v, ok\n}", []string{wrapped("r", "error")}, nil},
		{"a single value", "func f(r any) error { return r.(error) }", []string{"return " + wrapped("r", "error")}, nil},
		{"a package's interface", "func f(r any) { _ = r.(io.Reader) }", []string{wrapped("r", "io.Reader")}, nil},
		{"a package's struct", "func f(r any) { _ = r.(*io.SectionReader) }", nil, []string{IfaceName}},
		{"an interface literal", "func f(r any) { _ = r.(interface{ Name() string }) }", []string{wrapped("r", "interface{ Name() string }")}, nil},
		{"the cell's interface", "type named interface{ Name() string }\nfunc f(r any) { _ = r.(named) }", []string{wrapped("r", "named")}, nil},
		{"the cell's type defined as error", "type failure error\nfunc f(r any) { _ = r.(failure) }", []string{wrapped("r", "failure")}, nil},
		{"the cell's struct", "type thing struct{}\nfunc f(r any) { _ = r.(thing) }", nil, []string{IfaceName}},
		{"the cell's empty interface", "type anything interface{}\nfunc f(r any) { _ = r.(anything) }", nil, []string{IfaceName}},
		{"a concrete type", "func f(r any) { _ = r.(int) }", nil, []string{IfaceName}},
		{"the empty interface", "func f(r any) { _ = r.(any) }", nil, []string{IfaceName}},
		{"a shadowed error", "type error struct{}\nfunc f(r any) { _ = r.(error) }", nil, []string{IfaceName}},
		{"a call's result", "func g() any { return nil }\nfunc f() { _ = g().(error) }", []string{wrapped("g()", "error")}, nil},
		{"recover", "func f() {\n\tdefer func() {\n\t\tif e, ok := recover().(error); ok {\n\t\t\t_ = e\n\t\t}\n\t}()\n}", []string{RecoverName + "(" + IfaceName + "(recover()))" + ".(error)"}, nil},
		{"at the top level, comma-ok", "var r any\nv, ok := r.(error)", []string{"= " + wrapped("r", "error")}, nil},
		{"switch: an empty clause", "func f(r any) {\n\tswitch v := r.(type) {\n\tcase int:\n\t\t_ = v + 1\n\tcase string:\n\tdefault:\n\t}\n}", []string{"case string: _ = v;\n", "default: _ = v;\n", "case int:\n"}, []string{"__gk_t"}},
		{"switch: an empty clause, no variable", "func f(r any) {\n\tswitch r.(type) {\n\tdefault:\n\t}\n}", []string{"default:\n"}, []string{"_ ="}},
		{"switch: concrete cases only", "func f(r any) {\n\tswitch v := r.(type) {\n\tcase int:\n\t\t_ = v\n\t}\n}", nil, []string{IfaceName, "__gk_t"}},
		{"switch: an interface case", "func f(r any) {\n\tswitch v := r.(type) {\n\tcase int, string:\n\t\t_ = v\n\tcase error:\n\t\t_ = v\n\tcase nil:\n\tdefault:\n\t\t_ = v\n\t}\n}", []string{
			"switch { default: __gk_t1 := r; __gk_c2 := 0; if _, ok := __gk_t1.(int); ok { __gk_c2 = 1 } else if _, ok := __gk_t1.(string); ok { __gk_c2 = 1 } else if _, ok := " + wrapped("__gk_t1", "error") + "; ok { __gk_c2 = 2 } else if __gk_t1 == nil { __gk_c2 = 3 }; switch __gk_c2 {",
			"case 1: v := __gk_t1;", "case 2: v := " + wrapped("__gk_t1", "error") + ";", "case 3: v := __gk_t1;", "default: v := __gk_t1;", "\t} }"}, nil},
		{"switch: the empty interface", "func f(r any) {\n\tswitch v := r.(type) {\n\tcase error:\n\tcase any:\n\t\t_ = v\n\t}\n}", []string{"else if __gk_t1 != nil { __gk_c2 = 2 }", "case 2: v := (any)(__gk_t1);"}, nil},
		{"switch: no variable, an init statement", "func f(r any) {\n\tswitch k := 1; r.(type) {\n\tcase io.Reader:\n\t\t_ = k\n\t}\n}", []string{"switch k := 1; { default: __gk_t1 := r; __gk_c2 := 0; if _, ok := " + wrapped("__gk_t1", "io.Reader") + "; ok { __gk_c2 = 1 }; switch __gk_c2 {", "case 1:\n"}, nil},
		{"switch: the session's interface", "func f(r any) {\n\tswitch r.(type) {\n\tcase shape:\n\t}\n}", []string{wrapped("__gk_t1", "shape")}, nil},
		{"switch: the session's struct", "func f(r any) {\n\tswitch r.(type) {\n\tcase point:\n\t}\n}", nil, []string{"__gk_t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSources(t, mustParse(t, ifaceEnv(), tt.cell), tt.want, tt.not)
		})
	}
	// Without Env.Interfaces nothing changes.
	env := ifaceEnv()
	env.Interfaces = false
	if src := mustParse(t, env, "func f(r any) {\n\tswitch r.(type) {\n\tcase error:\n\t}\n\t_ = r.(error)\n}").Segments[0].Source; strings.Contains(src, "__gk_") {
		t.Errorf("rewritten without Env.Interfaces:\n%s", src)
	}
}

// assertionPanic returns the value yaegi panics with when the body of a function fails,
// with IfaceName bound as the evaluator binds it.
func assertionPanic(t *testing.T, body string) any {
	t.Helper()
	i := interp.New(interp.Options{Stderr: io.Discard})
	if err := i.Use(interp.Exports{"hooks/hooks": {"Iface": reflect.ValueOf(Interface)}}); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{`import hooks "hooks"`, "var " + IfaceName + " = hooks.Iface", "func f() {\n" + body + "\n}"} {
		if _, err := i.Eval(src); err != nil {
			t.Fatal(err)
		}
	}
	_, err := i.Eval("f()")
	var p interp.Panic
	if !errors.As(err, &p) {
		t.Fatalf("f() = %v, want a panic", err)
	}
	return p.Value
}

func TestConversion(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string // "" when v is not an assertion's failure
		line int    // in the interpreter's source: f's body starts on line 2
	}{
		{"a concrete type", assertionPanic(t, "var r any = 3\n_ = r.(string)"), "interface conversion: interface {} is int, not string", 3},
		{"nil", assertionPanic(t, "var r any\n\n_ = "+IfaceName+"(r).(error)"), "interface conversion: interface is nil, not error", 4},
		{"a missing method", assertionPanic(t, "var r any = 3\n_ = "+IfaceName+"(r).(error)"), "interface conversion: int is not error: missing method Error", 3},
		{"an error of the cell with the same words", fmt.Errorf("3:1: interface conversion: interface {} is int, not string"), "", 0},
		{"another panic of the interpreter", assertionPanic(t, "var m map[string]int\nm[\"a\"] = 1"), "", 0},
		{"a string", "7:2: interface conversion: x", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := Conversion(tt.v)
			if ok != (tt.want != "") || c.Msg != tt.want || c.Line != tt.line {
				t.Errorf("Conversion(%v) = %+v, %v; want %q at line %d", tt.v, c, ok, tt.want, tt.line)
			}
			if ok {
				if r, isC := Recovered(tt.v).(ConversionError); !isC || r != c {
					t.Errorf("Recovered = %#v, want %#v", Recovered(tt.v), c)
				}
			}
		})
	}
	if Interface(nil) == nil || Interface(3) != 3 || Interface(reflect.ValueOf(3)) != 3 {
		t.Errorf("Interface(nil) = %v, Interface(3) = %v, Interface(reflect.ValueOf(3)) = %v", Interface(nil), Interface(3), Interface(reflect.ValueOf(3)))
	}
	if _, ok := Interface(nil).(error); ok {
		t.Errorf("Interface(nil) implements error")
	}
}
