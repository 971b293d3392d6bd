package symbols

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:generate go run ./gendoc -o api.json github.com/gokernel/gokernel/runtime/display github.com/gokernel/gokernel/runtime/thread github.com/gokernel/gokernel/runtime/lock github.com/gokernel/gokernel/runtime/queue github.com/gokernel/gokernel/runtime/pool github.com/gokernel/gokernel/runtime/timeline github.com/gokernel/gokernel/runtime/process golang.org/x/net/html golang.org/x/net/html/atom

//go:embed api.json
var apiJSON []byte

// api decodes the embedded api.json, once.
var api = sync.OnceValues(func() (map[string][]string, error) {
	var api map[string][]string
	if err := json.Unmarshal(apiJSON, &api); err != nil {
		return nil, fmt.Errorf("symbols: embedded api.json: %w", err)
	}
	return api, nil
})

// API returns the source files of a preloaded package with function bodies removed: its
// declarations and doc comments, for documentation lookups. It returns nil for other packages.
// The embedded file is decoded on the first call; the slice returned is shared, not a copy.
func API(path string) ([]string, error) {
	m, err := api()
	if err != nil {
		return nil, err
	}
	return m[path], nil
}
