package report

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// TestPlanHoldsPlurals: what a team added or deleted holds is counted in English, each kind with
// its own plural (not "policys", "querys", "softwares").
func TestPlanHoldsPlurals(t *testing.T) {
	for _, c := range []struct {
		holds map[string]any
		want  string
	}{
		{map[string]any{diff.KindPolicy: 2, diff.KindQuery: 3, diff.KindSoftware: 4}, `+ team "Servers" (new team: 2 policies, 3 queries, 4 software titles)`},
		{map[string]any{diff.KindPolicy: 1, diff.KindQuery: 1, diff.KindSoftware: 1}, `+ team "Servers" (new team: 1 policy, 1 query, 1 software title)`},
		{map[string]any{diff.KindProfile: 2, diff.KindScript: 2, diff.KindSecret: 2, diff.KindLabel: 2},
			`+ team "Servers" (new team: 2 labels, 2 profiles, 2 scripts, 2 secrets)`},
		{map[string]any{}, `+ team "Servers" (new team)`},
	} {
		ch := diff.Change{Kind: diff.KindTeam, Action: diff.Added, Team: "Servers", Name: "Servers", Facts: map[string]any{"holds": c.holds}}
		if got := changeLine(ch); got != c.want {
			t.Errorf("changeLine(%v)\n got %s\nwant %s", c.holds, got, c.want)
		}
	}
	removed := diff.Change{Kind: diff.KindTeam, Action: diff.Removed, Team: "Servers", Name: "Servers",
		Facts: map[string]any{"holds": map[string]any{diff.KindPolicy: 5}}}
	if got, want := changeLine(removed), `- team "Servers" (team deleted with everything it holds: 5 policies)`; got != want {
		t.Errorf("changeLine of a deleted team\n got %s\nwant %s", got, want)
	}
}

// TestKindPlurals: every kind the diff knows has its plural here, so a new kind can't fall back
// to an "s" added blindly.
func TestKindPlurals(t *testing.T) {
	for _, k := range []string{diff.KindTeam, diff.KindProfile, diff.KindScript, diff.KindPolicy, diff.KindQuery,
		diff.KindSoftware, diff.KindLabel, diff.KindSecret, diff.KindSetting} {
		if _, ok := kindNouns[k]; !ok {
			t.Errorf("kind %q has no plural in kindNouns", k)
		}
	}
}
