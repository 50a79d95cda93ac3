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

// Catalog returns the metadata of the bundled rules and of the rules in userDirs, without
// compiling anything (for `tollgate rules`, `explain` and the docs).
func Catalog(userDirs []string) ([]catalog.Rule, error) {
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
	var out []catalog.Rule
	seen := map[string]bool{}
	for _, m := range mods {
		r, isRule, err := ruleMeta(m)
		if err != nil {
			return nil, err
		}
		if isRule && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out, nil
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
