package stack

import "testing"

func TestDescriber(t *testing.T) {
	tests := []struct {
		name   string
		f      func() string
		want   string
		wantOK bool
	}{
		{"none", nil, "", false},
		{"knows nothing better", func() string { return "" }, "", false},
		{"describes", func() string { return "main.f (In [3] line 2)" }, "main.f (In [3] line 2)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SetDescriber(tt.f)
			defer SetDescriber(nil)
			got, ok := Describe()
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Describe() = %q, %v", got, ok)
			}
		})
	}
}
