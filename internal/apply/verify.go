package apply

import (
	"context"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/load"
)

// FileDigest is a file read at check time and the sha256 of the bytes read.
type FileDigest struct {
	Path   string `json:"path"` // repository-relative, forward slashes
	SHA256 string `json:"sha256"`
}

// Snapshot lists every file the check read, sorted by path. A file too large to be read has an
// empty digest.
func Snapshot(repo *load.Repo) []FileDigest {
	files := repo.Files()
	out := make([]FileDigest, 0, len(files))
	for _, f := range files {
		out = append(out, FileDigest{Path: f.Path, SHA256: f.Digest})
	}
	return out
}

// Change is a difference between the files checked and the files about to be applied.
type Change struct {
	Path   string `json:"path"`
	Change string `json:"change"` // "modified", "deleted", "added" or "unverified"
}

func (c Change) String() string { return c.Path + " (" + c.Change + ")" }

// Diff compares two snapshots: files whose content differs ("modified"), that are gone or no
// longer readable ("deleted"), that are newly reached, e.g. by a `paths:` glob or a new team file
// ("added"), and files whose content was never hashed because they were over the size limit
// ("unverified"). Sorted by path; empty means the files applied are the files checked.
func Diff(before, after []FileDigest) []Change {
	now := make(map[string]string, len(after))
	for _, f := range after {
		now[f.Path] = f.SHA256
	}
	var out []Change
	seen := map[string]bool{}
	for _, f := range before {
		seen[f.Path] = true
		d, ok := now[f.Path]
		switch {
		case !ok:
			out = append(out, Change{f.Path, "deleted"})
		case f.SHA256 == "" || d == "":
			out = append(out, Change{f.Path, "unverified"})
		case d != f.SHA256:
			out = append(out, Change{f.Path, "modified"})
		}
	}
	for _, f := range after {
		if !seen[f.Path] {
			out = append(out, Change{f.Path, "added"})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// Recheck reads the repository again as Recheck does, from the entry files as they are now:
// discovered again in DiscoverIn when they were discovered (a team file added since the check,
// by the dry run for one, is "added"; one removed is "deleted"), else the entry files given.
func (p *Plan) Recheck(ctx context.Context, root string, before []FileDigest) ([]Change, error) {
	entries := p.Entries
	if p.DiscoverIn != "" {
		found, err := load.Discover(p.DiscoverIn)
		if err != nil {
			return nil, err
		}
		entries = found
	}
	return Recheck(ctx, root, entries, before)
}

// Recheck reads the repository again from its entry files, exactly as the check did (every
// include, glob, profile and script), and compares what it reads with the check's snapshot.
// Called just before each hand-off, it makes the files checked the files applied.
func Recheck(ctx context.Context, root string, entries []string, before []FileDigest) ([]Change, error) {
	repo, err := load.Load(ctx, load.Options{Root: root, Entries: entries})
	if err != nil {
		return nil, err
	}
	return Diff(before, Snapshot(repo)), nil
}
