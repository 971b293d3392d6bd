package deadlock

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

var rules = Rules{
	Program: []string{"example.com/interp.", "example.com/runtime/"},
	Outside: []string{"example.com/interp.Eval("},
	Timed:   []string{"Sleep", "Timeout"},
	Waits:   []string{"runtime.", "sync.", "reflect."},
}

// goroutine writes one goroutine of a dump: its state and its functions, innermost first.
func goroutine(id int, state string, funcs ...string) string {
	var b strings.Builder
	b.WriteString("goroutine " + string(rune('0'+id)) + " [" + state + "]:\n")
	for _, f := range funcs {
		b.WriteString(f + "(...)\n\t/src/file.go:10 +0x1d\n")
	}
	b.WriteString("created by example.com/interp.spawn in goroutine 1\n\t/src/spawn.go:3 +0x2a\n")
	return b.String()
}

func TestCheck(t *testing.T) {
	kernel := goroutine(1, "IO wait", "internal/poll.runtime_pollWait", "example.com/kernel/wire.read")
	waiter := goroutine(2, "select", "example.com/interp.Eval", "example.com/kernel.execute")
	tests := []struct {
		name       string
		goroutines []string
		program    int
		deadlocked bool
	}{
		{"a receive nothing sends", []string{kernel, waiter, goroutine(3, "chan receive", "example.com/interp.recv", "example.com/interp.run")}, 1, true},
		{"a wait that lasted minutes", []string{goroutine(3, "select, 2 minutes", "example.com/interp.run")}, 1, true},
		{"two goroutines waiting on each other", []string{goroutine(3, "sync.Mutex.Lock", "sync.(*Mutex).Lock", "example.com/interp.run"),
			goroutine(4, "chan send", "example.com/runtime/queue.(*Queue).Put")}, 2, true},
		{"one goroutine still running", []string{goroutine(3, "chan receive", "example.com/interp.run"), goroutine(4, "running", "example.com/interp.loop")}, 2, false},
		{"one goroutine runnable", []string{goroutine(3, "chan receive", "example.com/interp.run"), goroutine(4, "runnable", "example.com/interp.loop")}, 2, false},
		{"a sleep ends by itself", []string{goroutine(3, "chan receive", "example.com/interp.run"), goroutine(4, "select", "example.com/kernel/interrupt.Sleep", "example.com/interp.run")}, 2, false},
		{"a wait with a time limit", []string{goroutine(3, "select", "example.com/runtime/queue.(*Queue).GetTimeout", "example.com/interp.run")}, 1, false},
		{"a system call", []string{goroutine(3, "syscall", "syscall.Syscall", "example.com/runtime/process.(*Process).Wait")}, 1, false},
		{"no program at all", []string{kernel, waiter}, 0, false},
		{"a wait through reflect's select", []string{goroutine(3, "select", "runtime.selectgo", "reflect.rselect", "reflect.Select", "example.com/interp.run")}, 1, true},
		{"a wait inside a library for the network", []string{goroutine(3, "select", "runtime.selectgo", "net/http.(*persistConn).roundTrip", "net/http.(*Client).Get", "example.com/interp.run")}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := rules.Check([]byte(strings.Join(tt.goroutines, "\n")))
			if rep.Goroutines != tt.program || rep.Deadlocked() != tt.deadlocked {
				t.Errorf("%d program goroutines, deadlocked %v; want %d, %v", rep.Goroutines, rep.Deadlocked(), tt.program, tt.deadlocked)
			}
		})
	}
}

// TestCheckReadsARealDump checks the parser against a dump of this process, in which a
// goroutine of this test waits on a channel for good.
func TestCheckReadsARealDump(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	go func() { stuck(block) }()
	time.Sleep(10 * time.Millisecond) // let it block
	buf := make([]byte, 1<<20)
	dump := buf[:runtime.Stack(buf, true)]
	rep := Rules{Program: []string{"github.com/gokernel/gokernel/kernel/goeval/deadlock.stuck"}}.Check(dump)
	if rep.Goroutines != 1 || rep.Asleep["chan receive"] != 1 || !rep.Deadlocked() {
		t.Fatalf("report %+v, want one goroutine asleep in chan receive", rep)
	}
}

//go:noinline
func stuck(c chan struct{}) { <-c }
