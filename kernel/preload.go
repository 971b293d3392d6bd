package main

import (
	"github.com/traefik/yaegi/interp"

	"github.com/gokernel/gokernel/kernel/symbols"
)

// preloads returns the compiled packages cells can use without installing anything.
func preloads() []interp.Exports { return []interp.Exports{symbols.Symbols} }
