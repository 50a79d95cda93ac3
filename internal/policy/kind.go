package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Repository kinds a rule is written for (METADATA custom.kind). A rule reads the input of its
// kind only: a Fleet rule never sees a Kubernetes repository's documents, nor the reverse.
const (
	KindFleet      = ""           // the default: no custom.kind, or "fleet"
	KindKubernetes = "kubernetes" // input.kind == "kubernetes" (docs/policies.md)
)

// moduleKind is the kind a rule package's METADATA declares.
func moduleKind(m module) (string, error) {
	for _, a := range m.ast.Annotations {
		if a.Scope != "package" && a.Scope != "subpackages" {
			continue
		}
		k, _ := a.Custom["kind"].(string)
		switch strings.ToLower(k) {
		case "", "fleet":
			return KindFleet, nil
		case KindKubernetes:
			return KindKubernetes, nil
		}
		return "", fmt.Errorf("%s: METADATA custom.kind %q: want fleet or kubernetes", m.name, k)
	}
	return KindFleet, nil
}

// kindsOf maps each rule package to its kind.
func kindsOf(mods []module) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range mods {
		k, err := moduleKind(m)
		if err != nil {
			return nil, err
		}
		pkg := strings.TrimPrefix(m.ast.Package.Path.String(), "data.")
		if k != KindFleet || out[pkg] == "" {
			out[pkg] = k
		}
	}
	return out, nil
}

// ConftestID is the rule ID of a plain conftest policy's rule: conftest/<package>/<rule> in
// kebab case (conftest/main/deny-no-root), whichever kind runs it.
func ConftestID(pkg, name string) string { return conftestID(pkg, name) }

// ConftestCapabilities are the capabilities plain conftest policies compile with in this
// sandbox (internal/conftest): what tollgate's rules may call, less the builtins that reach a
// host even when the sandbox allows them, since internal/conftest has no host check of its own.
func (s Sandbox) ConftestCapabilities() (*ast.Capabilities, error) {
	c, _, err := s.capabilities()
	if err != nil {
		return nil, err
	}
	c.Builtins = slices.DeleteFunc(slices.Clone(c.Builtins), func(b *ast.Builtin) bool { return slices.Contains(hostBuiltins, b.Name) })
	return c, nil
}
