package lint

import (
	"context"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// baseKnown lints the base commit (lint --base REF --new-only) and counts its findings by
// fingerprint. The base is read from git objects by the same loader and checked by the same
// compiled stages as the working tree: the head's configuration, rules and date, so the two
// sides differ only in the repository and a finding is new because of the change, not because
// a rule or its parameters changed with it. The base's own suppressions apply to it.
// It returns the base commit as the plan's header names it.
func baseKnown(ctx context.Context, st *stages, root string, targets, headEntries []string, cat *catalog.Catalog, now time.Time) (map[string]int, string, error) {
	tree, err := gitsrc.Open(ctx, root, st.opts.Base)
	if err != nil {
		return nil, "", err
	}
	defer tree.Close()
	name := st.opts.Base + " (" + short(tree.Commit) + ")"
	entries, err := baseEntries(tree, root, targets, headEntries)
	if err != nil || len(entries) == 0 {
		return map[string]int{}, name, err
	}
	base := *st // the compiled schemas and rules, shared; nothing of the head's run
	base.opts.source, base.opts.Base, base.opts.Head = tree, "", ""
	base.change, base.budget = nil, nil
	if st.fleet != nil {
		base.fleet = &fleetTarget{version: st.fleet.version, table: st.fleet.table, isDir: dirIn(tree, root)}
	}
	o, err := openRepo(tree, root, entries, base.workers, nil)
	if err != nil {
		return nil, name, err
	}
	repo, found, sups, err := base.check(ctx, root, entries, o, true)
	defer base.budget.stop() // the head's run sets its own
	if err != nil {
		return nil, name, err
	}
	found = finish(found, sups, repo, st.cfg, cat, now, fleetSource(repo))
	known := map[string]int{}
	_, prints := knownCandidates(found, contentOf(repo), cat)
	for _, p := range prints {
		known[p]++
	}
	return known, name, nil
}

// dirIn tells the directories of a commit's tree by their path in the working tree.
func dirIn(tree *gitsrc.Tree, root string) func(string) bool {
	return func(abs string) bool {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return false
		}
		f, err := tree.Open(filepath.ToSlash(rel))
		if err != nil {
			return false
		}
		defer f.Close()
		fi, err := f.Stat()
		return err == nil && fi.IsDir()
	}
}

// baseEntries are the base's entry files as the working tree's targets name them: the
// directory's, discovered in the base, or the same entry files where the base has them. A
// base where none can be found (the directory did not exist yet, or held no entry file) has
// none: every finding is then new, the safe side of not knowing.
func baseEntries(tree *gitsrc.Tree, root string, targets, headEntries []string) ([]string, error) {
	if len(targets) <= 1 {
		dir := "."
		if len(targets) == 1 {
			dir = targets[0]
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		if isDir(abs) {
			entries, err := load.DiscoverIn(tree, root, abs)
			if err != nil {
				return nil, nil
			}
			return entries, nil
		}
	}
	var out []string
	for _, e := range headEntries {
		abs, err := filepath.Abs(e)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil, err
		}
		if _, err := tree.Lstat(filepath.ToSlash(rel)); err == nil {
			out = append(out, filepath.Join(root, rel))
		}
	}
	return out, nil
}

// short is a commit as the plan's header shows it.
func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}
