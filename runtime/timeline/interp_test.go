package timeline_test

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/symbols"
	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/thread"
	"github.com/gokernel/gokernel/runtime/timeline"
)

// cell is a lock-heavy notebook cell: four threads increment a shared
// counter 10,000 times each under a lock.
const cell = `
import (
	"github.com/gokernel/gokernel/runtime/lock"
	"github.com/gokernel/gokernel/runtime/thread"
)

func run() int {
	var mu lock.Lock
	counter := 0
	work := func() {
		for i := 0; i < 10000; i++ {
			mu.Lock()
			counter++
			mu.Unlock()
		}
	}
	ts := []*thread.Thread{}
	for i := 0; i < 4; i++ {
		ts = append(ts, thread.Go(work))
	}
	for _, t := range ts {
		t.Join()
	}
	return counter
}
`

// TestInterpretedCell records the cell through the kernel's generated
// symbols, as a notebook does.
func TestInterpretedCell(t *testing.T) {
	i := interp.New(interp.Options{})
	if err := i.Use(symbols.Symbols); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(cell); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`import "github.com/gokernel/gokernel/runtime/timeline"`); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`func recorded() (*timeline.Recording, int) {
	timeline.Start()
	n := run()
	timeline.Sleep(1)
	return timeline.Stop(), n
}`); err != nil {
		t.Fatal(err)
	}
	v, err := i.Eval("recorded")
	if err != nil {
		t.Fatal(err)
	}
	rec, n := v.Interface().(func() (*timeline.Recording, int))()
	if n != 40000 {
		t.Fatalf("counter = %d, want 40000", n)
	}
	rows := map[string]int{}
	for _, e := range rec.Events() {
		rows[e.Row]++
	}
	if len(rows) != 5 || rows["MainThread"] == 0 {
		t.Fatalf("events per row %v, want MainThread and four threads", rows)
	}
	if svg := rec.SVG(); len(svg) == 0 || len(svg) >= 1<<20 {
		t.Fatalf("SVG of %d bytes", len(svg))
	}
}

// BenchmarkInterpretedCell measures the cell above, run by the interpreter
// as a notebook runs it, without and with a recording.
func BenchmarkInterpretedCell(b *testing.B) {
	const root = "github.com/gokernel/gokernel/runtime/"
	i := interp.New(interp.Options{})
	if err := i.Use(interp.Exports{
		root + "thread/thread": {
			"Go":     reflect.ValueOf(thread.Go),
			"Thread": reflect.ValueOf((*thread.Thread)(nil)),
		},
		root + "lock/lock": {
			"Lock": reflect.ValueOf((*lock.Lock)(nil)),
		},
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := i.Eval(cell); err != nil {
		b.Fatal(err)
	}
	v, err := i.Eval("run")
	if err != nil {
		b.Fatal(err)
	}
	run := v.Interface().(func() int)
	// Both runs collect garbage between iterations, outside the timing, so that they differ
	// only in the recording.
	b.Run("off", func(b *testing.B) {
		for b.Loop() {
			if n := run(); n != 40000 {
				b.Fatalf("counter = %d", n)
			}
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
		}
	})
	b.Run("on", func(b *testing.B) {
		for b.Loop() {
			timeline.Start()
			run()
			b.StopTimer()
			timeline.Stop()
			runtime.GC()
			b.StartTimer()
		}
	})
}
