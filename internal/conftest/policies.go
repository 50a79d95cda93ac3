package conftest

import (
	"context"
	"io/fs"
	"path"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Policies are the plain conftest policies of policy directories: modules conftest itself
// would run, not those written to tollgate's contract (package tollgate.* or an import of
// data.tollgate), which tollgate's own engine runs.
type Policies struct {
	modules map[string]*ast.Module // file name → module
}

// Read adds the plain conftest policies under fsys (its .rego files, tests left out), named
// dir/<path>. A file is parsed as Rego v1, or v0 when only that parses.
func (p *Policies) Read(dir string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(file, ".rego") || strings.HasSuffix(file, "_test.rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		name := path.Join(dir, file)
		m, err := ParseModule(name, src, ast.RegoV1)
		if err != nil {
			if m0, err0 := ParseModule(name, src, ast.RegoV0); err0 == nil {
				m, err = m0, nil
			}
		}
		if err != nil {
			return err
		}
		if plain(m) {
			if p.modules == nil {
				p.modules = map[string]*ast.Module{}
			}
			p.modules[name] = m
		}
		return nil
	})
}

// plain: a module conftest itself would run, not one written to tollgate's contract.
func plain(m *ast.Module) bool {
	if strings.HasPrefix(m.Package.Path.String(), "data.tollgate.") {
		return false
	}
	for _, imp := range m.Imports {
		if strings.HasPrefix(imp.Path.String(), "data.tollgate") {
			return false
		}
	}
	return true
}

// HasRules reports whether some module has a deny, violation or warn rule (or a prefixed
// form): without one there is nothing to check.
func (p *Policies) HasRules() bool {
	for _, m := range p.modules {
		for _, r := range m.Rules {
			n := r.Head.Name.String()
			if n == "" && len(r.Head.Reference) > 0 {
				n = r.Head.Reference[0].Value.String()
			}
			for _, prefix := range []string{"deny", "warn", "violation"} {
				if n == prefix || strings.HasPrefix(n, prefix+"_") {
					return true
				}
			}
		}
	}
	return false
}

// Compile compiles the policies with opts (New).
func (p *Policies) Compile(ctx context.Context, opts Options) (*Engine, error) {
	return New(ctx, p.modules, opts)
}
