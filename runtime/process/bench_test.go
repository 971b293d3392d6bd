package process_test

import (
	"testing"

	"github.com/gokernel/gokernel/runtime/pool"
	"github.com/gokernel/gokernel/runtime/process"
)

// BenchmarkProcess measures a whole child process: start, call, result, exit.
func BenchmarkProcess(b *testing.B) {
	for b.Loop() {
		p := process.New(square, 3)
		p.Start()
		if _, err := p.Result(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoolTask measures one task on a warm worker process.
func BenchmarkPoolTask(b *testing.B) {
	ex := pool.Processes(1)
	defer ex.Close()
	ex.Submit(square, 1).Wait()
	for b.Loop() {
		if _, err := ex.Submit(square, 3).Result(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQueueFromChild measures a Put and a Get through a queue served
// by this process, as a child sees them.
func BenchmarkQueueFromChild(b *testing.B) {
	q := process.NewQueue()
	w := process.NewWorker("bench")
	defer w.Close()
	if _, err := w.Call(produce, q, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if _, err := w.Call(produce, q, b.N); err != nil {
		b.Fatal(err)
	}
	for range b.N {
		q.Get()
	}
}

// BenchmarkLockedIncrement measures Lock, Get, Set and Unlock of a Value.
func BenchmarkLockedIncrement(b *testing.B) {
	v := process.NewValue(process.Int64, 0)
	for b.Loop() {
		v.Lock()
		v.Set(v.Get() + 1)
		v.Unlock()
	}
}
