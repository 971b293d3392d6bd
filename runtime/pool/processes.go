package pool

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gokernel/gokernel/runtime/process"
)

// Processes returns a pool that runs at most n tasks at once, each in one of
// up to n child processes, like ProcessPoolExecutor(max_workers=n) or
// multiprocessing.Pool(n). If n is zero or less, the limit is the number of
// CPUs, as in Python.
//
// Tasks follow the rules of process.New: the function must be registered
// with process.Register or named with process.Named, and arguments and
// results are copied between processes. A child process starts when a task
// needs one and runs task after task until Close stops it. A task that panics
// or returns an error fails only its own future; a child that dies, for
// instance through os.Exit or a signal, fails the task it was running with a
// *process.ExitError, and the next task starts a new child in its place.
// Inside a task, process.Current().Name() returns "PoolWorker-1",
// "PoolWorker-2", and so on.
//
// Close waits for the tasks and then stops the child processes.
func Processes(n int) *Pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return New(n, &processRunner{}).Named("ProcessPoolExecutor")
}

// processRunner runs tasks on reusable child processes. The Pool calls Run
// from at most as many goroutines as it has workers, so the runner never
// holds more child processes than that.
type processRunner struct {
	mu   sync.Mutex
	idle []*process.Worker
	all  []*process.Worker // every worker made, numbered from 1 in this order
}

// Run calls f(args...) on an idle worker process, or a new one.
func (r *processRunner) Run(f any, args []any) (any, error) {
	w := r.take()
	defer r.put(w)
	return w.Call(f, args...)
}

func (r *processRunner) take() *process.Worker {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.idle); n > 0 {
		w := r.idle[n-1]
		r.idle = r.idle[:n-1]
		return w
	}
	w := process.NewWorker(fmt.Sprintf("PoolWorker-%d", len(r.all)+1))
	r.all = append(r.all, w)
	return w
}

func (r *processRunner) put(w *process.Worker) {
	r.mu.Lock()
	r.idle = append(r.idle, w)
	r.mu.Unlock()
}

// Close stops every worker process.
func (r *processRunner) Close() error {
	r.mu.Lock()
	all := r.all
	r.all, r.idle = nil, nil
	r.mu.Unlock()
	for _, w := range all {
		w.Close()
	}
	return nil
}
