package process_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gokernel/gokernel/runtime/process"
)

func TestQueueBetweenParentAndChild(t *testing.T) {
	t.Run("child puts, parent gets", func(t *testing.T) {
		q := process.NewQueue()
		p := process.New(produce, q, 10)
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		for want := range 10 {
			if got := q.Get(); got != want {
				t.Fatalf("Get() = %#v, want %d", got, want)
			}
		}
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
		if !q.Empty() {
			t.Errorf("queue holds %d items after all were taken", q.Len())
		}
	})
	t.Run("parent puts, child gets", func(t *testing.T) {
		q := process.NewQueue()
		for i := range 100 {
			q.Put(i)
		}
		p := process.New(consume, q, 100)
		p.Start()
		v, err := p.Result()
		if v != 4950 || err != nil {
			t.Errorf("child's sum = %v, %v; want 4950", v, err)
		}
	})
}

func TestQueueBetweenChildren(t *testing.T) {
	in, out := process.NewQueue(), process.NewQueue()
	const n = 50
	producer := process.New(produce, in, n)
	doubler := process.New(relay, in, out, n)
	consumer := process.New(consume, out, n)
	for _, p := range []*process.Process{consumer, doubler, producer} { // consumers wait first
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
	}
	v, err := consumer.Result()
	if want := 2 * n * (n - 1) / 2; v != want || err != nil {
		t.Errorf("consumer's sum = %v, %v; want %d", v, err, want)
	}
	for _, p := range []*process.Process{producer, doubler} {
		if err := p.Join(); err != nil {
			t.Error(err)
		}
	}
}

// TestQueueOperations checks a queue in the process that created it;
// TestQueueOperationsFromAChild checks the same operations from a child.
func TestQueueOperations(t *testing.T) {
	q := process.NewQueue()
	if _, err := q.GetTimeout(0); err != process.ErrEmpty {
		t.Errorf("GetTimeout(0) on an empty queue = %v, want ErrEmpty", err)
	}
	start := time.Now()
	if _, err := q.GetTimeout(30 * time.Millisecond); err != process.ErrEmpty || time.Since(start) < 25*time.Millisecond {
		t.Errorf("GetTimeout(30ms) = %v after %v", err, time.Since(start))
	}
	q.Put(point{X: 1, Y: 2, label: "a"})
	q.Put([]float64{1, 2})
	if q.Len() != 2 {
		t.Errorf("Len() = %d, want 2", q.Len())
	}
	var p point
	if err := q.GetInto(&p); err != nil || p != (point{X: 1, Y: 2, label: "a"}) {
		t.Errorf("GetInto(&point) = %v, %+v", err, p)
	}
	var wrong map[int]int
	if err := q.GetInto(&wrong); err == nil {
		t.Error("GetInto received []float64 as map[int]int")
	}
	if err := q.Put(make(chan int)); err == nil {
		t.Error("Put(chan) succeeded")
	}
	q.Put("last")
	q.Close()
	if err := q.Put(1); !errors.Is(err, process.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if v := q.Get(); v != "last" {
		t.Errorf("Get() after Close = %v, want the remaining item", v)
	}
	if v := q.Get(); v != nil {
		t.Errorf("Get() on a closed, empty queue = %v, want nil", v)
	}
	if _, err := q.GetTimeout(-1); err != process.ErrClosed {
		t.Errorf("GetTimeout on a closed, empty queue = %v, want ErrClosed", err)
	}
}

// queueOps runs queue operations in a child, on a queue it reaches through
// its creator, and reports what it saw.
func queueOps(q *process.Queue) []string {
	var seen []string
	note := func(v any, err error) { seen = append(seen, describe(v, err)) }
	note(q.GetTimeout(0))
	note(q.GetTimeout(20 * time.Millisecond))
	q.Put("x")
	note(q.Len(), nil)
	note(q.GetTimeout(-1))
	q.Put(1.5)
	q.Close()
	note(nil, q.Put(2))
	note(q.Get(), nil)
	note(q.GetTimeout(-1))
	return seen
}

func describe(v any, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func init() { process.Register("queueOps", queueOps) }

func TestQueueOperationsFromAChild(t *testing.T) {
	q := process.NewQueue()
	p := process.New(queueOps, q)
	p.Start()
	v, err := p.Result()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error: process: queue empty",
		"error: process: queue empty",
		"int:1",
		"string:x",
		"error: process: queue closed",
		"float64:1.5",
		"error: process: queue closed",
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("the child saw\n%q\nwant\n%q", v, want)
	}
}
