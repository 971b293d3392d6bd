package process

import "syscall"

// setDeathSignal makes the kernel kill the child when the thread that
// started it, and so the parent, exits.
func setDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
