package apply

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/load"
)

func TestDiff(t *testing.T) {
	before := []FileDigest{{"a.yml", "1"}, {"b.yml", "2"}, {"c.yml", "3"}, {"big.yml", ""}}
	after := []FileDigest{{"a.yml", "1"}, {"b.yml", "X"}, {"d.yml", "4"}, {"big.yml", ""}}
	want := []Change{{"b.yml", "modified"}, {"big.yml", "unverified"}, {"c.yml", "deleted"}, {"d.yml", "added"}}
	if got := Diff(before, after); !reflect.DeepEqual(got, want) {
		t.Errorf("Diff:\n got %v\nwant %v", got, want)
	}
	if got := Diff(before[:1], after[:1]); len(got) != 0 {
		t.Errorf("same files: %v", got)
	}
}

// TestRecheck is the check-then-apply race: a file read at check time is modified, or
// deleted, before the hand-off; the re-read names it.
func TestRecheck(t *testing.T) {
	dir := writeRepo(t, map[string]string{"default.yml": globalYAML, "teams/w.yml": teamYAML, "lib/p.yml": policyYAML})
	entries := []string{filepath.Join(dir, "default.yml"), filepath.Join(dir, "teams", "w.yml")}
	ctx := t.Context()
	repo, err := load.Load(ctx, load.Options{Root: dir, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	checked := Snapshot(repo)
	if len(checked) != 3 {
		t.Fatalf("snapshot %v: want the two entry files and the included policy file", checked)
	}
	root := repo.Root

	changes, err := Recheck(ctx, root, entries, checked)
	if err != nil || len(changes) != 0 {
		t.Fatalf("unchanged repository: %v, %v", changes, err)
	}

	// An included file changes between the check and the hand-off.
	pol := filepath.Join(dir, "lib", "p.yml")
	if err := os.WriteFile(pol, []byte(policyYAML+"- name: q\n  query: SELECT 2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changes, err = Recheck(ctx, root, entries, checked)
	if want := []Change{{"lib/p.yml", "modified"}}; err != nil || !reflect.DeepEqual(changes, want) {
		t.Errorf("modified: got %v, %v; want %v", changes, err, want)
	}

	// Same size, one byte different: still caught (digests, not sizes or times).
	if err := os.WriteFile(pol, []byte(policyYAML[:len(policyYAML)-2]+"2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changes, _ = Recheck(ctx, root, entries, checked)
	if len(changes) != 1 || changes[0].Change != "modified" {
		t.Errorf("one byte: %v", changes)
	}

	// Deleted.
	if err := os.Remove(pol); err != nil {
		t.Fatal(err)
	}
	changes, _ = Recheck(ctx, root, entries, checked)
	if want := []Change{{"lib/p.yml", "deleted"}}; !reflect.DeepEqual(changes, want) {
		t.Errorf("deleted: got %v, want %v", changes, want)
	}

	// Restored: the files applied are again the files checked.
	if err := os.WriteFile(pol, []byte(policyYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if changes, _ = Recheck(ctx, root, entries, checked); len(changes) != 0 {
		t.Errorf("restored: %v", changes)
	}

	// A team file that appeared after the check (discovered at hand-off time) is "added".
	if err := os.WriteFile(filepath.Join(dir, "teams", "x.yml"), []byte("name: X\n"+teamYAML[len("name: Workstations\n"):]), 0o644); err != nil {
		t.Fatal(err)
	}
	more := append(entries, filepath.Join(dir, "teams", "x.yml"))
	changes, _ = Recheck(ctx, root, more, checked)
	if want := []Change{{"teams/x.yml", "added"}}; !reflect.DeepEqual(changes, want) {
		t.Errorf("added: got %v, want %v", changes, want)
	}
}
