package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// installed is the kernelspec built once for every test of this package.
var installed struct {
	once    sync.Once
	dataDir string // the Jupyter data directory holding kernels/go
	bin     string // the kernel binary inside it
	err     error
	log     string
}

// install builds the kernel and registers it, with the real installer, in a private Jupyter
// data directory. It returns that directory and the kernel binary.
func install(t *testing.T) (dataDir, bin string) {
	t.Helper()
	installed.once.Do(func() {
		dir, err := os.MkdirTemp("", "gokernel-test-")
		if err != nil {
			installed.err = err
			return
		}
		cmd := exec.Command("go", "run", "./install", "--prefix", dir)
		cmd.Dir = ".."
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		installed.err = cmd.Run()
		installed.log = out.String()
		installed.dataDir = filepath.Join(dir, "share", "jupyter")
		installed.bin = filepath.Join(installed.dataDir, "kernels", "go", "gokernel")
	})
	if installed.err != nil {
		t.Fatalf("install: %v\n%s", installed.err, installed.log)
	}
	return installed.dataDir, installed.bin
}

// python is Debian's Python, which has the Jupyter packages (the python3 on PATH may not).
const python = "/usr/bin/python3"

// requireJupyter skips the test when a Jupyter Python module or command is missing, except in
// CI, where it fails: CI installs them, so a missing one is a broken setup.
func requireJupyter(t *testing.T, modules []string, commands []string) {
	t.Helper()
	var missing []string
	for _, m := range modules {
		if err := exec.Command(python, "-c", "import "+m).Run(); err != nil {
			missing = append(missing, "python module "+m)
		}
	}
	for _, c := range commands {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, "command "+c)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "needs " + strings.Join(missing, ", ") + " (Debian packages: see .ci/run)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Log("SKIP: " + msg)
	t.Skip(msg)
}

// jupyterEnv is the environment for Jupyter commands that must find the test kernelspec.
func jupyterEnv(dataDir string) []string {
	return append(os.Environ(),
		"JUPYTER_DATA_DIR="+dataDir,
		"JUPYTER_PATH="+dataDir,
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
		"JUPYTER_PLATFORM_DIRS=1",
	)
}
