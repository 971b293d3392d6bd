package process_test

import (
	"fmt"

	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/process"
)

// greet runs in a child process; its output goes where the parent's goes.
func greet(greeting string) {
	fmt.Printf("%s from %s\n", greeting, process.Current().Name())
}

// addUp adds 1 to total n times, holding the shared lock for each addition.
func addUp(total *process.Value, n int) {
	for range n {
		total.Lock()
		total.Set(total.Get() + 1)
		total.Unlock()
	}
}

// A program registers the functions its children run, in init, and calls
// process.Main first thing in main.
func init() {
	process.Register("greet", greet)
	process.Register("addUp", addUp)
}

func Example() {
	// Python: p = Process(target=greet, args=("Hello",), name="P1")
	p := process.New(greet, "Hello").Named("P1")
	p.Start()
	p.Join()
	fmt.Println("exit code", p.ExitCode())
	// Output:
	// Hello from P1
	// exit code 0
}

func ExampleProcess_Result() {
	p := process.New(square, 12)
	p.Start()
	v, err := p.Result()
	fmt.Println(v, err)
	// Output: 144 <nil>
}

func ExampleNewQueue() {
	q := process.NewQueue()
	p := process.New(produce, q, 5) // produce puts 0, 1, 2, 3, 4
	p.Start()
	for range 5 {
		fmt.Print(q.Get(), " ")
	}
	fmt.Println()
	p.Join()
	// Output: 0 1 2 3 4
}

func ExampleNewValue() {
	// Python: shared_value = multiprocessing.Value('i', 0)
	total := process.NewValue(process.Int64, 0)
	var ps []*process.Process
	for range 4 {
		p := process.New(addUp, total, 1000)
		p.Start()
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.Join()
	}
	fmt.Println("Final value:", total.Get())
	// Output: Final value: 4000
}

func Example_processPool() {
	// Python: with ProcessPoolExecutor(max_workers=3) as ex: ex.map(square, numbers)
	ex := pool.Processes(3)
	defer ex.Close()
	results, err := ex.Map(square, []int{1, 2, 3, 4, 5})
	fmt.Println(results, err)
	// Output: [1 4 9 16 25] <nil>
}
