package process

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// roundTrip encodes sent with its own type and decodes it into a new
// variable of the type of into.
func roundTrip(sent, into any) (any, error) {
	v := reflect.ValueOf(&sent).Elem().Elem()
	b, err := encode(v.Type(), v)
	if err != nil {
		return nil, err
	}
	dst := reflect.New(reflect.TypeOf(into)).Elem()
	if err := decode(b, dst); err != nil {
		return nil, err
	}
	return dst.Interface(), nil
}

func TestDecodeConvertsOnlyWhatFits(t *testing.T) {
	type small struct{ A int8 }
	type renamed struct{ B int8 }
	tests := []struct {
		name string
		sent any
		into any
		want any    // nil: an error containing fail
		fail string // substring of the error
	}{
		{"int to int64", 3, int64(0), int64(3), ""},
		{"int to float64", 3, 0.0, 3.0, ""},
		{"integral float to int", 4.0, 0, 4, ""},
		{"uint to int", uint(7), 0, 7, ""},
		{"int to complex", 2, complex128(0), complex(2, 0), ""},
		{"int too big for int8", 300, int8(0), nil, "cannot receive int 300 as int8"},
		{"negative to uint", -1, uint(0), nil, "cannot receive int -1 as uint"},
		{"fraction to int", 2.5, 0, nil, "cannot receive float64 2.5 as int"},
		{"huge uint to int64", uint64(math.MaxUint64), int64(0), nil, "as int64"},
		{"float64 too big for float32", math.MaxFloat64, float32(0), nil, "as float32"},
		{"complex to float", complex(1, 1), 0.0, nil, "as float64"},
		{"string to int", "1", 0, nil, "cannot receive string as int"},
		{"bool to string", true, "", nil, "cannot receive bool as string"},
		{"slice to array", []int{1, 2}, [2]int{}, [2]int{1, 2}, ""},
		{"slice to short array", []int{1, 2, 3}, [2]int{}, nil, "3 elements"},
		{"bytes to ints", []byte{1, 2}, []int{}, []int{1, 2}, ""},
		{"struct to map", small{A: 1}, map[string]int{}, map[string]int{"A": 1}, ""},
		{"struct field by name", small{A: 5}, struct{ A int }{}, struct{ A int }{5}, ""},
		{"unknown field", small{A: 1}, renamed{}, nil, "has no field A"},
		{"field too small", struct{ A int }{1000}, small{}, nil, "field A"},
		{"value into pointer", small{A: 2}, &small{}, &small{A: 2}, ""},
		{"pointer into value", &small{A: 3}, small{}, small{A: 3}, ""},
		{"map to slice", map[int]int{}, []int{}, nil, "cannot receive"},
		{"error to string", struct{ E error }{errString("e")}, struct{ E string }{}, struct{ E string }{"e"}, ""},
		{"nil error", struct{ E error }{}, struct{ E error }{}, struct{ E error }{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := roundTrip(tc.sent, tc.into)
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.fail) {
					t.Fatalf("got %#v, %v; want an error containing %q", got, err, tc.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestDecodeRejectsDamagedMessages checks that every truncation and a
// sample of corruptions of a message fail with an error, not a panic.
func TestDecodeRejectsDamagedMessages(t *testing.T) {
	type node struct {
		Name string
		Next *node
		Tags map[string][]float64
		Any  any
	}
	sent := node{Name: "a", Next: &node{Name: "b"}, Tags: map[string][]float64{"x": {1}}, Any: []any{1, "s"}}
	v := reflect.ValueOf(sent)
	b, err := encode(v.Type(), v)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if err := decode(b[:n], reflect.New(v.Type()).Elem()); err == nil {
			t.Errorf("a message cut to %d of %d bytes decoded", n, len(b))
		}
	}
	for i := range b {
		for _, x := range []byte{0, 0x7f, 0xff} {
			damaged := append([]byte(nil), b...)
			damaged[i] = x
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("byte %d set to %#x: decode panicked: %v", i, x, r)
					}
				}()
				decode(damaged, reflect.New(v.Type()).Elem())
				decodeAny(damaged)
			}()
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, x := range []any{1, "s", []any{1.5, nil}, map[string]int{"a": 1}, struct{ A []byte }{[]byte("x")}} {
		b, err := encodeAny(x)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeAny(b)
		var s struct {
			A []byte
			B map[string]any
		}
		decode(b, reflect.ValueOf(&s).Elem())
	})
}
