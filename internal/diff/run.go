package diff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// Options say what to compare.
type Options struct {
	Dir  string // the GitOps directory (in a git work tree)
	Base string // a commit, branch or tag
	Head string // another one, or "" for the working tree
	// Full loads every entry file on both sides instead of those a change can reach (for tests
	// that hold the two ways to the same result).
	Full bool
}

// Result is what a merge of head into base changes.
type Result struct {
	Changes []Change
	Base    Side
	Head    Side
}

// Side describes one state compared.
type Side struct {
	Rev    string `json:"rev"`              // as asked ("" for the working tree)
	Commit string `json:"commit,omitempty"` // the commit it is
	// Problems are the error-level findings of loading this side: what could not be read is
	// missing from the comparison, and the reader must know.
	Problems []finding.Finding `json:"problems,omitempty"`
	Entries  int               `json:"entries"` // entry files read
}

// Run loads both sides and compares them. Only the entry files a changed file can reach are
// read (a team file, the files it includes, the files those name), so the cost follows the
// change, not the repository; Options.Full reads everything.
func Run(ctx context.Context, opts Options) (*Result, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	root := config.FindRoot(dir)
	baseTree, err := gitsrc.Open(ctx, root, opts.Base)
	if err != nil {
		return nil, err
	}
	defer baseTree.Close()
	var headSrc load.Source
	res := &Result{Base: Side{Rev: opts.Base, Commit: baseTree.Commit}, Head: Side{Rev: opts.Head}}
	if opts.Head != "" {
		headTree, err := gitsrc.Open(ctx, root, opts.Head)
		if err != nil {
			return nil, err
		}
		defer headTree.Close()
		headSrc, res.Head.Commit = headTree, headTree.Commit
	} else {
		realRoot := root
		if r, err := filepath.EvalSymlinks(root); err == nil {
			realRoot = r
		}
		headSrc = load.DirSource(realRoot)
		if realRoot != root {
			if d, err := filepath.EvalSymlinks(dir); err == nil {
				dir = d
			}
			root = realRoot
		}
	}
	baseEntries := discover(baseTree, root, dir)
	headEntries := discover(headSrc, root, dir)
	if !opts.Full {
		changed, err := gitsrc.ChangedFiles(ctx, root, opts.Base, opts.Head)
		if err != nil {
			return nil, err
		}
		if scope, ok := affected(root, baseTree, headSrc, baseEntries, headEntries, changed); ok {
			baseEntries, headEntries = keep(baseEntries, scope), keep(headEntries, scope)
		}
	}
	if res.Changes, err = compareTrees(root, baseTree, headSrc, baseEntries, headEntries, &res.Base, &res.Head); err != nil {
		return nil, err
	}
	return res, nil
}

// discover lists a side's entry files; a side without any (the GitOps directory did not
// exist yet) has none.
func discover(src load.Source, root, dir string) []string {
	entries, err := load.DiscoverIn(src, root, dir)
	if err != nil {
		return nil
	}
	return entries
}

func keep(entries []string, scope map[string]bool) []string {
	var out []string
	for _, e := range entries {
		if scope[e] {
			out = append(out, e)
		}
	}
	return out
}

// affected decides which entry files (absolute) a change can reach: an entry file that
// changed, one that names (by file name) a changed file or a file that names one (a package
// file naming a changed script), one with a `paths:` glob, and the global file. ok is false
// when that can't be decided safely (links in the repository): then everything is read.
func affected(root string, base, head load.Source, baseEntries, headEntries []string, changed []string) (map[string]bool, bool) {
	for _, c := range changed {
		for _, src := range []load.Source{base, head} {
			if fi, err := src.Lstat(c); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return nil, false
			}
		}
	}
	if hasLink(base, ".") {
		return nil, false
	}
	names := map[string]bool{}
	changedSet := map[string]bool{}
	for _, c := range changed {
		names[path.Base(c)] = true
		changedSet[c] = true
	}
	rel := func(abs string) string {
		r, _ := filepath.Rel(root, abs)
		return filepath.ToSlash(r)
	}
	isEntry := map[string]bool{}
	for _, e := range append(slices.Clone(baseEntries), headEntries...) {
		isEntry[rel(e)] = true
	}
	// Files that name a changed file, transitively (a team names a package file that names a
	// changed install script): the YAML files of the repository other than the entries.
	var yamlFiles []string
	fs.WalkDir(base, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isYAML(p) && !isEntry[p] {
			yamlFiles = append(yamlFiles, p)
		}
		return nil
	})
	for _, c := range changed {
		if isYAML(c) && !isEntry[c] && !slices.Contains(yamlFiles, c) {
			yamlFiles = append(yamlFiles, c)
		}
	}
	texts := map[string][][]byte{}
	read := func(p string) [][]byte {
		if t, ok := texts[p]; ok {
			return t
		}
		var out [][]byte
		srcs := []load.Source{head}
		if changedSet[p] {
			srcs = append(srcs, base)
		}
		for _, src := range srcs {
			if data, err := fs.ReadFile(src, p); err == nil {
				out = append(out, data)
			}
		}
		texts[p] = out
		return out
	}
	mentions := func(p string) bool {
		for _, data := range read(p) {
			if bytes.Contains(data, []byte("paths:")) {
				return true
			}
			for n := range names {
				if bytes.Contains(data, []byte(n)) {
					return true
				}
			}
		}
		return false
	}
	for grown := true; grown; {
		grown = false
		for _, p := range yamlFiles {
			if n := path.Base(p); !names[n] && mentions(p) {
				names[n], grown = true, true
			}
		}
	}
	scope := map[string]bool{}
	for _, e := range append(slices.Clone(baseEntries), headEntries...) {
		r := rel(e)
		if changedSet[r] || isGlobal(r) || mentions(r) {
			scope[e] = true
		}
	}
	return scope, true
}

// hasLink reports whether the tree holds a symbolic link (a link can make a file reachable by
// a name that no change names).
func hasLink(src load.Source, dir string) bool {
	found := false
	fs.WalkDir(src, dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

func isYAML(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yml" || ext == ".yaml"
}

func isGlobal(rel string) bool {
	b := path.Base(rel)
	return b == "default.yml" || b == "default.yaml"
}

// IsMissingCommit reports a base or head the clone does not hold, with the command to fetch it.
func IsMissingCommit(err error) (string, bool) {
	var m *gitsrc.MissingCommitError
	if errors.As(err, &m) {
		return m.FetchCommand(), true
	}
	return "", false
}

// String names a side for people: its revision and short commit, or the working tree.
func (s Side) String() string {
	if s.Rev == "" {
		return "the working tree"
	}
	if len(s.Commit) >= 7 && !strings.HasPrefix(s.Commit, s.Rev) {
		return fmt.Sprintf("%s (%s)", s.Rev, s.Commit[:7])
	}
	if len(s.Commit) >= 7 {
		return s.Commit[:7]
	}
	return s.Rev
}
