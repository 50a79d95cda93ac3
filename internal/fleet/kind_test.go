package fleet

import "testing"

// The names are part of the policy contract: input.teams[_].kind and input.era
// (docs/policies.md).
func TestKindAndEraNames(t *testing.T) {
	kinds := map[Kind]string{KindGlobal: "global", KindTeam: "team", KindUnassigned: "unassigned", KindPackageFile: "package"}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
	eras := map[Era]string{EraTeams: "teams", EraFleets: "fleets"}
	for e, want := range eras {
		if got := e.String(); got != want {
			t.Errorf("Era(%d).String() = %q, want %q", int(e), got, want)
		}
	}
}
