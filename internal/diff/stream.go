package diff

import (
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/workpool"
)

// A side is one state of the repository being compared: opened, its entry files known by the
// team they configure, read a team at a time so memory holds the teams in flight, not the
// repository.
type side struct {
	repo     *load.Repo
	info     *Side
	byKey    map[string]string // scope key → entry file (absolute)
	fileKey  map[string]string // entry file (repository-relative) → scope key
	profiles profileCache
	mu       sync.Mutex // guards info.Problems and unreadable
	// unreadable are the entry files (repository-relative) that could not be read: what they
	// configure is unknown on this side.
	unreadable map[string]bool
}

// openSide opens a side and learns each entry's team: from a byte-level prescan where it is
// certain, else by reading the entry (and letting it go).
func openSide(root string, src load.Source, entries []string, info *Side) (*side, error) {
	s := &side{info: info, byKey: map[string]string{}, fileKey: map[string]string{}, unreadable: map[string]bool{}}
	info.Entries = len(entries)
	if len(entries) == 0 {
		return s, nil
	}
	repo, abs, err := load.Open(load.Options{Root: root, Entries: entries, Source: src})
	if err != nil {
		return nil, err
	}
	s.repo = repo
	keys := make([]string, len(abs))
	known := make([]bool, len(abs))
	workpool.Run(len(abs), 0, func(i int) {
		if f, ok := repo.Prescan(abs[i]); ok {
			keys[i], known[i] = factsKey(f), true
			return
		}
		b := repo.LoadBatch(abs[i : i+1])
		if len(b.Entries) == 1 {
			keys[i], known[i] = scopeKey(b.Entries[0]), true
		}
		s.problems(b.Findings)
		repo.Release(b)
	})
	for i, a := range abs {
		rel := repo.RelPath(a)
		if !known[i] {
			s.unreadable[rel] = true
			continue
		}
		if _, dup := s.byKey[keys[i]]; dup {
			continue // two files for one team: fleetctl refuses it and the lint says so; the first counts
		}
		s.byKey[keys[i]], s.fileKey[rel] = a, keys[i]
	}
	return s, nil
}

func factsKey(f load.EntryFacts) string {
	switch f.Kind {
	case fleet.KindGlobal:
		return ""
	case fleet.KindUnassigned:
		return NoTeam
	}
	return norm.NFC.String(strings.TrimSpace(f.Name))
}

// read loads the entry of key and extracts its scope; release lets it go. nil when the side
// has no such team or its file can't be read (then it is unreadable).
func (s *side) read(key string) (*scope, func()) {
	abs, ok := s.byKey[key]
	if !ok {
		return nil, func() {}
	}
	b := s.repo.LoadBatch([]string{abs})
	s.problems(b.Findings)
	if len(b.Entries) == 0 {
		s.mu.Lock()
		s.unreadable[s.repo.RelPath(abs)] = true
		s.mu.Unlock()
		return nil, func() { s.repo.Release(b) }
	}
	sc := readScope(s.repo, b.Entries[0], b.Refs, b.Packages, &s.profiles)
	return sc, func() { s.repo.Release(b) }
}

// problems records the error-level findings of loading: what could not be read is left out
// of the comparison, and the reader must know.
func (s *side) problems(fs []finding.Finding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		if f.Severity == finding.Error {
			s.info.Problems = append(s.info.Problems, f)
		}
	}
}

// pairing is one team compared: its key on each side (different for a rename; none where
// the side has no such team).
type pairing struct{ base, head string }

const none = "\x00none"

func (p pairing) key() string {
	if p.base != none {
		return p.base
	}
	return p.head
}

// pairs lists the teams to compare, in key order: a team on either side, and a team that
// disappears from a file paired with the one that appears in it (a name changed in place is a
// rename: Fleet renames the team, its hosts stay).
func pairs(b, h *side) []pairing {
	renamedTo := map[string]string{}
	taken := map[string]bool{}
	for key, abs := range b.byKey {
		if _, inHead := h.byKey[key]; inHead || key == "" || key == NoTeam {
			continue
		}
		if to, ok := h.fileKey[b.repo.RelPath(abs)]; ok && to != "" && to != NoTeam {
			if _, inBase := b.byKey[to]; !inBase {
				renamedTo[key], taken[to] = to, true
			}
		}
	}
	var out []pairing
	for key := range b.byKey {
		p := pairing{base: key}
		if to, ok := renamedTo[key]; ok {
			p.head = to
		} else if _, ok := h.byKey[key]; ok {
			p.head = key
		} else {
			p.head = none
		}
		out = append(out, p)
	}
	for key := range h.byKey {
		if _, ok := b.byKey[key]; !ok && !taken[key] {
			out = append(out, pairing{base: none, head: key})
		}
	}
	slices.SortFunc(out, func(x, y pairing) int { return strings.Compare(x.key(), y.key()) })
	return out
}

// compareSides compares two opened sides a team at a time, on every core.
func compareSides(b, h *side) []Change {
	if b.repo == nil || h.repo == nil {
		return compareOneSided(b, h)
	}
	// The organisation first, kept while the teams are compared: a deleted team is shown at
	// the top of the head's global file.
	hg, releaseHG := h.read("")
	defer releaseHG()
	ps := pairs(b, h)
	parts := make([][]Change, len(ps))
	workpool.Run(len(ps), 0, func(i int) {
		parts[i] = comparePair(b, h, ps[i], hg)
	})
	var out []Change
	for _, p := range parts {
		out = append(out, p...)
	}
	Sort(out)
	return out
}

// compareOneSided handles a side with no entry files at all (the GitOps directory is new, or
// gone): every team is added or removed.
func compareOneSided(b, h *side) []Change {
	empty := &side{info: &Side{}, byKey: map[string]string{}, fileKey: map[string]string{}, unreadable: map[string]bool{}}
	if b.repo == nil {
		b = empty
	}
	if h.repo == nil {
		h = empty
	}
	var out []Change
	for _, p := range pairs(b, h) {
		out = append(out, comparePair(b, h, p, nil)...)
	}
	Sort(out)
	return out
}

// comparePair reads one team on both sides, compares it and lets it go.
func comparePair(b, h *side, p pairing, headGlobal *scope) []Change {
	bs, releaseB := b.read(p.base)
	defer releaseB()
	var hs *scope
	releaseH := func() {}
	if p.head == "" && headGlobal != nil {
		hs = headGlobal
	} else {
		hs, releaseH = h.read(p.head)
	}
	defer releaseH()
	switch {
	case bs != nil && hs != nil && p.base != p.head:
		c := Change{Kind: KindTeam, Action: Renamed, Team: hs.name, TeamFile: hs.entry.File.Path, Name: hs.name, From: bs.name,
			Base: position(&bs.entry.Doc, []any{"name"}), Head: position(&hs.entry.Doc, []any{"name"})}
		return append([]Change{c}, compareScope(bs, hs)...)
	case bs != nil && hs != nil:
		return compareScope(bs, hs)
	case bs != nil:
		// Unknown, not removed, when the head can't read the file that held it.
		if h.unreadableFile(bs.entry.File.Path) {
			return nil
		}
		c := Change{Kind: KindTeam, Action: Removed, Team: bs.name, TeamFile: bs.entry.File.Path, Name: bs.name,
			Facts: holds(bs), Base: position(&bs.entry.Doc, nil)}
		// Its file is gone or no longer this team's: a reviewer sees it at the top of the
		// head's global file, where the apply's pruning is decided.
		if headGlobal != nil {
			c.Head = position(&headGlobal.entry.Doc, nil)
		}
		return []Change{c}
	case hs != nil:
		if b.unreadableFile(hs.entry.File.Path) {
			return nil
		}
		return []Change{{Kind: KindTeam, Action: Added, Team: hs.name, TeamFile: hs.entry.File.Path, Name: hs.name,
			Facts: holds(hs), Head: position(&hs.entry.Doc, nil)}}
	}
	return nil
}

func (s *side) unreadableFile(rel string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unreadable[rel]
}

// compareTrees compares two sides given by their sources and entry files.
func compareTrees(root string, bsrc, hsrc load.Source, bEntries, hEntries []string, binfo, hinfo *Side) ([]Change, error) {
	b, err := openSide(root, bsrc, bEntries, binfo)
	if err != nil {
		return nil, err
	}
	h, err := openSide(root, hsrc, hEntries, hinfo)
	if err != nil {
		return nil, err
	}
	cs := compareSides(b, h)
	for _, info := range []*Side{binfo, hinfo} {
		finding.Sort(info.Problems)
		info.Problems = finding.Dedupe(info.Problems)
	}
	return cs, nil
}
