package pool_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/runtime/internal/testutil"
	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/queue"
	"github.com/gokernel/gokernel/runtime/thread"
)

// symbols exports, by hand, the few runtime and fmt symbols the interpreted
// program below uses, as generated symbol tables will export them all.
func symbols() interp.Exports {
	const root = "github.com/gokernel/gokernel/runtime/"
	return interp.Exports{
		"fmt/fmt": {
			"Println":  reflect.ValueOf(fmt.Println),
			"Sprintf":  reflect.ValueOf(fmt.Sprintf),
			"Sprint":   reflect.ValueOf(fmt.Sprint),
			"Errorf":   reflect.ValueOf(fmt.Errorf),
			"Stringer": reflect.ValueOf((*fmt.Stringer)(nil)),
		},
		root + "thread/thread": {
			"New":     reflect.ValueOf(thread.New),
			"Go":      reflect.ValueOf(thread.Go),
			"Current": reflect.ValueOf(thread.Current),
			"Count":   reflect.ValueOf(thread.Count),
			"Thread":  reflect.ValueOf((*thread.Thread)(nil)),
		},
		root + "pool/pool": {
			"Threads":     reflect.ValueOf(pool.Threads),
			"AsCompleted": reflect.ValueOf(pool.AsCompleted),
			"Pool":        reflect.ValueOf((*pool.Pool)(nil)),
			"Future":      reflect.ValueOf((*pool.Future)(nil)),
		},
		root + "lock/lock": {
			"Lock": reflect.ValueOf((*lock.Lock)(nil)),
		},
		root + "queue/queue": {
			"New":   reflect.ValueOf(queue.New),
			"Queue": reflect.ValueOf((*queue.Queue)(nil)),
		},
	}
}

// program is written the way a notebook user writes Go for these lessons.
const program = `
import (
	"fmt"

	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/queue"
	"github.com/gokernel/gokernel/runtime/thread"
)

type job struct {
	ID   int
	Name string
}

func square(n int) int { return n * n }

func describe(j job) string { return fmt.Sprintf("%d:%s", j.ID, j.Name) }

func checked(n int) (int, error) {
	if n > 2 {
		return 0, fmt.Errorf("too big: %d", n)
	}
	return n, nil
}

func boom(n int) int { panic("boom") }

func isNil(p *job) bool { return p == nil }

func main() {
	var mu lock.Lock
	counter := 0
	greet := func(who string) {
		mu.With(func() { counter++ })
		fmt.Println("thread", thread.Current().Name(), "greets", who)
	}
	t := thread.New(greet, "Ada").Named("T1")
	t.Start()
	t.Join()
	fmt.Println("back in", thread.Current().Name(), "counter", counter)

	ex := pool.Threads(3)
	squares, err := ex.Map(square, []int{1, 2, 3, 4, 5})
	fmt.Println("squares", squares, err)

	names, err := ex.Map(describe, []job{{1, "fetch"}, {2, "parse"}})
	fmt.Println("jobs", names, err)

	_, err = ex.Map(checked, []int{1, 2, 3})
	fmt.Println("checked error:", err)

	fut := ex.Submit(boom, 1)
	_, err = fut.Result()
	fmt.Println("panic error:", err != nil, fut.Done())

	_, err = ex.Submit(square, "seven").Result()
	fmt.Println("argument error:", err)

	v, _ := ex.Submit(isNil, nil).Result()
	fmt.Println("nil argument:", v)

	futs := []*pool.Future{}
	for i := 1; i <= 4; i++ {
		futs = append(futs, ex.Submit(square, i))
	}
	total := 0
	for f := range pool.AsCompleted(futs) {
		r, _ := f.Result()
		total += r.(int)
	}
	fmt.Println("as completed total", total)
	ex.Close()

	q := queue.New(2)
	consumer := thread.Go(func() {
		for {
			item := q.Get()
			if item == nil {
				return
			}
			fmt.Println("consumed", item)
		}
	})
	q.Put("a")
	q.Put("b")
	q.Put(nil)
	consumer.Join()

	bad := thread.New(boom, 1).Named("Bad")
	bad.Start()
	fmt.Println("thread error:", bad.Join() != nil, "alive", bad.Alive(), "count", thread.Count())
}
`

func TestInterpretedProgramUsesRuntime(t *testing.T) {
	var stdout, interpStderr bytes.Buffer
	i := interp.New(interp.Options{Stdout: &stdout, Stderr: &interpStderr})
	if err := i.Use(symbols()); err != nil {
		t.Fatal(err)
	}

	// Thread failure reports go to os.Stderr; capture them.
	var evalErr error
	reports := testutil.CaptureStderr(t, func() { _, evalErr = i.Eval(program) })
	if evalErr != nil {
		t.Fatalf("Eval: %v\ninterpreter stderr:\n%s", evalErr, interpStderr.String())
	}
	want := []string{
		"thread T1 greets Ada",
		"back in MainThread counter 1",
		"squares [1 4 9 16 25] <nil>",
		"jobs [1:fetch 2:parse] <nil>",
		"checked error: pool: Map item 2: too big: 3",
		"panic error: true true",
		"argument error: pool: function func(int) int: argument 1 is string, want int",
		"nil argument: true",
		"as completed total 30",
		"consumed a",
		"consumed b",
		"thread error: true alive false count 1",
	}
	got := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("interpreted output:\n%s\nwant:\n%s", stdout.String(), strings.Join(want, "\n"))
	}
	if !strings.Contains(reports, "Exception in thread Bad:\npanic: boom") {
		t.Errorf("no report of the failed thread on os.Stderr:\n%s", reports)
	}
}
