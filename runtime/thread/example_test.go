package thread_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gokernel/gokernel/runtime/thread"
)

func ExampleNew() {
	greet := func(who string) {
		fmt.Printf("%s says hello to %s\n", thread.Current().Name(), who)
	}
	t := thread.New(greet, "Ada").Named("T1")
	t.Start()
	if err := t.Join(); err != nil { // Join also returns a failed Start's error
		fmt.Println(err)
	}
	fmt.Println("back in", thread.Current().Name())
	// Output:
	// T1 says hello to Ada
	// back in MainThread
}

func ExampleGo() {
	squares := make([]int, 4)
	var threads []*thread.Thread
	for i := range squares {
		threads = append(threads, thread.Go(func(n int) {
			time.Sleep(10 * time.Millisecond)
			squares[n] = n * n
		}, i))
	}
	for _, t := range threads {
		t.Join()
	}
	fmt.Println(squares)
	// Output: [0 1 4 9]
}

func ExampleThread_Join() {
	t := thread.Go(func() { panic("disk full") }) // also reported on os.Stderr
	err := t.Join()
	var p *thread.PanicError
	if errors.As(err, &p) {
		fmt.Println("thread panicked:", p.Value)
	}
	// Output: thread panicked: disk full
}

func ExampleThread_Start() {
	err := thread.New(strings.Repeat, "ab", "three").Named("Repeater").Start()
	fmt.Println(err)
	// Output: thread: start Repeater: strings.Repeat: argument 2 is string, want int
}

func ExampleCount() {
	release := make(chan struct{})
	t := thread.Go(func() { <-release })
	fmt.Println(thread.Count(), t.Alive())
	close(release)
	t.Join()
	fmt.Println(thread.Count(), t.Alive())
	// Output:
	// 2 true
	// 1 false
}
