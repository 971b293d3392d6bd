package stack

import (
	"fmt"
	"testing"
)

func TestDescriber(t *testing.T) {
	tests := []struct {
		name   string
		f      func(v any) string
		want   string
		wantOK bool
	}{
		{"none", nil, "", false},
		{"knows nothing better", func(any) string { return "" }, "", false},
		{"describes", func(v any) string { return fmt.Sprint(v, ": main.f (In [3] line 2)") }, "boom: main.f (In [3] line 2)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SetDescriber(tt.f)
			defer SetDescriber(nil)
			got, ok := Describe("boom")
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Describe() = %q, %v", got, ok)
			}
		})
	}
}
