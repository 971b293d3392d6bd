package process_test

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/process"
)

type point struct {
	X, Y  int
	label string // unexported fields cross too
}

type celsius float64

type tree struct {
	Name string
	Kids []tree
	Up   *tree
}

type record struct {
	ID      uint16
	Tags    map[string][]int
	Where   *point
	When    time.Duration
	Big     *big.Int
	Matrix  [2][2]float32
	Err     error
	Extra   any
	private []byte
}

func bigInt(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return x
}

// roundTrips lists values that are sent to a child through a function of
// type func(T) T that returns its argument, and must come back equal.
var roundTrips = []struct {
	name  string
	value any
}{
	{"bool", true},
	{"int", -42},
	{"int8", int8(math.MinInt8)},
	{"int64", int64(math.MinInt64)},
	{"uint64", uint64(math.MaxUint64)},
	{"uintptr", uintptr(0xdeadbeef)},
	{"float32", float32(1.5)},
	{"float64", math.Pi},
	{"inf", math.Inf(-1)},
	{"complex128", complex(1.5, -2)},
	{"string", "héllo, 世界"},
	{"named float", celsius(36.6)},
	{"slice", []int{3, 1, 2}},
	{"nil slice", []string(nil)},
	{"empty slice", []string{}},
	{"bytes", []byte{0, 1, 255}},
	{"array", [3]string{"a", "", "c"}},
	{"map", map[string]int{"a": 1, "b": 2}},
	{"map of slices", map[int][]string{1: {"x"}, 2: nil}},
	{"nil map", map[string]bool(nil)},
	{"struct", point{X: 1, Y: 2, label: "p"}},
	{"pointer", &point{X: 3, label: "q"}},
	{"nil pointer", (*point)(nil)},
	{"recursive", tree{Name: "root", Kids: []tree{{Name: "a"}, {Name: "b", Kids: []tree{{Name: "c"}}}}, Up: &tree{Name: "up"}}},
	{"big.Int", bigInt("-123456789012345678901234567890123456789")},
	{"big.Float", new(big.Float).SetPrec(200).Quo(big.NewFloat(1), big.NewFloat(3))},
	{"duration", 1500 * time.Millisecond},
	{"time", time.Date(2024, 2, 29, 12, 30, 0, 5, time.UTC)},
	{"record", record{
		ID: 7, Tags: map[string][]int{"t": {1}}, Where: &point{Y: 9}, When: time.Second,
		Big: big.NewInt(5), Matrix: [2][2]float32{{1, 2}, {3, 4}}, Extra: "x", private: []byte("secret"),
	}},
	{"any slice", []any{1, "two", 3.0, nil, []int{4}}},
	{"nested maps", map[string]any{"a": map[string]any{"b": []any{true}}}},
}

// echoFunc returns a function of type func(T) T, where T is the type of v,
// that returns its argument. Such functions are made by reflect, as the
// functions of an interpreter are, so they must be passed with Named.
func echoFunc(v any) any {
	t := reflect.TypeOf(v)
	ft := reflect.FuncOf([]reflect.Type{t}, []reflect.Type{t}, false)
	return reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value { return in }).Interface()
}

func TestValuesRoundTrip(t *testing.T) {
	for _, c := range roundTrips {
		t.Run(c.name, func(t *testing.T) {
			p := process.New(process.Named("echo:"+c.name, echoFunc(c.value)), c.value)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			got, err := p.Result()
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, c.value) {
				t.Errorf("sent %#v, got back %#v", c.value, got)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(c.value) {
				t.Errorf("sent %T, got back %T", c.value, got)
			}
		})
	}
}

// equal compares values that reflect.DeepEqual cannot: big numbers by value
// and errors by message.
func equal(a, b any) bool {
	switch x := a.(type) {
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case *big.Float:
		y, ok := b.(*big.Float)
		return ok && x.Cmp(y) == 0 && x.Prec() == y.Prec()
	case record:
		y, ok := b.(record)
		if !ok || !equal(x.Big, y.Big) {
			return false
		}
		x.Big, y.Big = nil, nil
		return reflect.DeepEqual(x, y)
	}
	return reflect.DeepEqual(a, b)
}

func TestErrorsCrossAsMessages(t *testing.T) {
	sent := record{Err: errors.New("disk full"), Big: big.NewInt(1)}
	p := process.New(process.Named("echo:record", echoFunc(record{})), sent)
	p.Start()
	got, err := p.Result()
	if err != nil {
		t.Fatal(err)
	}
	if e := got.(record).Err; e == nil || e.Error() != "disk full" {
		t.Errorf("Err came back as %v, want disk full", e)
	}
}

// TestInterfaceValues checks what a value becomes when it is received into
// an interface, which cannot name the sender's type.
func TestInterfaceValues(t *testing.T) {
	q := process.NewQueue()
	v := process.NewValue(process.Int64, 0)
	tests := []struct {
		name string
		sent any
		want any
	}{
		{"int", 3, 3},
		{"named float", celsius(2.5), 2.5},
		{"struct", point{X: 1, Y: 2, label: "l"}, map[string]any{"X": 1, "Y": 2, "label": "l"}},
		{"pointer", &point{X: 1}, map[string]any{"X": 1, "Y": 0, "label": ""}},
		{"slice of structs", []point{{X: 1}}, []map[string]any{{"X": 1, "Y": 0, "label": ""}}},
		{"recursive", tree{Name: "r", Kids: []tree{{Name: "k"}}},
			map[string]any{"Name": "r", "Kids": []map[string]any{{"Name": "k", "Kids": []map[string]any(nil), "Up": nil}}, "Up": nil}},
		{"error", errors.New("oops"), errors.New("oops")},
		{"duration", time.Minute, time.Minute},
		{"nil", nil, nil},
		{"queue", q, q},
		{"value", v, v},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := process.New(identity, tc.sent)
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			got, err := p.Result()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("sent %#v, got back %#v, want %#v", tc.sent, got, tc.want)
			}
		})
	}
}

// TestQueueAndValueKeepIdentity checks that a queue or shared value sent to
// a child and back is the original, not a copy.
func TestQueueAndValueKeepIdentity(t *testing.T) {
	for _, x := range []any{process.NewQueue(), process.NewValue(process.Float64, 1.5), process.NewArray(process.Int64, 3)} {
		p := process.New(identity, x)
		p.Start()
		got, err := p.Result()
		if err != nil {
			t.Fatal(err)
		}
		if got != x {
			t.Errorf("%T came back as a different object: %p, want %p", x, got, x)
		}
	}
}

func TestUnsupportedTypesFailBeforeStart(t *testing.T) {
	type withChan struct{ C chan int }
	type cycle struct{ Next *cycle }
	loop := &cycle{}
	loop.Next = loop
	// Named functions need no registration to be checked.
	takesChan := process.Named("takesChan", func(chan int) {})
	returnsFunc := process.Named("returnsFunc", func() func() { return nil })
	takesStringer := process.Named("takesStringer", func(interface{ String() string }) {})
	takesWithChan := process.Named("takesWithChan", func(withChan) {})
	takesCycle := process.Named("takesCycle", func(*cycle) {})

	tests := []struct {
		name        string
		f           any
		args        []any
		want        string
		unsupported bool // the error wraps an *UnsupportedTypeError
	}{
		{"chan parameter", takesChan, []any{make(chan int)}, "chan int cannot cross", true},
		{"func result", returnsFunc, nil, "result: func() cannot cross", true},
		{"interface parameter", takesStringer, []any{nil}, "cannot cross", true},
		{"struct field", takesWithChan, []any{withChan{}}, "field C", true},
		{"func inside any", identity, []any{func() {}}, "func() cannot cross", true},
		{"chan inside slice of any", identity, []any{[]any{1, make(chan bool)}}, "chan bool cannot cross", true},
		{"pointer cycle", takesCycle, []any{loop}, "nested too deeply", false},
		{"closure", func(n int) int { return n }, []any{1}, "cannot run an anonymous function (closure or func literal) in a child process; pass a top-level function", false},
		{"reflect-made function", echoFunc(0), []any{1}, "anonymous function", false},
		{"unregistered function", strings.ToUpper, []any{"x"}, `function strings.ToUpper is not registered; call process.Register("ToUpper", ToUpper)`, false},
		{"wrong argument", square, []any{"three"}, "argument 1 is string, want int", false},
		{"not a function", 42, nil, "target is int, want a function", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := process.New(tc.f, tc.args...)
			err := p.Start()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start() = %v, want an error containing %q", err, tc.want)
			}
			var ute *process.UnsupportedTypeError
			if errors.As(err, &ute) != tc.unsupported {
				t.Errorf("errors.As(%v, *UnsupportedTypeError) = %v, want %v", err, !tc.unsupported, tc.unsupported)
			}
			if p.Pid() != 0 {
				t.Errorf("a child was started: pid %d", p.Pid())
			}
			if jerr := p.Join(); jerr != err {
				t.Errorf("Join() = %v, want the error of Start", jerr)
			}
		})
	}
}
