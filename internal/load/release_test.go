package load

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// After Forget, documents are re-read on demand and locate paths exactly as before, includes
// included, and the file list keeps the read that was checked.
func TestForgetRelocates(t *testing.T) {
	repo := loadDir(t, filepath.Join(sharedtest.Corpora(t), "fleet-it-and-security"))
	type probe struct {
		e    *Entry
		path []any
	}
	var probes []probe
	for _, e := range repo.Entries {
		for _, p := range [][]any{{"policies", 0, "name"}, {"controls", "macos_updates", "deadline"}, {"agent_options", "config"}, {"name"}, {"team_settings", "secrets", 0, "secret"}} {
			probes = append(probes, probe{e, p})
		}
	}
	before := make([]string, len(probes))
	for i, p := range probes {
		l := p.e.Locate(p.path, false)
		before[i] = l.File + ":" + itoa(l.Start.Line) + ":" + itoa(l.Start.Column) + "-" + itoa(l.End.Column)
	}
	files := len(repo.Files())
	for _, e := range repo.Entries {
		repo.Claim(e.File)
		repo.Forget(e)
		if e.Root != nil || e.Value != nil || e.File.Data != nil {
			t.Fatalf("%s not released", e.File.Path)
		}
	}
	for i, p := range probes {
		l := p.e.Locate(p.path, false)
		if got := l.File + ":" + itoa(l.Start.Line) + ":" + itoa(l.Start.Column) + "-" + itoa(l.End.Column); got != before[i] {
			t.Errorf("%s %v: %s after Forget, %s before", p.e.File.Path, p.path, got, before[i])
		}
	}
	if got := len(repo.Files()); got != files {
		t.Errorf("%d files listed after re-reading, %d before", got, files)
	}
	for _, e := range repo.Entries {
		if repo.File(e.File.Path) != e.File {
			t.Errorf("%s: the file list holds a later read, not the one checked", e.File.Path)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
