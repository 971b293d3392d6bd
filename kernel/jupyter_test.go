package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/notebook"
)

// TestKernelspecInstall checks what the installer wrote and that Jupyter lists the kernel.
func TestKernelspecInstall(t *testing.T) {
	dataDir, bin := install(t)
	dir := filepath.Join(dataDir, "kernels", "go")
	var spec struct {
		Argv          []string `json:"argv"`
		DisplayName   string   `json:"display_name"`
		Language      string   `json:"language"`
		InterruptMode string   `json:"interrupt_mode"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.DisplayName != "Go" || spec.Language != "go" || spec.InterruptMode != "message" ||
		len(spec.Argv) != 3 || spec.Argv[0] != bin || spec.Argv[2] != "{connection_file}" {
		t.Fatalf("kernel.json: %+v", spec)
	}
	for _, logo := range []string{"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, logo)); err != nil || fi.Size() == 0 {
			t.Errorf("logo %s: %v", logo, err)
		}
	}
	requireJupyter(t, []string{"jupyter_client"}, []string{"jupyter"})
	cmd := exec.Command("jupyter", "kernelspec", "list")
	cmd.Env = jupyterEnv(dataDir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\s*go\s+` + regexp.QuoteMeta(dir)).Match(out) {
		t.Fatalf("kernelspec list does not show go at %s:\n%s", dir, out)
	}
}

// TestJupyterKernelTestSuite runs the standard jupyter_kernel_test suite (all 12 tests,
// each enabled with a Go sample) against the installed kernel.
func TestJupyterKernelTestSuite(t *testing.T) {
	dataDir, _ := install(t)
	requireJupyter(t, []string{"jupyter_kernel_test", "jupyter_client"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "unittest", "-v", "kernel_suite")
	cmd.Dir = "testdata"
	cmd.Env = jupyterEnv(dataDir)
	out, err := cmd.CombinedOutput()
	t.Logf("jupyter_kernel_test output:\n%s", out)
	if err != nil {
		t.Fatalf("jupyter_kernel_test failed: %v", err)
	}
	m := regexp.MustCompile(`Ran (\d+) tests?`).FindSubmatch(out)
	if m == nil || string(m[1]) != "12" {
		t.Fatalf("expected 12 tests to run, got %q", m)
	}
	if strings.Contains(string(out), "skipped") {
		t.Fatal("some jupyter_kernel_test tests were skipped; every one must be enabled")
	}
}

// notebookCell is a code cell of the test notebook with what its outputs must contain.
type notebookCell struct {
	source string
	want   []string // substrings of the cell's text outputs
}

// TestNbconvertExecute runs a notebook through `jupyter nbconvert --execute` and checks the
// outputs written back.
func TestNbconvertExecute(t *testing.T) {
	dataDir, _ := install(t)
	requireJupyter(t, []string{"nbconvert", "nbformat"}, []string{"jupyter-nbconvert"})
	cells := []notebookCell{
		{source: "import \"fmt\"\nfunc square(n int) int { return n * n }\nfmt.Println(\"square:\", square(7))", want: []string{"square: 49"}},
		{source: "total := 0\nfor i := 1; i <= 10; i++ {\n\ttotal += square(i)\n}\ntotal", want: []string{"385"}},
		{source: "var wg sync.WaitGroup\nresults := make([]int, 4)\nfor i := range results {\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tresults[i] = square(i)\n\t}()\n}\nwg.Wait()\nresults", want: []string{"[0 1 4 9]"}},
		{source: "display.HTML(\"<i>rich</i>\")", want: []string{"<i>rich</i>"}},
	}
	var sources []string
	for _, c := range cells {
		sources = append(sources, c.source)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "test.ipynb")
	writeNotebook(t, in, sources...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=120", "--output", "out.ipynb", in)
	cmd.Env = jupyterEnv(dataDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}
	got := readNotebook(t, filepath.Join(dir, "out.ipynb"))
	for i, c := range cells {
		text := outputText(got.Cells[i].Outputs)
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("cell %d: outputs %q do not contain %q", i+1, text, w)
			}
		}
	}
}

// outputText joins the text of a cell's outputs: streams, and every string in MIME bundles.
func outputText(outputs []map[string]any) string {
	var b strings.Builder
	for _, o := range outputs {
		if s, ok := o["text"]; ok {
			b.WriteString(notebook.Text(s))
		}
		if data, ok := o["data"].(map[string]any); ok {
			for _, v := range data {
				b.WriteString(notebook.Text(v))
				b.WriteString("\n")
			}
		}
		if tb, ok := o["traceback"]; ok {
			b.WriteString(notebook.Text(tb))
		}
	}
	return b.String()
}

// TestJupyterConsole drives `jupyter console --kernel go` with typed input.
//
// In two of about ten full CI runs, the console's kernel found itself orphaned right after
// start (its parent was gone and it was handed to init) while the console waited for it; the
// cause is not known. A console run that hangs is therefore tried a second time, and the first
// failure is logged.
func TestJupyterConsole(t *testing.T) {
	dataDir, _ := install(t)
	requireJupyter(t, []string{"jupyter_console"}, []string{"jupyter-console"})
	var out []byte
	var err error
	for try := 1; try <= 2; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
		cmd := exec.CommandContext(ctx, "jupyter", "console", "--kernel", "go", "--simple-prompt")
		cmd.Env = jupyterEnv(dataDir)
		cmd.Stdin = strings.NewReader("x := 21\nx * 2\nfmt.Println(\"hi from console\")\n")
		cmd.WaitDelay = 5 * time.Second
		out, err = cmd.CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		if !timedOut {
			break
		}
		t.Logf("try %d: jupyter console hung: %v\n%s", try, err, out)
	}
	if err != nil {
		t.Fatalf("jupyter console: %v\n%s", err, out)
	}
	for _, want := range []string{"Out[2]: 42", "hi from console"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
}
