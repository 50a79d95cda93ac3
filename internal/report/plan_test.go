package report

import (
	"fmt"
	"strings"
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

// TestPlanMarkdownLimit: however many teams change, the Markdown plan stays under GitHub's
// comment limit (with room for the action's tag line), the summary table included, and says
// what it left out.
func TestPlanMarkdownLimit(t *testing.T) {
	for _, teams := range []int{1, 300, 5000} {
		res := &diff.Result{Base: diff.Side{Rev: "main", Commit: strings.Repeat("a", 40)}}
		for i := range teams {
			team := fmt.Sprintf("Team number %05d with a long name for its table row", i)
			for j := range 3 {
				res.Changes = append(res.Changes, diff.Change{Kind: diff.KindPolicy, Action: diff.Removed, Team: team, TeamFile: fmt.Sprintf("teams/t%05d.yml", i),
					Name: fmt.Sprintf("policy %d of the team", j), Base: &diff.Position{File: fmt.Sprintf("teams/t%05d.yml", i), Line: 3 + j}})
			}
		}
		var b strings.Builder
		if err := (planMarkdown{limit: MarkdownCommentLimit}).ReportPlan(&b, res); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		const room = 100 // the action adds a line naming its comment
		if n := len(out); n > MarkdownCommentLimit-room {
			t.Errorf("%d teams: the plan is %d bytes, over GitHub's limit less %d", teams, n, room)
		}
		if !strings.HasPrefix(out, PlanMarker+"\n") || !strings.Contains(out, "**3 to remove**") && teams == 1 {
			t.Errorf("%d teams: no marker or summary:\n%.300s", teams, out)
		}
		if teams == 5000 && (!strings.Contains(out, "more teams") || !strings.Contains(out, "are not shown")) {
			t.Errorf("%d teams: the cut is not said:\n%s", teams, out[len(out)-600:])
		}
	}
}
