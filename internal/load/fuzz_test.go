package load

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Loading never panics or hangs on any entry or included file content, and every finding has
// a file and a position inside it.
func FuzzLoad(f *testing.F) {
	f.Add("name: T\npolicies:\n  - path: ../lib/p.yml\n", "- name: p\n  query: SELECT 1;\n")
	f.Add("name: T\ncontrols:\n  path: ../lib/p.yml\n", "scripts:\n  - path: x.sh\n")
	f.Add("name: T\npolicies:\n  - paths: ../lib/*.yml\n", "- path: nested.yml\n")
	f.Add("name: $X\nteam_settings:\n  secrets: [{secret: \\$Y}]\n", "a: &a [*a]")
	f.Fuzz(func(t *testing.T, team, lib string) {
		dir := t.TempDir()
		for name, body := range map[string]string{"teams/t.yml": team, "lib/p.yml": lib} {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		repo, err := Load(context.Background(), Options{Root: dir, Entries: []string{filepath.Join(dir, "teams/t.yml")}})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range repo.Findings {
			if fd.Location.File == "" || fd.Location.Start.Line < 1 || fd.Location.Start.Column < 1 {
				t.Fatalf("finding without a position: %+v", fd)
			}
			if fd.Location.End.Line < fd.Location.Start.Line ||
				fd.Location.End.Line == fd.Location.Start.Line && fd.Location.End.Column < fd.Location.Start.Column {
				t.Fatalf("end before start: %+v", fd)
			}
		}
	})
}
