// Package config reads .tollgate.yaml, the repository's own settings for tollgate: which rules
// run and how severe they are, rule parameters, extra policies and schemas, ignored paths,
// the secrets CI provides, and how `tollgate apply` hands off to the applier.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileNames are searched, in order, in the linted directory and each parent.
var FileNames = []string{".tollgate.yaml", ".tollgate.yml"}

// Config is the content of .tollgate.yaml. Every field is optional.
type Config struct {
	// Rules configures rules by ID: enabled, severity and parameters.
	Rules map[string]RuleConfig `yaml:"rules"`
	// Params are parameters shared by all rules (a rule's own params win).
	Params map[string]any `yaml:"params"`
	// Policies are directories of user Rego policies, relative to the config file.
	Policies []string `yaml:"policies"`
	// Schemas are directories of organisation CUE schemas, relative to the config file.
	Schemas []string `yaml:"schemas"`
	// Ignore lists glob patterns (doublestar, repository-relative) of files whose findings are dropped.
	Ignore []string `yaml:"ignore"`
	// Secrets lists environment variables that CI provides, in addition to those found in workflows.
	Secrets []string `yaml:"secrets"`
	// FailLevel is the default of --fail-level.
	FailLevel string `yaml:"fail_level"`
	// OSCatalog is a path to a fresher OS catalog file.
	OSCatalog string `yaml:"os_catalog"`
	// Apply configures `tollgate apply`.
	Apply ApplyConfig `yaml:"apply"`
	// Capabilities widens what policies may reach (docs/security.md).
	Capabilities CapabilitiesConfig `yaml:"capabilities"`

	// Path is the file this configuration was read from ("" when none was found).
	Path string `yaml:"-"`
}

// RuleConfig configures one rule.
type RuleConfig struct {
	Enabled  *bool          `yaml:"enabled"`
	Severity string         `yaml:"severity"`
	Params   map[string]any `yaml:"params"`
}

// ApplyConfig configures the hand-off to the real applier.
type ApplyConfig struct {
	// Command replaces the default `fleetctl gitops -f …` (e.g. ["terraform", "apply", "-auto-approve"]).
	Command []string `yaml:"command"`
	// DryRunCommand is what `tollgate apply --dry-run` runs when Command is set (e.g.
	// ["terraform", "plan"]); without it a custom applier cannot be dry-run.
	DryRunCommand []string `yaml:"dry_run_command"`
	// DryRunFirst runs the dry run before a real apply and stops if it fails, as the template's
	// gitops.sh does (default true).
	DryRunFirst *bool `yaml:"dry_run_first"`
	// DeleteOther passes --delete-other-teams / --delete-other-fleets (per era) to fleetctl.
	DeleteOther bool `yaml:"delete_other"`
	// Env lists environment variables the applier needs, beyond FLEET_URL and FLEET_API_TOKEN.
	Env []string `yaml:"env"`
	// AuditFile is where one JSON line per apply attempt is appended (default .tollgate/audit.jsonl).
	AuditFile string `yaml:"audit_file"`
	// LockWait is how long a second apply waits for the first (e.g. "5m"; default: refuse at once).
	LockWait string `yaml:"lock_wait"`
}

// Find looks for a configuration file in dir and its parents, stopping at stop (the
// repository root) when it is an ancestor. It returns "" when there is none.
func Find(dir, stop string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	stop, _ = filepath.Abs(stop)
	for {
		for _, n := range FileNames {
			p := filepath.Join(d, n)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
		parent := filepath.Dir(d)
		if d == stop || parent == d {
			return ""
		}
		d = parent
	}
}

// Load reads path; an unknown key or a wrong type is an error naming file:line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) { // an empty file means all defaults
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	c.Path = path
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	for id, r := range c.Rules {
		switch strings.ToLower(r.Severity) {
		case "", "error", "warning", "note", "off":
		default:
			return fmt.Errorf("rules.%s.severity: %q is not one of error, warning, note, off", id, r.Severity)
		}
	}
	switch strings.ToLower(c.FailLevel) {
	case "", "error", "warning", "note", "none":
	default:
		return fmt.Errorf("fail_level: %q is not one of error, warning, note, none", c.FailLevel)
	}
	return nil
}

// Dir is the directory relative paths in the configuration are resolved from.
func (c *Config) Dir() string {
	if c.Path == "" {
		return "."
	}
	return filepath.Dir(c.Path)
}

// Abs resolves a path written in the configuration.
func (c *Config) Abs(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir(), p)
}

// RuleEnabled reports whether rule id runs (default true; severity "off" disables it too).
func (c *Config) RuleEnabled(id string) bool {
	r, ok := c.Rules[id]
	if !ok {
		return true
	}
	if strings.EqualFold(r.Severity, "off") {
		return false
	}
	return r.Enabled == nil || *r.Enabled
}

// RuleParams merges the shared params with rule id's own.
func (c *Config) RuleParams(id string) map[string]any {
	out := map[string]any{}
	for k, v := range c.Params {
		out[k] = v
	}
	for k, v := range c.Rules[id].Params {
		out[k] = v
	}
	return out
}

// AbsAll resolves every path of ps.
func (c *Config) AbsAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = c.Abs(p)
	}
	return out
}
