package diff

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return sharedtest.Git(t, dir, args...)
}

// repoOf copies a corpus into a new git repository with one commit ("base").
func repoOf(t *testing.T, corpus string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(sharedtest.Corpora(t), corpus))); err != nil {
		t.Fatal(err)
	}
	sharedtest.Commit(t, dir)
	return dir
}

// edit replaces old by new in a file of the repository (once; the test fails if old is not there).
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(file))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// planOf diffs the working tree against main, the scoped way and the full way, which must agree.
func planOf(t *testing.T, dir string) []string {
	t.Helper()
	scoped, err := Run(context.Background(), Options{Dir: dir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	full, err := Run(context.Background(), Options{Dir: dir, Base: "main", Full: true})
	if err != nil {
		t.Fatal(err)
	}
	var got, all []string
	for _, c := range scoped.Changes {
		got = append(got, c.Describe())
	}
	for _, c := range full.Changes {
		all = append(all, c.Describe())
	}
	if !slices.Equal(got, all) {
		t.Errorf("reading only what changed found\n%s\nreading everything found\n%s", strings.Join(got, "\n"), strings.Join(all, "\n"))
	}
	return got
}

const ws = "teams/workstations.yml"
const wsTeam = "$DOGFOOD_APPLE_BM_DEFAULT_TEAM"

// Each change a reviewer must see, made once in Fleet's own configuration, is found exactly.
func TestChangesFound(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, dir string)
		want []string
	}{
		{"profile removed", func(t *testing.T, d string) {
			edit(t, d, ws, "      - path: ../lib/macos/configuration-profiles/firewall.mobileconfig\n", "")
		}, []string{`- profile "Turn on Firewall stealth mode" in "` + wsTeam + `"`}},
		{"label scope narrowed", func(t *testing.T, d string) {
			edit(t, d, ws, `"Macs with 1Password8 installed"`, `"Macs with 1Password8 installed"`+"\n          - Engineering")
		}, []string{`~ profile "Automatically check for 1Password updates" in "` + wsTeam + `"; labels_include_any: ["Macs with 1Password8 installed"] → ["Engineering","Macs with 1Password8 installed"]`}},
		{"team deleted", func(t *testing.T, d string) {
			os.Remove(filepath.Join(d, "teams/servers-canary.yml"))
		}, []string{`- team "☁️🐣 Servers (canary)" in "☁️🐣 Servers (canary)"`}},
		{"team renamed in its file", func(t *testing.T, d string) {
			edit(t, d, "teams/servers.yml", `name: "☁️ Servers"`, `name: "☁️ Linux servers"`)
		}, []string{`→ team "☁️ Linux servers" in "☁️ Linux servers" from "☁️ Servers"`}},
		{"team file renamed, same name", func(t *testing.T, d string) {
			os.Rename(filepath.Join(d, "teams/servers.yml"), filepath.Join(d, "teams/linux-servers.yml"))
		}, nil},
		{"enroll secret replaced", func(t *testing.T, d string) {
			edit(t, d, ws, "$DOGFOOD_WORKSTATIONS_ENROLL_SECRET", "$DOGFOOD_WORKSTATIONS_ENROLL_SECRET_2026")
		}, []string{
			`- secret "$DOGFOOD_WORKSTATIONS_ENROLL_SECRET" in "` + wsTeam + `"`,
			`+ secret "$DOGFOOD_WORKSTATIONS_ENROLL_SECRET_2026" in "` + wsTeam + `"`}},
		{"minimum version lowered, deadline removed", func(t *testing.T, d string) {
			edit(t, d, ws, "    deadline: \"2025-02-23\"\n    minimum_version: \"15.3\"", "    minimum_version: \"15.2\"")
		}, []string{
			`- setting "controls.macos_updates.deadline" in "` + wsTeam + `"; controls.macos_updates.deadline: "2025-02-23" → (not set)`,
			`~ setting "controls.macos_updates.minimum_version" in "` + wsTeam + `"; controls.macos_updates.minimum_version: "15.3" → "15.2"`}},
		{"setup experience left out", func(t *testing.T, d string) {
			edit(t, d, ws, "    macos_setup_assistant: ../lib/macos/enrollment-profiles/automatic-enrollment.dep.json\n", "")
		}, []string{`- setting "controls.setup_experience.apple_setup_assistant" in "` + wsTeam + `"; controls.setup_experience.apple_setup_assistant: sha256:`}},
		{"software removed", func(t *testing.T, d string) {
			edit(t, d, ws, "    - path: ../lib/macos/software/zoom.yml # Zoom for macOS\n", "")
		}, []string{`- software "https://zoom.us/client/latest/ZoomInstallerIT.pkg" in "` + wsTeam + `"`}},
		{"disk encryption off", func(t *testing.T, d string) {
			edit(t, d, ws, "enable_disk_encryption: true", "enable_disk_encryption: false")
		}, []string{`~ setting "controls.enable_disk_encryption" in "` + wsTeam + `"; controls.enable_disk_encryption: true → false`}},
		{"query removed", func(t *testing.T, d string) {
			edit(t, d, ws, "queries:\n  - path: ../lib/macos/queries/detect-apple-intelligence.yml\n", "queries:\n")
		}, []string{`- query "Detect if Apple Intelligence is enabled" in "` + wsTeam + `"`}},
		{"a shared script's content", func(t *testing.T, d string) {
			f := filepath.Join(d, "lib/macos/scripts/collect-fleetd-logs.sh")
			b, _ := os.ReadFile(f)
			os.WriteFile(f, append(b, "echo more\n"...), 0o644)
		}, []string{
			`~ script "collect-fleetd-logs.sh" in "` + wsTeam + `"; content: sha256:`,
			`~ script "collect-fleetd-logs.sh" in "💻🐣 Workstations (canary)"; content: sha256:`}},
		{"comments, blank lines and key order", func(t *testing.T, d string) {
			edit(t, d, ws, "team_settings:\n  features:\n    enable_host_users: true\n    enable_software_inventory: true",
				"# settings of the team\nteam_settings:\n\n  features:\n    enable_software_inventory: true # inventory\n    enable_host_users: true")
		}, nil},
		{"a setting written as null, then left out", func(t *testing.T, d string) {
			edit(t, d, "teams/servers-canary.yml", "    bootstrap_package: null\n", "")
		}, nil},
		{"a setting left out, then written as null", func(t *testing.T, d string) {
			edit(t, d, ws, "  macos_setup:\n", "  macos_setup:\n    script: null\n")
		}, nil},
		{"inline policy moved into an included file", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(d, "lib/macos/policies/update-firefox.yml"))
			edit(t, d, ws, "  - path: ../lib/macos/policies/update-firefox.yml\n", "")
			edit(t, d, ws, "policies:\n", "policies:\n"+indent(string(b)))
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := repoOf(t, "fleet-it-and-security")
			c.edit(t, dir)
			got := planOf(t, dir)
			if len(got) != len(c.want) {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], c.want[i]) {
					t.Errorf("change %d:\n got %s\nwant %s…", i, got[i], c.want[i])
				}
			}
		})
	}
}

// indent makes a policies file's items items of the team's list (two spaces in).
func indent(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, "  "+l)
	}
	return strings.Join(out, "\n") + "\n"
}

// A glob that matches one file more adds what the file holds (fleets era).
func TestGlobMatchesMore(t *testing.T) {
	dir := repoOf(t, "kitzy-fleet-gitops")
	labels, _ := filepath.Glob(filepath.Join(dir, "labels", "*.yml"))
	if len(labels) == 0 {
		t.Fatal("no label files")
	}
	if err := os.WriteFile(filepath.Join(dir, "labels", "zz-new.yml"), []byte("- name: Brand new label\n  query: SELECT 1;\n  label_membership_type: dynamic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := planOf(t, dir)
	if strings.Join(got, "\n") != `+ label "Brand new label"` {
		t.Errorf("got %q", got)
	}
}

// Migrating a repository to the fleets era (fleets/, settings, reports, apple_settings …)
// with nothing else touched is no change.
func TestMigrationIsNoChange(t *testing.T) {
	for _, corpus := range []string{"fleet-it-and-security", "fleet-gitops", "AnywhereOps-fleet-gitops"} {
		t.Run(corpus, func(t *testing.T) {
			dir := repoOf(t, corpus)
			migrate(t, dir)
			if got := planOf(t, dir); len(got) > 0 {
				t.Errorf("the migration changes:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

// migrate moves teams/ to fleets/ and renames every key Fleet 4.82 renamed in the entry files.
func migrate(t *testing.T, dir string) {
	t.Helper()
	if err := os.Rename(filepath.Join(dir, "teams"), filepath.Join(dir, "fleets")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fleets", "no-team.yml")); err == nil {
		os.Rename(filepath.Join(dir, "fleets", "no-team.yml"), filepath.Join(dir, "fleets", "unassigned.yml"))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "fleets", "*.yml"))
	files = append(files, filepath.Join(dir, "default.yml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		renameKeys(n.Content[0], nil)
		if filepath.Base(f) == "unassigned.yml" {
			for i := 0; i+1 < len(n.Content[0].Content); i += 2 {
				if n.Content[0].Content[i].Value == "name" {
					n.Content[0].Content[i+1].Value = "Unassigned"
				}
			}
		}
		out, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(f, out, 0o644)
	}
}

func renameKeys(n *yaml.Node, parent []any) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			newName := fleet.NewName(parent, k.Value)
			renameKeys(n.Content[i+1], append(slices.Clone(parent), newName))
			k.Value = newName
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			renameKeys(c, append(slices.Clone(parent), i))
		}
	}
}

// A base commit missing from a shallow clone is a clear error naming the fetch command.
func TestShallowCloneWithoutBase(t *testing.T) {
	dir := repoOf(t, "fleet-gitops")
	edit(t, dir, "default.yml", "org_settings:", "org_settings: # changed")
	git(t, dir, "commit", "-qam", "second")
	base := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD~1"))
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, dir, "clone", "-q", "--depth=1", "file://"+dir, clone)
	_, err := Run(context.Background(), Options{Dir: clone, Base: base})
	fetch, missing := IsMissingCommit(err)
	if !missing || fetch != "git fetch --depth=1 origin "+base || !strings.Contains(err.Error(), "shallow") {
		t.Fatalf("got %v", err)
	}
}

// A side that does not parse is reported as such, and the diff of what could be read is still
// shown (never a crash, never a silent empty plan).
func TestBrokenSideStillDiffs(t *testing.T) {
	dir := repoOf(t, "fleet-it-and-security")
	edit(t, dir, "teams/servers.yml", "agent_options:", "agent_options: [")
	edit(t, dir, ws, "enable_disk_encryption: true", "enable_disk_encryption: false")
	res, err := Run(context.Background(), Options{Dir: dir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Head.Problems) == 0 || res.Head.Problems[0].Location.File != "teams/servers.yml" {
		t.Errorf("head problems: %v", res.Head.Problems)
	}
	found := false
	for _, c := range res.Changes {
		if c.Name == "controls.enable_disk_encryption" {
			found = true
		}
	}
	if !found {
		t.Errorf("the readable team's change is missing: %s", describe(res.Changes))
	}
	for _, c := range res.Changes {
		if c.Kind == KindTeam {
			t.Errorf("a team whose file does not parse is unknown, not removed: %s", c.Describe())
		}
	}
}

// A removed software item says what it did for the team (rules name what is lost with it):
// installed during the setup experience, offered in self-service; and its key, what Fleet
// matches it on.
func TestRemovedSoftwareFacts(t *testing.T) {
	dir := repoOf(t, "kitzy-fleet-gitops")
	edit(t, dir, "fleets/workstations.yml", "  - slug: fleet-desktop/darwin\n    setup_experience: true\n    self_service: true\n", "")
	res, err := Run(context.Background(), Options{Dir: dir, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 {
		t.Fatalf("changes:\n%s", describe(res.Changes))
	}
	c := res.Changes[0]
	if c.Kind != KindSoftware || c.Action != Removed || c.Facts["setup_experience"] != true || c.Facts["self_service"] != true {
		t.Errorf("got %s with facts %v", c.Describe(), c.Facts)
	}
	if c.Key != "slug:fleet-desktop/darwin" {
		t.Errorf("key %q: want what Fleet matches the app on", c.Key)
	}
}
