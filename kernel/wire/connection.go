package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// SignatureScheme is the only message signing scheme gokernel accepts.
const SignatureScheme = "hmac-sha256"

// ConnectionInfo is the content of a Jupyter connection file: where the
// kernel's sockets listen and how messages are signed.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`        // an address for tcp, a path prefix for ipc
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"` // HMAC key; empty disables signing
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name"`
}

// ReadConnectionFile reads and validates the connection file at path.
// An empty signature_scheme means hmac-sha256, as in Jupyter. Any other
// scheme, any CURVE setting and any transport other than tcp or ipc is an
// error.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("wire: read connection file: %w", err)
	}
	info, err := ParseConnectionInfo(data)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("wire: connection file %s: %w", path, err)
	}
	return info, nil
}

// ParseConnectionInfo decodes and validates the JSON of a connection file.
// See ReadConnectionFile for the rules.
func ParseConnectionInfo(data []byte) (ConnectionInfo, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return ConnectionInfo{}, fmt.Errorf("decode: %w", err)
	}
	for name, value := range fields {
		if strings.HasPrefix(strings.ToLower(name), "curve") && !isEmptyJSON(value) {
			return ConnectionInfo{}, fmt.Errorf("%q: CURVE security is not supported", name)
		}
	}
	var info ConnectionInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return ConnectionInfo{}, fmt.Errorf("decode: %w", err)
	}
	if info.SignatureScheme == "" {
		info.SignatureScheme = SignatureScheme
	}
	if err := info.Validate(); err != nil {
		return ConnectionInfo{}, err
	}
	return info, nil
}

// isEmptyJSON reports whether a JSON value is null, false or an empty string.
func isEmptyJSON(value json.RawMessage) bool {
	switch strings.TrimSpace(string(value)) {
	case "null", "false", `""`:
		return true
	}
	return false
}

// Validate checks the transport, address, ports and signature scheme.
// A port of 0 is valid: Listen replaces it with a free port.
func (c ConnectionInfo) Validate() error {
	switch c.Transport {
	case "tcp":
		if net.ParseIP(c.IP) == nil && c.IP != "localhost" {
			return fmt.Errorf("tcp transport needs an IP address, got %q", c.IP)
		}
	case "ipc":
		if c.IP == "" {
			return errors.New("ipc transport needs a path prefix in \"ip\"")
		}
	default:
		return fmt.Errorf("transport %q is not supported (want tcp or ipc)", c.Transport)
	}
	for _, p := range c.namedPorts() {
		if p.port < 0 || p.port > 65535 {
			return fmt.Errorf("%s %d is out of range", p.name, p.port)
		}
	}
	if c.SignatureScheme != SignatureScheme {
		return fmt.Errorf("signature scheme %q is not supported (want %s)", c.SignatureScheme, SignatureScheme)
	}
	return nil
}

type namedPort struct {
	name string
	port int
}

func (c ConnectionInfo) namedPorts() []namedPort {
	return []namedPort{
		{"shell_port", c.ShellPort},
		{"iopub_port", c.IOPubPort},
		{"stdin_port", c.StdinPort},
		{"control_port", c.ControlPort},
		{"hb_port", c.HBPort},
	}
}

// Endpoint returns the ZeroMQ endpoint of port: "tcp://IP:PORT" or
// "ipc://IP-PORT", the names Jupyter uses.
func (c ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		return "ipc://" + c.ipcPath(port)
	}
	return "tcp://" + net.JoinHostPort(c.IP, strconv.Itoa(port))
}

// ipcPath is the socket file of port for the ipc transport.
func (c ConnectionInfo) ipcPath(port int) string {
	return c.IP + "-" + strconv.Itoa(port)
}

// WriteConnectionFile writes info as a connection file readable only by its
// owner.
func WriteConnectionFile(path string, info ConnectionInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("wire: encode connection file: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("wire: write connection file: %w", err)
	}
	return nil
}
