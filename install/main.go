// Command install builds gokernel and registers it with Jupyter as the kernelspec "go".
//
//	go run ./install                 # the user's Jupyter data directory
//	go run ./install --sys-prefix    # the Jupyter data directory of Debian's python3 (/usr)
//	go run ./install --prefix DIR    # DIR/share/jupyter
//	go run ./install --uninstall     # remove the kernelspec again
//
// JUPYTER_DATA_DIR overrides the user's data directory, as it does for Jupyter itself. The
// kernel binary is built into the kernelspec directory, so the spec is self-contained.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// kernelName is the name frontends use to pick the kernel (`jupyter console --kernel go`).
const kernelName = "go"

func main() {
	prefix := flag.String("prefix", "", "install under `DIR`/share/jupyter")
	sysPrefix := flag.Bool("sys-prefix", false, "install into the Jupyter data directory of /usr/bin/python3's prefix")
	uninstall := flag.Bool("uninstall", false, "remove the kernelspec")
	flag.Parse()
	if err := run(*prefix, *sysPrefix, *uninstall); err != nil {
		fmt.Fprintln(os.Stderr, "install:", err)
		os.Exit(1)
	}
}

func run(prefix string, sysPrefix, uninstall bool) error {
	dataDir, err := jupyterDataDir(prefix, sysPrefix)
	if err != nil {
		return err
	}
	dir := filepath.Join(dataDir, "kernels", kernelName)
	if uninstall {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("remove %s: %w", dir, err)
		}
		fmt.Println("removed kernelspec", kernelName, "from", dir)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	bin := filepath.Join(dir, "gokernel")
	if err := build(bin); err != nil {
		return err
	}
	if err := writeSpec(dir, bin); err != nil {
		return err
	}
	fmt.Println("installed kernelspec", kernelName, "in", dir)
	return nil
}

// jupyterDataDir picks the data directory the way Jupyter does for the chosen flags.
func jupyterDataDir(prefix string, sysPrefix bool) (string, error) {
	switch {
	case prefix != "" && sysPrefix:
		return "", errors.New("use either --prefix or --sys-prefix")
	case prefix != "":
		abs, err := filepath.Abs(prefix)
		if err != nil {
			return "", fmt.Errorf("prefix: %w", err)
		}
		return filepath.Join(abs, "share", "jupyter"), nil
	case sysPrefix:
		out, err := exec.Command("/usr/bin/python3", "-c", "import sys; print(sys.prefix)").Output()
		if err != nil {
			return "", fmt.Errorf("ask /usr/bin/python3 for its prefix: %w", err)
		}
		return filepath.Join(strings.TrimSpace(string(out)), "share", "jupyter"), nil
	}
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find home directory: %w", err)
	}
	if runtime.GOOS == "darwin" {
		return filepath.Join(home, "Library", "Jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// build compiles the kernel from the module this installer belongs to.
func build(out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, "./kernel")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build the kernel: %w", err)
	}
	return nil
}

// moduleRoot finds the directory of gokernel's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/gokernel/gokernel").Output()
	if err != nil {
		return "", fmt.Errorf("find the gokernel module (run from its checkout): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// writeSpec writes kernel.json and the logos.
func writeSpec(dir, bin string) error {
	spec := map[string]any{
		"argv":           []string{bin, "-f", "{connection_file}"},
		"display_name":   "Go",
		"language":       "go",
		"interrupt_mode": "message",
		"metadata":       map[string]any{"debugger": false},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode kernel.json: %w", err)
	}
	files := map[string][]byte{"kernel.json": append(b, '\n'), "logo-svg.svg": []byte(logoSVG())}
	for _, size := range []int{32, 64} {
		png, err := logoPNG(size)
		if err != nil {
			return err
		}
		files[fmt.Sprintf("logo-%dx%d.png", size, size)] = png
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
