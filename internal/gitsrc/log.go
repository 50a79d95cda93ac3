package gitsrc

import (
	"context"
	"os"
	"slices"
	"strings"
)

// Trailer is one trailer of a commit message (`Key: value` in its last paragraph, as git
// interpret-trailers reads it).
type Trailer struct {
	Commit string // the full commit id
	Value  string // unfolded onto one line
}

// Range is what the commits of a range say in their trailers.
type Range struct {
	Trailers []Trailer // oldest commit first, in message order within a commit
	// Incomplete is set when the clone is shallow and the range reaches its edge: commits
	// older than the edge (and their trailers) are not in the clone.
	Incomplete bool
}

// Trailers lists the trailers named key (case-insensitive, as git matches them) of the
// commits in base..head, the commits head has and base hasn't; head "" is HEAD. dir is a
// directory of the work tree.
func Trailers(ctx context.Context, dir, base, head, key string) (*Range, error) {
	if head == "" {
		head = "HEAD"
	}
	out, err := git(ctx, dir, nil, "log", "-z", "--reverse", "--format=%H%n%(trailers:key="+key+",valueonly,unfold)",
		"--end-of-options", base+".."+head)
	if err != nil {
		return nil, err
	}
	r := &Range{}
	var commits []string
	for _, rec := range strings.Split(out, "\x00") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		lines := strings.Split(rec, "\n")
		commits = append(commits, lines[0])
		for _, v := range lines[1:] {
			if v = strings.TrimSpace(v); v != "" {
				r.Trailers = append(r.Trailers, Trailer{Commit: lines[0], Value: v})
			}
		}
	}
	r.Incomplete = reachesShallowEdge(ctx, dir, commits)
	return r, nil
}

// reachesShallowEdge reports whether one of the commits is a shallow clone's edge (its
// parents were not fetched).
func reachesShallowEdge(ctx context.Context, dir string, commits []string) bool {
	shallow, err := git(ctx, dir, nil, "rev-parse", "--is-shallow-repository")
	if err != nil || strings.TrimSpace(shallow) != "true" {
		return false
	}
	file, err := git(ctx, dir, nil, "rev-parse", "--path-format=absolute", "--git-path", "shallow")
	if err != nil {
		return true // shallow, and where the edge is can't be told
	}
	data, err := os.ReadFile(strings.TrimSpace(file))
	if err != nil {
		return true
	}
	edges := strings.Fields(string(data))
	for _, c := range commits {
		if slices.Contains(edges, c) {
			return true
		}
	}
	return false
}
