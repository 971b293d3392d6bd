package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokernel/gokernel/kernel/notebook"
)

// notebookFiles lists the project's notebooks.
func notebookFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no notebooks in notebooks/")
	}
	return files
}

// nbFile is the part of a notebook the tests read.
type nbFile struct {
	NBFormat int `json:"nbformat"`
	Metadata struct {
		Kernelspec struct {
			Name     string `json:"name"`
			Language string `json:"language"`
		} `json:"kernelspec"`
		LanguageInfo struct {
			Name string `json:"name"`
		} `json:"language_info"`
	} `json:"metadata"`
	Cells []nbCell `json:"cells"`
}

// nbCell is the part of a notebook cell the tests read.
type nbCell struct {
	ID             string           `json:"id"`
	CellType       string           `json:"cell_type"`
	Source         any              `json:"source"`
	Metadata       map[string]any   `json:"metadata"`
	Outputs        []map[string]any `json:"outputs"`
	ExecutionCount *int             `json:"execution_count"`
}

func readNotebook(t *testing.T, path string) nbFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb nbFile
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb
}

// writeNotebook writes an nbformat 4 notebook for the go kernel with a cell per source: a
// source that starts with "# " is a markdown cell, the others are code cells, tagged
// raises-exception when they start with "//raises".
func writeNotebook(t *testing.T, path string, sources ...string) {
	t.Helper()
	var cells []any
	for i, src := range sources {
		cell := map[string]any{"cell_type": "code", "id": "cell" + strconv.Itoa(i), "metadata": map[string]any{},
			"source": src, "outputs": []any{}, "execution_count": nil}
		switch {
		case strings.HasPrefix(src, "# "):
			cell = map[string]any{"cell_type": "markdown", "id": "cell" + strconv.Itoa(i), "metadata": map[string]any{}, "source": src}
		case strings.HasPrefix(src, "//raises"):
			cell["metadata"] = map[string]any{"tags": []string{"raises-exception"}}
		}
		cells = append(cells, cell)
	}
	b, err := json.Marshal(map[string]any{
		"nbformat": 4, "nbformat_minor": 5, "cells": cells,
		"metadata": map[string]any{
			"kernelspec":    map[string]any{"name": "go", "display_name": "Go", "language": "go"},
			"language_info": map[string]any{"name": "go"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNotebooksAreValid(t *testing.T) {
	for _, path := range notebookFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			nb := readNotebook(t, path)
			if nb.NBFormat != 4 || nb.Metadata.Kernelspec.Name != "go" || nb.Metadata.LanguageInfo.Name != "go" {
				t.Fatalf("nbformat %d, kernelspec %q, language_info %q", nb.NBFormat, nb.Metadata.Kernelspec.Name, nb.Metadata.LanguageInfo.Name)
			}
			code := 0
			for i, c := range nb.Cells {
				if c.ID == "" {
					t.Errorf("cell %d has no id", i+1)
				}
				if c.CellType == "code" {
					code++
				}
			}
			if code == 0 {
				t.Fatal("no code cells")
			}
			requireJupyter(t, []string{"nbformat"}, nil)
			out, err := exec.Command(python, "-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], 4))", path).CombinedOutput()
			if err != nil {
				t.Fatalf("nbformat validation: %v\n%s", err, out)
			}
		})
	}
}

// durations and digits match what differs from run to run: timings (whose unit can change
// too) and other numbers such as pids.
var (
	durations = regexp.MustCompile(`[0-9]+(\.[0-9]+)?\s?(ns|µs|us|ms|s|min|h)\b`)
	digits    = regexp.MustCompile(`0x[0-9a-f]+|[0-9]+(\.[0-9]+)?`)
)

// normalized returns a cell's outputs as sorted lines with numbers masked: what two runs of
// the same cell must agree on, whatever the timings and the interleaving of threads.
func normalized(outputs []map[string]any) []string {
	var lines []string
	for _, o := range outputs {
		kind, _ := o["output_type"].(string)
		var text string
		switch kind {
		case "stream":
			text = notebook.Text(o["text"])
		case "execute_result", "display_data":
			data, _ := o["data"].(map[string]any)
			if _, ok := data["image/svg+xml"]; ok {
				text = "<svg chart>"
			} else {
				text = notebook.Text(data["text/plain"])
			}
		case "error":
			text = o["ename"].(string)
		}
		for _, l := range strings.Split(text, "\n") {
			l = durations.ReplaceAllString(l, "#time")
			l = strings.Join(strings.Fields(l), " ")
			if l = strings.TrimSpace(digits.ReplaceAllString(l, "#")); l != "" {
				lines = append(lines, kind+": "+l)
			}
		}
	}
	sort.Strings(lines)
	return lines
}

// TestNotebooksRun executes every notebook twice, through nbclient with the installed kernel
// and with the built-in runner, and checks that both succeed (only cells tagged
// raises-exception fail) and agree on every cell's outputs apart from numbers.
func TestNotebooksRun(t *testing.T) {
	dataDir, bin := install(t)
	requireJupyter(t, []string{"nbclient", "nbformat"}, nil)
	script, err := filepath.Abs(filepath.Join("testdata", "execute_notebook.py"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range notebookFiles(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src, _ := filepath.Abs(path)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			viaJupyter := filepath.Join(dir, "nbclient.ipynb")
			cmd := exec.CommandContext(ctx, python, script, src, viaJupyter)
			cmd.Dir = dir
			cmd.Env = jupyterEnv(dataDir)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nbclient: %v\n%s", err, tail(string(out), 3000))
			}
			runnerDir := filepath.Join(dir, "runner")
			cmd = exec.CommandContext(ctx, bin, "run", "-o", runnerDir, src)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("built-in runner: %v\n%s", err, tail(string(out), 3000))
			}
			a, b := readNotebook(t, viaJupyter), readNotebook(t, filepath.Join(runnerDir, name))
			checkKeyResults(t, name, a)
			for i := range a.Cells {
				if a.Cells[i].CellType != "code" {
					continue
				}
				for _, o := range a.Cells[i].Outputs {
					if o["output_type"] == "error" && !hasTag(a.Cells[i].Metadata, "raises-exception") {
						t.Errorf("cell %d: unexpected error %v", i+1, o["evalue"])
					}
				}
				if hasTag(a.Cells[i].Metadata, "nondeterministic") {
					continue // what it prints differs from run to run by design
				}
				na, nb := normalized(a.Cells[i].Outputs), normalized(b.Cells[i].Outputs)
				if strings.Join(na, "\n") != strings.Join(nb, "\n") {
					t.Errorf("cell %d: nbclient and the built-in runner differ:\nnbclient: %q\nrunner:   %q", i+1, na, nb)
				}
			}
		})
	}
}

func hasTag(md map[string]any, tag string) bool {
	tags, _ := md["tags"].([]any)
	for _, x := range tags {
		if x == tag {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// keyResults are what each lesson's run must show: results in order, exact counts with locks,
// output of child processes, and threads beating sequential code on waiting work.
var keyResults = map[string][]string{
	"Day_3_Go_Multithreading_and_Multiprocessing.ipynb": {
		`Thread Pool Results: \[0 1 4 9 16 25 36 49 64 81\] <nil>`,
		`Process Pool Results: \[0 1 4 9 16 25 36 49 64 81\] <nil>`,
		`same result: true`,
	},
	"Go_Revision_Guide_Multithreading_and_Multiprocessing.ipynb": {
		`sync\.Mutex: 1000000 of 1000000\n`,
		`atomic: +1000000 of 1000000\n`,
		`with the lock: +60005, expected 60005`,
	},
	"Multithreading_and_Multiprocessing_with_Go.ipynb": {
		`square: 16 \(pid \d+\)`,
		`cube: 64 \(pid \d+\)`,
		`exit codes: 0 0`,
	},
	"Program_Process_and_Thread.ipynb": {
		`Square: 25\n`,
		`Total time: `,
	},
	"Program_Process_and_Threads.ipynb": {
		`sequential: +\d`,
	},
}

// timings pairs a sequential measurement with the threaded one that must be faster.
var timings = map[string][2]string{
	"Multithreading_and_Multiprocessing_with_Go.ipynb":  {`sequential +([0-9.]+) ?(ms|s)`, `one thread per page +([0-9.]+) ?(ms|s)`},
	"Program_Process_and_Threads.ipynb":                 {`sequential: +([0-9.]+) ?(ms|s)`, `one thread per page: +([0-9.]+) ?(ms|s)`},
	"Day_3_Go_Multithreading_and_Multiprocessing.ipynb": {`sequential: ([0-9.]+) ?(ms|s)`, `threads: ([0-9.]+) ?(ms|s)`},
}

// checkKeyResults looks for a notebook's key results in its executed outputs.
func checkKeyResults(t reporter, name string, nb nbFile) {
	t.Helper()
	var all strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			all.WriteString(notebook.Text(o["text"]))
			if data, ok := o["data"].(map[string]any); ok {
				all.WriteString(notebook.Text(data["text/plain"]) + "\n")
			}
		}
	}
	text := all.String()
	for _, want := range keyResults[name] {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("%s: no output matches %q", name, want)
		}
	}
	if pair, ok := timings[name]; ok {
		seq, par := seconds(t, text, pair[0]), seconds(t, text, pair[1])
		if !(par < seq) {
			t.Errorf("%s: threads took %.3fs, not less than sequential %.3fs", name, par, seq)
		}
	}
}

// seconds finds a duration with pattern (number, unit) in text.
func seconds(t reporter, text, pattern string) float64 {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(text)
	if m == nil {
		t.Errorf("no output matches %q", pattern)
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Errorf("%q: %v", m[0], err)
	}
	if m[2] == "ms" {
		v /= 1000
	}
	return v
}
