package policy

import (
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/tollgate-dev/tollgate/internal/oscatalog"
)

// osVersionStatus is `tollgate.os_version_status(platform, version)`: the OS catalog's verdict
// on a minimum_version, computed in Go so bundled and user rules share one implementation of
// "released", "unreleased" and "newer than a stale catalog". It returns an object:
// {kind, severity, message, version, latest, latest_in_major, release_date, listed, catalog_date}.
var osVersionStatus = &ast.Builtin{
	Name:        "tollgate.os_version_status",
	Description: "classifies an Apple OS version against tollgate's OS catalog",
	Decl: types.NewFunction(
		types.Args(types.Named("platform", types.S), types.Named("version", types.S)),
		types.Named("verdict", types.NewObject(nil, types.NewDynamicProperty(types.S, types.A))),
	),
}

// builtins returns the declarations for the compiler and the implementations for queries.
func builtins(cat *oscatalog.Catalog, now time.Time) (map[string]*ast.Builtin, []func(*rego.Rego)) {
	if cat == nil {
		cat = oscatalog.Embedded()
	}
	impl := rego.Function2(&rego.Function{Name: osVersionStatus.Name, Decl: osVersionStatus.Decl, Memoize: true},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			platform, ok1 := a.Value.(ast.String)
			version, ok2 := b.Value.(ast.String)
			if !ok1 || !ok2 {
				return nil, nil // undefined for non-strings: the format rule reports those
			}
			v := cat.Status(string(platform), string(version), now)
			var release any
			if v.ReleaseDate != nil {
				release = v.ReleaseDate.Format(time.DateOnly)
			}
			val, err := ast.InterfaceToValue(map[string]any{
				"kind": string(v.Kind), "severity": v.Severity.String(), "message": v.Message,
				"version": v.Version, "latest": v.Latest, "latest_in_major": v.LatestInMajor,
				"release_date": release, "listed": v.Listed, "catalog_date": v.CatalogDate,
			})
			if err != nil {
				return nil, err
			}
			return ast.NewTerm(val), nil
		})
	return map[string]*ast.Builtin{osVersionStatus.Name: osVersionStatus}, []func(*rego.Rego){impl}
}
