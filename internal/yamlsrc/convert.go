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
// are int64 (or *big.Int when larger), whole floats are integers and others float64 (as
// fleetctl's JSON step writes them), .inf/.nan are strings (Parse reports them), unquoted
// yes/no/on/off/y/n are booleans as in YAML 1.1 (fleetctl's parser), aliases are resolved and
// `<<` merges applied as yaml.v2 applies them (in document order, the later write wins).
// maxNodes bounds alias expansion (0 means no bound). Mappings are map[string]any; sequences
// []any.
func ToAny(n *yaml.Node, maxNodes int) (any, error) {
	c := converter{budget: budgetOf(maxNodes)}
	return c.value(n)
}

func budgetOf(maxNodes int) int {
	if maxNodes <= 0 {
		return math.MaxInt
	}
	return maxNodes
}

type converter struct {
	budget int
	// share, when set, converts the nodes isShared reports once (see Shared).
	share    *Shared
	isShared func(*yaml.Node) bool
	maxNodes int
	// expanding holds the alias targets being converted: an alias back to one of them is a value
	// that contains itself (`a: &a [*a]`), which would otherwise recurse without end.
	expanding map[*yaml.Node]bool
}

// ErrAliasCycle is returned for an alias inside the value its anchor names.
type ErrAliasCycle struct {
	Anchor       string
	Line, Column int
}

func (e *ErrAliasCycle) Error() string {
	return fmt.Sprintf("anchor %q is used inside its own value (*%s at line %d), which never ends; fleetctl fails with \"anchor '%s' value contains itself\"", e.Anchor, e.Anchor, e.Line, e.Anchor)
}

// alias converts the target of the alias node n, refusing a target that is being converted.
func (c *converter) alias(n *yaml.Node) (any, error) {
	t := n.Alias
	if t == nil {
		return nil, nil
	}
	if c.expanding[t] {
		return nil, &ErrAliasCycle{Anchor: n.Value, Line: n.Line, Column: n.Column}
	}
	if c.expanding == nil {
		c.expanding = map[*yaml.Node]bool{}
	}
	c.expanding[t] = true
	v, err := c.value(t)
	delete(c.expanding, t)
	return v, err
}

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
	if c.share != nil && c.isShared(n) {
		return c.share.convert(n, c.maxNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0])
	case yaml.AliasNode:
		return c.alias(n)
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
		// In document order, the later of two writes wins, a `<<` merge included: fleetctl's
		// yaml.v2 lets a merge written after a key override it (YAML says explicit keys win).
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMerge(k) {
				if err := c.merge(out, v); err != nil {
					return nil, err
				}
				continue
			}
			val, err := c.value(v)
			if err != nil {
				return nil, err
			}
			out[KeyString(k)] = val
		}
		return out, nil
	case yaml.ScalarNode:
		return Scalar(n), nil
	}
	return nil, fmt.Errorf("unexpected YAML node kind %d", n.Kind)
}

// ErrMergeValue is returned for a `<<` merge whose value is not a mapping or a list of them.
type ErrMergeValue struct{ Line, Column int }

func (e *ErrMergeValue) Error() string {
	return fmt.Sprintf("the << merge key at line %d needs a mapping, an alias to one, or a list of them; fleetctl fails with \"map merge requires map or sequence of maps as the value\"", e.Line)
}

// merge writes the keys of a `<<` value into out, overriding what is there, as yaml.v2 does: a
// mapping or an alias to one, or a list of them where earlier ones take precedence (applied
// last to first).
func (c *converter) merge(out map[string]any, m *yaml.Node) error {
	items := mergeItems(m)
	for i := len(items) - 1; i >= 0; i-- {
		f := items[i]
		if mergeTarget(f) == nil {
			return &ErrMergeValue{Line: f.Line, Column: f.Column}
		}
		var v any
		var err error
		if f.Kind == yaml.AliasNode {
			v, err = c.alias(f)
		} else {
			v, err = c.value(f)
		}
		if err != nil {
			return err
		}
		for k, x := range v.(map[string]any) {
			out[k] = x
		}
	}
	return nil
}

// mergeItems are what a `<<` merge value takes keys from: the items of a list, or the value.
func mergeItems(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// mergeTarget is the mapping a merge item stands for (through an alias), or nil when the item
// is not a mapping, which fleetctl refuses.
func mergeTarget(it *yaml.Node) *yaml.Node {
	t := it
	if t.Kind == yaml.AliasNode {
		t = t.Alias
	}
	if t == nil || t.Kind != yaml.MappingNode {
		return nil
	}
	return t
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}

// KeyString renders a mapping key as the JSON object key Fleet would see. fleetctl's YAML 1.1
// parser resolves plain keys like values, and its JSON step writes them back as text: `on:`
// and `y:` are the key "true", `0x10:` is "16", `1.0:` is "1".
func KeyString(k *yaml.Node) string {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return k.Value
	}
	// Most keys are plain strings: answered without Scalar, whose boxed result would be one
	// allocation per key looked up (load looks keys up by name a few times per mapping).
	if k.ShortTag() == "!!str" {
		if b, ok := yaml11Bool(k); ok {
			return strconv.FormatBool(b)
		}
		return k.Value
	}
	switch x := Scalar(k).(type) {
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 32)
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
