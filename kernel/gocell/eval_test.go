package gocell

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gokernel/gokernel/kernel/internal/testutil"
)

// session evaluates cells the way the kernel's evaluator does: imports first (skipping
// those already made), then the segments, the last one with its value when the cell
// has a result.
type session struct {
	t        *testing.T
	i        *interp.Interpreter
	out      *testutil.Buffer
	imported map[string]bool
	names    map[string]bool
	lines    int // lines evaluated so far; sources are shifted to number lines uniquely

	goroutines sync.WaitGroup
	panics     chan any
	pending    []func()

	shown    any
	hasShown bool
}

func newSession(t *testing.T) *session {
	t.Helper()
	s := &session{t: t, out: &testutil.Buffer{}, imported: map[string]bool{}, names: map[string]bool{}, panics: make(chan any, 16)}
	s.i = interp.New(interp.Options{Stdout: s.out, Stderr: s.out})
	if err := s.i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	spawn := func(f func()) {
		s.goroutines.Add(1)
		go func() {
			defer s.goroutines.Done()
			defer func() {
				if r := recover(); r != nil {
					s.panics <- r
				}
			}()
			f()
		}()
	}
	err := s.i.Use(interp.Exports{"gocelltest/hooks/hooks": {
		"Go":      reflect.ValueOf(spawn),
		"Show":    reflect.ValueOf(func(v any) { s.shown, s.hasShown = v, true }),
		"Clear":   reflect.ValueOf(Clear),
		"Index":   reflect.ValueOf(IndexPanic),
		"At":      reflect.ValueOf(IndexAt),
		"Checked": reflect.ValueOf(IndexChecked),
		// Later keeps a callback for RunLater, as a compiled scheduler would.
		"Later":    reflect.ValueOf(func(f func()) { s.pending = append(s.pending, f) }),
		"RunLater": reflect.ValueOf(func() { p := s.pending; s.pending = nil; runAll(p) }),
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.imported["hooks gocelltest/hooks"] = true
	for _, src := range []string{
		`import hooks "gocelltest/hooks"`,
		"var " + SpawnName + " = hooks.Go\nvar " + ShowName + " = hooks.Show\nvar " + ClearName + " = hooks.Clear\nvar " + IndexName + " = hooks.Index\nvar " + AtName + " = hooks.At\nvar " + CheckedName + " = hooks.Checked",
	} {
		if _, err := s.i.Eval(src); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func runAll(fs []func()) {
	for _, f := range fs {
		f()
	}
}

// env describes the session to Parse.
func (s *session) env() Env {
	return Env{
		Package: func(name string) (string, bool) {
			switch name {
			case "fmt", "strings", "sort", "time", "sync", "errors", "math":
				return name, true
			case "hooks":
				return "gocelltest/hooks", true
			}
			return "", false
		},
		Declared: func(name string) bool { return s.names[name] },
		Kind: func(name string) reflect.Kind {
			if !s.names[name] {
				return reflect.Invalid
			}
			v, err := s.eval(name)
			if err != nil || !v.IsValid() {
				return reflect.Invalid
			}
			return v.Kind()
		},
		Type: func(name string) reflect.Type {
			if !s.names[name] {
				return nil
			}
			v, err := s.eval(name)
			if err != nil || !v.IsValid() {
				return nil
			}
			return v.Type()
		},
	}
}

// eval evaluates one source, turning interpreter crashes into errors.
func (s *session) eval(src string) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("interpreter crash: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return s.i.EvalWithContext(ctx, src)
}

// cellError is an evaluation error mapped to a cell line.
type cellError struct {
	line int
	err  error
}

func (e *cellError) Error() string { return fmt.Sprintf("cell line %d: %v", e.line, e.err) }

var errorLine = regexp.MustCompile(`^(?:_\.go:)?(\d+):\d+: `)

// segment evaluates one segment, shifted below everything evaluated before.
func (s *session) segment(seg Segment, src string) error {
	seg.Source = src
	seg = seg.Shift(s.lines)
	s.lines += strings.Count(src, "\n") + 1
	_, err := s.eval(seg.Source)
	if err == nil {
		return nil
	}
	if m := errorLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &cellError{line: seg.CellLine(n), err: err}
	}
	return err
}

// run evaluates a cell and returns what it printed. The shown value, if any, is in
// s.shown.
func (s *session) run(cell string) (string, error) {
	s.shown, s.hasShown = nil, false
	plan, err := s.env().Parse(cell)
	if err != nil {
		return "", err
	}
	for _, im := range plan.Imports {
		key := im.PackageName() + " " + im.Path
		if s.imported[key] {
			continue
		}
		if _, err := s.eval(im.Source()); err != nil {
			return s.out.Take(), err
		}
		s.imported[key] = true
	}
	for k, seg := range plan.Segments {
		if k == len(plan.Segments)-1 && plan.Result != nil {
			err := s.segment(seg, plan.Result.ValueSource)
			if err == nil || !noValue(err) {
				if err != nil {
					return s.out.Take(), err
				}
				continue
			}
		}
		if err := s.segment(seg, seg.Source); err != nil {
			return s.out.Take(), err
		}
	}
	for _, d := range plan.Decls {
		s.names[d.Name] = true
	}
	return s.out.Take(), nil
}

// noValue reports whether err says that a trailing expression has no single value.
func noValue(err error) bool {
	for _, m := range []string{"as type ()", "too many arguments"} {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	return false
}

// must runs a cell that must succeed.
func (s *session) must(cell string) string {
	s.t.Helper()
	out, err := s.run(cell)
	if err != nil {
		s.t.Fatalf("cell\n%s\nfailed: %v\noutput: %s", cell, err, out)
	}
	return out
}

// wait waits for the goroutines the cells started.
func (s *session) wait() {
	s.t.Helper()
	done := make(chan struct{})
	go func() { s.goroutines.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.t.Fatal("goroutines did not finish")
	}
}

func TestEvalMixedCellsKeepState(t *testing.T) {
	s := newSession(t)
	out := s.must("import \"fmt\"\nx := 2\n// double doubles.\nfunc double(v int) int { return 2 * v }\ny := double(x)\nfmt.Println(x, y)")
	if out != "2 4\n" {
		t.Errorf("output %q, want %q", out, "2 4\n")
	}
	s.must("type point struct{ X, Y int }\nfunc (p point) sum() int { return p.X + p.Y }\np := point{x, y}\nvar z = p.sum()")
	s.must("import \"fmt\"\nz * 10")
	if !s.hasShown || s.shown != 60 {
		t.Errorf("shown %v (%v), want 60", s.shown, s.hasShown)
	}
}

func TestEvalRedefinitionTakesEffect(t *testing.T) {
	s := newSession(t)
	s.must("func f() int { return 1 }")
	s.must("f()")
	if s.shown != 1 {
		t.Fatalf("shown %v, want 1", s.shown)
	}
	s.must("func f() int { return 2 }")
	s.must("f()")
	if s.shown != 2 {
		t.Errorf("after redefinition shown %v, want 2", s.shown)
	}
}

func TestEvalTrailingExpression(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nfunc void() { fmt.Println(\"ran\") }\nfunc two() (int, error) { return 1, nil }\nfunc Id[T any](v T) T { return v }")
	tests := []struct {
		cell  string
		out   string
		shown any // nil: nothing shown
	}{
		{cell: "1 + 2", shown: 3},
		{cell: `fmt.Sprint("a", 1)`, shown: "a1"},
		{cell: `fmt.Println("p")`, out: "p\n"},
		{cell: "void()", out: "ran\n"},
		{cell: "fmt.Print(\"x\")\nvoid()", out: "xran\n"},
		{cell: "Id(5)", shown: 5},
		{cell: "two()", shown: nil},
		{cell: "len([]int{1, 2})", shown: 2},
		{cell: "ch := make(chan int, 1)\nch <- 7\n<-ch", shown: 7},
	}
	for _, tt := range tests {
		out, err := s.run(tt.cell)
		if err != nil {
			t.Errorf("%q: %v", tt.cell, err)
			continue
		}
		if out != tt.out {
			t.Errorf("%q printed %q, want %q", tt.cell, out, tt.out)
		}
		if s.hasShown != (tt.shown != nil) || s.shown != tt.shown {
			t.Errorf("%q showed %v (%v), want %v", tt.cell, s.shown, s.hasShown, tt.shown)
		}
	}
}

func TestEvalLoopVariablesPerIteration(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"")
	tests := []struct {
		name, cell, want string
	}{
		{"top-level three-clause", "var fs []func() int\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\nfmt.Println(fs[0](), fs[1](), fs[2]())", "0 1 2\n"},
		{"top-level range", "var gs []func() int\nfor i, v := range []int{10, 20, 30} {\n\tgs = append(gs, func() int { return i + v })\n}\nfmt.Println(gs[0](), gs[1](), gs[2]())", "10 21 32\n"},
		{"in a function", "func mk() []func() int {\n\tvar fs []func() int\n\tfor i := 0; i < 3; i++ {\n\t\tfs = append(fs, func() int { return i })\n\t}\n\treturn fs\n}\nhs := mk()\nfmt.Println(hs[0](), hs[1](), hs[2]())", "0 1 2\n"},
		{"compiled callee", "for i := 0; i < 3; i++ {\n\thooks.Later(func() { fmt.Print(i) })\n}\nhooks.RunLater()\nfmt.Println()", "012\n"},
		{"compiled callee, variable declared in body", "for i := 0; i < 3; i++ {\n\tj := i * 10\n\thooks.Later(func() { fmt.Print(j, \" \") })\n}\nhooks.RunLater()\nfmt.Println()", "0 10 20 \n"},
		{"body changes the variable", "for i := 0; i < 6; i++ {\n\ti++\n\thooks.Later(func() {})\n\tfmt.Print(i)\n}\nfmt.Println()", "135\n"},
		{"range over int", "var ks []func() int\nfor i := range 3 {\n\tks = append(ks, func() int { return i })\n}\nfmt.Println(ks[0](), ks[1](), ks[2]())", "0 1 2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := s.must(tt.cell); out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
}

func TestEvalGoStatements(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nimport \"sync\"")
	tests := []struct {
		name, cell, want string
	}{
		{"arguments evaluated at the go statement",
			"x := 1\ngate := make(chan bool)\ndone := make(chan int)\ngo func(v int) {\n\t<-gate\n\tdone <- v\n}(x)\nx = 2\nclose(gate)\nfmt.Println(<-done)", "1\n"},
		{"method value and constants",
			"type counter struct {\n\tmu sync.Mutex\n\tn  float64\n}\nfunc (c *counter) add(d float64, wg *sync.WaitGroup) { c.mu.Lock(); c.n += d; c.mu.Unlock(); wg.Done() }\nc := &counter{}\nvar wg sync.WaitGroup\nfor i := 0; i < 4; i++ {\n\twg.Add(1)\n\tgo c.add(1, &wg)\n}\nwg.Wait()\nfmt.Println(c.n)", "4\n"},
		{"variadic",
			"res := make(chan int)\nsum := func(xs ...int) { t := 0; for _, x := range xs { t += x }; res <- t }\nxs := []int{1, 2, 3}\ngo sum(xs...)\nfmt.Println(<-res)", "6\n"},
		{"builtin",
			"ch := make(chan int)\ngo close(ch)\nok := true\n_, ok = <-ch\nfmt.Println(ok)", "false\n"},
		{"loop of goroutines",
			"results := make(chan int, 3)\nfor i := 0; i < 3; i++ {\n\tgo func() { results <- i * i }()\n}\nsum := 0\nfor k := 0; k < 3; k++ {\n\tsum += <-results\n}\nfmt.Println(sum)", "5\n"},
		{"nested go in a function",
			"func fan(n int) int {\n\tout := make(chan int, n)\n\tfor i := range n {\n\t\tgo func(v int) { out <- v }(i)\n\t}\n\tt := 0\n\tfor range n {\n\t\tt += <-out\n\t}\n\treturn t\n}\nfmt.Println(fan(5))", "10\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := s.must(tt.cell); out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
	s.must("go func() { panic(\"boom\") }()")
	s.wait()
	select {
	case r := <-s.panics:
		if !strings.Contains(fmt.Sprint(r), "boom") {
			t.Errorf("recovered %v, want boom", r)
		}
	default:
		t.Error("the goroutine's panic did not reach the spawner")
	}
}

func TestEvalReceives(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nimport \"errors\"\nimport \"time\"\nfunc filled(v int) chan int { c := make(chan int, 1); c <- v; return c }")
	tests := []struct {
		name, cell, want string
	}{
		{"return receive", "func get(ch chan int) int { return <-ch }\nfmt.Println(get(filled(41)))", "41\n"},
		{"return receive among results", "func get2(ch chan int) (int, error) { return <-ch, nil }\nfmt.Println(get2(filled(42)))", "42 <nil>\n"},
		{"return receive as interface", "func gete(ch chan error) error { return <-ch }\nce := make(chan error, 1)\nce <- errors.New(\"e\")\nfmt.Println(gete(ce))", "e\n"},
		{"named result", "func named(ch chan int) (v int) { v = <-ch; return }\nfmt.Println(named(filled(43)))", "43\n"},
		{"field and index", "type box struct{ f int }\nfunc fields(ch chan int) int { var b box; a := []int{0}; b.f = <-ch; ch <- 1; a[0] = <-ch; return b.f + a[0] }\nfmt.Println(fields(filled(43)))", "44\n"},
		{"tuple assignment", "func tuple(ch chan int) int { x, y := 0, 0; x, y = <-ch, 1; return x + y }\nfmt.Println(tuple(filled(40)))", "41\n"},
		{"blank comma-ok", "func blank(ch chan int) int { var v int; v, _ = <-ch; return v }\nfmt.Println(blank(filled(44)))", "44\n"},
		{"select assignment", "func sel(ch chan int) (v int, ok bool) { select { case v, ok = <-ch: }; return }\nfmt.Println(sel(filled(45)))", "45 true\n"},
		{"select with labelled break", "func ticks(ch chan int) int {\n\tn := 0\nloop:\n\tfor {\n\t\tselect {\n\t\tcase v, ok := <-ch:\n\t\t\tif !ok {\n\t\t\t\treturn -1\n\t\t\t}\n\t\t\tn += v\n\t\tcase <-time.After(time.Millisecond):\n\t\t\tbreak loop\n\t\t}\n\t}\n\treturn n\n}\nfmt.Println(ticks(filled(5)))", "5\n"},
		{"select with continue", "func skip() int {\n\tn := 0\n\tfor i := 0; i < 3; i++ {\n\t\tselect {\n\t\tcase <-filled(i):\n\t\t\tn++\n\t\t\tcontinue\n\t\t}\n\t\tn += 100\n\t}\n\treturn n\n}\nfmt.Println(skip())", "3\n"},
		{"select single assignment", "func sel1(ch chan int) (v int) { select { case v = <-ch: }; return }\nfmt.Println(sel1(filled(46)))", "46\n"},
		{"select assignment right after case", "func sel2(ch chan int) (v int) { select { case(v) = <-ch: }; return }\nfmt.Println(sel2(filled(47)))", "47\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := s.must(tt.cell); out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
}

func TestEvalTopLevelScopes(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"")
	tests := []struct {
		name, cell, want string
	}{
		{"block variable does not overwrite a session variable", "x := 1\nfor i := 0; i < 3; i++ {\n\tx := i * 10\n\t_ = x\n}\nfmt.Println(x)", "1\n"},
		{"if init does not overwrite", "err := 7\nif err := 5; err > 0 {\n\t_ = err\n}\nfmt.Println(err)", "7\n"},
		{"comma-ok in if", "m := map[string]int{\"a\": 1}\nif v, ok := m[\"a\"]; ok {\n\tfmt.Println(\"found\", v)\n}", "found 1\n"},
		{"comma-ok map at top level", "m := map[string]int{\"a\": 1}\nv, ok := m[\"a\"]\n_, missing := m[\"b\"]\nfmt.Println(v, ok, missing)", "1 true false\n"},
		{"comma-ok var at top level", "var a any = \"s\"\nvar n, isInt = a.(int)\nfmt.Println(n, isInt)", "0 false\n"},
		{"comma-ok type assertion at top level", "var a any = 3\nn, ok := a.(int)\nfmt.Println(n+1, ok)", "4 true\n"},
		{"type switch", "var a any = 3\nswitch t := a.(type) {\ncase int:\n\tfmt.Println(\"int\", t)\n}", "int 3\n"},
		{"range assignment form", "k, v := 0, 0\nfor k, v = range []int{5, 6} {\n}\nfmt.Println(k, v)", "1 6\n"},
		{"range assignment form right after for", "k2 := 0\nfor(k2) = range []int{5, 6} {\n}\nfmt.Println(k2)", "1\n"},
		{"range over integers", "total := 0\nfor i := range 5 {\n\ttotal += i\n}\nn := int64(3)\nfor j := range n {\n\ttotal += int(j)\n}\nfor range len(\"ab\") {\n\ttotal++\n}\nfmt.Println(total)", "15\n"},
		{"labelled range over int", "outer:\nfor i := range 3 {\n\tfor j := range 3 {\n\t\tif j > i {\n\t\t\tcontinue outer\n\t\t}\n\t\tfmt.Printf(\"%d%d \", i, j)\n\t}\n}\nfmt.Println()", "00 10 11 20 21 22 \n"},
		{"clear", "m := map[int]int{1: 1}\nsl := []int{1, 2}\nclear(m)\nclear(sl)\nfmt.Println(len(m), sl)", "0 [0 0]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out := s.must(tt.cell); out != tt.want {
				t.Errorf("output %q, want %q", out, tt.want)
			}
		})
	}
}

func TestEvalSessionIntegerRange(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nn := 4")
	if out := s.must("for i := range n {\n\tfmt.Print(i)\n}\nfmt.Println()"); out != "0123\n" {
		t.Errorf("output %q, want %q", out, "0123\n")
	}
}

func TestEvalImports(t *testing.T) {
	s := newSession(t)
	for k := 0; k < 2; k++ {
		s.must("import \"fmt\"\nimport str \"strings\"\nfmt.Println(str.ToUpper(\"a\"))")
	}
	s.must("strings.Repeat(\"ab\", 2)")
	if s.shown != "abab" {
		t.Errorf("automatic import: shown %v, want abab", s.shown)
	}
	s.must("sort := []int{3, 1}")
	s.must("len(sort)")
	if s.shown != 2 {
		t.Errorf("session variable named like a package: shown %v, want 2", s.shown)
	}
}

func TestEvalErrorLines(t *testing.T) {
	s := newSession(t)
	s.must("import \"fmt\"\nfmt.Println()")
	tests := []struct {
		cell string
		line int
	}{
		{"x := 1\n\ny := undefinedName + x", 3},
		{"func ok() {}\n\nfunc bad() int {\n\treturn \"s\"\n}", 4},
		{"// comment\nfunc ok2() {}\nz := 1\nz = \"s\"", 4},
	}
	for _, tt := range tests {
		_, err := s.run(tt.cell)
		var ce *cellError
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %v, want one with a line", tt.cell, err)
			continue
		}
		if ce.line != tt.line {
			t.Errorf("%q: error %v at cell line %d, want %d", tt.cell, ce.err, ce.line, tt.line)
		}
	}
}

func TestEvalConcurrencyPatterns(t *testing.T) {
	s := newSession(t)
	s.must("import (\n\t\"context\"\n\t\"fmt\"\n\t\"sync\"\n\t\"time\"\n)")
	tests := []struct {
		name, cell string
		shown      any
	}{
		{"mutex counter",
			"type C struct {\n\tsync.Mutex\n\tn int\n}\nc := &C{}\nvar wg sync.WaitGroup\nfor i := 0; i < 50; i++ {\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tc.Lock()\n\t\tc.n++\n\t\tc.Unlock()\n\t}()\n}\nwg.Wait()\nc.n", 50},
		{"worker pool",
			"jobs := make(chan int, 10)\nresults := make(chan int, 10)\nworker := func(id int, jobs <-chan int, results chan<- int) {\n\tfor j := range jobs {\n\t\tresults <- j * 2\n\t}\n}\nfor w := 1; w <= 3; w++ {\n\tgo worker(w, jobs, results)\n}\nfor j := 1; j <= 5; j++ {\n\tjobs <- j\n}\nclose(jobs)\nsum := 0\nfor a := 1; a <= 5; a++ {\n\tsum += <-results\n}\nsum", 30},
		{"ticker until a timeout",
			"timeout := time.After(30 * time.Millisecond)\nticks := 0\nticker := time.NewTicker(2 * time.Millisecond)\nloop:\nfor {\n\tselect {\n\tcase <-ticker.C:\n\t\tticks++\n\tcase <-timeout:\n\t\tbreak loop\n\t}\n}\nticker.Stop()\nticks > 0", true},
		{"cancelled context",
			"ctx, cancel := context.WithCancel(context.Background())\ngo func() { time.Sleep(time.Millisecond); cancel() }()\n<-ctx.Done()\nctx.Err() == context.Canceled", true},
		{"results by index",
			"func square(n int) int { return n * n }\nresults := make([]int, 5)\nvar wg sync.WaitGroup\nfor i := range results {\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tresults[i] = square(i)\n\t}()\n}\nwg.Wait()\nfmt.Sprint(results)", "[0 1 4 9 16]"},
		{"generator",
			"func producer(n int) <-chan int {\n\tch := make(chan int)\n\tgo func() {\n\t\tdefer close(ch)\n\t\tfor i := range n {\n\t\t\tch <- i\n\t\t}\n\t}()\n\treturn ch\n}\ntotal := 0\nfor v := range producer(5) {\n\ttotal += v\n}\ntotal", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.must(tt.cell)
			if !s.hasShown || s.shown != tt.shown {
				t.Errorf("shown %v (%v), want %v", s.shown, s.hasShown, tt.shown)
			}
		})
	}
	s.wait()
}
