package queue_test

import (
	"fmt"
	"time"

	"github.com/gokernel/gokernel/runtime/queue"
	"github.com/gokernel/gokernel/runtime/thread"
)

func ExampleQueue() {
	q := queue.New(0)
	consumer := thread.Go(func() {
		for {
			item := q.Get()
			if item == nil { // sentinel, as in Python
				return
			}
			fmt.Println("consumed", item)
			q.TaskDone()
		}
	})
	for i := 1; i <= 3; i++ {
		q.Put(i)
	}
	q.Join() // every item was marked done
	q.Put(nil)
	consumer.Join()
	// Output:
	// consumed 1
	// consumed 2
	// consumed 3
}

func ExampleQueue_Close() {
	q := queue.New(2)
	producer := thread.Go(func() {
		defer q.Close()
		for _, word := range []string{"alpha", "beta", "gamma"} {
			q.Put(word)
		}
	})
	for {
		item, err := q.GetTimeout(-1) // wait without limit
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(item.(string))
	}
	producer.Join()
	// Output:
	// alpha
	// beta
	// gamma
	// queue: closed
}

func ExampleQueue_GetTimeout() {
	q := queue.New(0)
	_, err := q.GetTimeout(10 * time.Millisecond)
	fmt.Println(err)
	// Output: queue: empty
}
