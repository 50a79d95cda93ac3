//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// readPlain reads regular files its directory listed, whatever their size up to the limit,
// and leaves everything else (links, FIFOs, directories, oversized or unlisted files) to the
// careful path, which knows what to say about them.
func TestReadPlain(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "teams")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "secret.yml")
	writeFile(t, filepath.Dir(outside), "secret.yml", "name: outside\n")
	big := strings.Repeat("x", 200<<10) // past the pooled buffer: read on
	writeFile(t, dir, "a.yml", "name: A\n")
	writeFile(t, dir, "empty.yml", "")
	writeFile(t, dir, "big.yml", big)
	writeFile(t, dir, "huge.yml", strings.Repeat("y", 300<<10))
	if err := os.Symlink(outside, filepath.Join(dir, "link.yml")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	lim := yamlsrc.Limits{MaxBytes: 256 << 10}
	src := DirSource(root).(*dirSource)
	s := newFileSet(root, src, lim)
	for _, c := range []struct {
		name string
		want string
		ok   bool
	}{
		{"a.yml", "name: A\n", true},
		{"empty.yml", "", true},
		{"big.yml", big, true},
		{"huge.yml", "", false}, // over the limit: the careful path reports its size
		{"link.yml", "", false},
		{"fifo.yml", "", false},
		{"sub", "", false},
		{"missing.yml", "", false},
	} {
		got, ok := src.readPlain("teams/"+c.name, lim.MaxBytes, nil)
		if ok != c.ok || !bytes.Equal(got, []byte(c.want)) {
			t.Errorf("%s: got %d bytes, %v; want %d bytes, %v", c.name, len(got), ok, len(c.want), c.ok)
		}
		if ok && got == nil {
			t.Errorf("%s: nil data for a file read", c.name)
		}
	}
	// With a use function the bytes are lent, not copied: valid during the call only.
	var lent string
	if data, ok := src.readPlain("teams/a.yml", lim.MaxBytes, func(b []byte) { lent = string(b) }); !ok || data != nil || lent != "name: A\n" {
		t.Errorf("lent read: %q, %v, %q", data, ok, lent)
	}
	// The careful path still refuses what the fast one left: the link out of the repository.
	if _, err := s.read(filepath.Join(dir, "link.yml"), false); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("link out of the repository: %v", err)
	}
	// A directory that is itself a link out of the repository is refused before any read.
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(root, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.read(filepath.Join(root, "elsewhere", "secret.yml"), false); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("read through a directory link out of the repository: %v", err)
	}
}
