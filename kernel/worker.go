package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/gokernel/gokernel/kernel/goeval"
	"github.com/gokernel/gokernel/kernel/symbols"
	"github.com/gokernel/gokernel/runtime/process"
)

// replayEnv names the file from which a child process rebuilds the notebook session's
// declarations before it runs a notebook function.
const replayEnv = "GOKERNEL_REPLAY"

// serveChild runs this process as a child process of a kernel, if it was started as one:
// it builds an interpreter with the session's declarations and runs the functions its parent
// names. It does not return in a child.
func serveChild() {
	if !process.IsChild() {
		return
	}
	eng, err := goeval.New(goeval.Options{Direct: true, Symbols: preloads()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gokernel child:", err)
		os.Exit(1)
	}
	var replayErr error
	if path := os.Getenv(replayEnv); path != "" {
		replayErr = eng.Replay(path)
	}
	process.Serve(func(name string) (any, error) {
		f, err := eng.Lookup(name)
		if err != nil && replayErr != nil {
			return nil, fmt.Errorf("%w (%v)", err, replayErr)
		}
		return f, err
	})
	os.Exit(0)
}

// newEngine starts the interpreter of a kernel or of a notebook run: it takes over
// descriptors 1 and 2 for cell output, preloads the runtime with its documentation, and makes
// child processes re-run this kernel binary with the session's declarations, written to a
// fresh file in a temporary directory for each child. closeEngine closes the engine and
// removes the directory.
func newEngine(logger *log.Logger) (eng *goeval.Engine, closeEngine func() error, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("find the kernel binary: %w", err)
	}
	dir, err := os.MkdirTemp("", "gokernel-children-")
	if err != nil {
		return nil, nil, fmt.Errorf("directory for child processes: %w", err)
	}
	eng, err = goeval.New(goeval.Options{CaptureFDs: true, Log: logger, Symbols: preloads(), APIDocs: symbols.API})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	var n atomic.Int64
	process.SetLauncher(func() (process.Command, error) {
		path := filepath.Join(dir, fmt.Sprintf("replay-%d.json", n.Add(1)))
		if err := eng.WriteReplay(path); err != nil {
			return process.Command{}, err
		}
		return process.Command{Path: exe, Env: []string{replayEnv + "=" + path}}, nil
	})
	return eng, func() error {
		defer os.RemoveAll(dir)
		return eng.Close()
	}, nil
}
