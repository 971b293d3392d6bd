// Package wire moves Jupyter messages (protocol 5.4) between a kernel and its
// frontends.
//
// It reads connection files, builds, signs and verifies messages, and opens
// the kernel's five sockets: shell, control and stdin as ZeroMQ ROUTER
// sockets, a heartbeat echo, and an iopub publisher that never lets one slow
// subscriber hold back the others. The package knows nothing about the
// language a kernel runs; it only carries messages.
package wire
