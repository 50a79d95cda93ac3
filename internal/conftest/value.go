package conftest

import (
	"math/big"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// ConvertYAML converts a YAML node (a document or any node in it) into the value conftest's
// parser gives policies, for callers that parsed the file themselves.
//
// conftest reads YAML with sigs.k8s.io/yaml: yaml.v2 (YAML 1.1), then JSON. That is the
// conversion fleetctl makes with ghodss/yaml, which yamlsrc.ToAny reproduces (YAML 1.1
// booleans, `on:` and `y:` as the key "true", timestamps as written, merges and aliases
// applied), except that JSON then makes every number a float64.
func ConvertYAML(n *yaml.Node) (any, error) {
	v, err := yamlsrc.ToAny(n, yamlsrc.DefaultLimits.MaxNodes)
	if err != nil {
		return nil, err
	}
	return jsonNumbers(v), nil
}

// jsonNumbers turns every number into a float64, as encoding/json decodes them for conftest
// (integers beyond 2^53 lose precision there too).
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case []any:
		for i := range x {
			x[i] = jsonNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jsonNumbers(x[k])
		}
	}
	return v
}
