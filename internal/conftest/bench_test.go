package conftest

import (
	"context"
	"testing"
)

// BenchmarkCheck measures what locating costs: the same 200 documents (each firing four or
// five rules of corpusPolicy) checked with locators (traced evaluations of the rules that
// fired) and without (placed at the first line, nothing traced).
func BenchmarkCheck(b *testing.B) {
	e := compile(&testing.T{}, map[string]string{"p.rego": corpusPolicy}, Options{})
	one, _, err := ParseYAML("d.yaml", []byte(deployment))
	if err != nil {
		b.Fatal(err)
	}
	for _, locate := range []bool{false, true} {
		name := "unlocated"
		if locate {
			name = "located"
		}
		b.Run(name, func(b *testing.B) {
			docs := make([]Document, 200)
			for i := range docs {
				docs[i] = one[0]
				if !locate {
					docs[i].Locate = nil
				}
			}
			for b.Loop() {
				if _, err := e.Check(context.Background(), docs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
