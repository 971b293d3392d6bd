package timeline_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/thread"
	"github.com/gokernel/gokernel/runtime/timeline"
)

func Example() {
	timeline.Start()

	var mu lock.Lock
	worker := func() {
		mu.Lock()
		defer mu.Unlock()
		timeline.Sleep(10 * time.Millisecond) // recorded, unlike time.Sleep
	}
	t1 := thread.New(worker).Named("T1")
	t1.Start()
	t1.Join()

	rec := timeline.Stop()
	for _, e := range rec.Events() {
		if e.Row == "T1" {
			fmt.Println(strings.TrimSpace(string(e.Kind) + " " + e.Type))
		}
	}
	// rec.Show() would draw the chart: in a notebook as an image, elsewhere
	// as text.

	// Output:
	// start
	// acquire Lock
	// sleep time.Sleep
	// wake time.Sleep
	// release Lock
	// end
}

func ExampleBegin() {
	download := func(url string) {
		defer timeline.Begin(timeline.Blocked, "download "+url).End()
		time.Sleep(time.Millisecond) // stands for the network
	}

	timeline.Start()
	download("example.com")
	for _, e := range timeline.Stop().Events() {
		fmt.Println(e.Row, e.Kind, e.Type)
	}
	// Output:
	// MainThread block download example.com
	// MainThread unblock download example.com
}
