package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestJupyterDataDir(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("some/prefix")
	tests := []struct {
		name      string
		prefix    string
		sysPrefix bool
		env       map[string]string
		want      string
		wantErr   bool
	}{
		{name: "JUPYTER_DATA_DIR wins", env: map[string]string{"JUPYTER_DATA_DIR": "/tmp/jd", "XDG_DATA_HOME": "/tmp/xdg"}, want: "/tmp/jd"},
		{name: "XDG_DATA_HOME", env: map[string]string{"JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": "/tmp/xdg"}, want: "/tmp/xdg/jupyter"},
		{name: "default", env: map[string]string{"JUPYTER_DATA_DIR": "", "XDG_DATA_HOME": ""}, want: filepath.Join(home, ".local", "share", "jupyter")},
		{name: "prefix", prefix: "some/prefix", want: filepath.Join(abs, "share", "jupyter")},
		{name: "prefix and sys-prefix", prefix: "p", sysPrefix: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := jupyterDataDir(tt.prefix, tt.sysPrefix)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("got %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSpecFilesAndUninstall(t *testing.T) {
	dir := t.TempDir()
	if err := writeSpec(dir, "/opt/gokernel"); err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	argv := []any{"/opt/gokernel", "-f", "{connection_file}"}
	if spec["interrupt_mode"] != "message" || spec["language"] != "go" || spec["display_name"] != "Go" || !reflect.DeepEqual(spec["argv"], argv) {
		t.Fatalf("kernel.json %v", spec)
	}
	for _, size := range []int{32, 64} {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Fatalf("logo %d: %v %v", size, err, img.Bounds())
		}
		// The corner is transparent, the centre is opaque: a drawn logo, not a blank.
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("logo %d: corner not transparent", size)
		}
		if _, _, _, a := img.At(size/2, size/2).RGBA(); a == 0 {
			t.Errorf("logo %d: centre transparent", size)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "logo-svg.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("logo svg: %v", err)
	}
	// --uninstall removes the kernelspec directory.
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	spec2 := filepath.Join(data, "kernels", kernelName)
	if err := os.MkdirAll(spec2, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := run("", false, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spec2); !os.IsNotExist(err) {
		t.Fatalf("kernelspec still there: %v", err)
	}
}
