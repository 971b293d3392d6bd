package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/internal/testutil"
)

// labDir holds the JupyterLab application the browser test builds and serves.
const labDir = "testdata/jupyterlab"

// chromium is Debian's browser; the test never downloads one.
const chromium = "/usr/bin/chromium"

// pageOutput is one output area as the browser rendered it.
type pageOutput struct {
	OutputType string   `json:"output_type"`
	Name       string   `json:"name"`
	Ename      string   `json:"ename"`
	Mime       string   `json:"mime"`
	Text       string   `json:"text"`
	SVG        *pageSVG `json:"svg"`
}

// pageSVG is the drawn size of an SVG image in an output area: its box, the image's own size,
// the width of the output area, and whether the area has to scroll or cut it.
type pageSVG struct {
	Width, Height               int
	NaturalWidth, NaturalHeight int
	AreaWidth                   int
	Overflows                   bool
}

// pageCell is one cell as the browser rendered it.
type pageCell struct {
	Index   int          `json:"index"`
	Type    string       `json:"type"`
	Source  string       `json:"source"`
	Prompt  string       `json:"prompt"`
	Tags    []string     `json:"tags"`
	Outputs []pageOutput `json:"outputs"`
}

// labResult is what e2e.js reports.
type labResult struct {
	Notebooks []struct {
		Name              string     `json:"name"`
		Error             string     `json:"error"`
		Seconds           float64    `json:"seconds"`
		OutputsBefore     int        `json:"outputsBefore"`
		OutputsAfterClear int        `json:"outputsAfterClear"`
		Cells             []pageCell `json:"cells"`
		Screenshots       []string   `json:"screenshots"`
		Restart           *struct {
			Cells      []pageCell `json:"cells"`
			Seconds    float64    `json:"seconds"`
			States     string     `json:"states"`
			Screenshot string     `json:"screenshot"`
		} `json:"restart"`
	} `json:"notebooks"`
	Interactions []struct {
		Name       string  `json:"name"`
		OK         bool    `json:"ok"`
		Detail     string  `json:"detail"`
		Seconds    float64 `json:"seconds"`
		Screenshot string  `json:"screenshot"`
	} `json:"interactions"`
	PageErrors     []string `json:"pageErrors"`
	FailedRequests []string `json:"failedRequests"`
	Fatal          string   `json:"fatal"`
}

// restartNotebook is the lesson that is also restarted and run a second time.
const restartNotebook = "Program_Process_and_Thread.ipynb"

// TestJupyterLab runs every lesson notebook in JupyterLab, in headless Chromium, the way a
// teacher does (Edit > Clear All Outputs, Run > Run All Cells), and checks what the page shows
// against the outputs saved in the notebook: cell by cell, so output from threads and child
// processes must appear under the cell that started them. It then restarts a kernel and runs
// all again, and tries the interrupt button, an input box, Tab completion and Shift+Tab help.
// Screenshots of the latest run go to testdata/jupyterlab/screenshots.
func TestJupyterLab(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIP: the browser test takes minutes; not run with -short")
	}
	requireLab(t)
	dataDir, _ := install(t)

	root := t.TempDir()
	var names []string
	for _, path := range notebookFiles(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(path))
		if err := os.WriteFile(filepath.Join(root, filepath.Base(path)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeInteractionsNotebook(t, filepath.Join(root, "interactions.ipynb"))

	url, token := startLab(t, dataDir, root)
	shots, err := filepath.Abs(filepath.Join(labDir, "screenshots"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "result.json")
	config, _ := json.Marshal(map[string]any{
		"url": url, "token": token, "notebooks": names, "restartNotebook": restartNotebook,
		"interactions": "interactions.ipynb", "shots": shots, "out": out, "chromium": chromium,
	})
	configFile := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(configFile, config, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "e2e.js", configFile)
	cmd.Dir = labDir
	cmd.WaitDelay = 10 * time.Second
	log, runErr := cmd.CombinedOutput()
	t.Logf("e2e.js:\n%s", log)
	t.Logf("screenshots of this run: %s", shots)
	fmt.Printf("JupyterLab screenshots of this run: %s\n", shots)

	var res labResult
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("e2e.js wrote no result (%v): %v", runErr, err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("e2e.js result: %v", err)
	}
	if res.Fatal != "" || runErr != nil {
		t.Fatalf("e2e.js failed: %v %s", runErr, res.Fatal)
	}
	for _, e := range res.PageErrors {
		t.Errorf("uncaught error in the page: %s", e)
	}
	for _, r := range res.FailedRequests {
		// JupyterLab 3.6 asks for the user's identity at /api/me, which jupyter_server 1.23
		// does not serve; the page works without it.
		if strings.Contains(r, "/api/me?") {
			continue
		}
		t.Errorf("request failed: %s", r)
	}

	if len(res.Notebooks) != len(names) {
		t.Fatalf("browser ran %d of %d notebooks", len(res.Notebooks), len(names))
	}
	for _, nb := range res.Notebooks {
		t.Run(nb.Name, func(t *testing.T) {
			if nb.Error != "" {
				t.Fatalf("in the browser: %s", nb.Error)
			}
			t.Logf("ran in %.1f s; screenshots %s", nb.Seconds, strings.Join(nb.Screenshots, ", "))
			if nb.OutputsBefore == 0 || nb.OutputsAfterClear != 0 {
				t.Errorf("Clear All Outputs: %d outputs before, %d after (want some, then none)", nb.OutputsBefore, nb.OutputsAfterClear)
			}
			saved := readNotebook(t, filepath.Join("..", "notebooks", nb.Name))
			checkPage(t, nb.Name, nb.Cells, saved)
			if nb.Name != restartNotebook {
				return
			}
			if nb.Restart == nil {
				t.Fatal("the notebook was not restarted")
			}
			t.Run("restart and run all", func(t *testing.T) {
				t.Logf("kernel states %q; ran again in %.1f s; screenshot %s", nb.Restart.States, nb.Restart.Seconds, nb.Restart.Screenshot)
				checkPage(t, nb.Name, nb.Restart.Cells, saved)
			})
		})
	}
	want := []string{"interrupt", "stdin", "completion", "help", "late-goroutine-output", "display-update", "rich-result"}
	if len(res.Interactions) != len(want) {
		t.Errorf("interactions run: %d, want %d (%v)", len(res.Interactions), len(want), want)
	}
	for _, in := range res.Interactions {
		t.Run(in.Name, func(t *testing.T) {
			if !in.OK {
				t.Fatalf("%s (screenshot %s)", in.Detail, in.Screenshot)
			}
			t.Logf("%s (%.1f s)", in.Detail, in.Seconds)
		})
	}
}

// reporter is the part of testing.T the page checks use, so that they can be tested too.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// ansi matches terminal colour codes, escaped or left behind as text.
var ansi = regexp.MustCompile(`\x1b\[|\[[0-9;]*[0-9]m`)

// checkPage checks a notebook as the page shows it after Run All: every code cell ran in order
// from a fresh kernel, nothing failed, nothing shows raw terminal codes, charts are drawn at
// their own proportions without being cut, the lesson's key results are there, and each cell
// shows the outputs saved for it in the notebook, numbers aside.
func checkPage(t reporter, name string, cells []pageCell, saved nbFile) {
	t.Helper()
	var savedCode []int
	for i, c := range saved.Cells {
		if c.CellType == "code" {
			savedCode = append(savedCode, i)
		}
	}
	var page nbFile
	count, charts := 0, 0
	for _, c := range cells {
		if c.Type != "code" {
			continue
		}
		count++
		if c.Prompt != fmt.Sprintf("[%d]:", count) {
			t.Errorf("cell %d: prompt %q, want [%d]: (every cell run once, in order, after a fresh start)", c.Index+1, c.Prompt, count)
		}
		var outputs []map[string]any
		for _, o := range c.Outputs {
			if o.OutputType == "error" && !slices.Contains(c.Tags, "raises-exception") {
				t.Errorf("cell %d: error shown: %s", c.Index+1, firstLine(o.Text))
			}
			if ansi.MatchString(o.Text) {
				t.Errorf("cell %d: terminal codes shown as text: %q", c.Index+1, firstLine(ansi.FindString(o.Text)+o.Text))
			}
			outputs = append(outputs, asSaved(o))
			if o.SVG == nil {
				continue
			}
			charts++
			s := o.SVG
			switch {
			case s.Width == 0 || s.Height == 0 || s.NaturalWidth == 0:
				t.Errorf("cell %d: chart not drawn: %+v", c.Index+1, *s)
			case s.Overflows:
				t.Errorf("cell %d: chart wider than its output area (cut or scrolled): %+v", c.Index+1, *s)
			case s.NaturalHeight > 0 && !near(float64(s.Width)/float64(s.Height), float64(s.NaturalWidth)/float64(s.NaturalHeight), 0.02):
				t.Errorf("cell %d: chart drawn out of proportion: %+v", c.Index+1, *s)
			}
		}
		page.Cells = append(page.Cells, nbCell{CellType: "code", Source: c.Source, Outputs: outputs})
		if count > len(savedCode) {
			continue
		}
		want := saved.Cells[savedCode[count-1]]
		if hasTag(want.Metadata, "nondeterministic") {
			continue
		}
		got, exp := normalized(outputs), normalized(want.Outputs)
		if strings.Join(got, "\n") != strings.Join(exp, "\n") {
			t.Errorf("cell %d (%s): the page shows other outputs than the notebook saved:\npage:  %q\nsaved: %q",
				c.Index+1, firstLine(c.Source), got, exp)
		}
	}
	if count != len(savedCode) {
		t.Errorf("the page has %d code cells, the notebook %d", count, len(savedCode))
	}
	if charts == 0 {
		t.Errorf("no timeline chart (SVG) shown")
	}
	checkKeyResults(t, name, page)
}

// asSaved turns an output area back into the nbformat output it renders, for the comparisons
// the notebook tests already make.
func asSaved(o pageOutput) map[string]any {
	switch o.OutputType {
	case "stream":
		return map[string]any{"output_type": "stream", "name": o.Name, "text": o.Text}
	case "error":
		return map[string]any{"output_type": "error", "ename": o.Ename, "traceback": []any{o.Text}}
	}
	data := map[string]any{"text/plain": o.Text}
	if o.SVG != nil {
		data = map[string]any{"image/svg+xml": "<svg/>"}
	}
	return map[string]any{"output_type": o.OutputType, "data": data}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func near(a, b, tolerance float64) bool {
	return a >= b*(1-tolerance) && a <= b*(1+tolerance)
}

// writeInteractionsNotebook writes the scratch notebook that e2e.js uses for the interactions:
// a cell that sleeps for an hour, a cell that reads a line, an empty cell to type in, a cell
// whose goroutine prints after the cell ended and the cell run after it, a progress display
// updated in place, and a value of a notebook type with an HTML method.
func writeInteractionsNotebook(t *testing.T, path string) {
	t.Helper()
	sources := []string{
		"time.Sleep(time.Hour)",
		"fmt.Print(\"your name? \")\nline, err := bufio.NewReader(os.Stdin).ReadString('\\n')\nfmt.Println(\"hello,\", strings.TrimSpace(line), err)",
		"",
		"go func() {\n\ttime.Sleep(300 * time.Millisecond)\n\tfmt.Println(\"late hello\")\n}()",
		"time.Sleep(time.Second)\nfmt.Println(\"second cell\")",
		"bar := display.New()\nfor i := 1; i <= 5; i++ {\n\tbar.HTML(fmt.Sprintf(\"<b>step %d of 5</b>\", i))\n\ttime.Sleep(50 * time.Millisecond)\n}",
		"type badge string\n\nfunc (b badge) HTML() string { return \"<span class='gk-badge'>\" + string(b) + \"</span>\" }\n\nbadge(\"gopher\")",
	}
	writeNotebook(t, path, sources...)
}

// requireLab makes sure the browser test can run: Node.js and npm, Debian's chromium and
// Jupyter server packages, and the JupyterLab build, which it brings up to date with
// testdata/jupyterlab/setup. A missing piece, or a build that fails (no npm registry, say),
// skips the test with the reason, except under CI, where it fails.
func requireLab(t *testing.T) {
	t.Helper()
	requireJupyter(t, []string{"jupyter_server", "jupyterlab_server"}, []string{"node", "npm", chromium})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./setup")
	cmd.Dir = labDir
	out, err := cmd.CombinedOutput()
	t.Logf("%s", bytes.TrimSpace(out))
	if err != nil {
		msg := fmt.Sprintf("building JupyterLab (%s/setup) failed: %v\n%s", labDir, err, tail(string(out), 3000))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Log("SKIP: " + msg)
		t.Skip(msg) // for example without access to the npm registry
	}
}

// startLab serves JupyterLab on a free port of 127.0.0.1 with a fresh token, Jupyter paths
// that find the test kernelspec, and root as its directory. It returns the base URL and the
// token; the server and its kernels are stopped when the test ends.
func startLab(t *testing.T, dataDir, root string) (url, token string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	token = fmt.Sprintf("gokernel-%d", time.Now().UnixNano())
	state := t.TempDir()
	args := []string{"golab.py", "--port=" + strconv.Itoa(port), "--ServerApp.token=" + token,
		"--ServerApp.root_dir=" + root, "--ServerApp.port_retries=0"}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root")
	}
	cmd := exec.Command(python, args...)
	cmd.Dir = labDir
	cmd.Env = append(jupyterEnv(dataDir),
		"JUPYTER_CONFIG_DIR="+filepath.Join(state, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(state, "runtime"),
		"GOLAB_STATE="+state)
	logs := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the JupyterLab server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("JupyterLab server log:\n%s", tail(logs.String(), 6000))
		}
	})
	url = fmt.Sprintf("http://127.0.0.1:%d", port)
	listsGo := func() bool {
		resp, err := http.Get(url + "/api/kernelspecs?token=" + token)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var specs struct {
			Kernelspecs map[string]any `json:"kernelspecs"`
		}
		return resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&specs) == nil && specs.Kernelspecs["go"] != nil
	}
	ready := false
	for deadline := time.Now().Add(60 * time.Second); !ready && time.Now().Before(deadline); {
		select {
		case <-done:
			t.Fatalf("the JupyterLab server exited:\n%s", tail(logs.String(), 4000))
		case <-time.After(200 * time.Millisecond):
		}
		ready = listsGo()
	}
	if !ready {
		t.Fatalf("the JupyterLab server did not list the go kernel within 60 s:\n%s", tail(logs.String(), 4000))
	}
	return url, token
}

// errorRecorder collects the errors a check reports.
type errorRecorder struct{ errors []string }

func (r *errorRecorder) Helper() {}

func (r *errorRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestCheckPage shows that the browser test's page check catches what it is there for:
// output under the wrong cell, errors, terminal codes, cells not run in order, and charts cut
// or squashed; and that it accepts a page that differs from the saved notebook only in numbers.
func TestCheckPage(t *testing.T) {
	var saved nbFile
	if err := json.Unmarshal([]byte(`{"cells": [
		{"cell_type": "markdown", "source": "# threads"},
		{"cell_type": "code", "source": "t := thread.New(work)", "outputs": []},
		{"cell_type": "code", "source": "t.Start(); t.Join()", "outputs": [
			{"output_type": "stream", "name": "stdout", "text": "worker 1 done in 12ms (pid 4242)\n"},
			{"output_type": "display_data", "data": {"image/svg+xml": "<svg/>", "text/plain": "chart"}}]}
	]}`), &saved); err != nil {
		t.Fatal(err)
	}
	chart := func(w, h, nw, nh int, overflows bool) pageOutput {
		return pageOutput{OutputType: "display_data", Mime: "image/svg+xml", SVG: &pageSVG{w, h, nw, nh, 1000, overflows}}
	}
	stream := func(text string) pageOutput {
		return pageOutput{OutputType: "stream", Name: "stdout", Mime: "application/vnd.jupyter.stdout", Text: text}
	}
	page := func(p1, p2 string, out1, out2 []pageOutput) []pageCell {
		return []pageCell{
			{Index: 0, Type: "markdown"},
			{Index: 1, Type: "code", Prompt: p1, Outputs: out1},
			{Index: 2, Type: "code", Prompt: p2, Outputs: out2},
		}
	}
	good := []pageOutput{stream("worker 1 done in 3.5s (pid 77)\n"), chart(900, 160, 900, 160, false)}
	tests := []struct {
		name  string
		cells []pageCell
		want  string // in the errors; "" for none
	}{
		{"numbers differ only", page("[1]:", "[2]:", nil, good), ""},
		{"chart scaled down evenly", page("[1]:", "[2]:", nil, []pageOutput{good[0], chart(450, 80, 900, 160, false)}), ""},
		{"output under the wrong cell", page("[1]:", "[2]:", good[:1], good[1:]), "other outputs than the notebook saved"},
		{"error shown", page("[1]:", "[2]:", []pageOutput{{OutputType: "error", Ename: "panic", Text: "panic: boom"}}, good), "error shown: panic: boom"},
		{"terminal codes", page("[1]:", "[2]:", nil, []pageOutput{stream("\x1b[31mred\x1b[0m\n"), good[1]}), "terminal codes"},
		{"terminal codes left as text", page("[1]:", "[2]:", nil, []pageOutput{stream("[0;31mred\n"), good[1]}), "terminal codes"},
		{"cells out of order", page("[2]:", "[1]:", nil, good), "want [1]:"},
		{"cell not run", page("[ ]:", "[1]:", nil, good), "want [1]:"},
		{"chart cut", page("[1]:", "[2]:", nil, []pageOutput{good[0], chart(900, 160, 900, 160, true)}), "wider than its output area"},
		{"chart squashed", page("[1]:", "[2]:", nil, []pageOutput{good[0], chart(900, 80, 900, 160, false)}), "out of proportion"},
		{"chart not drawn", page("[1]:", "[2]:", nil, []pageOutput{good[0], chart(0, 0, 0, 0, false)}), "chart not drawn"},
		{"no chart", page("[1]:", "[2]:", nil, good[:1]), "no timeline chart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r errorRecorder
			checkPage(&r, "test.ipynb", tt.cells, saved)
			all := strings.Join(r.errors, "\n")
			if tt.want == "" && len(r.errors) > 0 {
				t.Fatalf("unexpected errors:\n%s", all)
			}
			if tt.want != "" && !strings.Contains(all, tt.want) {
				t.Fatalf("errors %q do not report %q", all, tt.want)
			}
		})
	}
}
