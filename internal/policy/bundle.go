// Package policy runs Rego policies over the repository model: tollgate's bundled rules, user
// rules written to the same contract, and plain conftest policies. Queries are prepared once
// and evaluated in parallel under a time limit; a builtin error is a finding, never a pass.
package policy

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/libmsg"
	tgrego "github.com/tollgate-dev/tollgate/rego"
	"github.com/tollgate-dev/tollgate/rules"
)

// RulesPrefix is the package prefix of rules that follow tollgate's contract.
const RulesPrefix = "tollgate.rules."

// module is one parsed Rego file.
type module struct {
	name   string // display path, e.g. rules/passcode_min_length/passcode_min_length.rego
	origin string // "bundled", "library" or the user policy directory
	ast    *ast.Module
}

// parseModule parses Rego v1, falling back to v0 for conftest policies written before OPA 1.0.
func parseModule(name string, src []byte) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
	if err == nil {
		return m, nil
	}
	if m0, err0 := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV0}); err0 == nil {
		return m0, nil
	}
	return nil, err
}

// readFS parses every .rego file of fsys (tests only when withTests).
func readFS(fsys fs.FS, prefix, origin string, withTests bool) ([]module, error) {
	var out []module
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if strings.HasSuffix(p, "_test.rego") && !withTests {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := path.Join(prefix, p)
		m, err := parseModule(name, src)
		if err != nil {
			return err
		}
		out = append(out, module{name: name, origin: origin, ast: m})
		return nil
	})
	return out, err
}

// Bundled returns the library and bundled rule modules.
func Bundled(withTests bool) ([]module, error) {
	lib, err := readFS(tgrego.FS, "rego", "library", withTests)
	if err != nil {
		return nil, fmt.Errorf("rego library: %w", err)
	}
	rs, err := readFS(rules.FS, "rules", "bundled", withTests)
	if err != nil {
		return nil, fmt.Errorf("bundled rules: %w", err)
	}
	return append(lib, rs...), nil
}

// UserDir parses a user policy directory (recursively).
func UserDir(dir string, withTests bool) ([]module, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("policy directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("policy directory %s is not a directory", dir)
	}
	// Through an os.Root: a symbolic link in the directory may point inside it, never out (a
	// pull request's policy/x.rego -> ~/.ssh/id_rsa would otherwise be read, and its first
	// line shown in the parse error).
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("policy directory: %w", err)
	}
	defer root.Close()
	ms, err := readFS(root.FS(), filepath.ToSlash(dir), dir, withTests)
	if err != nil && libmsg.GoRootEscape.In(err.Error()) {
		return nil, fmt.Errorf("policy directory %s: %v: a symbolic link there leads out of it, which tollgate does not follow", dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("policy %v", err)
	}
	return ms, nil
}

// ruleMeta reads a rule package's METADATA into a catalog rule.
func ruleMeta(m module) (catalog.Rule, bool, error) {
	pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
	if !strings.HasPrefix(pkg, RulesPrefix) || strings.HasSuffix(pkg, "_test") || strings.HasSuffix(m.name, "_test.rego") {
		return catalog.Rule{}, false, nil
	}
	var ann *ast.Annotations
	for _, a := range m.ast.Annotations {
		if a.Scope == "package" || a.Scope == "subpackages" {
			ann = a
		}
	}
	if ann == nil {
		return catalog.Rule{}, true, fmt.Errorf("%s: package %s has no METADATA block (title, description, custom.id, custom.severity)", m.name, pkg)
	}
	r := catalog.Rule{Title: ann.Title, Description: strings.TrimSpace(ann.Description), Source: m.origin}
	c := ann.Custom
	r.ID, _ = c["id"].(string)
	sev, _ := c["severity"].(string)
	var err error
	if r.Severity, err = finding.ParseSeverity(sev); err != nil || r.Severity == finding.SeverityNone {
		return r, true, fmt.Errorf("%s: METADATA custom.severity %q: want error, warning or note", m.name, sev)
	}
	r.Category, _ = c["category"].(string)
	if r.Category == "" {
		r.Category = "policy"
	}
	if tags, ok := c["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				r.Tags = append(r.Tags, s)
			}
		}
	}
	r.Security, _ = c["security"].(bool)
	switch v := c["security_severity"].(type) {
	case float64:
		r.SecuritySeverity = v
	case int:
		r.SecuritySeverity = float64(v)
	}
	r.NotSuppressible, _ = c["not_suppressible"].(bool)
	if ps, ok := c["params"].([]any); ok {
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			name, _ := pm["name"].(string)
			desc, _ := pm["description"].(string)
			if name == "" {
				return r, true, fmt.Errorf("%s: a METADATA parameter has no name", m.name)
			}
			prm := catalog.Param{Name: name, Default: pm["default"], Description: desc}
			prm.Why, _ = pm["why"].(string)
			for key, bound := range map[string]**float64{"minimum": &prm.Minimum, "maximum": &prm.Maximum} {
				if b, set := pm[key]; set {
					n, isNum := number(b)
					if !isNum {
						return r, true, fmt.Errorf("%s: METADATA parameter %s: %s must be a number", m.name, name, key)
					}
					*bound = &n
				}
			}
			if err := prm.Check(prm.Default); pm["default"] != nil && err != nil {
				return r, true, fmt.Errorf("%s: METADATA parameter %s: default: %w", m.name, name, err)
			}
			r.Params = append(r.Params, prm)
		}
	}
	if err := r.Validate(); err != nil {
		return r, true, fmt.Errorf("%s: METADATA: %w", m.name, err)
	}
	return r, true, nil
}

// conftestRules lists the deny/warn/violation rule names of a plain conftest policy module.
func conftestRules(m module) []string {
	pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
	if strings.HasPrefix(pkg, "tollgate.") {
		return nil
	}
	var names []string
	for _, r := range m.ast.Rules {
		n := r.Head.Name.String()
		if n == "" && len(r.Head.Reference) > 0 {
			n = r.Head.Reference[0].Value.String()
		}
		for _, p := range []string{"deny", "warn", "violation"} {
			if n == p || strings.HasPrefix(n, p+"_") {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// Catalog returns every rule tollgate knows, without compiling anything: the built-in rules,
// the bundled ones and those of the policies in userDirs, as an engine built from them lists
// them (Engine.Rules). `tollgate rules`, `explain` and the docs read it.
func Catalog(userDirs []string) (*catalog.Catalog, error) {
	mods, err := Bundled(false)
	if err != nil {
		return nil, err
	}
	for _, d := range userDirs {
		um, err := UserDir(d, false)
		if err != nil {
			return nil, err
		}
		mods = append(mods, um...)
	}
	set, err := declaredRules(mods)
	if err != nil {
		return nil, err
	}
	cat := catalog.New()
	for _, r := range set.catalog() {
		if err := cat.Add(r); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

// ruleSet is every rule a set of modules declares: the one place that reads rule metadata,
// for the catalog, the engine and the test runner alike.
type ruleSet struct {
	rules    []declared // tollgate-contract rules, sorted by ID
	conftest []declared // plain conftest rules, sorted by ID, each once
}

// declared is one rule and where it lives.
type declared struct {
	rule catalog.Rule
	pkg  string // e.g. tollgate.rules.passcode_min_length, or main
	name string // the conftest rule's name (deny, warn_x, ...), "" for tollgate rules
	file string // the module's display path
}

// declaredRules reads the rules of mods. A rule id used by two packages is an error; a second
// file of the same package adds nothing.
func declaredRules(mods []module) (ruleSet, error) {
	var set ruleSet
	seen := map[string]string{}
	for _, m := range mods {
		r, isRule, err := ruleMeta(m)
		if err != nil {
			return set, err
		}
		if !isRule {
			continue
		}
		pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
		if prev, ok := seen[r.ID]; ok && prev != pkg {
			return set, fmt.Errorf("%s: rule id %q is already used by package %s", m.name, r.ID, prev)
		}
		if _, ok := seen[r.ID]; ok {
			continue // a second file of the same package
		}
		seen[r.ID] = pkg
		set.rules = append(set.rules, declared{rule: r, pkg: pkg, file: m.name})
	}
	for _, m := range mods {
		for _, name := range conftestRules(m) {
			pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
			set.conftest = append(set.conftest, declared{rule: conftestRule(m, name), pkg: pkg, name: name, file: m.name})
		}
	}
	byID := func(a, b declared) int { return strings.Compare(a.rule.ID, b.rule.ID) }
	slices.SortFunc(set.rules, byID)
	slices.SortFunc(set.conftest, byID)
	set.conftest = slices.CompactFunc(set.conftest, func(a, b declared) bool { return a.rule.ID == b.rule.ID })
	return set, nil
}

// catalog lists the rules: the tollgate rules, then the conftest rules.
func (s ruleSet) catalog() []catalog.Rule {
	var out []catalog.Rule
	for _, d := range append(slices.Clone(s.rules), s.conftest...) {
		out = append(out, d.rule)
	}
	return out
}

// params are the parameters of every tollgate rule, as data.tollgate.params holds them: the
// METADATA defaults, overridden by opts.Params. A value a rule that runs refuses is a
// *ParamError.
func (s ruleSet) params(opts Options) (map[string]any, error) {
	params := map[string]any{}
	for _, d := range s.rules {
		r := d.rule
		p := map[string]any{}
		for _, prm := range r.Params {
			p[prm.Name] = prm.Default
		}
		if opts.Params != nil {
			for k, v := range opts.Params(r.ID) {
				p[k] = v
			}
		}
		if opts.Enabled == nil || opts.Enabled(r.ID) {
			for _, prm := range r.Params {
				if err := prm.Check(p[prm.Name]); err != nil {
					return nil, &ParamError{Rule: r.ID, Err: err}
				}
			}
		}
		params[r.ID] = p
	}
	return params, nil
}

// conftestRule is the catalog entry of a plain conftest rule: deny/violation are errors, warn
// warnings.
func conftestRule(m module, name string) catalog.Rule {
	pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
	sev := finding.Error
	if strings.HasPrefix(name, "warn") {
		sev = finding.Warning
	}
	return catalog.Rule{ID: conftestID(pkg, name), Title: "conftest policy " + pkg + "." + name, Severity: sev, Category: "user",
		Description: fmt.Sprintf("The %s rule of the conftest policy package %s (%s).", name, pkg, m.name), Source: m.origin}
}

// conftestID names a conftest rule in kebab case: conftest/main/deny-no-root.
func conftestID(pkg, name string) string {
	s := "conftest/" + strings.ReplaceAll(pkg, ".", "/") + "/" + name
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}

// number is a METADATA number (YAML gives int or float64).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
