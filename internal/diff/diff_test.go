package diff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// compareDirs compares two working trees, as Run compares two sides.
func compareDirs(t *testing.T, a, b string) []Change {
	t.Helper()
	var sides []*side
	for _, dir := range []string{a, b} {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := load.Discover(abs)
		if err != nil {
			t.Fatal(err)
		}
		s, err := openSide(abs, load.DirSource(abs), entries, &Side{})
		if err != nil {
			t.Fatal(err)
		}
		sides = append(sides, s)
	}
	return compareSides(sides[0], sides[1])
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
			if cs := compareDirs(t, dir, dir); len(cs) > 0 {
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
	t.Log("\n" + describe(compareDirs(t, a, b)))
}
