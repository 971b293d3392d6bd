package process

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/gokernel/gokernel/runtime/internal/invoke"
)

// serving is set once this process has begun to serve as a child. It is
// process-wide because it describes the process.
var serving atomic.Bool

// IsChild reports whether this process was started as a child process by
// this package.
func IsChild() bool {
	return serving.Load() || os.Getenv(childEnv) != ""
}

// isUnservedChild reports whether this process was started as a child but
// did not call Main or Serve, so that it runs the program's main instead of
// its job. Such a process must not start children of its own, or a program
// that forgot Main would start processes without end.
func isUnservedChild() bool {
	return !serving.Load() && os.Getenv(childEnv) != ""
}

// Main serves the job of a child process, then exits, if this process was
// started as one; otherwise it returns at once. A compiled program that runs
// functions in child processes calls it first thing in main, after
// registering the functions with Register, in the manner of Python's
// `if __name__ == "__main__":` guard:
//
//	func main() {
//		process.Main()
//		...
//	}
//
// Main is Serve(Lookup).
func Main() {
	Serve(Lookup)
}

// Serve returns at once if this process was not started as a child process.
// Otherwise it runs the calls its parent sends, finding each function by name
// with resolve, and exits without returning: with code 0 after a call that
// returned a nil error, 1 after a panic, a returned error, or a call that
// could not be made; a function that calls os.Exit ends the child with its
// code. A program whose children must find functions some other way than
// through Register, such as an interpreter, calls Serve instead of Main.
func Serve(resolve Resolver) {
	text, ok := os.LookupEnv(childEnv)
	if !ok || serving.Swap(true) {
		return
	}
	os.Unsetenv(childEnv) // processes this child starts are children of its own
	fd, err := strconv.Atoi(text)
	if err != nil {
		fatal(fmt.Errorf("bad %s=%q", childEnv, text))
	}
	syscall.CloseOnExec(fd) // so that the parent sees EOF when this process dies
	f := os.NewFile(uintptr(fd), "process-parent")
	conn, err := net.FileConn(f)
	if err != nil {
		fatal(fmt.Errorf("connect to parent: %w", err))
	}
	f.Close()
	r := bufio.NewReader(conn)
	for {
		var j job
		if err := receive(r, &j); err != nil {
			if errors.Is(err, io.EOF) {
				os.Exit(0) // the parent is done with this process
			}
			fatal(fmt.Errorf("receive job: %w", err))
		}
		setCurrent(j.Process)
		rep := runJob(resolve, j)
		if err := send(conn, rep); err != nil {
			fatal(fmt.Errorf("send result: %w", err))
		}
		if j.Once {
			if err := rep.err(); err != nil {
				fmt.Fprintf(os.Stderr, "Exception in process %s:\n%v\n", j.Process, err)
				os.Exit(1)
			}
			os.Exit(0)
		}
	}
}

// fatal reports a failure of the child machinery itself and exits.
func fatal(err error) {
	fmt.Fprintf(os.Stderr, "process: child %d: %v\n", os.Getpid(), err)
	os.Exit(2)
}

// runJob makes the call that j describes and reports how it went.
func runJob(resolve Resolver, j job) reply {
	f, err := resolve(j.Func)
	if err != nil {
		return reply{Outcome: outcomeFailed, Message: err.Error()}
	}
	fn := reflect.ValueOf(f)
	if f == nil || fn.Kind() != reflect.Func || fn.IsNil() {
		return failed(fmt.Errorf("process: %q resolves to %T, want a function", j.Func, f))
	}
	ft := fn.Type()
	if !ft.IsVariadic() && len(j.Args) > ft.NumIn() {
		return failed(fmt.Errorf("process: %s takes %d arguments, got %d", j.Func, ft.NumIn(), len(j.Args)))
	}
	args := make([]any, len(j.Args))
	for i, b := range j.Args {
		v := reflect.New(paramType(ft, i)).Elem()
		if err := decode(b, v); err != nil {
			return failed(fmt.Errorf("process: %s: argument %d: %w", j.Func, i+1, err))
		}
		args[i] = v.Interface()
	}
	c, err := invoke.Prepare(f, args)
	if err != nil {
		return failed(fmt.Errorf("process: %s: %w", j.Func, err))
	}

	type outcome struct {
		value    any
		err      error
		returned bool
	}
	done := make(chan outcome, 1)
	go func() { // its own goroutine, so that runtime.Goexit ends only the call
		returned := false
		defer func() {
			if !returned {
				done <- outcome{}
			}
		}()
		v, err := c.Run()
		returned = true
		done <- outcome{v, err, true}
	}()
	o := <-done
	if !o.returned {
		return reply{Outcome: outcomeExited, Message: invoke.ErrGoexit.Error()}
	}
	var pe *invoke.PanicError
	if errors.As(o.err, &pe) && error(pe) == o.err {
		return reply{Outcome: outcomePanicked, Message: fmt.Sprint(pe.Value), Stack: pe.Stack}
	}
	rep := reply{Outcome: outcomeReturned}
	if o.err != nil {
		rep.HasError, rep.Message = true, errorMessage(o.err)
	}
	if o.value != nil {
		if rep.Result, err = encodeAny(o.value); err != nil {
			return failed(fmt.Errorf("process: %s: result: %w", j.Func, err))
		}
	}
	return rep
}

func failed(err error) reply {
	return reply{Outcome: outcomeFailed, Message: err.Error()}
}

// err returns the error that the reply stands for, as the parent reports it,
// or nil if the function returned a nil error.
func (r reply) err() error {
	switch r.Outcome {
	case outcomePanicked:
		return &PanicError{Value: r.Message, Stack: r.Stack}
	case outcomeExited:
		return ErrGoexit
	case outcomeFailed:
		return errors.New(r.Message)
	}
	if r.HasError {
		return errors.New(r.Message)
	}
	return nil
}
