package gocell

import (
	"go/ast"
	"go/parser"
	"math"
	"strings"
	"testing"
	"time"
)

func TestMinMaxPick(t *testing.T) {
	negZero := math.Copysign(0, -1)
	nan := math.NaN()
	tests := []struct {
		name     string
		x, y     any
		min, max bool // whether MinPick and MaxPick take y
	}{
		{"ints", 3, 1, true, false},
		{"equal ints keep the first", 2, 2, false, false},
		{"int8", int8(-3), int8(4), false, true},
		{"uints", uint(7), uint(9), false, true},
		{"a named integer type", time.Second, time.Millisecond, true, false},
		{"strings", "b", "a", true, false},
		{"floats", 1.5, 2.5, false, true},
		{"float32", float32(2), float32(-1), true, false},
		{"a NaN second wins", 1.0, nan, true, true},
		{"a NaN first stays", nan, 1.0, false, false},
		{"min takes the negative zero", 0.0, negZero, true, false},
		{"max takes the positive zero", negZero, 0.0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MinPick(tt.x, tt.y); got != tt.min {
				t.Errorf("MinPick(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.min)
			}
			if got := MaxPick(tt.x, tt.y); got != tt.max {
				t.Errorf("MaxPick(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.max)
			}
		})
	}
}

func TestMinMaxPickPanicsOnUnorderedValues(t *testing.T) {
	tests := []struct {
		name string
		x, y any
		msg  string
	}{
		{"structs", struct{}{}, struct{}{}, "cannot be ordered"},
		{"bools", true, false, "cannot be ordered"},
		{"mismatched kinds", 1, "a", "mismatched types int and string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tt.msg) {
					t.Errorf("panic %v, want one containing %q", r, tt.msg)
				}
			}()
			MinPick(tt.x, tt.y)
		})
	}
}

func TestFoldMinMax(t *testing.T) {
	tests := []struct {
		call string // a call of min or max
		want string // its folded text, or "" when it is not folded
	}{
		{"min(3, 1, 2)", "(1)"},
		{"max(3, 1, 2)", "(3)"},
		{"min(-2, 1)", "(-2)"},
		{"max(0x10, 9)", "(0x10)"},
		{"min(1, 2.5)", "(1.0)"},
		{"min(0x10, 20.5)", "(16.0)"},
		{"max(1, 2.5)", "(2.5)"},
		{"min('a', 'b')", "('a')"},
		{"min('a', 1)", "(rune(1))"},
		{`max("apple", "pear")`, `("pear")`},
		{"min((4), 5)", "(4)"},
		{"min(x, 1)", ""},
		{"min(1, N)", ""},
		{`min(1, "a")`, ""},
		{"max(1i, 2)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			e, err := parser.ParseExpr(tt.call)
			if err != nil {
				t.Fatal(err)
			}
			c := e.(*ast.CallExpr)
			want := -1
			if c.Fun.(*ast.Ident).Name == "max" {
				want = +1
			}
			src := func(n ast.Node) string { return tt.call[n.Pos()-1 : n.End()-1] }
			got, ok := foldMinMax(c.Args, want, src)
			if !ok {
				got = ""
			}
			if got != tt.want {
				t.Errorf("folded %q (ok %v), want %q", got, ok, tt.want)
			}
		})
	}
}
