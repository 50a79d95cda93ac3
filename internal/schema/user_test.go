package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
)

func TestOrganisationSchema(t *testing.T) {
	v, err := New([]string{filepath.Join("..", "..", "testdata", "schema", "org")})
	if err != nil {
		t.Fatal(err)
	}
	good := fleetB + "controls:\n  enable_disk_encryption: true\n"
	if got := v.Validate(fleet.KindTeam, fleet.EraFleets, parseYAML(t, strings.Replace(good, "Workstations", "Engineering - macOS", 1))); len(got) != 0 {
		t.Errorf("clean team: %s", dump(got))
	}
	cases := []struct {
		name, yaml string
		want       []want
	}{
		{"name and encryption", strings.Replace(fleetB, "Workstations", "workstations", 1) + "controls:\n  enable_disk_encryption: false\n", []want{
			{"controls.enable_disk_encryption", catalog.SchemaCustom, finding.Error, "organisation schema"},
			{"name", catalog.SchemaCustom, finding.Error, `must look like "Engineering - macOS"`}}},
		{"controls missing", strings.Replace(fleetB, "Workstations", "Sales - Windows", 1), []want{
			{"controls", catalog.SchemaCustom, finding.Error, `missing required key "controls"`}}},
		{"bundled rules still apply", strings.Replace(fleetB, "Workstations", "Sales - Windows", 1) + "controls:\n  enable_disk_encryption: true\n  enable_disk_encryptoin: true\n", []want{
			{"controls.enable_disk_encryptoin", catalog.SchemaUnknownKey, finding.Error, `did you mean "enable_disk_encryption"?`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Validate(fleet.KindTeam, fleet.EraFleets, parseYAML(t, tc.yaml))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d issues, want %d:\n%s", len(got), len(tc.want), dump(got))
			}
			for i, w := range tc.want {
				g := got[i]
				if dotted(g.Path) != w.path || g.RuleID != w.rule || g.Severity != w.severity || !strings.Contains(g.Message+" | "+g.Hint, w.contains) {
					t.Errorf("issue %d:\n got  %s\n want %s [%s] ~%q", i, dump(got[i:i+1]), w.path, w.rule, w.contains)
				}
			}
		})
	}
	// The global file is not touched by a #Team constraint.
	if got := v.Validate(fleet.KindGlobal, fleet.EraFleets, parseYAML(t, "org_settings: {}\n")); len(got) != 0 {
		t.Errorf("global file: %s", dump(got))
	}
}

func TestBrokenOrganisationSchema(t *testing.T) {
	_, err := New([]string{filepath.Join("..", "..", "testdata", "schema", "broken")})
	if err == nil || !strings.Contains(err.Error(), "bad.cue:") {
		t.Fatalf("want an error naming bad.cue:line, got %v", err)
	}
	if _, err := New([]string{filepath.Join("..", "..", "testdata", "schema", "nope")}); err == nil {
		t.Fatal("a missing directory must be an error")
	}
}

// A schema file that is a symbolic link out of its directory is not read (a pull request could
// otherwise have any file of the runner shown in the compile error); one inside it is.
func TestOrganisationSchemaSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "secret.txt")
	cue := filepath.Join(dir, "cue")
	if err := os.MkdirAll(cue, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("secret first line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cue, "real.txt"), []byte("#Team: {...}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.txt", filepath.Join(cue, "inside.cue")); err != nil {
		t.Fatal(err)
	}
	if _, err := New([]string{cue}); err != nil {
		t.Errorf("a link inside the directory: %v", err)
	}
	if err := os.Symlink(outside, filepath.Join(cue, "leak.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := New([]string{cue})
	if err == nil || !strings.Contains(err.Error(), "leak.cue is a symbolic link leading out of its directory") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a link out of the directory: %v", err)
	}
}
