package goeval

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/engine"
	"github.com/gokernel/gokernel/kernel/gocell"
	"github.com/gokernel/gokernel/kernel/internal/testutil"
	"github.com/gokernel/gokernel/kernel/symbols"
)

// recorder is an engine.Output that keeps everything a cell produces.
type recorder struct {
	stdout   testutil.Buffer
	stderr   testutil.Buffer
	mu       sync.Mutex // guards the fields below
	displays []map[string]any
	clears   int
	answers  []string
}

func (r *recorder) Stream(name, text string) {
	if name == "stderr" {
		_, _ = r.stderr.Write([]byte(text))
	} else {
		_, _ = r.stdout.Write([]byte(text))
	}
}

func (r *recorder) Display(data, _ map[string]any, _ string, _ bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, data)
}

func (r *recorder) Clear(bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clears++
}

func (r *recorder) Input(ctx context.Context, prompt string, _ bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.answers) == 0 {
		return "", engine.ErrNoStdin
	}
	a := r.answers[0]
	r.answers = r.answers[1:]
	return a, nil
}

func (r *recorder) out() string { return r.stdout.String() }

func (r *recorder) errText() string { return r.stderr.String() }

// session runs cells on one engine, numbering them like a notebook.
type session struct {
	t     *testing.T
	e     *Engine
	count int
}

func newSession(t *testing.T) *session {
	t.Helper()
	e, err := New(Options{Symbols: []interp.Exports{symbols.Symbols}, APIDocs: symbols.API})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return &session{t: t, e: e}
}

// run executes one cell and returns its result and output.
func (s *session) run(code string) (engine.ExecuteResult, *recorder) {
	s.t.Helper()
	s.count++
	rec := &recorder{}
	res := s.e.Execute(context.Background(), engine.ExecuteRequest{Code: code, Count: s.count}, rec)
	return res, rec
}

// ok runs a cell that must succeed and returns its stdout and its Out[] text.
func (s *session) ok(code string) (stdout, value string) {
	s.t.Helper()
	res, rec := s.run(code)
	if res.Err != nil {
		s.t.Fatalf("cell %q failed: %s: %s\n%s", code, res.Err.Name, res.Err.Value, strings.Join(res.Err.Traceback, "\n"))
	}
	if res.Data != nil {
		value, _ = res.Data["text/plain"].(string)
	}
	return rec.out(), value
}

// fails runs a cell that must fail and returns its error.
func (s *session) fails(code string) *engine.Error {
	s.t.Helper()
	res, _ := s.run(code)
	if res.Err == nil {
		s.t.Fatalf("cell %q succeeded, want an error", code)
	}
	return res.Err
}

func TestCellsKeepStateAndShowValues(t *testing.T) {
	s := newSession(t)
	tests := []struct {
		name, code    string
		stdout, value string
		valueIsAbsent bool
	}{
		{name: "mixed cell", code: "x := 2\nimport \"fmt\"\nfunc double(n int) int { return n * 2 }\nfmt.Println(\"double:\", double(x))\ntype point struct{ X, Y int }",
			stdout: "double: 4\n", valueIsAbsent: true},
		{name: "state persists", code: "x + 40", value: "42"},
		{name: "declared type", code: "p := point{1, 2}\np", value: "{1 2}"},
		{name: "string value is quoted", code: `"a" + "b"`, value: `"ab"`},
		{name: "Println has no Out", code: `fmt.Println("shown once")`, stdout: "shown once\n", valueIsAbsent: true},
		{name: "void call has no Out", code: "func hello() { fmt.Println(\"hi\") }\nhello()", stdout: "hi\n", valueIsAbsent: true},
		{name: "redefined function takes effect", code: "func double(n int) int { return n * 3 }\ndouble(2)", value: "6"},
		{name: "automatic import", code: `strings.ToUpper("go")`, value: `"GO"`},
		{name: "runtime package without import", code: `thread.Current().Name()`, value: `"MainThread"`},
		{name: "top-level defer runs when the cell ends", code: "defer fmt.Println(\"deferred\")\nfmt.Println(\"body\")", stdout: "body\ndeferred\n", valueIsAbsent: true},
		{name: "and never again", code: "fmt.Println(\"next\")", stdout: "next\n", valueIsAbsent: true},
		{name: "nil error is not shown", code: "var err error\nerr", valueIsAbsent: true},
		{name: "statement before declaration", code: "y := 5\nfunc triple(n int) int { return 3 * n }\ntriple(y)", value: "15"},
		{name: "a rune variable is a rune", code: "r := '世'\nbuf := make([]byte, 3)\nfmt.Sprintf(\"%T %d\", r, utf8.EncodeRune(buf, r))", value: `"int32 3"`},
		{name: "switch without a tag", code: "switch {\ncase y > 2:\n\tfmt.Println(\"big\")\n}\nfunc sign(n int) int {\n\tswitch {\n\tcase n < 0:\n\t\treturn -1\n\t}\n\treturn 1\n}\nsign(-y)", stdout: "big\n", value: "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			stdout, value := s.ok(tt.code)
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			if tt.valueIsAbsent && value != "" {
				t.Errorf("Out %q, want none", value)
			}
			if !tt.valueIsAbsent && value != tt.value {
				t.Errorf("Out %q, want %q", value, tt.value)
			}
		})
	}
}

func TestErrorsPointAtTheCell(t *testing.T) {
	s := newSession(t)
	s.ok("a := 1\n_ = a")
	tests := []struct {
		name, code string
		ename      string
		contains   []string
	}{
		{"syntax error", "x := 1\ny := (\nfmt.Println(x)", "SyntaxError", []string{"line 3"}},
		{"type error", "n := 1\nvar s string = n\n_ = s", "CompileError", []string{"line 2", "var s string = n"}},
		{"undefined name", "fmt.Println(1)\nfmt.Println(nosuchname)", "CompileError", []string{"line 2", "nosuchname"}},
		{"panic with value", "func boom() {\n\tpanic(\"boom now\")\n}\nboom()", "panic", []string{"boom now", "line 2"}},
		{"runtime error wording", "var xs []int\n_ = xs[5]", "panic", []string{"panic: runtime error: index out of range [5] with length 0", "line 2"}},
		{"error value", "panic(fmt.Errorf(\"wrapped %d\", 7))", "panic", []string{"wrapped 7"}},
		{"os.Exit", "os.Exit(3)", "Exit", []string{"os.Exit(3)"}},
		{"log.Fatal", "log.Fatal(\"fatal now\")", "Exit", []string{"os.Exit(1)"}},
		{"min as a value", "m := min\n_ = m", "CompileError", []string{"line 1:6", "min (built-in function min) must be called"}},
		{"two variables over maps.Keys", "mk := map[int]int{}\nfor k, v := range maps.Keys(mk) {\n\t_, _ = k, v\n}", "CompileError", []string{"line 2:8", "permits only one iteration variable"}},
		{"max of a number and a string", "_ = max(1, \"a\")", "CompileError", []string{"line 1:9", "mismatched types untyped number (previous argument) and untyped string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			err := s.fails(tt.code)
			all := err.Value + "\n" + strings.Join(err.Traceback, "\n")
			if err.Name != tt.ename {
				t.Errorf("ename %q, want %q (%s)", err.Name, tt.ename, all)
			}
			for _, c := range tt.contains {
				if !strings.Contains(all, c) {
					t.Errorf("error %q does not mention %q", all, c)
				}
			}
		})
	}
	// After every failure the session still works and keeps its state.
	s.t = t
	if _, v := s.ok("a + 1"); v != "2" {
		t.Fatalf("state lost: a + 1 = %q", v)
	}
}

func TestIndexOutOfRangeSaysWhatGoSays(t *testing.T) {
	s := newSession(t)
	s.ok("xs := []int{}\nys := []int{1, 2}\nvar arr [3]int\nstr := \"abc\"\nfunc get(v []int, i int) int {\n\treturn v[i]\n}")
	s.ok("type bag struct {\n\titems []int\n\tm     map[string]int\n}\nbx := bag{items: []int{7}, m: map[string]int{}}\nfunc (b *bag) at(i int) int {\n\treturn b.items[i]\n}")
	s.ok("type stack []string\nfunc words() []string { return []string{\"a\", \"b\"} }\nfunc newBag() *bag { return &bag{items: []int{1}} }")
	panics := []struct{ name, code, want string }{
		{"slice", "_ = xs[5]", "runtime error: index out of range [5] with length 0"},
		{"negative index", "k := -1\nfmt.Println(ys[k])", "runtime error: index out of range [-1]"},
		{"string", "n := 7\n_ = str[n]", "runtime error: index out of range [7] with length 3"},
		{"array", "n := 4\narr[n] = 1", "runtime error: index out of range [4] with length 3"},
		{"function of an earlier cell", "get(ys, 9)", "runtime error: index out of range [9] with length 2"},
		{"trailing expression", "ys[2]", "runtime error: index out of range [2] with length 2"},
		{"result of strings.Split", "parts := strings.Split(\"a,b\", \",\")\nk := 5\n_ = parts[k]", "runtime error: index out of range [5] with length 2"},
		{"result of strings.Fields", "fields := strings.Fields(\" x  y z \")\nfmt.Println(fields[3])", "runtime error: index out of range [3] with length 3"},
		{"byte conversion", "b := []byte(\"hi\")\nn := 2\nb[n] = 0", "runtime error: index out of range [2] with length 2"},
		{"os.Args", "n := 4\n_ = os.Args[n]", "runtime error: index out of range [4] with length 1"},
		{"field of a struct of the cell", "type pair struct{ names []string }\np := pair{names: []string{\"a\"}}\nk := 3\n_ = p.names[k]", "runtime error: index out of range [3] with length 1"},
		{"field of a session struct variable", "k := 1\n_ = bx.items[k]", "runtime error: index out of range [1] with length 1"},
		{"field through a pointer", "type pt struct{ items []int }\npb := &pt{}\nk := 2\npb.items[k]++", "runtime error: index out of range [2] with length 0"},
		{"field through a method's receiver", "bx.at(4)", "runtime error: index out of range [4] with length 1"},
		{"nil pointer before the index", "var np *bag\nk := 0\n_ = np.items[k]", "runtime error: invalid memory address or nil pointer dereference"},
		{"parameter of a type of an earlier cell", "func third(b bag) int {\n\treturn b.items[2]\n}\nthird(bag{})", "runtime error: index out of range [2] with length 0"},
		{"pointer to a type of an earlier cell", "var pb2 *bag = &bx\nk := 6\n_ = pb2.items[k]", "runtime error: index out of range [6] with length 1"},
		{"result of a function of an earlier cell", "ws := words()\nk := 2\n_ = ws[k]", "runtime error: index out of range [2] with length 2"},
		{"struct result of a function of an earlier cell", "nb := newBag()\nk := 3\n_ = nb.items[k]", "runtime error: index out of range [3] with length 1"},
		{"promoted field", "type base struct{ items []int }\ntype top struct{ base }\nvar tp top\nk := 2\n_ = tp.items[k]", "runtime error: index out of range [2] with length 0"},
		{"nil embedded pointer before the index", "type base2 struct{ items []int }\ntype top2 struct{ *base2 }\nvar tq top2\nk := 0\n_ = tq.items[k]", "runtime error: invalid memory address or nil pointer dereference"},
		{"value of a map", "mv := map[string][]int{\"a\": {1}}\nk := 3\n_ = mv[\"a\"][k]", "runtime error: index out of range [3] with length 1"},
		{"slice type of an earlier cell", "var st stack\nk := 1\n_ = st[k]", "runtime error: index out of range [1] with length 0"},
		{"pointer to an array", "pa := &arr\nk := 5\n_ = pa[k]", "runtime error: index out of range [5] with length 3"},
		{"nil pointer to an array", "var pn *[3]int\nk := 1\n_ = pn[k]", "runtime error: invalid memory address or nil pointer dereference"},
		{"type parameter", "func at2[S ~[]int](s S, i int) int { return s[i] }\nat2(ys, 7)", "runtime error: index out of range [7] with length 2"},
		{"variable holding a method's result", "var sb strings.Builder\nsb.WriteString(\"ab\")\nw := sb.String()\nk := 5\n_ = w[k]", "runtime error: index out of range [5] with length 2"},
		{"right operand of &&", "k := 5\nok := k > 1 && ys[k] > 0", "runtime error: index out of range [5] with length 2"},
		{"right operand of ||", "k := 6\nok := k < 1 || ys[k] > 0", "runtime error: index out of range [6] with length 2"},
		{"tuple assignment", "a, b := ys[0], ys[5]\n_, _ = a, b", "runtime error: index out of range [5] with length 2"},
		{"swap", "i, j := 0, 7\nys[i], ys[j] = ys[j], ys[i]", "runtime error: index out of range [7] with length 2"},
		{"defer", "k := 5\ndefer fmt.Println(ys[k])", "runtime error: index out of range [5] with length 2"},
		{"defer in a function", "func f() { k := 3; defer fmt.Println(ys[k]) }\nf()", "runtime error: index out of range [3] with length 2"},
		{"call result indexed directly", "fmt.Println(strings.Split(\"a,b\", \",\")[5])", "runtime error: index out of range [5] with length 2"},
		{"call result indexed directly, trailing", "k := 7\nstrings.Split(\"a,b\", \",\")[k] + \"!\"", "runtime error: index out of range [7] with length 2"},
		{"call result indexed directly in a function", "func third(s string) string {\n\treturn strings.Fields(s)[2]\n}\nthird(\"a b\")", "runtime error: index out of range [2] with length 2"},
		{"method result indexed directly", "var sb2 strings.Builder\nsb2.WriteString(\"ab\")\nk := 4\n_ = sb2.String()[k]", "runtime error: index out of range [4] with length 2"},
		{"index that is a call", "five := func() int { return 5 }\nfmt.Println(ys[five()])", "runtime error: index out of range [5] with length 2"},
		{"remainder in the index", "k := 9\n_ = ys[k%5]", "runtime error: index out of range [4] with length 2"},
		{"remainder by zero in the index", "var empty []int\nk := 9\n_ = empty[k%len(empty)]", "runtime error: integer divide by zero"},
		{"index of an index beside a call", "grid := [][]int{{1, 2}, {3}}\nr, c := 1, 1\nfmt.Println(len(strings.Fields(\"x\")), grid[r][c])", "runtime error: index out of range [1] with length 1"},
		{"top-level definition from a call's result", "k := 5\nw5 := strings.Split(\"a,b\", \",\")[k]", "runtime error: index out of range [5] with length 2"},
		{"top-level definition from a string result", "w6 := strings.Repeat(\"ab\", 0)[0]", "runtime error: index out of range [0] with length 0"},
		{"top-level definition from a method's result", "w7 := time.Unix(0, 0).UTC().Weekday().String()[9]", "runtime error: index out of range [9] with length 8"},
		{"call result indexed after another call", "k := 3\n_ = len(strings.Fields(\"a\")) + len(strings.Split(\"a,b\", \",\")[k])", "runtime error: index out of range [3] with length 2"},
		{"index beside a call", "zero := func() int { return 0 }\nfmt.Println(zero(), ys[5])", "runtime error: index out of range [5] with length 2"},
		{"index beside a call in a function", "func both(a, b int) int { return a + b }\nfunc pair(xs []int, k int) int {\n\treturn both(len(strings.Fields(\"x\")), xs[k])\n}\npair(ys, 3)", "runtime error: index out of range [3] with length 2"},
		{"call inside the index", "_ = ys[strings.Count(\"aaa\", \"a\")+1]", "runtime error: index out of range [4] with length 2"},
		{"call inside the index of a string", "k := -2\n_ = str[strings.Count(\"a\", \"a\")+k]", "runtime error: index out of range [-1]"},
		{"index of an index", "idx := []int{0, 9}\nk := 1\n_ = ys[idx[k]]", "runtime error: index out of range [9] with length 2"},
		{"index of an index made by a call", "idx := []int{0, 9}\n_ = ys[idx[strings.Count(\"a\", \"a\")]]", "runtime error: index out of range [9] with length 2"},
		{"top-level definition indexed by a call", "k := 3\nv := ys[strings.Count(\"a\", \"a\")+k]\n_ = v", "runtime error: index out of range [4] with length 2"},
		{"right operand of && after a call", "k := 5\nok := strings.HasPrefix(\"ab\", \"a\") && ys[k] > 0", "runtime error: index out of range [5] with length 2"},
		{"call's result assigned to an index", "func sq(n int) int { return n * n }\nk := 4\nys[k] = sq(k)", "runtime error: index out of range [4] with length 2"},
		{"call's result assigned to an index in a loop", "results := make([]int, 2)\nfor i := 0; i < 3; i++ {\n\tresults[i] = strings.Count(\"aa\", \"a\")\n}", "runtime error: index out of range [2] with length 2"},
		{"call's result assigned to an index of an index", "table := [][]int{{0, 0}, {0}}\nfor r := range table {\n\tfor c := 0; c < 2; c++ {\n\t\ttable[r][c] = strings.Count(\"ab\", \"a\")\n\t}\n}", "runtime error: index out of range [1] with length 1"},
		{"call that changes the assigned index", "k := 0\nys[k] = func() int { k = 3; return 1 }()", "runtime error: index out of range [3] with length 2"},
		{"call that shortens the assigned slice", "zs := []int{1}\nk := 0\nzs[k] = func() int { zs = nil; return 1 }()", "runtime error: index out of range [0] with length 0"},
		{"index made by a call into an index", "grid := [][]int{{1, 2}, {3}}\nr := 1\nfmt.Println(grid[r][strings.Count(\"aaa\", \"a\")])", "runtime error: index out of range [3] with length 1"},
		{"index made by a call that moves the row", "grid := [][]int{{1, 2}, {3}}\nr := 0\nfmt.Println(grid[r][func() int { r = 1; return 1 }()])", "runtime error: index out of range [1] with length 1"},
		{"division before an index", "k, n := 9, 3\nv := k/n + ys[k]", "runtime error: index out of range [9] with length 2"},
		{"division by zero before an index", "k, n := 9, 0\nv := k/n + ys[k]", "runtime error: integer divide by zero"},
		{"remainder before an index in a function", "func mix(xs []int, i, d int) int {\n\treturn i%d + xs[i]\n}\nmix(ys, 4, 3)", "runtime error: index out of range [4] with length 2"},
		{"top-level definition from a cell function's result", "k := 5\nw8 := words()[k]", "runtime error: index out of range [5] with length 2"},
		{"top-level definition from a function of the same cell", "func letters() string { return \"abc\" }\nk := 3\nw9 := letters()[k]", "runtime error: index out of range [3] with length 3"},
		{"top-level definition from a result of a session type", "type reading struct{ C float64 }\nfunc readings() []reading { return []reading{{20}} }\nk := 2\nr0 := readings()[k]", "runtime error: index out of range [2] with length 1"},
		{"sum of calls assigned to an index", "func sq(n int) int { return n * n }\nk := 4\nys[k] = sq(k) + sq(1)", "runtime error: index out of range [4] with length 2"},
		{"calls assigned to an index in a function", "func fill(xs []float64, n int, f func(int) float64) {\n\tfor i := 0; i <= n; i++ {\n\t\txs[i] = 2*f(i) - f(0)\n\t}\n}\nfill(make([]float64, 3), 3, func(i int) float64 { return float64(i) })", "runtime error: index out of range [3] with length 3"},
		{"call assigned to an index made by an index", "perm := []int{1, 7}\nk := 1\nys[perm[k]] = strings.Count(\"a\", \"a\")", "runtime error: index out of range [7] with length 2"},
		{"call assigned to an index made by an index out of range", "perm := []int{1, 7}\nk := 2\nys[perm[k]] = strings.Count(\"a\", \"a\")", "runtime error: index out of range [2] with length 2"},
		{"calls that shorten the assigned slice", "zs := []int{1}\nk := 0\nzs[k] = func() int { zs = nil; return 1 }() + len(zs)", "runtime error: index out of range [0] with length 0"},
		{"dereferenced index", "k := 5\npk := &k\n_ = ys[*pk]", "runtime error: index out of range [5] with length 2"},
		{"dereferenced index of an earlier cell", "_ = ys[*pk+1]", "runtime error: index out of range [6] with length 2"},
		{"dereferenced nil index", "var np *int\n_ = ys[*np]", "runtime error: invalid memory address or nil pointer dereference"},
		{"dereferenced index in a function", "func at(xs []int, p *int) int {\n\treturn xs[*p]\n}\nn := 4\nat(ys, &n)", "runtime error: index out of range [4] with length 2"},
		{"receive assigned to an index", "ch := make(chan int, 1)\nch <- 3\nk := 2\nys[k] = <-ch", "runtime error: index out of range [2] with length 2"},
		{"receive assigned to an index in a function", "func drain(xs []int, ch chan int) {\n\tfor i := 0; ; i++ {\n\t\txs[i] = <-ch\n\t}\n}\nch3 := make(chan int, 3)\nch3 <- 1\nch3 <- 2\nch3 <- 3\ndrain(make([]int, 2), ch3)", "runtime error: index out of range [2] with length 2"},
		{"top-level definition from a cell function's result of a package's type", "func durs() []time.Duration { return []time.Duration{time.Second} }\nk := 2\nd1 := durs()[k]", "runtime error: index out of range [2] with length 1"},
		{"top-level definition from an earlier cell function's result of a package's type", "k := 4\nd2 := durs()[k]", "runtime error: index out of range [4] with length 1"},
		{"top-level definition from a result of a package's type", "k := 3\nw12 := big.NewInt(5).Bits()[k]", "runtime error: index out of range [3] with length 1"},
		{"index that is a call in a function", "func pick(xs []int, at func(int) int) int {\n\treturn xs[at(len(xs))]\n}\npick(ys, func(n int) int { return n - 3 })", "runtime error: index out of range [-1]"},
	}
	for _, tt := range panics {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			err := s.fails(tt.code)
			if err.Name != "panic" || err.Value != tt.want || err.Traceback[0] != "panic: "+tt.want {
				t.Errorf("%s: %q (%q), want panic %q", err.Name, err.Value, err.Traceback, tt.want)
			}
		})
	}
	runs := []struct{ name, code, value string }{
		{"recover in the cell sees the runtime error",
			"func safe(i int) (err error) {\n\tdefer func() { err = recover().(runtime.Error) }()\n\t_ = ys[i]\n\treturn nil\n}\nsafe(8).Error()",
			`"runtime error: index out of range [8] with length 2"`},
		{"call's result assigned to an index runs once", "zs := make([]int, 2)\ncalls := 0\nfunc tick() int { calls++; return calls * 10 }\nfor i := range zs {\n\tzs[i] = tick()\n}\nfmt.Sprint(zs, calls)", `"[10 20] 2"`},
		{"calls that lengthen the assigned slice", "var zs []int\nk := 0\nzs[k] = func() int { zs = []int{0}; return 7 }() * 2\nfmt.Sprint(zs)", `"[14]"`},
		{"receive assigned to an index, in range", "ch := make(chan int, 1)\nch <- 9\nzs := make([]int, 1)\nk := 0\nzs[k] = <-ch\nfmt.Sprint(zs, len(ch))", `"[9] 0"`},
		{"sum of calls assigned to an index runs each once", "zs := make([]int, 2)\ncalls := 0\nfunc tick() int { calls++; return calls }\nfor i := range zs {\n\tzs[i] = tick() + 10*tick()\n}\nfmt.Sprint(zs, calls)", `"[21 43] 4"`},
		{"call that lengthens the assigned slice", "var zs []int\nk := 0\nzs[k] = func() int { zs = []int{0}; return 7 }()\nfmt.Sprint(zs)", `"[7]"`},
		{"guarded right operand of &&", "i := 5\ni < len(ys) && ys[i] > 0", "false"},
		{"missing map key", "m := map[string]int{}\nk := \"zz\"\nm[k]", "0"},
		{"in range", "j := 1\nys[j] + int(str[j]) + arr[j]", "100"},
		{"map-returning package function", "bun := display.HTMLBundle(\"<b>x</b>\")\nkey := \"none\"\nbun[key] == nil", "true"},
		{"field of a map type", "k := \"zz\"\nbx.m[k]", "0"},
		{"call result indexed directly, in range", "k := 1\nstrings.Split(\"a,b\", \",\")[k]", `"b"`},
		{"hoisted index call runs once", "m := 0\nfunc next() int { m++; return m }\nfmt.Sprint(ys[next()], m)", `"2 1"`},
		{"index checked inline runs its call once", "calls := 0\nfunc bump() int { calls++; return calls }\nfmt.Sprint(ys[bump()-1+0], calls)", `"1 1"`},
		{"hoisted call runs once", "n := 0\nfunc count() []int { n++; return []int{n} }\nk := 0\nfmt.Sprint(count()[k], n)", `"1 1"`},
		{"guarded && operand not evaluated", "k := 9\nk < len(ys) && ys[k] > 0 || k > 100 && strings.Fields(\"\")[k] == \"\"", "false"},
		{"top-level definition from a cell function's result, in range", "k := 1\nw10 := words()[k]\nw10 + \"!\"", `"b!"`},
		{"a redefined function's new result type", "func words() []int { return []int{4, 5} }\nk := 1\nw11 := words()[k]\nw11 * 2", "10"},
		{"top-level definition from a cell function's result of a package's type, in range", "k := 0\nd3 := durs()[k]\nd3.String()", `"1s"`},
		{"top-level definition from a result of a session type, in range", "k := 0\nr1 := readings()[k]\nr1.C", "20"},
		{"top-level definition from a result of a named type keeps the type", "type kelvin float64\nfunc (k kelvin) String() string { return fmt.Sprintf(\"%.0fK\", float64(k)) }\nfunc temps() []kelvin { return []kelvin{300} }\nt0 := temps()[0]\nt0.String()", `"300K"`},
		{"top-level definition from a slice of a named type keeps the type", "type celsius float64\nfunc (c celsius) String() string { return fmt.Sprintf(\"%.1f°C\", float64(c)) }\ntemps := []celsius{21.5}", ""},
		{"its element", "t := temps[0]\nt.String()", `"21.5°C"`},
		{"top-level definitions from strings and compiled values", "w1 := strings.Split(\"a,b\", \",\")[1]\nvar w2 = os.Args[0][:0]\nws := strings.Fields(\"x y\")\nw3, w4 := ws[1], fmt.Sprint(42)[1]\nw1 + w2 + w3 + string(w4)", `"by2"`},
		{"loop over a field", "t := 0\nfor i := range bx.items {\n\tt += bx.items[i]\n}\nfor i := 0; i < len(os.Args); i++ {\n\tt += len(os.Args[i])\n}\nt", "15"},
	}
	for _, tt := range runs {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if _, v := s.ok(tt.code); v != tt.value {
				t.Errorf("Out %q, want %q", v, tt.value)
			}
		})
	}
	// The innermost frame of a guarded panic is at the guarded statement (the interpreter
	// would say where the function starts).
	s.t = t
	s.ok("func fifth(xs []int) int {\n\tn := len(xs)\n\t_ = n\n\treturn xs[5]\n}")
	err := s.fails("k := 0\nfifth(ys[k:])")
	if len(err.Traceback) < 4 || !strings.Contains(err.Traceback[3], "main.fifth") || !strings.Contains(err.Traceback[3], "line 4: return xs[5]") {
		t.Errorf("traceback %q, want the innermost frame at line 4 of fifth", err.Traceback)
	}
	// A frame that called the next one in is at that call when its function calls it
	// from one line only, as in Go; otherwise where the interpreter places it.
	s.ok("type tray struct{ xs []int }\nfunc (t *tray) at(i int) int {\n\treturn t.xs[i]\n}\nfunc mid(t *tray) int {\n\tx := 2\n\t_ = x\n\treturn t.at(5) + 1\n}\nfunc outer() int {\n\tv := 0\n\tv += mid(&tray{})\n\tif v > 0 {\n\t\tv += mid(&tray{})\n\t}\n\treturn v\n}")
	err = s.fails("outer()")
	want := []string{"main.at  (In [", "] line 3: return t.xs[i])", "main.mid  (In [", "] line 8: return t.at(5) + 1)", "main.outer  (In [", "] line 11: v := 0)"}
	if len(err.Traceback) < 6 {
		t.Fatalf("traceback %q", err.Traceback)
	}
	for k, frame := range err.Traceback[3:6] {
		if !strings.Contains(frame, want[2*k]) || !strings.HasSuffix(frame, want[2*k+1]) {
			t.Errorf("frame %d is %q, want %q…%q", k, frame, want[2*k], want[2*k+1])
		}
	}
	// The innermost frame of a call of panic is at that call, for values that can be
	// compared, slices and maps; where the interpreter places it otherwise.
	s.ok("func check(n int) int {\n\tx := n * 2\n\tif x > 2 {\n\t\tpanic(fmt.Errorf(\"too big: %d\", x))\n\t}\n\tif x < 0 {\n\t\tpanic([]int{x})\n\t}\n\treturn x\n}")
	frames := []struct{ name, code, frame string }{
		{"error value", "check(5)", "] line 4: panic(fmt.Errorf(\"too big: %d\", x)))"},
		{"slice value", "check(-1)", "] line 7: panic([]int{x}))"},
		{"a func value", "func fv() {\n\tx := 1\n\t_ = x\n\tpanic(func() {})\n}\nfv()", "] line 2: x := 1)"},
		{"at the top level", "k := 1\nif k > 0 {\n\tpanic(\"top\")\n}", "] line 3: panic(\"top\"))"},
		{"after a recovered panic of the same value elsewhere", "errSame := errors.New(\"same\")\nfunc again() {\n\tdefer func() { recover() }()\n\tpanic(errSame)\n}\nfunc once() {\n\tn := 0\n\t_ = n\n\tpanic(errSame)\n}\nagain()\nonce()", "] line 9: panic(errSame))"},
	}
	for _, tt := range frames {
		err := s.fails(tt.code)
		if len(err.Traceback) < 4 || !strings.HasSuffix(err.Traceback[3], tt.frame) {
			t.Errorf("%s: traceback %q, want the innermost frame to end %q", tt.name, err.Traceback, tt.frame)
		}
	}
	// The call beside an index runs before it is checked: the panic comes after the
	// call's output.
	s.ok("func loud() int { fmt.Println(\"ran\"); return 1 }")
	res, rec := s.run("fmt.Println(loud(), ys[6])")
	if res.Err == nil || res.Err.Value != "runtime error: index out of range [6] with length 2" || rec.out() != "ran\n" {
		t.Errorf("error %v, output %q; want the index's panic after \"ran\"", res.Err, rec.out())
	}
	// So does a call whose result is assigned to an index, as in Go.
	res, rec = s.run("k := 6\nys[k] = loud()")
	if res.Err == nil || res.Err.Value != "runtime error: index out of range [6] with length 2" || rec.out() != "ran\n" {
		t.Errorf("error %v, output %q; want the assigned index's panic after \"ran\"", res.Err, rec.out())
	}
	// And arithmetic on calls assigned to an index, and calls assigned to an index
	// made by an index.
	res, rec = s.run("k := 6\nys[k] = loud() + loud()")
	if res.Err == nil || res.Err.Value != "runtime error: index out of range [6] with length 2" || rec.out() != "ran\nran\n" {
		t.Errorf("error %v, output %q; want the assigned index's panic after two \"ran\"", res.Err, rec.out())
	}
	res, rec = s.run("perm := []int{5}\nk := 0\nys[perm[k]] = loud()")
	if res.Err == nil || res.Err.Value != "runtime error: index out of range [5] with length 2" || rec.out() != "ran\n" {
		t.Errorf("error %v, output %q; want the assigned index's panic after \"ran\"", res.Err, rec.out())
	}
	// A hoisted call that does not compile is reported in the interpreter's plain words.
	err = s.fails("k := 1\nfmt.Println(strings.Split(\"a,b\")[k])")
	if !strings.Contains(err.Value, "line 2:13: not enough arguments in call to strings.Split") {
		t.Errorf("compile error in a hoisted call: %q", err.Value)
	}
	// A top-level definition that fails to compile leaves yaegi a global it cannot list;
	// later cells still run, and still guard what their own declarations show.
	s.t = t
	s.fails("bad := undefinedName")
	if err := s.fails("zs := []int{}\nk := 3\n_ = zs[k]"); err.Value != "runtime error: index out of range [3] with length 0" {
		t.Errorf("after a failed definition: %q", err.Value)
	}
	// A compile error on a guarded line keeps its column.
	err = s.fails("n := 1\nx := ys[n] + \"a\"")
	if !strings.Contains(err.Value, "line 2:6:") {
		t.Errorf("compile error %q, want it at line 2:6", err.Value)
	}
	// A preloaded package name the session imported under another path tells nothing.
	if s.e.symbol("math/rand", "Perm") == nil {
		t.Errorf("no type for math/rand.Perm")
	}
	if s.e.packageType("math/rand", "Source") == nil {
		t.Errorf("no type for math/rand.Source")
	}
	s.ok("import rand \"crypto/rand\"")
	if typ := s.e.symbol("math/rand", "Perm"); typ != nil {
		t.Errorf("math/rand.Perm is %v after rand names crypto/rand", typ)
	}
	if typ := s.e.packageType("math/rand", "Source"); typ != nil {
		t.Errorf("math/rand.Source is %v after rand names crypto/rand", typ)
	}
}

func TestRecoverSeesThePanicValue(t *testing.T) {
	s := newSession(t)
	s.ok("type fault struct{ code int }\nfunc catch(f func()) (r any) {\n\tdefer func() { r = recover() }()\n\tf()\n\treturn nil\n}")
	tests := []struct{ name, code, value string }{
		{"an error", "err := catch(func() { panic(errors.New(\"disk full\")) }).(error)\nerr.Error()", `"disk full"`},
		{"an error, comma-ok", "_, ok := catch(func() { panic(fmt.Errorf(\"w\")) }).(error)\nok", "true"},
		{"a string's type", "fmt.Sprintf(\"%T\", catch(func() { panic(\"s\") }))", `"string"`},
		{"a value of the cell's type", "catch(func() { panic(fault{7}) }).(fault).code", "7"},
		{"a runtime error", "var m map[string]int\ncatch(func() { m[\"a\"] = 1 }).(runtime.Error).Error()", `"assignment to entry in nil map"`},
		{"no panic", "catch(func() {}) == nil", "true"},
		{"recover in a function of the cell", "func safeDiv(a, b int) (q int, err error) {\n\tdefer func() {\n\t\tif r := recover(); r != nil {\n\t\t\terr = r.(error)\n\t\t}\n\t}()\n\tif b == 0 {\n\t\tpanic(errors.New(\"divide by zero\"))\n\t}\n\treturn a / b, nil\n}\n_, err := safeDiv(1, 0)\nerr.Error()", `"divide by zero"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if _, v := s.ok(tt.code); v != tt.value {
				t.Errorf("Out %q, want %q", v, tt.value)
			}
		})
	}
	s.t = t
	res, rec := s.run("switch v := catch(func() { panic(42) }).(type) {\ncase int:\n\tfmt.Println(\"int\", v)\ndefault:\n\tfmt.Printf(\"%T\\n\", v)\n}")
	if res.Err != nil || rec.out() != "int 42\n" {
		t.Errorf("type switch on a recovered int: %v, %q", res.Err, rec.out())
	}
}

func TestTopLevelDefinitionsFromCompiledValues(t *testing.T) {
	s := newSession(t)
	s.ok("ws := strings.Fields(\"a b c\")\nargs := os.Args")
	values := []struct{ name, code, want string }{
		{"method result indexed", "c := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC).String()[3]\nc", "54"},
		{"earlier cell's compiled slice", "w := ws[1]\nw", `"b"`},
		{"inside an operand", "y := ws[0] + \"!\"\ny", `"a!"`},
		{"address of an element", "p := &ws[2]\n*p = \"z\"\nws[2]", `"z"`},
		{"same cell", "fs := strings.Fields(\"p q\")\nq := &fs[1]\n*q", `"q"`},
		{"package variable of an earlier cell", "a0 := args[0]\nlen(a0) > 0", "true"},
		{"element of a package's named type", "d0 := big.NewInt(5).Bits()[0]\nd0 + 1", "6"},
		{"element of a package's struct type", "fs := reflect.VisibleFields(reflect.TypeOf(struct{ A, B int }{}))\nf1 := fs[1]\nf1.Name", `"B"`},
		{"element of a package's struct type, in a cell that does not name the package", "f0 := fs[0]\nf0.Name", `"A"`},
		{"map of pointers to a package's types", "latin := unicode.Scripts[\"Latin\"]\nlen(latin.R16) > 0", "true"},
	}
	for _, tt := range values {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if _, v := s.ok(tt.code); v != tt.want {
				t.Errorf("Out = %s, want %s", v, tt.want)
			}
		})
	}
	s.t = t
	errs := []struct{ name, code, value, frame string }{
		{"undefined name in a definition", "a := 1\nb := a + missing", "line 2:10: undefined: missing", ""},
		{"store through a nil pointer", "var np *int\n*np = 1", "runtime error: invalid memory address or nil pointer dereference", "cell  (In [%d] line 2: *np = 1)"},
		{"read through a nil pointer", "var nq *int\n*nq += 1", "runtime error: invalid memory address or nil pointer dereference", "cell  (In [%d] line 2: *nq += 1)"},
		{"the cell's frame at its statement", "func boom() { panic(\"boom\") }\nx := 1\nfmt.Println(x)\nboom()", "boom", "cell  (In [%d] line 4: boom())"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			err := s.fails(tt.code)
			if err.Value != tt.value {
				t.Errorf("error %q, want %q", err.Value, tt.value)
			}
			if tt.frame != "" && !strings.Contains(strings.Join(err.Traceback, "\n"), fmt.Sprintf(tt.frame, s.count)) {
				t.Errorf("traceback %q lacks %q", err.Traceback, fmt.Sprintf(tt.frame, s.count))
			}
		})
	}
}

func TestGoroutinePanicIsReported(t *testing.T) {
	s := newSession(t)
	res, rec := s.run("done := make(chan bool)\ngo func() {\n\tdefer close(done)\n\tvar m map[string]int\n\tm[\"x\"] = 1\n}()\n<-done\ntime.Sleep(50 * time.Millisecond)")
	if res.Err == nil || res.Err.Name != "panic" {
		t.Fatalf("result %+v, want a panic error", res.Err)
	}
	if !strings.Contains(rec.errText(), "panic in goroutine") {
		t.Fatalf("stderr %q", rec.errText())
	}
	if _, v := s.ok("1 + 1"); v != "2" {
		t.Fatal("kernel unusable after a goroutine panic")
	}
}

func TestInterruptStopsBlockedCells(t *testing.T) {
	s := newSession(t)
	s.ok("kept := 7\nvar mu sync.Mutex\nmu.Lock()\nvar wg sync.WaitGroup\nwg.Add(1)\nblock := make(chan int)")
	tests := []struct{ name, code string }{
		{"busy loop", "for {\n}"},
		{"sleep", "time.Sleep(time.Hour)"},
		{"channel", "<-block"},
		{"mutex", "mu.Lock()"},
		{"wait group", "wg.Wait()"},
		{"select", "select {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			go func() {
				time.Sleep(200 * time.Millisecond)
				s.e.Interrupt()
			}()
			start := time.Now()
			err := s.fails(tt.code)
			took := time.Since(start) - 200*time.Millisecond
			if err.Name != "Interrupt" {
				t.Errorf("ename %q, want Interrupt", err.Name)
			}
			if took > 500*time.Millisecond {
				t.Errorf("interrupt took %v, want under 0.5 s", took)
			}
			if _, v := s.ok("kept"); v != "7" {
				t.Errorf("state after interrupt: kept = %q", v)
			}
		})
	}
}

func TestStdinReadsAskTheFrontend(t *testing.T) {
	s := newSession(t)
	s.count++
	rec := &recorder{answers: []string{"42 gopher"}}
	res := s.e.Execute(context.Background(), engine.ExecuteRequest{Code: "var n int\nvar name string\nfmt.Scan(&n, &name)\nfmt.Println(n+1, name)", Count: s.count, AllowStdin: true}, rec)
	if res.Err != nil || rec.out() != "43 gopher\n" {
		t.Fatalf("err %v, stdout %q", res.Err, rec.out())
	}
	rec = &recorder{answers: []string{"a line"}}
	s.count++
	res = s.e.Execute(context.Background(), engine.ExecuteRequest{Code: "r := bufio.NewReader(os.Stdin)\nline, _ := r.ReadString('\\n')\nfmt.Print(\"got \", line)", Count: s.count, AllowStdin: true}, rec)
	if res.Err != nil || rec.out() != "got a line\n" {
		t.Fatalf("err %v, stdout %q", res.Err, rec.out())
	}
	// Without stdin the read fails with a clear error.
	_, v := s.ok("_, err := fmt.Scan(&n)\nerr.Error()")
	if !strings.Contains(v, "stdin") {
		t.Fatalf("error without stdin: %q", v)
	}
}

func TestRewrittenFeatures(t *testing.T) {
	s := newSession(t)
	tests := []struct{ name, code, value string }{
		{"per-iteration loop variables", "var fs []func() int\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\n[]int{fs[0](), fs[1](), fs[2]()}", "[0 1 2]"},
		{"range over int", "sum := 0\nfor i := range 4 {\n\tsum += i\n}\nsum", "6"},
		{"return receive", "func recv(ch chan int) int {\n\treturn <-ch\n}\nc := make(chan int, 1)\nc <- 9\nrecv(c)", "9"},
		{"go statement arguments evaluated at once", "res := make(chan int, 3)\nfor k := 0; k < 3; k++ {\n\tgo func(v int) { res <- v * 10 }(k)\n}\nacc := 0\nfor k := 0; k < 3; k++ {\n\tacc += <-res\n}\nacc", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if _, v := s.ok(tt.code); v != tt.value {
				t.Fatalf("Out %q, want %q", v, tt.value)
			}
		})
	}
}

func TestOutputFromGoroutinesStaysWithItsCell(t *testing.T) {
	s := newSession(t)
	res, first := s.run("release := make(chan bool)\ngo func() {\n\tfmt.Println(\"early\")\n\t<-release\n\tfmt.Println(\"late\")\n}()\ntime.Sleep(50 * time.Millisecond)")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if first.out() != "early\n" || !strings.Contains(first.errText(), "still running") {
		t.Fatalf("first cell: stdout %q stderr %q", first.out(), first.errText())
	}
	out, _ := s.ok("close(release)\ntime.Sleep(50 * time.Millisecond)\nfmt.Println(\"own\")")
	if out != "[In 1] late\nown\n" {
		t.Fatalf("second cell stdout %q", out)
	}
}

func TestCompletionAndInspection(t *testing.T) {
	s := newSession(t)
	s.ok("func myHelper(n int) int { return n }\nmyValue := 3")
	tests := []struct {
		code string
		want string
	}{
		{"strings.ToUpp", "ToUpper"},
		{"myH", "myHelper"},
		{"myV", "myValue"},
		{"thread.Cur", "Current"},
		{"fmt.Print", "Println"},
		{"slices.So", "Sort"},
		{"maps.Ke", "Keys"},
	}
	for _, tt := range tests {
		c := s.e.Complete(tt.code, len([]rune(tt.code)))
		found := false
		for _, m := range c.Matches {
			found = found || m == tt.want
		}
		if !found {
			t.Errorf("Complete(%q) = %v, want %q among them", tt.code, c.Matches, tt.want)
		}
	}
	// Cursor positions count code points: a multi-byte rune before the cursor must not shift it.
	code := "s := \"é\"; strings.ToUpp"
	c := s.e.Complete(code, len([]rune(code)))
	if c.CursorStart != len([]rune(code))-len("ToUpp") {
		t.Errorf("cursor_start %d for %q", c.CursorStart, code)
	}
	in := s.e.Inspect("strings.ToUpper(x)", 10, 0)
	if !in.Found || !strings.Contains(in.Data["text/plain"].(string), "func ToUpper(s string) string") {
		t.Errorf("inspect strings.ToUpper: %+v", in)
	}
	inspections := []struct {
		code string
		want string // in the documentation; "" when nothing is to be found
	}{
		{"myHelper", "func myHelper(n int) int"},
		{"strings.ToUpper(", "func ToUpper(s string) string"},                              // Shift+Tab inside the call
		{"x := strings.ToUpper(name, ", "func ToUpper(s string) string"},                   // after an argument
		{"strings.Repeat(strings.ToUpper(a), ", "func Repeat(s string, count int) string"}, // inner call closed
		{"fmt.Println(myHelper(", "func myHelper(n int) int"},                              // innermost open call
		{"pool.Threads(", "func Threads(n int) *Pool"},                                     // runtime package
		{`fmt.Println("(", `, "func Println("},                                             // parenthesis in a string
		{"x := (1 + ", ""},                                                                 // grouping, not a call
		{"", ""},
	}
	for _, tt := range inspections {
		in := s.e.Inspect(tt.code, len([]rune(tt.code)), 0)
		text, _ := in.Data["text/plain"].(string)
		if tt.want == "" {
			if in.Found {
				t.Errorf("Inspect(%q) found %q, want nothing", tt.code, text)
			}
			continue
		}
		if !in.Found || !strings.Contains(text, tt.want) {
			t.Errorf("Inspect(%q) = %v %q, want %q", tt.code, in.Found, text, tt.want)
		}
	}
}

func TestIsComplete(t *testing.T) {
	e := &Engine{}
	tests := []struct{ code, want string }{
		{"fmt.Println(1)", "complete"},
		{"func f() {", "incomplete"},
		{"xs := []int{1,", "incomplete"},
		{"s := `raw", "incomplete"},
		{"x := )(", "invalid"},
	}
	for _, tt := range tests {
		if got, _ := e.IsComplete(tt.code); got != tt.want {
			t.Errorf("IsComplete(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

// htmlValue is a compiled type with an HTML method, as the runtime's types may have.
type htmlValue struct{ label string }

func (h htmlValue) HTML() string { return "<b>" + h.label + "</b>" }

func TestRichResultOfCompiledTypes(t *testing.T) {
	data, _ := formatResult(reflect.ValueOf(htmlValue{"ok"}), rich{})
	if data["text/html"] != "<b>ok</b>" || data["text/plain"] != "{ok}" {
		t.Fatalf("bundle %v", data)
	}
	data, _ = formatResult(reflect.ValueOf("text"), rich{})
	if len(data) != 1 || data["text/plain"] != `"text"` {
		t.Fatalf("bundle %v", data)
	}
}

func TestKernelOwnedProcessFunctionsAreRefused(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{"process.SetLauncher(nil)", "process.Main()"} {
		err := s.fails(code)
		if !strings.Contains(err.Value, "managed by the kernel") {
			t.Errorf("%s: %s", code, err.Value)
		}
	}
}

func TestKernelBugEndsTheCellNotTheSession(t *testing.T) {
	s := newSession(t)
	s.ok("kept := 41")
	parse := s.e.parse
	s.e.parse = func(gocell.Env, string) (*gocell.Plan, error) { panic("rewriter bug") }
	err := s.fails("kept++")
	if err.Name != "InternalError" || !strings.Contains(err.Value, "rewriter bug") {
		t.Errorf("error %s: %q, want an InternalError naming the panic", err.Name, err.Value)
	}
	s.e.parse = parse
	if _, v := s.ok("kept + 1"); v != "42" {
		t.Errorf("Out %q after the failure, want 42", v)
	}
}

// Assertions to interface types and type switches with interface cases, which yaegi
// gets wrong (see gocell.Interface), give Go's answers.
func TestInterfaceAssertions(t *testing.T) {
	s := newSession(t)
	s.ok("type named interface{ Name() string }\n" +
		"type dog struct{ n int }\nfunc (d dog) Name() string { return fmt.Sprint(\"dog \", d.n) }\n" +
		"type cat struct{}\nfunc (c *cat) Name() string { return \"cat\" }\n" +
		"type plain struct{}\n" +
		"func kind(r any) string {\n\tswitch v := r.(type) {\n\tcase int, string:\n\t\treturn fmt.Sprintf(\"int or string %v\", v)\n\tcase error:\n\t\treturn \"error \" + v.Error()\n\tcase named:\n\t\treturn \"named \" + v.Name()\n\tcase nil:\n\t\treturn \"nil\"\n\tdefault:\n\t\treturn fmt.Sprintf(\"other %v\", v)\n\t}\n}")
	tests := []struct{ name, code, out string }{
		{"nil to error, comma-ok", "var r any\nv, ok := r.(error)\nfmt.Println(v, ok)", "<nil> false\n"},
		{"nil to a package's interface", "func f() {\n\tvar r any\n\t_, ok := r.(fmt.Stringer)\n\tfmt.Println(ok)\n}\nf()", "false\n"},
		{"recover without a panic", "func quiet() {\n\tdefer func() {\n\t\tr := recover()\n\t\t_, isErr := r.(error)\n\t\tfmt.Println(isErr)\n\t}()\n}\nquiet()", "false\n"},
		{"a cell's type to the cell's interface", "func f(r any) {\n\tv, ok := r.(named)\n\tfmt.Println(ok, v.Name())\n}\nf(dog{1})", "true dog 1\n"},
		{"a pointer receiver", "func f(r any) {\n\tv, ok := r.(named)\n\tfmt.Println(ok, v.Name())\n}\nf(&cat{})", "true cat\n"},
		{"a type without the method", "func f() {\n\t_, ok := any(plain{}).(named)\n\tfmt.Println(ok)\n}\nf()", "false\n"},
		{"switch: a compiled error", "fmt.Println(kind(errors.New(\"disk full\")))", "error disk full\n"},
		{"switch: the cell's interface", "fmt.Println(kind(dog{1}), kind(&cat{}))", "named dog 1 named cat\n"},
		{"switch: several types in a case", "fmt.Println(kind(3), kind(\"s\"))", "int or string 3 int or string s\n"},
		{"switch: nil and default", "fmt.Println(kind(nil), kind(2.5))", "nil other 2.5\n"},
		{"switch without a variable, with an init statement", "func g(r any) {\n\tswitch k := 2; r.(type) {\n\tcase error:\n\t\tfmt.Println(\"error\", k)\n\tdefault:\n\t\tfmt.Println(\"default\", k)\n\t}\n}\ng(fmt.Errorf(\"x\"))\ng(1)", "error 2\ndefault 2\n"},
		{"switch: an empty clause", "func count(vs []any) int {\n\tn := 0\n\tfor _, v := range vs {\n\t\tswitch x := v.(type) {\n\t\tcase int:\n\t\t\tn += x\n\t\tdefault:\n\t\t}\n\t}\n\treturn n\n}\nfmt.Println(count([]any{1, 2, \"s\"}))", "3\n"},
		{"switch: break leaves the switch", "for i := 0; i < 2; i++ {\n\tswitch any(i).(type) {\n\tcase fmt.Stringer:\n\tcase int:\n\t\tif i == 0 {\n\t\t\tbreak\n\t\t}\n\t\tfmt.Println(\"int\", i)\n\t}\n}", "int 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			if out, _ := s.ok(tt.code); out != tt.out {
				t.Errorf("output %q, want %q", out, tt.out)
			}
		})
	}
	// A failed assertion panics with Go's message, at the assertion's line.
	s.t = t
	fails := []struct{ name, code, value, frame string }{
		{"nil to error", "func h(r any) error {\n\tn := 1\n\t_ = n\n\treturn r.(error)\n}\nh(nil)", "interface conversion: interface is nil, not error", "line 4: return r.(error))"},
		{"a concrete type", "func h2(r any) string {\n\tn := 1\n\t_ = n\n\treturn r.(string)\n}\nh2(3)", "interface conversion: interface {} is int, not string", "line 4: return r.(string))"},
	}
	for _, tt := range fails {
		err := s.fails(tt.code)
		if err.Value != tt.value || len(err.Traceback) < 4 || !strings.HasSuffix(err.Traceback[3], tt.frame) {
			t.Errorf("%s: %q %q, want %q at %q", tt.name, err.Value, err.Traceback, tt.value, tt.frame)
		}
	}
	// recover sees Go's runtime error.
	_, v := s.ok("func caught() (msg string) {\n\tdefer func() {\n\t\te := recover().(runtime.Error)\n\t\tmsg = e.Error()\n\t}()\n\tvar r any = 3\n\t_ = r.(string)\n\treturn \"\"\n}\ncaught()")
	if v != `"interface conversion: interface {} is int, not string"` {
		t.Errorf("recovered %s", v)
	}
}

// A cellCase is a cell that must succeed, with the standard output and Out[] text it
// must give.
type cellCase struct {
	name, code    string
	stdout, value string
}

// expect runs each case in a subtest of t, in order, on s.
func (s *session) expect(t *testing.T, cases []cellCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.t = t
			stdout, value := s.ok(c.code)
			if stdout != c.stdout || value != c.value {
				t.Errorf("stdout %q, Out %q; want %q, %q", stdout, value, c.stdout, c.value)
			}
		})
	}
	s.t = t
}

// TestMinAndMax runs the builtins min and max, which the interpreter lacks and the kernel
// rewrites: constants written out fold into untyped constants, and other calls into calls
// of generic helpers that order values as Go does.
func TestMinAndMax(t *testing.T) {
	s := newSession(t)
	s.ok("a, b := 3, 1")
	tests := []cellCase{
		{name: "two variables", code: "min(a, b)", value: "1"},
		{name: "three arguments", code: "max(b, a, 2)", value: "3"},
		{name: "constants give an untyped constant", code: "var f32 float32 = max(1, 2.5)\nfmt.Printf(\"%T %v\", f32, f32)", stdout: "float32 2.5"},
		{name: "in a constant declaration", code: "const c = min(4, 2, 8)\nc", value: "2"},
		{name: "a literal before a variable takes the variable's type", code: "var fl float64 = 2\nfmt.Sprintf(\"%T %v\", min(1, fl), min(1, fl))", value: `"float64 1"`},
		{name: "a top-level definition", code: "m := max(a, 7, b)\nfmt.Sprintf(\"%T %v\", m, m)", value: `"int 7"`},
		{name: "a top-level var", code: "var m2 = min(b, a)\nm2", value: "1"},
		{name: "a top-level var with a type", code: "var m3 int = min(b, a)\nm3", value: "1"},
		{name: "a top-level var with a type around the call", code: "var m4 int = min(b, a) * 2\nm4", value: "2"},
		{name: "two top-level vars with a type", code: "var m5, m6 int = max(a, b), 4\nfmt.Sprint(m5, m6)", value: `"3 4"`},
		{name: "a cell's named type", code: "type celsius float64\nvar t1, t2 celsius = 3, 4\ntc := min(t1, t2)\ntc", value: "3"},
		{name: "a compiled named type", code: "max(time.Second, 1500*time.Millisecond)", value: "1.5s"},
		{name: "strings", code: `max("pear", "apple")`, value: `"pear"`},
		{name: "NaN wins", code: "nan := math.NaN()\nfmt.Sprint(min(nan, 1.0), max(1.0, nan))", value: `"NaN NaN"`},
		{name: "in a function", code: "func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }\nfmt.Sprint(clamp(-5, 0, 10), clamp(50, 0, 10), clamp(5, 0, 10))", value: `"0 10 5"`},
		{name: "as an index", code: "xs := []int{4, 5, 6}\nxs[min(7, len(xs)-1)]", value: "6"},
		{name: "arguments run once, in order", code: "calls := \"\"\nfunc note(s string, v int) int { calls += s; return v }\nr := min(note(\"a\", 3), 2, note(\"b\", 1))\nfmt.Sprint(r, \" \", calls)", value: `"1 ab"`},
		{name: "in a loop", code: "sum := 0\nfor k := 0; k < 5; k++ {\n\tsum += min(k, 2)\n}\nsum", value: "7"},
		{name: "in a goroutine", code: "done := make(chan int)\ngo func() { done <- max(a, b) }()\nfmt.Println(<-done)", stdout: "3\n"},
	}
	s.expect(t, tests)
}

// TestGenericStandardPackages runs package slices and maps in cells: the kernel compiles
// its own source of both (package stdsource) in place of the interpreter's, which lacked
// Sort, Max, Sorted and more and crashed on Clone, Reverse and maps.Clone.
func TestGenericStandardPackages(t *testing.T) {
	s := newSession(t)
	s.ok("xs := []int{5, 2, 9, 1}\nm := map[string]int{\"b\": 2, \"a\": 1, \"c\": 3}")
	tests := []cellCase{
		{name: "Sort", code: "slices.Sort(xs)\nxs", value: "[1 2 5 9]"},
		{name: "a typed top-level var from Clone", code: "var ys []int = slices.Clone(xs)\nslices.Reverse(ys)\nfmt.Println(xs, ys)", stdout: "[1 2 5 9] [9 5 2 1]\n"},
		{name: "Index, Contains, Min and Max", code: "fmt.Println(slices.Index(xs, 9), slices.Contains(xs, 3), slices.Min(xs), slices.Max(xs))", stdout: "3 false 1 9\n"},
		{name: "sorted map keys", code: "slices.Sorted(maps.Keys(m))", value: "[a b c]"},
		{name: "a cell's slice type", code: "type ids []int\nv := ids{3, 1, 2}\nslices.Sort(v)\nv", value: "[1 2 3]"},
		{name: "durations", code: "ds := []time.Duration{3 * time.Second, time.Second}\nslices.Sort(ds)\nds", value: "[1s 3s]"},
		{name: "SortFunc on a cell's struct", code: "type person struct {\n\tName string\n\tAge  int\n}\nps := []person{{\"b\", 30}, {\"a\", 25}}\nslices.SortFunc(ps, func(x, y person) int { return cmp.Compare(x.Age, y.Age) })\nps", value: "[{a 25} {b 30}]"},
		{name: "two results at the top level", code: "i, found := slices.BinarySearch(xs, 5)\nfmt.Println(i, found)", stdout: "2 true\n"},
		{name: "inside a function", code: "func evens(v []int) []int { return slices.DeleteFunc(slices.Clone(v), func(x int) bool { return x%2 == 1 }) }\nevens([]int{1, 2, 3, 4})", value: "[2 4]"},
		{name: "NaN sorts first", code: "fs := []float64{2.5, math.NaN(), 1}\nslices.Sort(fs)\nfmt.Println(fs, slices.Max(fs))", stdout: "[NaN 1 2.5] NaN\n"},
		{name: "maps.Clone and maps.Equal", code: "maps.Equal(maps.Clone(m), m)", value: "true"},
		{name: "Repeat", code: `slices.Repeat([]string{"a"}, 3)`, value: "[a a a]"},
		{name: "range over maps.Keys", code: "var ks []string\nfor k := range maps.Keys(m) {\n\tks = append(ks, k)\n}\nslices.Sort(ks)\nks", value: "[a b c]"},
		{name: "range over maps.Values", code: "total := 0\nfor v := range maps.Values(m) {\n\ttotal += v\n}\ntotal", value: "6"},
		{name: "range over maps.All in a function", code: "func pairs(m map[string]int) int {\n\tn := 0\n\tfor k, v := range maps.All(m) {\n\t\tn += len(k) * v\n\t}\n\treturn n\n}\npairs(m)", value: "6"},
		{name: "range over slices.All and slices.Values", code: "for i, v := range slices.All([]string{\"x\", \"y\"}) {\n\tfmt.Print(i, v, \" \")\n}\nfor v := range slices.Values([]int{7}) {\n\tfmt.Println(v)\n}", stdout: "0x 1y 7\n"},
		{name: "a typed top-level var from a generic function of the cell", code: "func id[T any](v T) T { return v }\nvar n5 int = id(5)\nn5", value: "5"},
	}
	s.expect(t, tests)
	// A single name defined at the top level from such a call would crash the interpreter.
	err := s.fails("zs := slices.Clone(xs)")
	if err.Name != "UnsupportedError" || !strings.Contains(err.Value, "give the variable its type (var zs T = slices.Clone(...))") {
		t.Errorf("error %s: %s, want UnsupportedError that suggests the typed form", err.Name, err.Value)
	}
}

// TestDeadlockEndsTheCell runs cells whose goroutines all wait for good, where Go stops a
// program with "all goroutines are asleep - deadlock!": the kernel stops the cell with that
// error, naming the line, and the session carries on.
func TestDeadlockEndsTheCell(t *testing.T) {
	s := newSession(t)
	s.ok("kept := 42")
	tests := []struct {
		name, code string
		line       string
		within     time.Duration // 5 s when zero
	}{
		{name: "a send nobody receives", code: "ch := make(chan int)\nch <- 1", line: "line 2"},
		{name: "a receive nobody sends", code: "fmt.Println(\"before\")\nvar c chan int\n<-c", line: "line 3"},
		{name: "a wait group that never reaches zero", code: "var wg sync.WaitGroup\nwg.Add(2)\ngo func() { defer wg.Done() }()\nwg.Wait()", line: "line 4"},
		{name: "a mutex locked twice", code: "var mu sync.Mutex\nmu.Lock()\nmu.Lock()", line: "line 3"},
		{name: "an empty select", code: "select {}", line: "line 1"},
		{name: "goroutines waiting on each other", code: "a, b := make(chan int), make(chan int)\ngo func() { <-a; b <- 1 }()\n<-b\na <- 1", line: "all 2 goroutines"},
		{name: "a queue nobody fills", code: "q := queue.New(0)\nq.Get()", line: "line 2"},
		// A dump of many goroutines is slow, so the watch looks less often.
		{name: "a thousand goroutines", code: "var wg sync.WaitGroup\nnever := make(chan int)\nfor i := 0; i < 1000; i++ {\n\twg.Add(1)\n\tgo func() { defer wg.Done(); <-never }()\n}\nwg.Wait()", line: "line 7, and all", within: 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			start := time.Now()
			err := s.fails(tt.code)
			if err.Name != "fatal error" || err.Value != "all goroutines are asleep - deadlock!" {
				t.Fatalf("error %s: %s, want the deadlock", err.Name, err.Value)
			}
			if tb := strings.Join(err.Traceback, "\n"); !strings.Contains(tb, tt.line) {
				t.Errorf("traceback %q, want it to name %q", tb, tt.line)
			}
			within := cmp.Or(tt.within, 5*time.Second)
			if d := time.Since(start); d > within {
				t.Errorf("the cell was stopped after %v, want within %v", d, within)
			}
		})
	}
	s.t = t
	if _, v := s.ok("kept"); v != "42" {
		t.Errorf("after the deadlocks, kept = %s", v)
	}
}

// TestWaitsThatEndAreNotDeadlocks runs cells that wait long enough for the deadlock watch
// to look twice, on waits that end by themselves: each must finish normally.
func TestWaitsThatEndAreNotDeadlocks(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(800 * time.Millisecond)
		fmt.Fprint(w, "page")
	}))
	defer slow.Close()
	s := newSession(t)
	s.expect(t, []cellCase{
		{name: "a slow HTTP response", code: fmt.Sprintf("resp, err := http.Get(%q)\nb, _ := io.ReadAll(resp.Body)\nfmt.Println(string(b), err)", slow.URL), stdout: "page <nil>\n"},
		{name: "a goroutine sleeping", code: "done := make(chan bool)\ngo func() { time.Sleep(800 * time.Millisecond); done <- true }()\n<-done", value: "true"},
		{name: "time.After", code: "select {\ncase <-time.After(800 * time.Millisecond):\n\tfmt.Println(\"after\")\n}", stdout: "after\n"},
		{name: "a timer", code: "tm := time.NewTimer(800 * time.Millisecond)\n<-tm.C\nfmt.Println(\"fired\")", stdout: "fired\n"},
		{name: "a context with a timeout", code: "ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)\ndefer cancel()\n<-ctx.Done()\nctx.Err()", value: "context deadline exceeded"},
		{name: "a runtime wait with a time limit", code: "q := queue.New(0)\n_, err := q.GetTimeout(800 * time.Millisecond)\nerr", value: "queue: empty"},
		{name: "a busy goroutine", code: "res := make(chan int)\ngo func() {\n\tn := 0\n\tfor i := 0; i < 20000000; i++ {\n\t\tn += i % 3\n\t}\n\tres <- n\n}()\n<-res > 0", value: "true"},
	})
}
