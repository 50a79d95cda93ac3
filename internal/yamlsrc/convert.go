package yamlsrc

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ToAny converts a node into plain Go values the way fleetctl sees them after its YAML-to-JSON
// step, but without yaml.v3's Decode surprises: timestamps stay strings as written, integers
// are int64 (or *big.Int when larger), floats are float64, .inf/.nan are strings, unquoted
// yes/no/on/off/y/n are booleans as in YAML 1.1 (fleetctl's parser), aliases are resolved and
// `<<` merge keys applied with explicit keys winning. maxNodes bounds alias
// expansion (0 means no bound). Mappings are map[string]any; sequences []any.
func ToAny(n *yaml.Node, maxNodes int) (any, error) {
	c := converter{budget: maxNodes}
	if maxNodes <= 0 {
		c.budget = math.MaxInt
	}
	return c.value(n)
}

type converter struct{ budget int }

// ErrAliasBomb is returned when alias expansion produces more values than allowed.
type ErrAliasBomb struct{ Line, Column int }

func (e *ErrAliasBomb) Error() string {
	return "aliases expand into too many values (an alias bomb?)"
}

func (c *converter) value(n *yaml.Node) (any, error) {
	c.budget--
	if c.budget < 0 {
		return nil, &ErrAliasBomb{Line: n.Line, Column: n.Column}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
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
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMerge(k) {
				merges = append(merges, v)
				continue
			}
			val, err := c.value(v)
			if err != nil {
				return nil, err
			}
			out[KeyString(k)] = val
		}
		for _, m := range merges {
			if err := c.merge(out, m); err != nil {
				return nil, err
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return Scalar(n), nil
	}
	return nil, fmt.Errorf("unexpected YAML node kind %d", n.Kind)
}

// merge applies a `<<` value (a mapping, an alias to one, or a list of them) without
// overriding keys already present.
func (c *converter) merge(out map[string]any, m *yaml.Node) error {
	for m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	switch m.Kind {
	case yaml.MappingNode:
		v, err := c.value(m)
		if err != nil {
			return err
		}
		for k, x := range v.(map[string]any) {
			if _, ok := out[k]; !ok {
				out[k] = x
			}
		}
	case yaml.SequenceNode:
		for _, e := range m.Content {
			if err := c.merge(out, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}

// KeyString renders a mapping key as the JSON object key Fleet would see.
func KeyString(k *yaml.Node) string {
	for k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	return k.Value
}

// Scalar converts a scalar node by its resolved tag.
func Scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return i
		}
		if b, ok := new(big.Int).SetString(s, 0); ok {
			return b
		}
		return n.Value
	case "!!float":
		// yaml.v3 tags integers too large for 64 bits as floats; keep them exact.
		if isDigits(n.Value) {
			if b, ok := new(big.Int).SetString(n.Value, 10); ok {
				return b
			}
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value
		}
		// fleetctl's YAML-to-JSON step writes a whole float as an integer (60.0 and 6e1 become
		// 60, as encoding/json writes any float below 1e21), so Fleet reads it as one.
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
		return f
	}
	if b, ok := yaml11Bool(n); ok {
		return b
	}
	// !!str, !!timestamp, !!binary and custom tags stay as written.
	return n.Value
}

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans beyond true and false. fleetctl
// converts YAML to JSON with github.com/ghodss/yaml, which parses with gopkg.in/yaml.v2, a YAML
// 1.1 parser: `enable_disk_encryption: yes` is true to Fleet (and `name: no` is false, not a
// name), where yaml.v3 reads both as strings.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// yaml11Bool is the boolean a YAML 1.1 parser reads from n: a plain (unquoted, untagged)
// scalar in yaml11Bools.
func yaml11Bool(n *yaml.Node) (value, ok bool) {
	if n.Style != 0 || n.Tag != "!!str" || len(n.Value) > 3 {
		return false, false
	}
	value, ok = yaml11Bools[n.Value]
	return value, ok
}

// IsYAML11Bool reports whether n is a plain scalar fleetctl reads as a boolean but a YAML 1.2
// parser reads as a string (yes, no, on, off, y, n in their three spellings).
func IsYAML11Bool(n *yaml.Node) bool {
	_, ok := yaml11Bool(n)
	return ok
}

// IsUnquotedNumber reports whether n is a plain scalar YAML reads as a number, the
// `minimum_version: 15.10` trap.
func IsUnquotedNumber(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return false
	}
	t := n.ShortTag()
	return t == "!!float" || t == "!!int"
}

func isDigits(s string) bool {
	s = strings.TrimLeft(s, "+-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
