package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/engine"
)

// fakeEngine runs a cell by looking its source up in cells.
type fakeEngine struct {
	engine.Engine
	cells map[string]func(out engine.Output) engine.ExecuteResult
}

func (f fakeEngine) Execute(_ context.Context, req engine.ExecuteRequest, out engine.Output) engine.ExecuteResult {
	return f.cells[req.Code](out)
}

// cellOutputs is what a fake cell does and the nbformat outputs it must leave.
var cellOutputs = []struct {
	name string
	run  func(out engine.Output) engine.ExecuteResult
	want string // the cell's outputs as JSON
}{
	{
		name: "streams merge per stream and split into lines",
		run: func(out engine.Output) engine.ExecuteResult {
			out.Stream("stdout", "a\nb")
			out.Stream("stdout", "c\nd")
			out.Stream("stderr", "e\n")
			return engine.ExecuteResult{}
		},
		want: `[{"name":"stdout","output_type":"stream","text":["a\n","bc\n","d"]},{"name":"stderr","output_type":"stream","text":["e\n"]}]`,
	},
	{
		name: "clear with wait takes effect at the next output",
		run: func(out engine.Output) engine.ExecuteResult {
			out.Stream("stdout", "old\n")
			out.Clear(true)
			out.Stream("stdout", "new\n")
			return engine.ExecuteResult{}
		},
		want: `[{"name":"stdout","output_type":"stream","text":["new\n"]}]`,
	},
	{
		name: "a display updated in place stays one output, without its id",
		run: func(out engine.Output) engine.ExecuteResult {
			out.Display(map[string]any{"text/plain": "1"}, nil, "p", false)
			out.Display(map[string]any{"text/plain": "2", "text/markdown": "**2**\n_2_"}, nil, "p", true)
			return engine.ExecuteResult{}
		},
		want: `[{"data":{"text/markdown":["**2**\n","_2_"],"text/plain":["2"]},"metadata":{},"output_type":"display_data"}]`,
	},
	{
		name: "a value and an error",
		run: func(out engine.Output) engine.ExecuteResult {
			return engine.ExecuteResult{Data: map[string]any{"text/plain": "42"}, Err: &engine.Error{Name: "panic", Value: "boom"}}
		},
		want: `[{"data":{"text/plain":["42"]},"execution_count":1,"metadata":{},"output_type":"execute_result"},{"ename":"panic","evalue":"boom","output_type":"error","traceback":[]}]`,
	},
	{
		name: "no stdin in a batch run",
		run: func(out engine.Output) engine.ExecuteResult {
			if _, err := out.Input(context.Background(), "name? ", false); !errors.Is(err, engine.ErrNoStdin) {
				out.Stream("stdout", "input did not fail")
			}
			return engine.ExecuteResult{}
		},
		want: `[]`,
	},
}

func TestCellOutputs(t *testing.T) {
	for _, tt := range cellOutputs {
		t.Run(tt.name, func(t *testing.T) {
			nb, err := Parse([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "c", "metadata": {}, "outputs": []}]}`))
			if err != nil {
				t.Fatal(err)
			}
			eng := fakeEngine{cells: map[string]func(engine.Output) engine.ExecuteResult{"c": tt.run}}
			_ = Run(context.Background(), nb, eng, nil)
			got, err := json.Marshal(nb.cells[0]["outputs"])
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("outputs\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestRun checks execution counts, progress, the raises-exception tag, the stop at the first
// other failure, and that cells and fields the runner does not touch are written back as
// they were.
func TestRun(t *testing.T) {
	src := `{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
  {"cell_type": "code", "metadata": {}, "source": ["ok"], "outputs": []},
  {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": "expected", "outputs": []},
  {"cell_type": "code", "metadata": {}, "source": ["fails"], "outputs": []},
  {"cell_type": "code", "metadata": {}, "source": ["never"], "outputs": [{"output_type": "stream", "name": "stdout", "text": ["old"]}], "execution_count": 9}
 ],
 "metadata": {"kernelspec": {"name": "go"}},
 "nbformat": 4,
 "nbformat_minor": 5
}`
	nb, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fail := func(engine.Output) engine.ExecuteResult {
		return engine.ExecuteResult{Err: &engine.Error{Name: "panic", Value: "boom"}}
	}
	eng := fakeEngine{cells: map[string]func(engine.Output) engine.ExecuteResult{
		"ok":       func(engine.Output) engine.ExecuteResult { return engine.ExecuteResult{} },
		"expected": fail,
		"fails":    fail,
	}}
	var progress bytes.Buffer
	err = Run(context.Background(), nb, eng, ProgressWriter(&progress, "nb"))
	var cellErr *CellError
	if !errors.As(err, &cellErr) || cellErr.Index != 3 {
		t.Fatalf("Run returned %v, want a CellError for code cell 3", err)
	}
	wantProgress := []string{"nb [1/4] ok", "nb [2/4] error panic (expected)", "nb [3/4] error panic "}
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	if len(lines) != len(wantProgress) {
		t.Fatalf("progress:\n%s", progress.String())
	}
	for i, want := range wantProgress {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("progress line %q, want it to start with %q", lines[i], want)
		}
	}
	b, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Cells []struct {
			Source         any   `json:"source"`
			ExecutionCount *int  `json:"execution_count"`
			Outputs        []any `json:"outputs"`
		} `json:"cells"`
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	counts := []int{0, 1, 2, 3, 9} // 0: none; the last cell keeps its old count
	for i, c := range back.Cells {
		got := 0
		if c.ExecutionCount != nil {
			got = *c.ExecutionCount
		}
		if got != counts[i] {
			t.Errorf("cell %d: execution_count %d, want %d", i, got, counts[i])
		}
	}
	if !reflect.DeepEqual(back.Cells[0].Source, []any{"# title"}) || len(back.Cells[4].Outputs) != 1 || back.Metadata["kernelspec"] == nil {
		t.Errorf("untouched parts changed:\n%s", b)
	}
}

func TestProgressShortensTheFirstLineByCharacters(t *testing.T) {
	tests := []struct {
		source, want string
	}{
		{"short\nsecond line", "short"},
		{strings.Repeat("é", 70), strings.Repeat("é", 57) + "..."},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		ProgressWriter(&buf, "nb")(1, 1, map[string]any{"source": tt.source}, time.Second, nil)
		if want := "nb [1/1] ok 1.00s  " + tt.want + "\n"; buf.String() != want {
			t.Errorf("got %q, want %q", buf.String(), want)
		}
	}
}
