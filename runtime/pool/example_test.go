package pool_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/gokernel/gokernel/runtime/pool"
)

func ExampleThreads() {
	ex := pool.Threads(3) // Python: with ThreadPoolExecutor(max_workers=3) as ex:
	defer ex.Close()
	label := func(n int) string {
		time.Sleep(time.Duration(5-n) * time.Millisecond) // later items finish first
		return fmt.Sprintf("Number: %d", n)
	}
	results, err := ex.Map(label, []int{1, 2, 3, 4, 5})
	if err != nil {
		fmt.Println(err)
	}
	for _, r := range results {
		fmt.Println(r)
	}
	// Output:
	// Number: 1
	// Number: 2
	// Number: 3
	// Number: 4
	// Number: 5
}

func ExamplePool_Submit() {
	ex := pool.Threads(2)
	defer ex.Close()
	fut := ex.Submit(strings.Repeat, "go", 3)
	value, err := fut.Result()
	fmt.Println(value, err, fut.Done())

	_, err = ex.Submit(func() { panic("lost connection") }).Result()
	fmt.Println(strings.SplitN(err.Error(), "\n", 2)[0]) // the stack follows
	// Output:
	// gogogo <nil> true
	// panic: lost connection
}

func ExampleAsCompleted() {
	ex := pool.Threads(3)
	defer ex.Close()
	wait := func(ms int) int {
		time.Sleep(time.Duration(ms) * 10 * time.Millisecond)
		return ms
	}
	var futs []*pool.Future
	for _, ms := range []int{3, 1, 2} {
		futs = append(futs, ex.Submit(wait, ms))
	}
	for f := range pool.AsCompleted(futs) {
		v, _ := f.Result()
		fmt.Println("finished", v)
	}
	// Output:
	// finished 1
	// finished 2
	// finished 3
}

func ExampleNew() {
	// A Runner decides how a task runs; this one logs and runs in process.
	logging := pool.RunnerFunc(func(f any, args []any) (any, error) {
		v, err := pool.InProcess(f, args)
		fmt.Println("ran with", args, "->", v)
		return v, err
	})
	ex := pool.New(1, logging)
	ex.Map(strings.ToUpper, []string{"a", "b"})
	ex.Close()
	// Output:
	// ran with [a] -> A
	// ran with [b] -> B
}
