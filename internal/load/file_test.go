package load

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readAll reads what the file holds whatever Stat said: less (truncated since), exactly, or
// more (grown since), never past the limit.
func TestReadAll(t *testing.T) {
	data := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		name        string
		size, limit int64
		want        int
	}{
		{"as stat'ed", 1000, 5000, 1000},
		{"shrank", 2000, 5000, 1000},
		{"grew", 10, 5000, 1000},
		{"grew past the limit", 10, 600, 600},
		{"empty", 0, 5000, 1000},
	} {
		got, err := readAll(strings.NewReader(data), tc.size, tc.limit)
		if err != nil || len(got) != tc.want || !bytes.Equal(got, []byte(data[:tc.want])) {
			t.Errorf("%s: got %d bytes, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
	if _, err := readAll(io.MultiReader(strings.NewReader("ab"), errReader{}), 10, 100); err == nil {
		t.Error("a read error was not returned")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// A file let go is read again for snippets only while it holds the text that was checked.
func TestContentAfterForget(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "default.yml", "org_settings:\n  secrets: []\n")
	writeFile(t, dir, "teams/a.yml", "name: A\n")
	repo, abs, err := Open(Options{Root: dir, Entries: []string{dir + "/default.yml", dir + "/teams/a.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	e, _, _, _ := repo.LoadEntry(abs[1])
	repo.Claim(e.File)
	repo.Forget(e)
	if got := string(e.File.Content()); got != "name: A\n" {
		t.Fatalf("content after Forget: %q", got)
	}
	e2, _, _, _ := repo.LoadEntry(abs[1])
	repo.Claim(e2.File)
	repo.Forget(e2)
	writeFile(t, dir, "teams/a.yml", "name: B\n")
	if got := e2.File.Content(); got != nil {
		t.Errorf("a file changed since the check still gives content: %q", got)
	}
}

func writeFile(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
