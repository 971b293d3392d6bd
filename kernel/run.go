package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gokernel/gokernel/kernel/notebook"
)

// runNotebooks is `gokernel run`: it executes notebooks without Jupyter.
func runNotebooks(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	outDir := fs.String("o", "", "write executed notebooks to `DIR` instead of in place")
	timeout := fs.Duration("timeout", 30*time.Minute, "stop a notebook that runs longer than this")
	one := fs.Bool("one", false, "run one notebook and print no summary (used for each notebook of a longer list)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: gokernel run [-o DIR] [-timeout D] NOTEBOOK.ipynb...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	// Cells' output is captured from descriptors 1 and 2; progress goes to the real stderr.
	fd, err := syscall.Dup(2)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gokernel run:", err)
		return 1
	}
	progress := os.NewFile(uintptr(fd), "stderr")
	failed := 0
	start := time.Now()
	if fs.NArg() == 1 {
		if err := runOne(fs.Arg(0), *outDir, *timeout, progress); err != nil {
			fmt.Fprintf(progress, "%s: FAILED: %v\n", fs.Arg(0), err)
			failed++
		}
	} else {
		// Each notebook runs in a process of its own, as each would in its own kernel:
		// nothing (threads' numbers, globals of the runtime) carries over to the next.
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(progress, "gokernel run:", err)
			return 1
		}
		for _, path := range fs.Args() {
			cmd := exec.Command(exe, "run", "-one", "-o", *outDir, "-timeout", timeout.String(), path)
			cmd.Stdout, cmd.Stderr = progress, progress
			if err := cmd.Run(); err != nil {
				failed++
			}
		}
	}
	if !*one {
		fmt.Fprintf(progress, "%d notebook(s), %d passed, %d failed, %.1fs\n", fs.NArg(), fs.NArg()-failed, failed, time.Since(start).Seconds())
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// runOne executes one notebook with a fresh engine and writes it out, also when a cell failed,
// so that the error can be read in the notebook.
func runOne(path, outDir string, timeout time.Duration, progress io.Writer) error {
	nb, err := notebook.Read(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	eng, closeEngine, err := newEngine(nil)
	if err != nil {
		return err
	}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, syscall.SIGINT)
	defer signal.Stop(interrupts)
	go func() {
		for range interrupts {
			eng.Interrupt()
			cancel()
		}
	}()
	start := time.Now()
	runErr := notebook.Run(ctx, nb, eng, notebook.ProgressWriter(progress, filepath.Base(path)))
	closeErr := closeEngine()
	dest := path
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return fmt.Errorf("output directory: %w", err)
		}
		dest = filepath.Join(outDir, filepath.Base(path))
	}
	b, err := nb.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(dest, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	fmt.Fprintf(progress, "%s: %d code cells in %.1fs -> %s\n", filepath.Base(path), nb.CodeCells(), time.Since(start).Seconds(), dest)
	return errors.Join(runErr, closeErr)
}
