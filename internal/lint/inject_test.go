package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// copyTree copies a corpus into a temporary directory (the originals are never modified).
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	copyTreeTo(t, src, dst)
	return dst
}

// copyTreeTo copies src into dst (created if needed) and marks dst as a repository root.
func copyTreeTo(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dst, ".tollgate.yaml"), nil, 0o644) // the copy is its own repository
}

// A mistake written into a real repository is reported at the file and line of the change.
func TestInjectedMistakes(t *testing.T) {
	cases := []struct {
		corpus, file, old, new, rule string
		at                           string // the text on the mistaken line (default: the last line of new)
	}{
		// structure, teams era
		{"fleet-it-and-security", "teams/workstations.yml", "    enable_host_users: true", "    enable_host_user: true", "schema-unknown-key", ""},
		{"fleet-it-and-security", "teams/workstations.yml", "    host_expiry_window: 0", "    host_expiry_window: \"zero\"", "schema-type", ""},
		{"fleet-it-and-security", "lib/macos/policies/latest-macos.yml", "  critical: true", "  critical: yes please", "schema-type", ""},
		{"fleet-it-and-security", "lib/macos/policies/latest-macos.yml", "  query: SELECT 1 FROM os_version", "  qeury: SELECT 1 FROM os_version", "schema-unknown-key", ""},
		{"fleet-gitops", "teams/workstations.yml", "policies:", "policies:\n  - path: ../lib/missing.yml", "include-missing", ""},
		{"fleet-gitops", "default.yml", "org_settings:", "org_settings:\n  server_settings: [", "yaml-syntax", ""},
		{"fleet-gitops", "teams/workstations.yml", "controls:", "controls:\n  macos_updates:\n    minimum_version: 15.10\n    deadline: \"2027-01-15\"", "schema-type", "minimum_version"},
		// structure, fleets era
		{"kitzy-fleet-gitops", "fleets/mobile-devices.yml", "    deadline: \"2026-08-22\"", "    deadline: \"2026-02-30\"", "schema-value", ""},
		{"kitzy-fleet-gitops", "fleets/mobile-devices.yml", "reports:", "reports:\nqueries:", "deprecated-key-conflict", ""},
		{"kitzy-fleet-gitops", "fleets/mobile-devices.yml", "  enable_disk_encryption: true", "  enable_disk_encrption: true", "schema-unknown-key", ""},
		// policy
		{"kitzy-fleet-gitops", "fleets/mobile-devices.yml", "    minimum_version: \"26.6.1\"", "    minimum_version: \"26.19\"", "os-version-unreleased", ""},
		{"fleet-gitops", "teams/workstations.yml", "    - secret: \"$FLEET_WORKSTATIONS_ENROLL_SECRET\"", "    - secret: \"s3cr3t-enroll-value\"", "secret-plaintext", ""},
		{"fleet-gitops", "teams/workstations.yml", "    - secret: \"$FLEET_WORKSTATIONS_ENROLL_SECRET\"", "    - secret: \"$FLEET_WORKSTATION_ENROLL_SECRET\"", "secret-missing", ""},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", c.corpus, c.rule, strings.TrimSpace(c.new)), func(t *testing.T) {
			dir := copyTree(t, filepath.Join(sharedtest.Corpora(t), c.corpus))
			path := filepath.Join(dir, c.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			i := strings.Index(text, c.old)
			if i < 0 {
				t.Fatalf("%q not found in %s", c.old, c.file)
			}
			// The line the mistake is on.
			offset := strings.LastIndex(c.new, "\n") + 1
			if c.at != "" {
				offset = strings.Index(c.new, c.at)
			}
			line := strings.Count(text[:i], "\n") + 1 + strings.Count(c.new[:offset], "\n")
			text = text[:i] + c.new + text[i+len(c.old):]
			os.WriteFile(path, []byte(text), 0o644)
			res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow})
			if err != nil {
				t.Fatal(err)
			}
			var near []string
			for _, f := range res.Findings {
				if f.RuleID == c.rule && f.Location.File == c.file {
					if f.Location.Start.Line == line {
						return
					}
					near = append(near, f.String())
				}
			}
			t.Errorf("no %s finding at %s:%d; findings of that rule in the file: %q", c.rule, c.file, line, near)
		})
	}
}
