package symbols

import (
	"encoding/json"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gokernel/gokernel/kernel/symbols/internal/apidoc"
)

// TestAPIDocsUpToDate checks that api.json documents every preloaded package and matches
// their current source (run `go generate ./kernel/symbols` after changing a doc comment).
func TestAPIDocsUpToDate(t *testing.T) {
	var paths []string
	for key := range Symbols {
		paths = append(paths, path.Dir(key)) // keys are "import/path/name"
	}
	sort.Strings(paths)
	want, err := apidoc.Extract(paths)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string][]string
	if err := json.Unmarshal(apiJSON, &got); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if len(got[p]) == 0 {
			t.Errorf("api.json lacks %s", p)
		} else if !reflect.DeepEqual(got[p], want[p]) {
			t.Errorf("api.json is stale for %s: run go generate ./kernel/symbols", p)
		}
	}
}

func TestAPI(t *testing.T) {
	tests := []struct {
		path string
		want []string // in the declarations
		not  []string // never in them: bodies, unexported names and their doc comments
	}{
		{"github.com/gokernel/gokernel/runtime/pool", []string{"func Threads(n int) *Pool", "// Threads returns"}, []string{"func (p *Pool) work(", "p.mu.Lock()", "import"}},
		{"github.com/gokernel/gokernel/runtime/thread", []string{"func New(f any, args ...any) *Thread"}, []string{"t.mu.Lock()", "func (t *Thread) nameLocked("}},
		{"github.com/gokernel/gokernel/runtime/process", []string{"func New(f any, args ...any) *Process"}, []string{"processCount", "// processCount numbers"}},
		{"strings", nil, nil}, // the standard library is read from GOROOT instead
	}
	for _, tt := range tests {
		files, err := API(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.Join(files, "\n")
		if tt.want == nil && src != "" {
			t.Errorf("API(%q) returned %d bytes, want none", tt.path, len(src))
		}
		for _, w := range tt.want {
			if !strings.Contains(src, w) {
				t.Errorf("API(%q) lacks %q", tt.path, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(src, n) {
				t.Errorf("API(%q) has %q", tt.path, n)
			}
		}
	}
}
