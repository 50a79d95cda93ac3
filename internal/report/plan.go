package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// A PlanReporter writes what a merge changes (tollgate diff): text like `terraform plan`, JSON,
// or Markdown for a pull-request comment or a job summary. One file per format, as for findings.
type PlanReporter interface {
	ReportPlan(w io.Writer, res *diff.Result) error
}

var planConstructors = map[string]func(Options) PlanReporter{
	"text":     func(o Options) PlanReporter { return planText{color: o.Color} },
	"json":     func(Options) PlanReporter { return planJSON{} },
	"markdown": func(Options) PlanReporter { return planMarkdown{limit: MarkdownCommentLimit} },
}

// PlanFormats returns the valid plan format names, sorted.
func PlanFormats() []string {
	var names []string
	for n := range planConstructors {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewPlan returns the plan reporter for format; an unknown name is an error, never a fallback.
func NewPlan(format string, opts Options) (PlanReporter, error) {
	c, ok := planConstructors[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (valid formats: %s)", format, strings.Join(PlanFormats(), ", "))
	}
	return c(opts), nil
}

// planGroup is one team's (or the organisation's) changes, in the order diff.Sort gives.
type planGroup struct {
	team    string
	file    string // the team's file, from its changes
	changes []diff.Change
}

func groupChanges(cs []diff.Change) []planGroup {
	var out []planGroup
	for _, c := range cs {
		if n := len(out); n == 0 || out[n-1].team != c.Team {
			out = append(out, planGroup{team: c.Team})
		}
		g := &out[len(out)-1]
		g.changes = append(g.changes, c)
		if g.file == "" {
			g.file = c.TeamFile
		}
	}
	return out
}

// groupTitle names a group for people.
func groupTitle(g planGroup) string {
	if ns, ok := strings.CutPrefix(g.team, "kubernetes:"); ok { // internal/kubelint's changes
		if ns == "" {
			return "Kubernetes objects without a namespace"
		}
		return fmt.Sprintf("Kubernetes namespace %q", ns)
	}
	if g.team == "" {
		return "Organisation settings"
	}
	if g.team == diff.NoTeam {
		return "Hosts with no team"
	}
	return fmt.Sprintf("Team %q", g.team)
}

// planSummary is "2 to remove, 1 to change, 3 to add, 1 renamed" or "no changes".
func planSummary(c diff.Counts) string {
	var parts []string
	if c.Removed > 0 {
		parts = append(parts, fmt.Sprintf("%d to remove", c.Removed))
	}
	if c.Changed > 0 {
		parts = append(parts, fmt.Sprintf("%d to change", c.Changed))
	}
	if c.Added > 0 {
		parts = append(parts, fmt.Sprintf("%d to add", c.Added))
	}
	if c.Renamed > 0 {
		parts = append(parts, fmt.Sprintf("%d renamed", c.Renamed))
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// changeLine is one change in one line: its sign, kind and name, and what it is.
func changeLine(c diff.Change) string {
	sign := map[string]string{diff.Added: "+", diff.Removed: "-", diff.Changed: "~", diff.Renamed: "~"}[c.Action]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", sign, c.Kind, oneLine(quoteName(c)))
	switch {
	case c.Action == diff.Renamed:
		fmt.Fprintf(&b, " (renamed from %s)", oneLine(fmt.Sprintf("%q", c.From)))
	case c.Kind == diff.KindTeam && c.Action == diff.Removed:
		b.WriteString(" (team deleted with everything it holds" + holdsText(c) + ")")
	case c.Kind == diff.KindTeam && c.Action == diff.Added:
		b.WriteString(" (new team" + holdsText(c) + ")")
	case c.Detail != "":
		fmt.Fprintf(&b, " (%s)", oneLine(c.Detail))
	}
	if c.Kind == diff.KindSetting && len(c.Fields) == 1 {
		fmt.Fprintf(&b, ": %s → %s", oneLine(c.Fields[0].Old), oneLine(c.Fields[0].New))
	}
	return b.String()
}

// quoteName quotes a name, except a setting's dotted path.
func quoteName(c diff.Change) string {
	if c.Kind == diff.KindSetting {
		return c.Name
	}
	return fmt.Sprintf("%q", c.Name)
}

func holdsText(c diff.Change) string {
	holds, _ := c.Facts["holds"].(map[string]any)
	var kinds []string
	for k := range holds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		if n, ok := holds[k].(int); ok {
			parts = append(parts, countKind(n, k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// kindNouns are each kind's noun, singular and plural, for counts ("2 policies"). Software is
// counted in titles, Fleet's word for a package, an App Store app or a Fleet-maintained app.
var kindNouns = map[string][2]string{
	diff.KindTeam:     {"team", "teams"},
	diff.KindProfile:  {"profile", "profiles"},
	diff.KindScript:   {"script", "scripts"},
	diff.KindPolicy:   {"policy", "policies"},
	diff.KindQuery:    {"query", "queries"},
	diff.KindSoftware: {"software title", "software titles"},
	diff.KindLabel:    {"label", "labels"},
	diff.KindSecret:   {"secret", "secrets"},
	diff.KindSetting:  {"setting", "settings"},
}

// countKind is "1 policy", "3 queries"; a kind without a noun here is named as it is.
func countKind(n int, kind string) string {
	nouns, ok := kindNouns[kind]
	switch {
	case !ok:
		return fmt.Sprintf("%d %s", n, kind)
	case n == 1:
		return "1 " + nouns[0]
	}
	return fmt.Sprintf("%d %s", n, nouns[1])
}

// fieldLines are the changed values of a change other than a setting, one per line.
func fieldLines(c diff.Change) []string {
	if c.Kind == diff.KindSetting {
		return nil
	}
	var out []string
	for _, f := range c.Fields {
		out = append(out, fmt.Sprintf("%s: %s → %s", oneLine(f.Path), oneLine(f.Old), oneLine(f.New)))
	}
	return out
}

// where is the position a reviewer looks at: the head's line, or for a removal the list it
// left and where it was in the base.
func where(c diff.Change) string {
	switch {
	case c.Action == diff.Removed && c.Base != nil && c.Head != nil:
		return fmt.Sprintf("from %s:%d (was %s:%d)", c.Head.File, c.Head.Line, c.Base.File, c.Base.Line)
	case c.Action == diff.Removed && c.Base != nil:
		return fmt.Sprintf("was %s:%d", c.Base.File, c.Base.Line)
	case c.Head != nil:
		return fmt.Sprintf("%s:%d", c.Head.File, c.Head.Line)
	}
	return ""
}

// problemsLine warns that a side could not be read in full.
func problemsLine(name string, s diff.Side) string {
	if len(s.Problems) == 0 {
		return ""
	}
	first := s.Problems[0]
	return fmt.Sprintf("%s has %s: what could not be read is left out of this plan (first: %s:%d: %s)",
		name, plural(len(s.Problems), "error"), first.Location.File, first.Location.Start.Line, first.Message)
}
