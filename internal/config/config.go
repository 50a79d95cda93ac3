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
	"reflect"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/libmsg"
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
	// FleetVersion is the Fleet release the repository is applied to ("4.91"): keys newer
	// releases added are errors, and it decides the era where the files don't.
	FleetVersion string `yaml:"fleet_version"`
	// Apply configures `tollgate apply`.
	Apply ApplyConfig `yaml:"apply"`
	// Capabilities widens what policies may reach (docs/security.md).
	Capabilities CapabilitiesConfig `yaml:"capabilities"`
	// Kubernetes configures the checks of Kubernetes manifests (docs/kubernetes.md).
	Kubernetes KubernetesConfig `yaml:"kubernetes"`
	// Conftest holds conftest's flags for plain conftest policies (docs/conftest.md).
	Conftest ConftestConfig `yaml:"conftest"`

	// Path is the file this configuration was read from ("" when none was found).
	Path string `yaml:"-"`

	pos map[string]position // where each key and item is written (see checkKeys)
}

// RuleConfig configures one rule.
type RuleConfig struct {
	Enabled  *bool          `yaml:"enabled"`
	Severity string         `yaml:"severity"`
	Params   map[string]any `yaml:"params"`
}

// KubernetesConfig configures the Kubernetes kind of repository.
type KubernetesConfig struct {
	// Render builds each Kustomize overlay and checks what it renders too (--render).
	Render bool `yaml:"render"`
}

// ConftestConfig holds conftest's own flags, as conftest test takes them.
type ConftestConfig struct {
	// Namespaces are the policy packages whose rules run (--namespace; default main).
	Namespaces []string `yaml:"namespaces"`
	// AllNamespaces runs every package (--all-namespaces).
	AllNamespaces bool `yaml:"all_namespaces"`
	// Combine evaluates all documents as one input (--combine).
	Combine bool `yaml:"combine"`
	// Data are files or directories of data documents, relative to this file (--data).
	Data []string `yaml:"data"`
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

// Find looks for a configuration file in dir and its parents up to stop, the repository root
// (FindRoot); it returns "" when there is none. A stop that is not dir or one of its parents
// limits the search to dir: the search never leaves the repository.
func Find(dir, stop string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	stop, _ = filepath.Abs(stop)
	if !within(d, stop) {
		stop = d
	}
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

// within reports whether dir is root or below it.
func within(dir, root string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// FindRoot returns the repository root for dir, absolute. A repository is what git says it is:
// the root is the nearest directory at or above dir holding .git (a directory, or the file of a
// worktree or submodule), or, below that, the nearest one holding a configuration file. Without
// .git above, nothing says which parent directories belong to the repository, so the root is
// dir itself (the parent of a teams/ or fleets/ directory whose files were named one by one): a
// .tollgate.yaml found above a repository without .git is not used (it would apply someone
// else's settings, ignore: ["**"] among them) and does not move the root up (includes into a
// sibling directory stay outside the repository).
func FindRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	git := ""
	for d := abs; git == ""; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			git = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if git == "" {
		if b := filepath.Base(abs); b == "teams" || b == "fleets" {
			return filepath.Dir(abs)
		}
		return abs
	}
	for d := abs; d != git; d = filepath.Dir(d) {
		for _, n := range FileNames {
			if _, err := os.Lstat(filepath.Join(d, n)); err == nil {
				return d
			}
		}
	}
	return git
}

// MaxBytes bounds a configuration file: a .tollgate.yaml is a page of settings, and a larger
// one is read no further than this (read in full, a 200 MB file would take a gigabyte of memory).
const MaxBytes = 1 << 20

// Load reads path. Anything it does not understand is an error naming file:line:col: an
// unknown key (with the closest known one), a wrong type, an invalid severity, fail level or
// ignore glob, a second YAML document, a file over MaxBytes. Rule IDs and parameters are checked
// against the rules later, once the policies are loaded (CheckRules).
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes, the limit for a configuration file", path, MaxBytes)
	}
	c := Config{Path: path, pos: map[string]position{}}
	fail := func(err error) (*Config, error) {
		return nil, fmt.Errorf("%s: %s", path, libmsg.TrimYAMLPrefix(err.Error()))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root, extra yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) { // an empty file means all defaults
			return &c, nil
		}
		return fail(err)
	}
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return fail(err)
		}
		return nil, fmt.Errorf("%s:%d:%d: a second YAML document; a configuration file holds one (remove the ---)", path, extra.Line, extra.Column)
	}
	if errs := c.checkKeys(&root, reflect.TypeFor[Config](), ""); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&c); err != nil {
		return fail(err)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	for _, id := range keysOf(c.Rules) {
		switch strings.ToLower(c.Rules[id].Severity) {
		case "", "error", "warning", "note", "off":
		default:
			errs = append(errs, c.errorAt("rules."+id+".severity", "%q is not one of error, warning, note, off", c.Rules[id].Severity))
		}
	}
	switch strings.ToLower(c.FailLevel) {
	case "", "error", "warning", "note", "none":
	default:
		errs = append(errs, c.errorAt("fail_level", "fail_level %q is not one of error, warning, note, none", c.FailLevel))
	}
	for i, g := range c.Ignore {
		if !doublestar.ValidatePattern(g) {
			errs = append(errs, c.errorAt(fmt.Sprintf("ignore[%d]", i), "ignore glob %q is not a valid pattern (an unclosed [ or {?)", g))
		}
	}
	return errors.Join(errs...)
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
