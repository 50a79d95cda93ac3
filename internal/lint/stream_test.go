package lint

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// streamRepos are repositories with shared includes, package files used by several teams,
// team-name clashes, suppressions and env references: what crosses batch boundaries.
func streamRepos(t *testing.T) []string {
	var out []string
	for _, c := range sharedtest.CorpusDirs(t) {
		if dirs, err := load.Discover(c); err == nil && len(dirs) > 0 {
			out = append(out, c)
		}
	}
	// shared-include: one lib file included by zeta.yml (first team) at policies[0] and by
	// no-team.yml (last) at policies[1]; its finding's data path depends on which copy is kept.
	return append(out, "../../testdata/stream/shared-include", "../../testdata/examples/mistakes", "../../testdata/rules/team-name-duplicate/bad",
		"../../testdata/rules/software-package-scripts/bad", "../../testdata/rules/secret-plaintext/bad")
}

// lintWith runs the pipeline with a batch size and, optionally, facts to start from.
func lintWith(t *testing.T, dir string, batch int, facts func([]load.EntryFacts) []load.EntryFacts, retry bool) []string {
	t.Helper()
	ctx := context.Background()
	entries, root, err := resolveTargets([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig("", entries, root)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Workers: 2}
	cat := catalog.New()
	st, err := newStages(ctx, opts, cfg, cat)
	if err != nil {
		t.Fatal(err)
	}
	st.batch = batch
	var known []load.EntryFacts
	if facts != nil {
		exact := make([]load.EntryFacts, len(entries))
		repo, abs, err := load.Open(load.Options{Root: root, Entries: entries})
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range abs {
			e, _, _, _ := repo.LoadEntry(a)
			exact[i] = load.FactsOf(e)
		}
		known = facts(exact)
	}
	repo, fs, sups, err := st.runStream(ctx, root, entries, known, retry)
	if err != nil {
		t.Fatal(err)
	}
	// Every file read was scanned (env references, secrets, suppressions) by some batch.
	for _, f := range repo.Files() {
		if !f.Claimed() {
			t.Errorf("%s was read but no batch scanned it", f.Path)
		}
	}
	return render(postProcess(fs, sups, nil, cfg, cat))
}

func render(fs []finding.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s:%d:%d-%d:%d %s %s %s [path %s, source %s, hint %s]", f.Location.File, f.Location.Start.Line,
			f.Location.Start.Column, f.Location.End.Line, f.Location.End.Column, f.Severity, f.RuleID, f.Message,
			f.Location.Path, f.Source, f.Hint)
	}
	return out
}

// Checking a batch at a time gives the same findings whatever the batch size: files shared by
// teams in different batches are scanned once, cross-file facts are complete in every batch.
func TestStreamBatchSizeDoesNotMatter(t *testing.T) {
	total := 0
	for _, dir := range streamRepos(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			whole := lintWith(t, dir, 1<<20, nil, true)
			total += len(whole)
			for _, size := range []int{1, 2, 3, 0} { // 0: cut by the YAML read, as the CLI does
				if got := lintWith(t, dir, size, nil, true); !slices.Equal(got, whole) {
					t.Errorf("batch size %d:\n%s\nwant (one batch):\n%s", size, fmt.Sprint(got), fmt.Sprint(whole))
				}
			}
		})
	}
	if total < 50 {
		t.Errorf("only %d findings over all repositories: the comparisons prove little", total)
	}
}

// When the first pass got a fact wrong (a team's name or kind), the files read in full say so
// and the run starts again with the exact facts: findings never depend on the shortcut.
func TestStreamWrongFactsAreCorrected(t *testing.T) {
	wrong := func(exact []load.EntryFacts) []load.EntryFacts {
		out := slices.Clone(exact)
		for i := range out {
			if out[i].Kind != fleet.KindGlobal {
				out[i].Name = "Same Wrong Name" // every team clashes with every other
			}
		}
		return out
	}
	for _, dir := range streamRepos(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			want := lintWith(t, dir, 2, nil, true)
			if got := lintWith(t, dir, 2, wrong, true); !slices.Equal(got, want) {
				t.Errorf("with wrong facts and a retry:\n%s\nwant:\n%s", fmt.Sprint(got), fmt.Sprint(want))
			}
		})
	}
	// Without the retry the wrong facts show: the comparison above can fail.
	dir := "../../testdata/examples/mistakes"
	if got, want := lintWith(t, dir, 2, wrong, false), lintWith(t, dir, 2, nil, true); slices.Equal(got, want) {
		t.Errorf("wrong facts without a retry changed nothing on %s; the retry test proves nothing", dir)
	}
}
