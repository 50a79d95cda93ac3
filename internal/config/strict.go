package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/editdist"
)

// A configuration that tollgate does not understand fails the run (exit 2), never a part of it
// quietly left out: a misspelt rule ID or parameter would otherwise leave the rule at its
// default while its author believes it configured. The keys are checked against the Go structs
// by reflection, so a field added to Config is known here at once.

// position is where a key or item of the configuration is written.
type position struct{ line, col int }

// checkKeys walks node against the Go type t: every mapping key of a struct must be one of its
// yaml fields. It records where every key and item is (at path, e.g. rules.x.params.y or
// ignore[2]) and returns every unknown key, with a suggestion when one is close.
func (c *Config) checkKeys(n *yaml.Node, t reflect.Type, path string) []error {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil {
		return nil
	}
	var errs []error
	switch {
	case n.Kind == yaml.DocumentNode:
		for _, k := range n.Content {
			errs = append(errs, c.checkKeys(k, t, path)...)
		}
	case n.Kind == yaml.MappingNode && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map):
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Value == "<<" && key.Tag == "!!merge" { // a merged mapping: its keys count as ours
				errs = append(errs, c.checkKeys(val, t, path)...)
				continue
			}
			sub := join(path, key.Value)
			c.pos[sub] = position{key.Line, key.Column}
			if t.Kind() == reflect.Map {
				errs = append(errs, c.checkKeys(val, t.Elem(), sub)...)
				continue
			}
			ft, ok := fields[key.Value]
			if !ok {
				errs = append(errs, c.errorAt(sub, "unknown key %q%s%s", key.Value, in(path), didYouMean(key.Value, keysOf(fields))))
				continue
			}
			errs = append(errs, c.checkKeys(val, ft, sub)...)
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, item := range n.Content {
			sub := path + "[" + strconv.Itoa(i) + "]"
			c.pos[sub] = position{item.Line, item.Column}
			errs = append(errs, c.checkKeys(item, t.Elem(), sub)...)
		}
	}
	return errs
}

// yamlFields maps the yaml names of a struct's fields (inline structs flattened) to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	if t.Kind() != reflect.Struct {
		return out
	}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-":
			continue
		case strings.Contains(","+opts+",", ",inline,"):
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name) // yaml.v3's default
		}
		out[name] = f.Type
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func in(path string) string {
	if path == "" {
		return " at the top level"
	}
	return " in " + path
}

// didYouMean is "; did you mean "x"?" for the closest candidate, or "".
func didYouMean(s string, candidates []string) string {
	if best := editdist.Closest(s, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// errorAt is an error at the configuration's path (file:line:col: when the path is known).
func (c *Config) errorAt(path string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", c.where(path), fmt.Sprintf(format, args...))
}

// where is file:line:col of path, or the file (or the path) when it is not known.
func (c *Config) where(path string) string {
	file := c.Path
	if file == "" {
		file = "configuration"
	}
	for p := path; p != ""; p = parent(p) {
		if pos, ok := c.pos[p]; ok {
			return fmt.Sprintf("%s:%d:%d", file, pos.line, pos.col)
		}
	}
	return file
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// RuleInfo is what checking the configuration needs to know of a rule.
type RuleInfo struct {
	Severity        string   // its default severity: error, warning or note
	Params          []string // the parameters its METADATA declares
	NotSuppressible bool     // it can't be turned off, down or ignored
	// Why is what NotSuppressible protects, for the error message (default: secrets).
	Why string
}

// CheckRules checks the configuration against the rules of the run (built in, bundled and the
// user's policies, which is why it runs once they are loaded): every rule ID must name a rule,
// every parameter must be one that rule declares (a shared parameter, one that some rule
// declares), and no rule that cannot be suppressed may be turned off or made less severe. All
// problems are returned at once, in the order they are written.
func (c *Config) CheckRules(rules map[string]RuleInfo) error {
	type problem struct {
		at  position
		err error
	}
	var ps []problem
	add := func(path string, err error) { ps = append(ps, problem{c.pos[path], err}) }
	ids := keysOf(rules)
	params := map[string]bool{}
	for _, r := range rules {
		for _, p := range r.Params {
			params[p] = true
		}
	}
	for _, id := range keysOf(c.Rules) {
		rc := c.Rules[id]
		path := "rules." + id
		r, ok := rules[id]
		if !ok {
			add(path, c.errorAt(path, "unknown rule %q%s (`tollgate rules` lists them)", id, didYouMean(id, ids)))
			continue
		}
		for _, p := range keysOf(rc.Params) {
			if !slices.Contains(r.Params, p) {
				add(path+".params."+p, c.errorAt(path+".params."+p, "rule %s has no parameter %q%s", id, p, paramHint(p, r.Params)))
			}
		}
		if !r.NotSuppressible {
			continue
		}
		why := "it reports secrets, which must be removed and rotated, not silenced"
		if r.Why != "" {
			why = r.Why
		}
		if rc.Enabled != nil && !*rc.Enabled {
			add(path+".enabled", c.errorAt(path+".enabled", "rule %s cannot be turned off: %s", id, why))
		}
		if sev := strings.ToLower(rc.Severity); sev != "" && severityRank(sev) < severityRank(r.Severity) {
			add(path+".severity", c.errorAt(path+".severity", "rule %s cannot be set to %q (it is %s): %s", id, rc.Severity, r.Severity, why))
		}
	}
	for _, p := range keysOf(c.Params) {
		if !params[p] {
			add("params."+p, c.errorAt("params."+p, "no rule has a parameter %q%s", p, didYouMean(p, keysOf(params))))
		}
	}
	slices.SortStableFunc(ps, func(a, b problem) int {
		if a.at.line != b.at.line {
			return a.at.line - b.at.line
		}
		return a.at.col - b.at.col
	})
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p.err
	}
	return errors.Join(errs...)
}

func paramHint(p string, declared []string) string {
	if len(declared) == 0 {
		return "; it takes none"
	}
	if h := didYouMean(p, declared); h != "" {
		return h
	}
	return "; it takes " + strings.Join(declared, ", ")
}

// severityRank orders severities for the not-suppressible check; "off" is below every level.
func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "error":
		return 3
	case "warning":
		return 2
	case "note":
		return 1
	}
	return 0
}
