package invoke

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

type celsius float64

type label string

func double(n int) int                { return 2 * n }
func half(n int) (int, error)         { return n / 2, nil }
func failing() error                  { return io.ErrUnexpectedEOF }
func failingPair(int) (string, error) { return "partial", io.EOF }
func nothing()                        {}
func joinInts(sep string, ns ...int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, sep)
}
func small(n int8) int8               { return n }
func unsigned(n uint) uint            { return n }
func wide(n int64) int64              { return n }
func ratio(x float64) float64         { return x }
func warm(c celsius) celsius          { return c + 1 }
func tag(l label) label               { return l + "!" }
func isNilPtr(p *int) bool            { return p == nil }
func isNilAny(v any) bool             { return v == nil }
func isNilErr(err error) bool         { return err == nil }
func isNilMap(m map[string]int) bool  { return m == nil }
func isNilSlice(s []int) bool         { return s == nil }
func stringify(s fmt.Stringer) string { return s.String() }
func three() (int, int, error)        { return 1, 2, nil }
func notErrorSecond() (int, string)   { return 1, "x" }

func TestPrepareAndRun(t *testing.T) {
	tests := []struct {
		name    string
		f       any
		args    []any
		want    any
		wantErr error
	}{
		{name: "value", f: double, args: []any{21}, want: 42},
		{name: "value and nil error", f: half, args: []any{9}, want: 4},
		{name: "error only", f: failing, wantErr: io.ErrUnexpectedEOF},
		{name: "value and error", f: failingPair, args: []any{1}, want: "partial", wantErr: io.EOF},
		{name: "no result", f: nothing, want: nil},
		{name: "closure", f: func(a, b string) string { return a + b }, args: []any{"go", "pher"}, want: "gopher"},
		{name: "variadic none", f: joinInts, args: []any{","}, want: ""},
		{name: "variadic many", f: joinInts, args: []any{"-", 1, 2, 3}, want: "1-2-3"},
		{name: "variadic builtin-like", f: fmt.Sprint, args: []any{"a", 1}, want: "a1"},
		{name: "int to int64", f: wide, args: []any{7}, want: int64(7)},
		{name: "int to int8 fits", f: small, args: []any{-128}, want: int8(-128)},
		{name: "int to float64", f: ratio, args: []any{3}, want: 3.0},
		{name: "whole float to int", f: double, args: []any{2.0}, want: 4},
		{name: "float to named float", f: warm, args: []any{20.5}, want: celsius(21.5)},
		{name: "string to named string", f: tag, args: []any{"hi"}, want: label("hi!")},
		{name: "nil pointer", f: isNilPtr, args: []any{nil}, want: true},
		{name: "nil interface", f: isNilAny, args: []any{nil}, want: true},
		{name: "nil error", f: isNilErr, args: []any{nil}, want: true},
		{name: "nil map", f: isNilMap, args: []any{nil}, want: true},
		{name: "nil slice", f: isNilSlice, args: []any{nil}, want: true},
		{name: "value to interface", f: isNilAny, args: []any{5}, want: false},
		{name: "concrete to interface", f: stringify, args: []any{celsiusStringer(3)}, want: "3°C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := Prepare(tt.f, tt.args)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			got, err := call.Run()
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("Run = %#v, want %#v", got, tt.want)
			}
		})
	}
}

type celsiusStringer int

func (c celsiusStringer) String() string { return fmt.Sprintf("%d°C", int(c)) }

func TestPrepareRejects(t *testing.T) {
	var nilFunc func()
	tests := []struct {
		name string
		f    any
		args []any
		want []string // substrings of the message
	}{
		{name: "nil target", f: nil, want: []string{"target is nil, want a function"}},
		{name: "not a function", f: 42, want: []string{"target is int (42), want a function"}},
		{name: "nil function", f: nilFunc, want: []string{"nil func()"}},
		{name: "too many", f: double, args: []any{1, 2}, want: []string{"invoke.double", "takes 1 argument (int), got 2 (int, int)"}},
		{name: "too few", f: half, want: []string{"invoke.half", "takes 1 argument (int), got 0 ()"}},
		{name: "variadic too few", f: joinInts, want: []string{"takes at least 1 argument (string, ...int)"}},
		{name: "wrong type", f: double, args: []any{"x"}, want: []string{"invoke.double: argument 1 is string, want int"}},
		{name: "wrong variadic type", f: joinInts, args: []any{",", 1, "two"}, want: []string{"argument 3 is string, want int"}},
		{name: "nil for int", f: double, args: []any{nil}, want: []string{"argument 1 is nil, want int"}},
		{name: "overflow", f: small, args: []any{300}, want: []string{"is int 300, which does not fit int8"}},
		{name: "negative to unsigned", f: unsigned, args: []any{-1}, want: []string{"is int -1, which does not fit uint"}},
		{name: "fraction to int", f: double, args: []any{2.5}, want: []string{"is float64 2.5, which does not fit int"}},
		{name: "int to string", f: tag, args: []any{65}, want: []string{"is int, want invoke.label"}},
		{name: "three results", f: three, want: []string{"invoke.three returns (int, int, error)"}},
		{name: "second not error", f: notErrorSecond, want: []string{"returns (int, string), want no result, one result, or a value and an error"}},
		{name: "closure named by type", f: func(int) {}, args: []any{"x"}, want: []string{"TestPrepareRejects.func1: argument 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Prepare(tt.f, tt.args)
			if err == nil {
				t.Fatal("Prepare succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

var errSentinel = errors.New("sentinel")

func TestRunRecoversPanics(t *testing.T) {
	tests := []struct {
		name      string
		f         any
		wantValue string
		wantIs    error
	}{
		{name: "string", f: func() { panic("boom") }, wantValue: "boom"},
		{name: "error", f: func() { panic(errSentinel) }, wantValue: "sentinel", wantIs: errSentinel},
		{name: "runtime error", f: func() { var s []int; _ = s[3] }, wantValue: "index out of range"},
		{name: "nil", f: func() { panic(nil) }, wantValue: "panic called with nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, err := Prepare(tt.f, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = call.Run()
			var pe *PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("Run error = %v, want a *PanicError", err)
			}
			if !strings.Contains(fmt.Sprint(pe.Value), tt.wantValue) {
				t.Errorf("panic value %v does not contain %q", pe.Value, tt.wantValue)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "panic: ") || !strings.Contains(msg, "goroutine ") {
				t.Errorf("message lacks the panic header or stack:\n%s", msg)
			}
			if !strings.Contains(msg, "TestRunRecoversPanics") {
				t.Errorf("stack does not show the panicking function:\n%s", msg)
			}
			if strings.Contains(msg, "runtime/debug.Stack") {
				t.Errorf("stack still shows the recovery frames:\n%s", msg)
			}
		})
	}
}

func TestGoexitIsNotReportedAsPanic(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		finished := false
		defer func() {
			if !finished {
				done <- ErrGoexit
			}
		}()
		call, err := Prepare(runtime.Goexit, nil)
		if err != nil {
			done <- err
			return
		}
		_, err = call.Run()
		finished = true
		done <- err
	}()
	if err := <-done; !errors.Is(err, ErrGoexit) {
		t.Fatalf("got %v, want the goroutine to end through Goexit", err)
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		f    any
		want string
	}{
		{f: double, want: "github.com/gokernel/gokernel/runtime/internal/invoke.double"},
		{f: strings.ToUpper, want: "strings.ToUpper"},
		{f: (&strings.Builder{}).Len, want: "strings.(*Builder).Len"},
		{f: 5, want: "int (5)"},
	}
	for _, tt := range tests {
		if got := Name(tt.f); got != tt.want {
			t.Errorf("Name(%T) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func BenchmarkPrepareAndRun(b *testing.B) {
	for b.Loop() {
		call, err := Prepare(half, []any{8})
		if err != nil {
			b.Fatal(err)
		}
		call.Run()
	}
}
