package lint

import (
	"github.com/tollgate-dev/tollgate/internal/baseline"
	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// Known findings are those a repository already had: its base commit's (lint --new-only) or
// a baseline file's. They are matched by fingerprint (identity.go), one for one: a base with
// two findings of one fingerprint hides two of the head's, and a third is new.

// changeCategory is the rule category of the rules on a change (their METADATA says so).
const changeCategory = "change"

// alwaysReported tells the findings that neither a baseline nor --new-only hides: what
// tollgate could not check (a file it could not read, a rule that failed, an internal error:
// the check did not pass, so it is never old debt), the rules that can't be suppressed, and
// the findings on the change under review, which no base or baseline can hold.
func alwaysReported(f finding.Finding, cat *catalog.Catalog) bool {
	switch f.RuleID {
	case catalog.InternalError, catalog.PolicyError, catalog.YAMLSyntax, catalog.FileInvalid:
		return true
	}
	r, ok := cat.Get(f.RuleID)
	return ok && (r.NotSuppressible || r.Category == changeCategory)
}

// knownCandidates are the findings a baseline may hold, with their fingerprints.
func knownCandidates(fs []finding.Finding, content func(string) []byte, cat *catalog.Catalog) ([]finding.Finding, []string) {
	var cands []finding.Finding
	for _, f := range fs {
		if !alwaysReported(f, cat) {
			cands = append(cands, f)
		}
	}
	return cands, fingerprints(cands, content)
}

// contentOf reads a file of the repository as it was checked.
func contentOf(repo *load.Repo) func(string) []byte {
	return func(file string) []byte {
		if repo == nil {
			return nil
		}
		if f := repo.File(file); f != nil {
			return f.Content()
		}
		return nil
	}
}

// baselineOf records the findings a baseline holds.
func baselineOf(fs []finding.Finding, content func(string) []byte, cat *catalog.Catalog) *baseline.File {
	b := &baseline.File{Version: baseline.Version}
	cands, prints := knownCandidates(fs, content, cat)
	for i, f := range cands {
		b.Add(f.RuleID, f.Location.File, prints[i])
	}
	return b
}

// dropKnown removes the findings that known counts, taking one count for each, and returns
// how many it removed; the counts left are known findings the repository no longer has.
// Findings in report order are matched in that order: of three copies against two known, the
// last is the new one.
func dropKnown(fs []finding.Finding, content func(string) []byte, cat *catalog.Catalog, known map[string]int) ([]finding.Finding, int) {
	cands, prints := knownCandidates(fs, content, cat)
	drop := make(map[int]bool) // index in cands
	for i := range cands {
		if known[prints[i]] > 0 {
			known[prints[i]]--
			drop[i] = true
		}
	}
	if len(drop) == 0 {
		return fs, 0
	}
	out := make([]finding.Finding, 0, len(fs)-len(drop))
	c := 0
	for _, f := range fs {
		if alwaysReported(f, cat) {
			out = append(out, f)
			continue
		}
		if !drop[c] {
			out = append(out, f)
		}
		c++
	}
	return out, len(drop)
}
