//go:build !linux

package process

import "syscall"

// setDeathSignal does nothing on systems without a parent-death signal;
// there, children outlive a parent that dies without calling KillAll.
func setDeathSignal(attr *syscall.SysProcAttr) {}
