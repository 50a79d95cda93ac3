package gitsrc

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTrailers(t *testing.T) {
	root := newRepo(t)
	base := strings.TrimSpace(run(t, root, "rev-parse", "HEAD"))
	run(t, root, "checkout", "-q", "-b", "pr")
	commit := func(msg string) string {
		write(t, root, "sub/teams/a.yml", "name: A\n# "+msg[:5]+"\n")
		run(t, root, "commit", "-q", "-am", msg)
		return strings.TrimSpace(run(t, root, "rev-parse", "HEAD"))
	}
	c1 := commit("first\n\nTollgate-Ack: change-large: a long\n  folded reason\nSigned-off-by: t <t@example.com>")
	commit("second\n\nTollgate-Ack: not a trailer, the paragraph is not the last one\n\nno trailers here")
	c3 := commit("third\n\ntollgate-ack: change-profile-removed \"Wi-Fi\": replaced\nTollgate-Ack: change-team-deleted \"Kiosks\": merged")
	// A commit of main merged into the branch is not part of the change.
	run(t, root, "checkout", "-q", "main")
	write(t, root, "sub/other.yml", "x: 1\n")
	run(t, root, "add", "-A")
	run(t, root, "commit", "-q", "-m", "on main\n\nTollgate-Ack: change-large: from main")
	run(t, root, "checkout", "-q", "pr")
	run(t, root, "merge", "-q", "--no-edit", "main")

	r, err := Trailers(context.Background(), filepath.Join(root, "sub"), "main", "", "Tollgate-Ack")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trailer{{c1, "change-large: a long folded reason"}, {c3, `change-profile-removed "Wi-Fi": replaced`}, {c3, `change-team-deleted "Kiosks": merged`}}
	if !slices.Equal(r.Trailers, want) || r.Incomplete {
		t.Errorf("got %+v (incomplete %v)\nwant %+v", r.Trailers, r.Incomplete, want)
	}
	if r, err := Trailers(context.Background(), root, base, c1, "Tollgate-Ack"); err != nil || len(r.Trailers) != 1 {
		t.Errorf("base..c1: %+v, %v", r, err)
	}
	if _, err := Trailers(context.Background(), root, "no-such-rev", "", "Tollgate-Ack"); err == nil {
		t.Errorf("a revision that does not exist is not an error")
	}

	// A shallow CI clone: the branch's last two commits and the base. The range reaches the
	// clone's edge, so the trailers of older commits may be missing, and Trailers says so.
	clone := filepath.Join(t.TempDir(), "clone")
	run(t, root, "clone", "-q", "--depth", "2", "--branch", "pr", "file://"+root, clone)
	run(t, clone, "fetch", "-q", "--depth", "1", "origin", base)
	r, err = Trailers(context.Background(), clone, base, "", "Tollgate-Ack")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Incomplete {
		t.Errorf("a range that reaches the shallow edge is not marked incomplete: %+v", r)
	}
}
