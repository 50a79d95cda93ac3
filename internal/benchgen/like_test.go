package benchgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// TestWriteLike copies a real repository's team files n times, each a team of its own, and
// its other files as they are.
func TestWriteLike(t *testing.T) {
	src := filepath.Join(sharedtest.Corpora(t), "fleet-it-and-security")
	dir := t.TempDir()
	if err := WriteLike(dir, src, 12); err != nil {
		t.Fatal(err)
	}
	teams, _ := filepath.Glob(filepath.Join(dir, "teams", "0*.yml"))
	if len(teams) != 12 {
		t.Fatalf("%d team files, want 12", len(teams))
	}
	if _, err := os.Stat(filepath.Join(dir, "teams", "no-team.yml")); err != nil {
		t.Errorf("no-team.yml not copied as it is: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lib", "macos", "policies", "update-slack.yml")); err != nil {
		t.Errorf("lib/ not copied: %v", err)
	}
	names := map[string]bool{}
	for _, f := range teams {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := topName.FindStringSubmatch(string(data))
		if m == nil || names[m[1]] {
			t.Errorf("%s: name %q missing or repeated", f, m)
			continue
		}
		names[m[1]] = true
		if !strings.Contains(string(data), "ENROLL_SECRET_0") {
			t.Errorf("%s: enroll secret variable not made its own", f)
		}
	}
}

func TestRenameTeam(t *testing.T) {
	got := renameTeam("name: \"💻 Workstations\"\nteam_settings:\n  secrets:\n    - secret: \"$WS_ENROLL_SECRET\"\n", 42)
	want := "name: \"💻 Workstations 00042\"\nteam_settings:\n  secrets:\n    - secret: \"$WS_ENROLL_SECRET_00042\"\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestWriteLikeOneTeam copies one real team file n times (bench/run.sh's real-shaped teams).
func TestWriteLikeOneTeam(t *testing.T) {
	src := filepath.Join(sharedtest.Corpora(t), "fleet-it-and-security")
	dir := t.TempDir()
	if err := WriteLike(dir, src, 3, "workstations.yml"); err != nil {
		t.Fatal(err)
	}
	teams, _ := filepath.Glob(filepath.Join(dir, "teams", "0*.yml"))
	want := []string{"00000-workstations.yml", "00001-workstations.yml", "00002-workstations.yml"}
	if len(teams) != len(want) {
		t.Fatalf("team files %v, want %v", teams, want)
	}
	for i, f := range teams {
		if filepath.Base(f) != want[i] {
			t.Errorf("team file %s, want %s", filepath.Base(f), want[i])
		}
	}
	if err := WriteLike(t.TempDir(), src, 3, "nonexistent.yml"); err == nil {
		t.Error("a team file the repository lacks was accepted")
	}
}
