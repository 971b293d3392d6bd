// Command gokernel is a Jupyter kernel for Go.
//
// Jupyter starts it as `gokernel -f {connection_file}` (see the kernelspec that
// `go run ./install` writes). `gokernel run NOTEBOOK.ipynb...` executes notebooks without
// Jupyter and writes their outputs back. It wires the protocol side (packages wire and session) to the Go
// side (package goeval) and exits when a frontend asks it to, or when the process that
// started it goes away.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gokernel/gokernel/kernel/goeval"
	"github.com/gokernel/gokernel/kernel/session"
	"github.com/gokernel/gokernel/kernel/wire"
)

func main() {
	serveChild()
	if len(os.Args) > 1 && os.Args[1] == "run" {
		os.Exit(runNotebooks(os.Args[2:]))
	}
	connFile := flag.String("f", "", "path of the Jupyter connection file")
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println("gokernel", goeval.Version)
		return
	}
	if *connFile == "" {
		fmt.Fprintln(os.Stderr, "usage: gokernel -f CONNECTION_FILE\n       gokernel run [-o DIR] NOTEBOOK.ipynb...")
		os.Exit(2)
	}
	if err := run(*connFile); err != nil {
		fmt.Fprintln(os.Stderr, "gokernel:", err)
		os.Exit(1)
	}
}

// run serves one kernel session.
func run(connFile string) error {
	info, err := wire.ReadConnectionFile(connFile)
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, "gokernel: ", log.LstdFlags)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The engine takes over descriptors 1 and 2 for cell output; the kernel's own log keeps the
	// original standard error.
	eng, closeEngine, err := newEngine(logger)
	if err != nil {
		return err
	}
	defer closeEngine()

	ep, err := wire.Listen(ctx, info, logger)
	if err != nil {
		return err
	}
	defer ep.Close()

	srv := session.New(eng, session.Sockets{Shell: ep.Shell, Control: ep.Control, Stdin: ep.Stdin, IOPub: ep.IOPub}, logger)

	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, syscall.SIGINT)
	go func() {
		for range interrupts {
			srv.Interrupt()
		}
	}()
	terminate := make(chan os.Signal, 1)
	signal.Notify(terminate, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-terminate
		cancel()
	}()
	go watchParent(cancel, logger)

	_, err = srv.Run(ctx)
	if err == context.Canceled {
		err = nil
	}
	return err
}

// watchParent cancels when the process that started the kernel exits: a kernel must not
// outlive its frontend. The kernel notices by being handed to another parent.
func watchParent(cancel context.CancelFunc, logger *log.Logger) {
	parent := os.Getppid()
	for range time.Tick(500 * time.Millisecond) {
		if now := os.Getppid(); now != parent {
			logger.Printf("parent process %d is gone (new parent %d); exiting", parent, now)
			cancel()
			return
		}
	}
}
