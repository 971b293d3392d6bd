// Package process runs functions in child processes, in the manner of
// Python's multiprocessing module: each child has its own process id and
// memory, children run truly in parallel, and they share data only through
// arguments, results, queues and shared memory.
//
// Python code maps onto it like this:
//
//	p = Process(target=f, args=(1,))           p := process.New(f, 1)
//	Process(target=f, name="P1")               process.New(f).Named("P1")
//	p.start(); p.join()                        p.Start(); p.Join()
//	p.pid; p.exitcode; p.is_alive()            p.Pid(); p.ExitCode(); p.Alive()
//	p.terminate(); p.kill()                    p.Terminate(); p.Kill()
//	current_process().name                     process.Current().Name()
//	q = Queue(); q.put(x); q.get()             q := process.NewQueue(); q.Put(x); q.Get()
//	q.empty(); q.qsize()                       q.Empty(); q.Len()
//	v = Value('i', 0); v.value                 v := process.NewValue(process.Int64, 0); v.Get()
//	a = Array('d', 10); a[3] = 1.5             a := process.NewArray(process.Float64, 10); a.SetFloat(3, 1.5)
//	with v.get_lock(): v.value += 1            v.Lock(); v.Set(v.Get() + 1); v.Unlock()
//	if __name__ == "__main__":                 process.Main() // first thing in main
//
// Pools of worker processes, the counterparts of multiprocessing.Pool and
// ProcessPoolExecutor, are made by pool.Processes in package pool; a Worker
// is one such reusable child.
//
// # How a child finds its function
//
// A child process runs the same program as its parent (os.Executable(), or
// what a Launcher set with SetLauncher says), with the GOKERNEL_PROCESS_CHILD
// environment variable naming a descriptor connected to the parent. The
// program must call Main, or Serve, first thing in main: in a child, it
// receives the name of a function and its arguments, runs the function, sends
// back the result, and exits. Elsewhere it returns at once. A child that does
// not call Main runs the program's main instead; such a child cannot start
// children of its own, and its parent reports that it exited without a
// result.
//
// The child finds the function by name, so a function must have one that
// both processes know:
//
//   - In a compiled program, Register the function in an init function.
//     A registered function may then be passed to New as it is.
//   - Named attaches a name to a function explicitly. A program that is not
//     compiled ahead, such as the gokernel interpreter, passes Named
//     functions and resolves names in the child itself with Serve.
//
// A closure or function literal cannot be found in another process; New
// reports "cannot run an anonymous function" for one, as Python refuses to
// pickle a lambda.
//
// # Values crossing a process boundary
//
// Arguments and results are copied, never shared: an argument is encoded in
// the parent and decoded in the child into the function's parameter type,
// and a result the other way round, into the function's result type. These
// kinds of values cross:
//
//   - booleans, integers, floating-point and complex numbers, strings;
//   - slices, arrays, maps and pointers of values that cross (a pointer
//     delivers a copy of what it points to);
//   - structs, including their unexported fields, matched by field name;
//   - *big.Int, *big.Float, time.Duration and time.Time;
//   - errors, as their message (the receiver gets errors.New(message));
//   - *Queue, *Value and *Array, which stay connected to the same queue or
//     memory: the receiver reaches the process that created the queue, or
//     maps the same memory;
//   - interfaces holding any of these (any and error only).
//
// Channels, functions, unsafe pointers and other interfaces do not cross.
// Start reports such a parameter, argument or result type before a child is
// started, as an error that wraps an *UnsupportedTypeError. A value nested in
// a cycle of pointers is refused too.
//
// A value received into an interface, such as a parameter or result of type
// any or an item taken from a Queue with Get, cannot be rebuilt with the type
// the sender used, which the receiver may not know. It arrives in the type
// closest to it that any process can build: a bool, number or string as its
// unnamed type (a named type such as time.Month becomes int), a slice, array
// or map of such types, a pointer as what it points to, a struct as a
// map[string]any from field names to values, and the types above with their
// own names (*big.Int, time.Duration, error, *Queue ...).
//
// # Output and lifetime
//
// A child writes to the standard output and standard error that its parent
// has when it starts it: the same descriptors, so its output appears in
// order with the parent's, as it happens. A function that panics or returns
// an error in a child started with New makes the child write a report to
// standard error, "Exception in process P1:" and the panic with the child's
// stack, in the manner of Python's traceback.
//
// No child outlives its purpose: a child started by New exits after its
// call; the children of a pool exit when the pool is closed; on Linux every
// child is killed when its parent dies; and KillAll kills them all at once,
// as a kernel does on an interrupt.
package process
