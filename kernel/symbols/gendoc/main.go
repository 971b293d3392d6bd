// Command gendoc writes api.json, the documented API of the preloaded packages that the
// kernel embeds so that inspection (Shift+Tab, `name?`) shows their doc comments anywhere.
//
// Usage: go run ./gendoc -o api.json importpath...
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"

	"github.com/gokernel/gokernel/kernel/symbols/internal/apidoc"
)

func main() {
	out := flag.String("o", "api.json", "output file")
	flag.Parse()
	api, err := apidoc.Extract(flag.Args())
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(api, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
