package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltInRunner(t *testing.T) {
	_, bin := install(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ipynb")
	writeNotebook(t, good,
		"fmt.Println(\"hello\")\nx := 6",
		"x * 7",
		"//raises\npanic(\"expected\")",
		"display.HTML(\"<p>shown</p>\")\nfmt.Fprintln(os.Stderr, \"to stderr\")",
		"# kept as is",
	)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "run", "-o", out, good)
	progress, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress)
	}
	for _, want := range []string{"good.ipynb [1/4] ok", "[3/4] error panic (expected)", "1 passed, 0 failed"} {
		if !strings.Contains(string(progress), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
	nb := readNotebook(t, filepath.Join(out, "good.ipynb"))
	if len(nb.Cells) != 5 || nb.Cells[4].CellType != "markdown" {
		t.Fatalf("cells %+v", nb.Cells)
	}
	checks := []struct {
		cell int
		want []string
	}{
		{0, []string{"hello"}},
		{1, []string{"execute_result", "42"}},
		{2, []string{"error", "expected"}},
		{3, []string{"display_data", "<p>shown</p>", "stderr", "to stderr"}},
	}
	for _, c := range checks {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(nb.Cells[c.cell].Outputs)
		got := buf.String()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("cell %d outputs %s lack %q", c.cell+1, got, w)
			}
		}
		if n := nb.Cells[c.cell].ExecutionCount; n == nil || *n != c.cell+1 {
			t.Errorf("cell %d execution_count %v", c.cell+1, n)
		}
	}

	// A failing cell without the tag fails the run, and the notebook still records the error.
	bad := filepath.Join(dir, "bad.ipynb")
	writeNotebook(t, bad, "y := 1", "undefinedThing()", "fmt.Println(\"never\")")
	cmd = exec.Command(bin, "run", bad)
	progress, err = cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("a failing notebook exited 0:\n%s", progress)
	}
	b, _ := os.ReadFile(bad)
	if !strings.Contains(string(b), "undefinedThing") || strings.Contains(string(b), "never\\n\"") {
		t.Fatalf("in-place notebook: %s", b)
	}
}
