package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/gokernel/gokernel/kernel/wire"
)

// ConnectionFileArg is the argument placeholder Launch replaces with the
// connection file's path, as in Jupyter kernel specs.
const ConnectionFileArg = "{connection_file}"

// outputLimit is how much of the kernel's output a Kernel keeps.
const outputLimit = 1 << 20

// NewConnectionInfo returns tcp connection information on ip with five
// free ports and a random key.
func NewConnectionInfo(ip string) (wire.ConnectionInfo, error) {
	ports, err := freePorts(ip, 5)
	if err != nil {
		return wire.ConnectionInfo{}, fmt.Errorf("client: pick ports: %w", err)
	}
	return wire.ConnectionInfo{
		Transport:       "tcp",
		IP:              ip,
		ShellPort:       ports[0],
		IOPubPort:       ports[1],
		StdinPort:       ports[2],
		ControlPort:     ports[3],
		HBPort:          ports[4],
		Key:             uuid.NewString(),
		SignatureScheme: wire.SignatureScheme,
	}, nil
}

// freePorts returns n distinct ports that were free a moment ago.
func freePorts(ip string, n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Kernel is a kernel process started by Launch, with a Client connected to
// it.
type Kernel struct {
	// Cmd is the running kernel process.
	Cmd *exec.Cmd
	// Client is connected to the kernel.
	Client *Client
	// ConnectionFile is the path of the kernel's connection file.
	ConnectionFile string

	dir     string
	output  *tailBuffer
	exited  chan struct{}
	waitErr error // the process's exit, valid once exited is closed
	cleanup sync.Once
}

// Launch starts a kernel the way Jupyter does: it writes a connection file
// with free ports and a random key in a new temporary directory, runs argv
// with every "{connection_file}" replaced by the file's path and with env
// (KEY=VALUE entries) added to the current environment, and connects a
// Client. ctx bounds the start-up only. The kernel's stdout and stderr are
// kept (see Output). If the kernel exits, pending and later requests fail.
func Launch(ctx context.Context, argv []string, env []string) (*Kernel, error) {
	if len(argv) == 0 {
		return nil, errors.New("client: launch: empty command")
	}
	dir, err := os.MkdirTemp("", "gokernel-")
	if err != nil {
		return nil, fmt.Errorf("client: launch: %w", err)
	}
	info, err := NewConnectionInfo("127.0.0.1")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	info.KernelName = filepath.Base(argv[0])
	path := filepath.Join(dir, "kernel.json")
	if err := wire.WriteConnectionFile(path, info); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("client: launch: %w", err)
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = strings.ReplaceAll(a, ConnectionFileArg, path)
	}
	k := &Kernel{
		Cmd:            exec.Command(args[0], args[1:]...),
		ConnectionFile: path,
		dir:            dir,
		output:         &tailBuffer{limit: outputLimit},
		exited:         make(chan struct{}),
	}
	k.Cmd.Env = append(os.Environ(), env...)
	k.Cmd.Stdout = k.output
	k.Cmd.Stderr = k.output
	if err := k.Cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("client: launch %s: %w", args[0], err)
	}
	go func() {
		k.waitErr = k.Cmd.Wait()
		close(k.exited)
	}()

	connectCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-k.exited:
			cancel()
		case <-connectCtx.Done():
		}
	}()
	k.Client, err = ConnectContext(connectCtx, info)
	if err != nil {
		select {
		case <-k.exited:
			err = fmt.Errorf("%w (kernel exited: %s)", err, exitStatus(k.waitErr))
		default:
		}
		k.Kill()
		return nil, fmt.Errorf("%w; kernel output: %q", err, k.Output())
	}
	go func() {
		<-k.exited
		// Later requests fail at once, pending ones unless they complete
		// from messages already received.
		k.Client.fail(fmt.Errorf("kernel exited: %v", exitStatus(k.waitErr)), lossGrace)
	}()
	return k, nil
}

// exitStatus describes how a process ended.
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// Exited is closed when the kernel process has ended.
func (k *Kernel) Exited() <-chan struct{} { return k.exited }

// ExitErr returns how the process ended (nil for status 0); call it after
// Exited is closed.
func (k *Kernel) ExitErr() error {
	<-k.exited
	return k.waitErr
}

// Output returns the end of what the kernel wrote to stdout and stderr.
func (k *Kernel) Output() string { return k.output.String() }

// Signal sends sig to the kernel process.
func (k *Kernel) Signal(sig os.Signal) error {
	if err := k.Cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("client: signal kernel: %w", err)
	}
	return nil
}

// Shutdown asks the kernel to shut down with a shutdown_request on control
// and waits for the process to exit; when ctx ends first, it kills the
// process. It then closes the client and removes the connection file. The
// error reports a missing reply, a kill, or a non-zero exit.
func (k *Kernel) Shutdown(ctx context.Context) error {
	var errs []error
	reply, err := k.Client.Shutdown(ctx, false)
	if reply == nil || reply.Msg == nil {
		errs = append(errs, err)
	}
	select {
	case <-k.exited:
		if k.waitErr != nil {
			errs = append(errs, fmt.Errorf("client: kernel exit: %w", k.waitErr))
		}
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("client: kernel still running after shutdown_request; killed: %w", ctx.Err()))
		k.Kill()
	}
	k.release()
	return errors.Join(errs...)
}

// Kill kills the kernel process, waits for it, closes the client and
// removes the connection file.
func (k *Kernel) Kill() error {
	var err error
	select {
	case <-k.exited:
	default:
		if kerr := k.Cmd.Process.Kill(); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
			err = fmt.Errorf("client: kill kernel: %w", kerr)
		}
		<-k.exited
	}
	k.release()
	return err
}

// release closes the client and removes the temporary directory, once.
func (k *Kernel) release() {
	k.cleanup.Do(func() {
		if k.Client != nil {
			k.Client.Close()
		}
		os.RemoveAll(k.dir)
	})
}

// tailBuffer keeps the last limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	data  []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data = append(b.data, p...)
	if over := len(b.data) - b.limit; over > 0 {
		b.data = append(b.data[:0], b.data[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.data)
}
