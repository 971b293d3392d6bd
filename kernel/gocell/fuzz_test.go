package gocell

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that it reports problems as *Error at cell
// positions, and that the sources of an accepted cell are valid Go with the cell's lines.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"x := 1\nx + 1",
		"import \"fmt\"\nfunc f(ch chan int) (int, error) { return <-ch, nil }\nfmt.Println(f(nil))",
		"for i := range 3 {\n\tgo func() { println(i) }()\n}",
		"outer:\nfor i := range 3 {\n\tfor j := 0; j < i; j++ {\n\t\tcontinue outer\n\t}\n}",
		"go work(1, x, xs...)\ngo println(\"a\", b)\ngo c.M()",
		"v, ok := m[k]\nn, ok2 := a.(int)\nvar p, q = m[1]",
		"func f() (v int) { select { case v = <-ch: case x, ok := <-ch2: _, _ = x, ok }; v, _ = <-ch; _, ok = <-ch; return }",
		"k := 0\nfor k = range xs {\n}\nclear(m)\nthread.Start(func() {})",
		"if v := []int{1}; len(v) > 0 {\n} else if w := 2; w > 1 {\n}",
		"switch t := a.(type) {\ncase int:\n\t_ = t\n}",
		"type T[K comparable] struct{ m map[K]int }\nfunc (t *T[K]) Get(k K) int { return t.m[k] }",
		"x := 1 +",
		"switch {\ncase true:\n}\nfunc f() {\n\tswitch {\n\t}\n}",
		"xs := []int{}\nfmt.Println(f(), xs[g()+1], xs[xs[h()]])\nxs[k] = f()\nok := f() && xs[k] > 0\nw := strings.Split(s, \",\")[k]\n_ = f() + strings.Fields(s)[k+1]",
		"var (\n\ta = 1\n\tb = a\n)\nconst c = iota",
		"Ѐ:\n",
		"results := make([]int, 2)\nfor i := range 3 {\n\tresults[i] = work(i)\n}\ngrid[r][f()] = 1\nfmt.Println(f(), grid[r][g()])\nv := k/n + xs[k%n]",
		"xs[i] = f() + g()\nys[i] = 2*<-ch - h(xs[j])\nxs[perm[i]] = f()\ngrid[perm[r]][c] = <-ch\nm[k][i] = f()",
		"pk := &k\nq := new(int)\nfmt.Println(xs[*pk], xs[*q+1])\nfunc f(p *int) int { return xs[*p] }",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		env := testEnv("session")
		env.StackChecks = true
		plan, err := env.Parse(cell)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			lines := strings.Split(cell, "\n")
			if e.Line < 1 || e.Line > len(lines) || e.Column < 1 || e.Text != strings.TrimSuffix(lines[e.Line-1], "\r") {
				t.Fatalf("error %v at %d:%d with text %q outside the cell", e, e.Line, e.Column, e.Text)
			}
			return
		}
		checkSegments(t, cell, plan)
	})
}
