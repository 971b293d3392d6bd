package process

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gokernel/gokernel/runtime/timeline"
)

// childEnv is the environment variable that puts a program in child mode. Its
// value is the number of the file descriptor connected to the parent.
const childEnv = "GOKERNEL_PROCESS_CHILD"

// childFD is the descriptor of the connection in the child: the first of
// exec.Cmd.ExtraFiles.
const childFD = 3

// Command says how to start a child process.
type Command struct {
	// Path is the program to run. The default is os.Executable().
	Path string
	// Args are the arguments after the program name.
	Args []string
	// Env lists "KEY=value" entries added to the environment that the child
	// inherits from its parent.
	Env []string
}

// Launcher returns the command that starts a child process. It is called
// once for each child, so it can hand each child up-to-date information
// through Command.Env.
type Launcher func() (Command, error)

// launcher is the process-wide launcher: children are started the way the
// program that embeds this package says, wherever in the program they are
// created.
var launcher struct {
	mu sync.Mutex
	fn Launcher
}

// SetLauncher makes l decide how child processes are started from now on.
// A nil l restores the default, which runs os.Executable() with no
// arguments.
//
// Whatever command l returns must lead to Main or Serve being called first
// thing in the child, as the child learns its job from the parent through an
// inherited descriptor named by the GOKERNEL_PROCESS_CHILD environment
// variable, which the runtime adds to the child's environment.
func SetLauncher(l Launcher) {
	launcher.mu.Lock()
	launcher.fn = l
	launcher.mu.Unlock()
}

func command() (Command, error) {
	launcher.mu.Lock()
	l := launcher.fn
	launcher.mu.Unlock()
	if l != nil {
		c, err := l()
		if err != nil {
			return Command{}, fmt.Errorf("launcher: %w", err)
		}
		return c, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return Command{}, fmt.Errorf("find own executable: %w", err)
	}
	return Command{Path: exe}, nil
}

// ExitError reports a child process that ended without returning a result:
// it exited, for instance through os.Exit, or was killed by a signal.
type ExitError struct {
	Name string // the name of the process
	Pid  int
	// Code is the exit code, or the negated number of the signal that
	// ended the process.
	Code int
}

// Error describes how the process ended.
func (e *ExitError) Error() string {
	switch {
	case e.Code < 0:
		return fmt.Sprintf("process %s (pid %d) was killed by signal %d (%v)",
			e.Name, e.Pid, -e.Code, syscall.Signal(-e.Code))
	case e.Code == 0:
		return fmt.Sprintf("process %s (pid %d) exited with code 0 without returning a result (does its main call process.Main first?)",
			e.Name, e.Pid)
	}
	return fmt.Sprintf("process %s (pid %d) exited with code %d", e.Name, e.Pid, e.Code)
}

// child is a running child process and the connection to it.
type child struct {
	name string
	cmd  *exec.Cmd
	pid  int
	conn net.Conn
	r    *bufio.Reader
	done chan struct{} // closed once the process has exited and was reaped
	code int           // exit code as ExitCode reports it; set before done closes
}

// startChild starts the program named by the launcher as a child process,
// connected to this one.
func startChild(name string) (*child, error) {
	if isUnservedChild() {
		return nil, errors.New("this program was started as a child process, but its main did not call process.Main (or Serve) first")
	}
	c, err := command()
	if err != nil {
		return nil, err
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	local := os.NewFile(uintptr(fds[0]), "process-parent")
	remote := os.NewFile(uintptr(fds[1]), "process-child")
	defer local.Close()
	defer remote.Close()

	cmd := exec.Command(c.Path, c.Args...)
	// The child-mode variable comes last: exec keeps the last value of a
	// key, so it overrides any the launcher or an environment holds.
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Env = append(cmd.Env, childEnv+"="+strconv.Itoa(childFD))
	cmd.ExtraFiles = []*os.File{remote}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setDeathSignal(cmd.SysProcAttr)

	conn, err := net.FileConn(local)
	if err != nil {
		return nil, fmt.Errorf("connect to child: %w", err)
	}
	ch := &child{name: name, cmd: cmd, conn: conn, r: bufio.NewReader(conn), done: make(chan struct{})}
	if err := children.start(ch); err != nil {
		conn.Close()
		return nil, fmt.Errorf("start %s: %w", c.Path, err)
	}
	recordLife(ch)
	return ch, nil
}

// recordLife gives a child a row in a timeline being recorded, from its start to its exit.
func recordLife(ch *child) {
	if !timeline.Active() {
		return
	}
	row := fmt.Sprintf("%s (pid %d)", ch.name, ch.pid)
	timeline.Add(timeline.Event{Time: timeline.Elapsed(), Process: ch.pid, Row: row, Kind: timeline.KindStart})
	go func() {
		<-ch.done
		timeline.Add(timeline.Event{Time: timeline.Elapsed(), Process: ch.pid, Row: row, Kind: timeline.KindEnd})
	}()
}

// wait reaps the process and records its exit code.
func (c *child) wait() {
	c.cmd.Wait()
	c.code = exitCode(c.cmd.ProcessState)
	children.remove(c)
	close(c.done)
}

// exitCode returns the exit code of a finished process, or the negated
// signal number if a signal ended it.
func exitCode(s *os.ProcessState) int {
	if ws, ok := s.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return s.ExitCode()
}

// exited reports whether the process has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// run sends j and waits for the reply. If the connection fails, because the
// child died or does not serve jobs, run makes sure the child has exited,
// killing it after a grace period, and returns an *ExitError.
func (c *child) run(j job) (reply, error) {
	var rep reply
	err := send(c.conn, j)
	if err == nil {
		err = receive(c.r, &rep)
	}
	if err != nil {
		c.stop(exitGrace)
		return reply{}, &ExitError{Name: c.name, Pid: c.pid, Code: c.code}
	}
	return rep, nil
}

// exitGrace is how long a child whose connection is closed may take to exit
// before it is killed.
const exitGrace = 2 * time.Second

// stop closes the connection, which tells a serving child to exit, and waits
// for it to exit, killing it after grace.
func (c *child) stop(grace time.Duration) {
	c.conn.Close()
	select {
	case <-c.done:
	case <-time.After(grace):
		c.signal(syscall.SIGKILL)
		<-c.done
	}
}

// signal sends sig to the process unless it has been reaped, so that a
// recycled process id is never hit.
func (c *child) signal(sig syscall.Signal) {
	children.mu.Lock()
	defer children.mu.Unlock()
	if _, live := children.live[c]; live {
		c.cmd.Process.Signal(sig)
	}
}

// children is the table of this process's live children. It is process-wide
// because KillAll must reach every child, however it was started.
var children = childTable{live: make(map[*child]struct{})}

type childTable struct {
	mu   sync.Mutex
	live map[*child]struct{}

	spawnOnce sync.Once
	spawns    chan spawnRequest
}

type spawnRequest struct {
	c   *child
	err chan error
}

// start starts the process of c and records it as live. Processes are
// started from one goroutine locked to its OS thread, which never exits:
// on Linux the parent-death signal is tied to the thread that forked the
// child, and a child forked from a thread that the Go runtime later retires
// would be killed with it.
func (t *childTable) start(c *child) error {
	t.spawnOnce.Do(func() {
		t.spawns = make(chan spawnRequest)
		go t.spawnLoop()
	})
	req := spawnRequest{c: c, err: make(chan error, 1)}
	t.spawns <- req
	if err := <-req.err; err != nil {
		return err
	}
	go c.wait()
	return nil
}

func (t *childTable) spawnLoop() {
	runtime.LockOSThread() // never unlocked: the thread must outlive every child
	for req := range t.spawns {
		t.mu.Lock()
		err := req.c.cmd.Start()
		if err == nil {
			req.c.pid = req.c.cmd.Process.Pid
			t.live[req.c] = struct{}{}
		}
		t.mu.Unlock()
		req.err <- err
	}
}

func (t *childTable) remove(c *child) {
	t.mu.Lock()
	delete(t.live, c)
	t.mu.Unlock()
}

// KillAll kills every child process that this process started and that is
// still running, process-pool workers included, and waits until they have
// exited. Processes started by the children themselves die with them.
// Processes killed this way report an ExitCode of -9 and an *ExitError.
func KillAll() {
	children.mu.Lock()
	var dying []*child
	for c := range children.live {
		c.cmd.Process.Signal(syscall.SIGKILL)
		dying = append(dying, c)
	}
	children.mu.Unlock()
	for _, c := range dying {
		<-c.done
	}
}
