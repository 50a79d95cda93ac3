package diff

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

func loadDir(t *testing.T, dir string) *load.Repo {
	t.Helper()
	entries, err := load.Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := load.Load(context.Background(), load.Options{Root: dir, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func describe(cs []Change) string {
	var lines []string
	for _, c := range cs {
		lines = append(lines, c.Describe())
	}
	return strings.Join(lines, "\n")
}

// A repository compared with itself has no change.
func TestSameIsNoChange(t *testing.T) {
	for _, dir := range sharedtest.CorpusDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if cs := Compare(loadDir(t, dir), loadDir(t, dir)); len(cs) > 0 {
				t.Errorf("changes:\n%s", describe(cs))
			}
		})
	}
}

func TestPrintDiff(t *testing.T) {
	a, b := os.Getenv("DIFF_A"), os.Getenv("DIFF_B")
	if a == "" {
		t.Skip("manual")
	}
	t.Log("\n" + describe(Compare(loadDir(t, a), loadDir(t, b))))
}
