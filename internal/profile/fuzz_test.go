package profile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// FuzzParse checks that no input makes Parse panic, hang or report a problem without a position.
// Seeds: the fixtures under testdata/profile, the corpora's profiles when present, and
// testdata/fuzz/FuzzParse (go test's own seed corpus directory).
func FuzzParse(f *testing.F) {
	var paths []string
	patterns := []string{fixtures + "/*"}
	if corpora := sharedtest.Optional("corpora"); corpora != "" {
		patterns = append(patterns, corpora+"/*/lib/*/*/*")
	}
	for _, pattern := range patterns {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 64<<10 {
			continue
		}
		f.Add(filepath.Base(p), data)
	}
	f.Add("x.xml", []byte("<Replace><Item><Data><a>1</a></Data></Item></Replace>"))
	f.Add("x.json", []byte(`{"Type":"com.apple.configuration.x","Identifier":"i","Payload":{"a":[1,{"b":2}]}}`))
	f.Add("x.mobileconfig", []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x30, 0x80})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		for _, file := range []string{name, "f.mobileconfig", "f.json", "f.xml"} {
			p := Parse(file, data)
			for _, pr := range p.Problems {
				if pr.Line < 1 || pr.Column < 1 || pr.Code == "" || pr.Message == "" {
					t.Fatalf("%s: bad problem %+v", file, pr)
				}
			}
			for _, pl := range p.Payloads {
				if pl.Values == nil {
					t.Fatalf("%s: payload without values", file)
				}
			}
		}
	})
}
