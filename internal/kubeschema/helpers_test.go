package kubeschema

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// docs decodes every YAML document of src as the loader will (yamlsrc.ToAny).
func docs(tb testing.TB, src []byte) []any {
	tb.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var out []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatalf("yaml: %v", err)
		}
		v, err := yamlsrc.ToAny(&n, 0)
		if err != nil {
			tb.Fatalf("yaml: %v", err)
		}
		if v != nil {
			out = append(out, v)
		}
	}
}

// sharedValidator is one Validator (no organisation schemas) shared by the tests, so each
// kind is compiled once per test binary.
var sharedValidator = sync.OnceValues(func() (*Validator, error) { return New(nil) })

func bundledValidator(tb testing.TB) *Validator {
	tb.Helper()
	v, err := sharedValidator()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
