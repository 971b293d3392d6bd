package router

import (
	"fmt"
	"os"
	"syscall"

	"github.com/gokernel/gokernel/runtime/display"
)

// Capture redirects the process's file descriptors 1 and 2 into the router, so that writes
// that bypass the interpreter's writers (os.Stdout.Write, compiled code, child processes that
// inherit the descriptors) reach the running cell too. Display frames written by package
// display are turned into display messages.
type Capture struct {
	r        *Router
	out, err pipe
	// Stderr is the process's original standard error, for the kernel's own log.
	Stderr *os.File
	// Stdout is the process's original standard output.
	Stdout *os.File
	frames *display.Decoder
}

type pipe struct {
	r, w   *os.File
	fd     int
	stream string
}

// CaptureFDs starts capturing descriptors 1 and 2 into r.
func CaptureFDs(r *Router) (*Capture, error) {
	c := &Capture{r: r, frames: display.NewDecoder()}
	origOut, err := syscall.Dup(1)
	if err != nil {
		return nil, fmt.Errorf("router: dup stdout: %w", err)
	}
	origErr, err := syscall.Dup(2)
	if err != nil {
		return nil, fmt.Errorf("router: dup stderr: %w", err)
	}
	c.Stdout = os.NewFile(uintptr(origOut), "stdout")
	c.Stderr = os.NewFile(uintptr(origErr), "stderr")
	for _, p := range []struct {
		target int
		dst    *pipe
		stream string
	}{{1, &c.out, Stdout}, {2, &c.err, Stderr}} {
		pr, pw, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("router: pipe: %w", err)
		}
		rc, err := pr.SyscallConn()
		if err != nil {
			return nil, fmt.Errorf("router: pipe conn: %w", err)
		}
		var fd int
		if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
			return nil, fmt.Errorf("router: pipe fd: %w", err)
		}
		wc, err := pw.SyscallConn()
		if err != nil {
			return nil, fmt.Errorf("router: pipe conn: %w", err)
		}
		var dupErr error
		if err := wc.Control(func(f uintptr) { dupErr = syscall.Dup2(int(f), p.target) }); err != nil {
			return nil, fmt.Errorf("router: pipe fd: %w", err)
		}
		if dupErr != nil {
			return nil, fmt.Errorf("router: redirect fd %d: %w", p.target, dupErr)
		}
		*p.dst = pipe{r: pr, w: pw, fd: fd, stream: p.stream}
	}
	r.SetBeforeWrite(c.drainLocked)
	for _, p := range []*pipe{&c.out, &c.err} {
		go c.watch(p)
	}
	return c, nil
}

// watch drains p whenever it becomes readable.
func (c *Capture) watch(p *pipe) {
	rc, err := p.r.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(uintptr) bool {
		c.r.mu.Lock()
		eof := c.drainOne(p)
		c.r.mu.Unlock()
		return eof
	})
}

// Sync delivers everything written to the descriptors so far.
func (c *Capture) Sync() {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.drainLocked()
}

// drainLocked reads whatever the pipes hold; the router is locked. One poll tells whether
// either pipe has data, so a write costs a single system call when they are empty.
func (c *Capture) drainLocked() {
	if c.out.fd >= 1024 || c.err.fd >= 1024 { // beyond what select can watch
		c.drainOne(&c.out)
		c.drainOne(&c.err)
		return
	}
	var set syscall.FdSet
	set.Bits[c.out.fd/64] |= 1 << (uint(c.out.fd) % 64)
	set.Bits[c.err.fd/64] |= 1 << (uint(c.err.fd) % 64)
	var zero syscall.Timeval
	if n, err := syscall.Select(max(c.out.fd, c.err.fd)+1, &set, nil, nil, &zero); err == nil && n == 0 {
		return
	}
	c.drainOne(&c.out)
	c.drainOne(&c.err)
}

// drainOne reads p until it would block and routes the bytes; it reports end of file.
func (c *Capture) drainOne(p *pipe) bool {
	var buf [32 << 10]byte
	for {
		n, err := syscall.Read(p.fd, buf[:])
		if n > 0 {
			c.route(p.stream, buf[:n])
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if n == 0 {
			return true
		}
	}
}

// route hands bytes from a descriptor to the running cell, extracting display frames from
// standard output.
func (c *Capture) route(stream string, b []byte) {
	if stream != Stdout {
		c.r.writeCurrentLocked(stream, string(b))
		return
	}
	for _, part := range c.frames.Feed(b) {
		if part.Frame == nil {
			c.r.writeCurrentLocked(stream, part.Text)
			continue
		}
		c.deliver(part.Frame)
	}
}

// deliver performs one display frame.
func (c *Capture) deliver(f *display.Frame) {
	switch f.Kind {
	case display.KindClear:
		c.r.clearCurrentLocked(f.Wait)
	default:
		c.r.displayCurrentLocked(f.Data, f.Metadata, f.ID, f.Kind == display.KindUpdate)
	}
}

// Close restores descriptors 1 and 2.
func (c *Capture) Close() error {
	c.Sync()
	var errs []error
	if err := syscall.Dup2(int(c.Stdout.Fd()), 1); err != nil {
		errs = append(errs, err)
	}
	if err := syscall.Dup2(int(c.Stderr.Fd()), 2); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("router: restore descriptors: %v", errs)
	}
	return nil
}
