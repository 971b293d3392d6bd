package lock_test

import (
	"fmt"
	"sync"
	"time"

	"github.com/gokernel/gokernel/runtime/lock"
)

func ExampleLock_With() {
	var mu lock.Lock
	counter := 0
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.With(func() { // Python: with lock:
				local := counter
				time.Sleep(time.Millisecond)
				counter = local + 1
			})
		}()
	}
	wg.Wait()
	fmt.Println("final counter:", counter)
	// Output: final counter: 5
}

func ExampleRLock() {
	var r lock.RLock
	var visit func(depth int)
	visit = func(depth int) {
		r.With(func() { // the holder may lock again
			if depth > 0 {
				visit(depth - 1)
			}
		})
	}
	visit(3)
	fmt.Println("free again:", r.TryLock())
	// Output: free again: true
}

func ExampleNewBoundedSemaphore() {
	sem := lock.NewBoundedSemaphore(2)
	sem.Acquire()
	sem.Release()
	defer func() { fmt.Println(recover()) }()
	sem.Release() // one more than acquired
	// Output: lock: BoundedSemaphore released too many times (bound 2)
}

func ExampleEvent() {
	var ready lock.Event
	go func() {
		time.Sleep(10 * time.Millisecond)
		ready.Set()
	}()
	ready.Wait()
	fmt.Println("ready:", ready.IsSet())

	var never lock.Event
	fmt.Println("set within 10ms:", never.WaitTimeout(10*time.Millisecond))
	// Output:
	// ready: true
	// set within 10ms: false
}

func ExampleCondition() {
	cond := lock.NewCondition(new(lock.Lock))
	var queue []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		cond.With(func() {
			cond.WaitFor(func() bool { return len(queue) > 0 })
			fmt.Println("consumed", queue[0])
		})
	}()
	cond.With(func() {
		queue = append(queue, "job-1")
		cond.Notify()
	})
	<-done
	// Output: consumed job-1
}

func ExampleBarrier() {
	b := lock.NewBarrier(3)
	var wg sync.WaitGroup
	arrivals := make([]int, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arrivals[i] = b.Wait() // 0 for the first to arrive, 2 for the last
		}()
	}
	wg.Wait()
	sum := 0
	for _, a := range arrivals {
		sum += a
	}
	fmt.Println("arrival indices sum to", sum)
	// Output: arrival indices sum to 3
}
