package load

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

func corpusDirs(t testing.TB) []string {
	t.Helper()
	return sharedtest.CorpusDirs(t)
}

func loadDir(t testing.TB, dir string) *Repo {
	t.Helper()
	entries, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := Load(context.Background(), Options{Root: dir, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// Real repositories that Fleet accepts load without an error-level finding.
func TestCorporaLoadClean(t *testing.T) {
	for _, dir := range corpusDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			repo := loadDir(t, dir)
			if len(repo.Entries) == 0 {
				t.Fatal("no entries loaded")
			}
			finding.Sort(repo.Findings)
			for _, f := range repo.Findings {
				t.Log(f)
				if f.Severity == finding.Error {
					t.Errorf("unexpected error: %s", f)
				}
			}
		})
	}
}
