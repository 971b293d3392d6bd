package goeval

import (
	"strings"
	"testing"
)

// TestRuntimeFromCells runs every row of the README's Python-to-Go table from notebook cells.
func TestRuntimeFromCells(t *testing.T) {
	s := newSession(t)
	tests := []struct {
		name, code    string
		stdout, value string
		valueHas      []string // instead of value: parts the Out text must contain
	}{
		{
			name: "thread with explicit import",
			code: "import \"github.com/gokernel/gokernel/runtime/thread\"\n" +
				"func greet(n int) { fmt.Println(\"hello from\", thread.Current().Name(), n) }\n" +
				"t := thread.New(greet, 7).Named(\"T1\")\nt.Start()\nt.Join()",
			stdout: "hello from T1 7\n",
		},
		{
			name:  "thread.Go, Alive, Count, MainThread",
			code:  "release := make(chan bool)\nwaiter := thread.Go(func() { <-release })\nbefore := waiter.Alive()\ncount := thread.Count()\nclose(release)\nwaiter.Join()\n[]any{before, count, waiter.Alive(), thread.Current().Name()}",
			value: "[true 2 false MainThread]",
		},
		{
			name:  "thread.Ident tells threads apart",
			code:  "ids := make(chan int64, 1)\nth := thread.Go(func() { ids <- thread.Ident() })\nth.Join()\nmine := thread.Ident()\nother := <-ids\n[]bool{mine > 0, other > 0, mine != other, mine == thread.Ident()}",
			value: "[true true true true]",
		},
		{
			name: "lock.Lock and With keep an exact count",
			code: "var mu lock.Lock\ncounter := 0\nvar ts []*thread.Thread\nfor i := 0; i < 4; i++ {\n" +
				"\tts = append(ts, thread.Go(func() {\n\t\tfor j := 0; j < 1000; j++ {\n\t\t\tmu.With(func() { counter++ })\n\t\t}\n\t}))\n}\n" +
				"for _, t := range ts {\n\tt.Join()\n}\ncounter",
			value: "4000",
		},
		{
			name:  "RLock is re-entrant",
			code:  "var r lock.RLock\nr.Lock()\nr.Lock()\nr.Unlock()\nr.Unlock()\n\"ok\"",
			value: `"ok"`,
		},
		{
			name:  "Semaphore, Event, Barrier, Condition",
			code:  "sem := lock.NewSemaphore(2)\nsem.Acquire()\nsem.Release()\nvar ev lock.Event\ngo ev.Set()\nev.Wait()\nb := lock.NewBarrier(2)\ngo b.Wait()\nb.Wait()\ncond := lock.NewCondition(nil)\nready := false\ngo func() {\n\tcond.Lock()\n\tready = true\n\tcond.NotifyAll()\n\tcond.Unlock()\n}()\ncond.Lock()\ncond.WaitFor(func() bool { return ready })\ncond.Unlock()\n[]bool{ev.IsSet(), ready}",
			value: "[true true]",
		},
		{
			name:  "queue",
			code:  "q := queue.New(2)\nq.Put(1)\nq.Put(\"two\")\nfirst := q.Get()\n[]any{first, q.Len(), q.Empty()}",
			value: "[1 1 false]",
		},
		{
			name: "pool.Threads(3) never runs more than 3 tasks and Map keeps order",
			code: "var gauge lock.Lock\nrunning, peak := 0, 0\nfunc slowSquare(n int) int {\n\tgauge.With(func() {\n\t\trunning++\n\t\tif running > peak {\n\t\t\tpeak = running\n\t\t}\n\t})\n" +
				"\ttime.Sleep(20 * time.Millisecond)\n\tgauge.With(func() { running-- })\n\treturn n * n\n}\nex := pool.Threads(3)\nsquares, err := ex.Map(slowSquare, []int{1, 2, 3, 4, 5, 6, 7})\nex.Close()\n[]any{squares, err, peak}",
			value: "[[1 4 9 16 25 36 49] <nil> 3]",
		},
		{
			name: "Submit, Result, AsCompleted in completion order",
			code: "ex2 := pool.Threads(3)\ndefer ex2.Close()\nnap := func(ms int) int {\n\ttime.Sleep(time.Duration(ms) * time.Millisecond)\n\treturn ms\n}\n" +
				"futs := []*pool.Future{ex2.Submit(nap, 150), ex2.Submit(nap, 10), ex2.Submit(nap, 80)}\nvar order []any\nfor f := range pool.AsCompleted(futs) {\n\tv, _ := f.Result()\n\torder = append(order, v)\n}\nv0, _ := futs[0].Result()\n[]any{order, v0, futs[0].Done()}",
			value: "[[10 80 150] 150 true]",
		},
		{
			name:  "a task's panic comes back as an error",
			code:  "ex3 := pool.Threads(1)\nfut := ex3.Submit(func() int { panic(\"task failed\") })\n_, ferr := fut.Result()\nex3.Close()\nstrings.Contains(ferr.Error(), \"task failed\")",
			value: "true",
		},
		{
			name:     "a wrong argument type names the function and the types",
			code:     "ex4 := pool.Threads(1)\n_, werr := ex4.Submit(strings.ToUpper, 42).Result()\nex4.Close()\nwerr.Error()",
			valueHas: []string{"strings.ToUpper", "string"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.t = t
			stdout, value := s.ok(tt.code)
			if stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			for _, part := range tt.valueHas {
				if !strings.Contains(value, part) {
					t.Errorf("Out %s, want it to contain %q", value, part)
				}
			}
			if tt.valueHas == nil && value != tt.value {
				t.Errorf("Out %s, want %s", value, tt.value)
			}
		})
	}
}
