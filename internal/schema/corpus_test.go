package schema

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// TestCorpora checks every entry file (with its includes spliced in) and every package file
// of the real repositories: they are what Fleet accepts, so none may give an error.
func TestCorpora(t *testing.T) {
	corporaDir := sharedtest.Corpora(t)
	v := bundledValidator(t)
	repos, _ := filepath.Glob(filepath.Join(corporaDir, "*"))
	checked := 0
	for _, repo := range repos {
		if fi, err := os.Stat(repo); err != nil || !fi.IsDir() {
			continue
		}
		var entries []string
		if _, err := os.Stat(filepath.Join(repo, "default.yml")); err == nil {
			entries = append(entries, filepath.Join(repo, "default.yml"))
		}
		for _, d := range []string{"teams", "fleets"} {
			m, _ := filepath.Glob(filepath.Join(repo, d, "*.yml"))
			entries = append(entries, m...)
		}
		sort.Strings(entries)
		era := fleet.EraTeams
		if _, err := os.Stat(filepath.Join(repo, "fleets")); err == nil {
			era = fleet.EraFleets
		}
		for _, f := range entries {
			rel := strings.TrimPrefix(f, corporaDir+"/")
			t.Run(rel, func(t *testing.T) {
				doc, pkgs := composite(t, f, era)
				report(t, v.Validate(kindOfDoc(doc), era, doc))
				for _, p := range pkgs {
					report(t, v.Validate(fleet.KindPackageFile, era, readYAML(t, p)))
				}
				checked++
			})
		}
	}
	if checked < 10 {
		t.Fatalf("only %d entry files checked", checked)
	}
}

func report(t *testing.T, issues []Issue) {
	t.Helper()
	for _, is := range issues {
		// A $VAR where a list or mapping belongs is an error only when quoted; the lint stage
		// decides that from the YAML node (internal/lint's corpus test covers it).
		if is.EnvRef {
			continue
		}
		if is.Severity == finding.Error {
			t.Errorf("%s: %s [%s] %s", dotted(is.Path), is.Message, is.RuleID, is.Hint)
		} else {
			t.Logf("%s: %s: %s [%s] %s", is.Severity, dotted(is.Path), is.Message, is.RuleID, is.Hint)
		}
	}
}
