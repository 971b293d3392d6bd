package pool

import "testing"

func BenchmarkSubmitResult(b *testing.B) {
	ex := Threads(2)
	defer ex.Close()
	square := func(n int) int { return n * n }
	for b.Loop() {
		if _, err := ex.Submit(square, 3).Result(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap1000(b *testing.B) {
	ex := Threads(4)
	defer ex.Close()
	square := func(n int) int { return n * n }
	items := make([]int, 1000)
	for b.Loop() {
		if _, err := ex.Map(square, items); err != nil {
			b.Fatal(err)
		}
	}
}
