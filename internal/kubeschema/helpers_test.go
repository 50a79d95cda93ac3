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

var (
	sharedOnce sync.Once
	shared     *Validator
	sharedErr  error
)

// bundledValidator is one Validator (no organisation schemas) shared by the tests, so each
// kind is compiled once per test binary.
func bundledValidator(tb testing.TB) *Validator {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = New(nil) })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}
