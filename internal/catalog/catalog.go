// Package catalog is the single source of rule metadata: `tollgate rules`, `tollgate explain`,
// the docs pages, SARIF tool.driver.rules[] and default severities all read it.
package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// DocsBase is where rule pages live; a rule's page is DocsBase + ID + ".md".
const DocsBase = "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/"

// Rule describes one rule, built in (Go, CUE) or Rego (from METADATA).
type Rule struct {
	ID          string           `json:"id"`          // stable, kebab-case, e.g. "passcode-min-length"
	Title       string           `json:"title"`       // one line, sentence case, no trailing period
	Description string           `json:"description"` // what it checks, why, and how to fix
	Severity    finding.Severity `json:"severity"`    // default severity
	Category    string           `json:"category"`    // load, schema, passcode, os-updates, secrets, integrity, ...
	Tags        []string         `json:"tags,omitempty"`
	// Security marks rules whose findings are security issues (SARIF security-severity).
	Security         bool    `json:"security,omitempty"`
	SecuritySeverity float64 `json:"security_severity,omitempty"`
	// NotSuppressible rules can't be silenced with tollgate:ignore (plaintext secrets).
	NotSuppressible bool `json:"not_suppressible,omitempty"`
	// NotSuppressibleWhy says what a rule that can't be turned off protects ("" for the secret
	// rules: the secrets, which must be removed and rotated, not silenced).
	NotSuppressibleWhy string `json:"-"`
	// NoComment marks a rule whose findings are about tollgate:ignore comments themselves: no
	// comment silences them (they are made after the comments are applied); the configuration
	// turns them off or changes their severity.
	NoComment bool `json:"-"`
	// Params documents the rule's parameters and their defaults.
	Params []Param `json:"params,omitempty"`
	// Source is "builtin" for Go/CUE rules, "bundled" for embedded Rego, or the user policy path.
	Source string `json:"source"`
}

// Param is a rule parameter settable in .tollgate.yaml. Minimum and Maximum, when set, bound a
// numeric parameter: a configured value outside them is a configuration error, reported before
// any rule runs (with Why, when given, as the reason).
type Param struct {
	Name        string   `json:"name"`
	Default     any      `json:"default"`
	Description string   `json:"description"`
	Minimum     *float64 `json:"minimum,omitempty"`
	Maximum     *float64 `json:"maximum,omitempty"`
	Why         string   `json:"why,omitempty"`
}

// Check reports a value this parameter refuses; nil when it is acceptable.
func (p Param) Check(v any) error {
	if p.Minimum == nil && p.Maximum == nil {
		return nil
	}
	if v == nil && p.Default == nil {
		return nil // an optional parameter left unset (min_length_ios: the rule falls back)
	}
	var n float64
	switch x := v.(type) {
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case float64:
		n = x
	default:
		return fmt.Errorf("%s must be a number, not %v", p.Name, v)
	}
	why := ""
	if p.Why != "" {
		why = ": " + p.Why
	}
	if p.Minimum != nil && n < *p.Minimum {
		return fmt.Errorf("%s is %v, below its minimum of %v%s", p.Name, v, *p.Minimum, why)
	}
	if p.Maximum != nil && n > *p.Maximum {
		return fmt.Errorf("%s is %v, above its maximum of %v%s", p.Name, v, *p.Maximum, why)
	}
	return nil
}

// DocURL is the rule's documentation page.
func (r Rule) DocURL() string {
	if r.Source != "builtin" && r.Source != "bundled" {
		return ""
	}
	return DocsBase + r.ID + ".md"
}

// Catalog is an ordered, de-duplicated set of rules.
type Catalog struct {
	rules []Rule
	byID  map[string]int
}

// New returns a catalog holding the built-in rules.
func New() *Catalog {
	c := &Catalog{byID: map[string]int{}}
	for _, r := range Builtin {
		if err := c.Add(r); err != nil {
			panic(err) // a programming error in Builtin, caught by the package tests
		}
	}
	return c
}

// Add registers a rule; an ID already present is an error.
func (c *Catalog) Add(r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if _, dup := c.byID[r.ID]; dup {
		return fmt.Errorf("rule %q is defined twice", r.ID)
	}
	c.byID[r.ID] = len(c.rules)
	c.rules = append(c.rules, r)
	return nil
}

// Validate checks the metadata every rule must have.
func (r Rule) Validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("rule without id (title %q)", r.Title)
	case strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " \t_"):
		return fmt.Errorf("rule id %q: use lower-case kebab-case", r.ID)
	case r.Title == "":
		return fmt.Errorf("rule %q has no title", r.ID)
	case r.Description == "":
		return fmt.Errorf("rule %q has no description", r.ID)
	case r.Severity == finding.SeverityNone:
		return fmt.Errorf("rule %q has no severity", r.ID)
	}
	return nil
}

// Get returns the rule with id.
func (c *Catalog) Get(id string) (Rule, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Rule{}, false
	}
	return c.rules[i], true
}

// Rules returns every rule sorted by ID.
func (c *Catalog) Rules() []Rule {
	out := slices.Clone(c.rules)
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}
