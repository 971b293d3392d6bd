package wire

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConnectionInfo(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    ConnectionInfo
		wantErr string // substring of the error; empty means success
	}{
		{
			name: "tcp",
			json: `{"transport":"tcp","ip":"127.0.0.1","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-sha256","kernel_name":"go"}`,
			want: ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5, Key: "k", SignatureScheme: "hmac-sha256", KernelName: "go"},
		},
		{
			name: "ipc with unknown extra fields",
			json: `{"transport":"ipc","ip":"/tmp/kernel","shell_port":1,"iopub_port":2,"stdin_port":3,"control_port":4,"hb_port":5,"key":"","signature_scheme":"hmac-sha256","jupyter_session":"x"}`,
			want: ConnectionInfo{Transport: "ipc", IP: "/tmp/kernel", ShellPort: 1, IOPubPort: 2, StdinPort: 3, ControlPort: 4, HBPort: 5, SignatureScheme: "hmac-sha256"},
		},
		{
			name: "missing scheme means hmac-sha256",
			json: `{"transport":"tcp","ip":"::1","key":"k"}`,
			want: ConnectionInfo{Transport: "tcp", IP: "::1", Key: "k", SignatureScheme: "hmac-sha256"},
		},
		{
			name: "empty curve key is ignored",
			json: `{"transport":"tcp","ip":"127.0.0.1","curve_serverkey":""}`,
			want: ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", SignatureScheme: "hmac-sha256"},
		},
		{name: "md5 scheme", json: `{"transport":"tcp","ip":"127.0.0.1","signature_scheme":"hmac-md5"}`, wantErr: "hmac-md5"},
		{name: "curve", json: `{"transport":"tcp","ip":"127.0.0.1","curve_serverkey":"abc"}`, wantErr: "CURVE"},
		{name: "curve upper case", json: `{"transport":"tcp","ip":"127.0.0.1","CURVE_SECRETKEY":"abc"}`, wantErr: "CURVE"},
		{name: "udp transport", json: `{"transport":"udp","ip":"127.0.0.1"}`, wantErr: "udp"},
		{name: "missing transport", json: `{"ip":"127.0.0.1"}`, wantErr: "transport"},
		{name: "tcp without ip", json: `{"transport":"tcp"}`, wantErr: "IP"},
		{name: "ipc without path", json: `{"transport":"ipc"}`, wantErr: "ipc"},
		{name: "port out of range", json: `{"transport":"tcp","ip":"127.0.0.1","hb_port":70000}`, wantErr: "hb_port"},
		{name: "negative port", json: `{"transport":"tcp","ip":"127.0.0.1","shell_port":-1}`, wantErr: "shell_port"},
		{name: "port as string", json: `{"transport":"tcp","ip":"127.0.0.1","shell_port":"1"}`, wantErr: "decode"},
		{name: "not json", json: `transport=tcp`, wantErr: "decode"},
		{name: "not an object", json: `[1,2]`, wantErr: "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConnectionInfo([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConnectionFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kernel.json")
	want := ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 5001, IOPubPort: 5002, StdinPort: 5003, ControlPort: 5004, HBPort: 5005, Key: "secret", SignatureScheme: SignatureScheme, KernelName: "gokernel"}
	if err := WriteConnectionFile(path, want); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("connection file mode %v is readable by others", st.Mode().Perm())
	}
	got, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ReadConnectionFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		info ConnectionInfo
		port int
		want string
	}{
		{ConnectionInfo{Transport: "tcp", IP: "127.0.0.1"}, 5555, "tcp://127.0.0.1:5555"},
		{ConnectionInfo{Transport: "tcp", IP: "::1"}, 5555, "tcp://[::1]:5555"},
		{ConnectionInfo{Transport: "ipc", IP: "/run/kernel"}, 3, "ipc:///run/kernel-3"},
	}
	for _, tt := range tests {
		if got := tt.info.Endpoint(tt.port); got != tt.want {
			t.Errorf("Endpoint(%d) of %+v = %q, want %q", tt.port, tt.info, got, tt.want)
		}
	}
}
