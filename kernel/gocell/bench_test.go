package gocell

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse measures a long cell that mixes declarations, statements and loops.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&sb, "func f%d(ch chan int) int { return <-ch }\nx%d := %d\nfor i := 0; i < x%d; i++ {\n\tgo f%d(nil)\n}\nfmt.Println(x%d)\n", i, i, i, i, i, i)
	}
	cell := sb.String()
	env := testEnv()
	b.SetBytes(int64(len(cell)))
	for b.Loop() {
		if _, err := env.Parse(cell); err != nil {
			b.Fatal(err)
		}
	}
}
