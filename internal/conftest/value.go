package conftest

import (
	"errors"
	"fmt"
	"math/big"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// ConvertYAML converts a YAML node (a document or any node in it) into the value conftest's
// parser gives policies, for callers that parsed the file themselves; see toJSONValue.
func ConvertYAML(n *yaml.Node) (any, error) {
	return toJSONValue(n, yamlsrc.DefaultLimits.MaxNodes)
}

// toJSONValue converts a YAML document the way conftest's parser does (sigs.k8s.io/yaml:
// yaml.v2, a YAML 1.1 parser, then JSON): scalars as yamlsrc.Scalar reads them (YAML 1.1
// booleans, timestamps as written), every number a float64, mapping keys as strings with
// non-string keys written as JSON would (`y:` and `on:` are the key "true", `1:` is "1"),
// aliases expanded and `<<` merges applied in document order. maxNodes bounds expansion.
func toJSONValue(n *yaml.Node, maxNodes int) (any, error) {
	c := &jsonConverter{budget: maxNodes, expanding: map[*yaml.Node]bool{}}
	return c.value(n)
}

type jsonConverter struct {
	budget    int
	expanding map[*yaml.Node]bool // alias targets being converted: an alias to one is a cycle
}

func (c *jsonConverter) value(n *yaml.Node) (any, error) {
	if c.budget--; c.budget < 0 {
		return nil, errors.New("aliases expand into too many values (an alias bomb?)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil || c.expanding[n.Alias] {
			return nil, fmt.Errorf("line %d: anchor %q is used inside its own value", n.Line, n.Value)
		}
		c.expanding[n.Alias] = true
		defer delete(c.expanding, n.Alias)
		return c.value(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "") {
				if err := c.merge(out, v); err != nil {
					return nil, err
				}
				continue
			}
			key, err := jsonKey(k)
			if err != nil {
				return nil, err
			}
			if out[key], err = c.value(v); err != nil {
				return nil, err
			}
		}
		return out, nil
	case yaml.ScalarNode:
		switch x := yamlsrc.Scalar(n).(type) {
		case int64:
			return float64(x), nil
		case *big.Int:
			f, _ := new(big.Float).SetInt(x).Float64()
			return f, nil
		default:
			return x, nil
		}
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

// merge writes the keys of a `<<` value (a mapping, or a list of them where the earlier
// ones win) into out, over what is there, as yaml.v2 does.
func (c *jsonConverter) merge(out map[string]any, m *yaml.Node) error {
	items := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	for i := len(items) - 1; i >= 0; i-- {
		v, err := c.value(items[i])
		if err != nil {
			return err
		}
		mm, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: a << merge needs a mapping or a list of mappings", items[i].Line)
		}
		for k, x := range mm {
			out[k] = x
		}
	}
	return nil
}

// jsonKey is the JSON object key sigs.k8s.io/yaml writes for a mapping key (as fleetctl's
// ghodss/yaml does: yamlsrc.KeyString); a null or non-scalar key it refuses.
func jsonKey(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode || yamlsrc.Scalar(k) == nil {
		return "", fmt.Errorf("line %d: the mapping key %q cannot be converted to JSON (conftest refuses it too)", k.Line, k.Value)
	}
	return yamlsrc.KeyString(k), nil
}
