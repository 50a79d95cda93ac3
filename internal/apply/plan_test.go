package apply

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
)

func TestFleetArgv(t *testing.T) {
	files := []string{"default.yml", "teams/a.yml"}
	tests := []struct {
		name                        string
		era                         fleet.Era
		global, deleteOther, dryRun bool
		want                        string
	}{
		{"plain", fleet.EraTeams, true, false, false, "fleetctl gitops -f default.yml -f teams/a.yml"},
		{"dry run", fleet.EraTeams, true, false, true, "fleetctl gitops -f default.yml -f teams/a.yml --dry-run"},
		{"prune teams", fleet.EraTeams, true, true, true, "fleetctl gitops -f default.yml -f teams/a.yml --delete-other-teams --dry-run"},
		{"prune fleets", fleet.EraFleets, true, true, false, "fleetctl gitops -f default.yml -f teams/a.yml --delete-other-fleets"},
		{"no prune without global", fleet.EraTeams, false, true, false, "fleetctl gitops -f default.yml -f teams/a.yml"},
	}
	for _, tt := range tests {
		got := strings.Join(FleetArgv(files, tt.era, tt.global, tt.deleteOther, tt.dryRun), " ")
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRuns(t *testing.T) {
	no := false
	files := []string{"default.yml"}
	join := func(runs [][]string) string {
		var s []string
		for _, r := range runs {
			s = append(s, strings.Join(r, " "))
		}
		return strings.Join(s, " | ")
	}
	tests := []struct {
		name    string
		ac      config.ApplyConfig
		dryRun  bool
		want    string
		wantErr string
	}{
		{"default dry run", config.ApplyConfig{}, true, "fleetctl gitops -f default.yml --dry-run", ""},
		{"default apply dry-runs first", config.ApplyConfig{}, false,
			"fleetctl gitops -f default.yml --dry-run | fleetctl gitops -f default.yml", ""},
		{"dry_run_first false", config.ApplyConfig{DryRunFirst: &no}, false, "fleetctl gitops -f default.yml", ""},
		{"custom apply", config.ApplyConfig{Command: []string{"terraform", "apply"}}, false, "terraform apply", ""},
		{"custom dry run", config.ApplyConfig{Command: []string{"terraform", "apply"}, DryRunCommand: []string{"terraform", "plan"}}, true, "terraform plan", ""},
		{"custom apply with dry run first", config.ApplyConfig{Command: []string{"terraform", "apply"}, DryRunCommand: []string{"terraform", "plan"}}, false, "terraform plan | terraform apply", ""},
		{"custom dry run unknown", config.ApplyConfig{Command: []string{"terraform", "apply"}}, true, "", "needs apply.dry_run_command"},
		{"custom with delete_other", config.ApplyConfig{Command: []string{"x"}, DeleteOther: true}, false, "", "apply.delete_other"},
		{"dry_run_command alone", config.ApplyConfig{DryRunCommand: []string{"x"}}, true, "", "without apply.command"},
		{"empty program", config.ApplyConfig{Command: []string{""}}, false, "", "program name is empty"},
	}
	for _, tt := range tests {
		runs, err := Runs(tt.ac, files, fleet.EraTeams, true, tt.dryRun)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || join(runs) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, join(runs), err, tt.want)
		}
	}
}

func TestArgPath(t *testing.T) {
	dir := filepath.FromSlash("/repo")
	for in, want := range map[string]string{
		"/repo/default.yml":  "default.yml",
		"/repo/teams/a.yml":  filepath.FromSlash("teams/a.yml"),
		"/other/default.yml": filepath.FromSlash("/other/default.yml"),
		"/repository/x.yml":  filepath.FromSlash("/repository/x.yml"),
	} {
		if got := ArgPath(dir, filepath.FromSlash(in)); got != want {
			t.Errorf("ArgPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAuditPathAndLockWait(t *testing.T) {
	root := t.TempDir()
	cfg := &config.Config{Path: filepath.Join(root, "conf", ".tollgate.yaml"), Apply: config.ApplyConfig{AuditFile: "logs/a.jsonl", LockWait: "2m"}}
	if p, _ := AuditPath("", nil, root); p != filepath.Join(root, ".tollgate", "audit.jsonl") {
		t.Errorf("default audit path %q", p)
	}
	if p, _ := AuditPath("", cfg, root); p != filepath.Join(root, "conf", "logs", "a.jsonl") {
		t.Errorf("configured audit path %q", p)
	}
	if p, _ := AuditPath(filepath.Join(root, "flag.jsonl"), cfg, root); p != filepath.Join(root, "flag.jsonl") {
		t.Errorf("flag audit path %q", p)
	}
	if d, err := LockWait(nil, cfg); err != nil || d != 2*time.Minute {
		t.Errorf("configured wait %v, %v", d, err)
	}
	flag := 5 * time.Second
	if d, err := LockWait(&flag, cfg); err != nil || d != flag {
		t.Errorf("flag wait %v, %v", d, err)
	}
	if d, err := LockWait(nil, nil); err != nil || d != 0 {
		t.Errorf("default wait %v, %v", d, err)
	}
	cfg.Apply.LockWait = "soon"
	if _, err := LockWait(nil, cfg); err == nil {
		t.Error("bad lock_wait accepted")
	}
}

// writeRepo writes files (slash paths → content) under a new temporary directory.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		abs := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	globalYAML = "policies:\nqueries:\nagent_options:\ncontrols:\norg_settings:\n  secrets:\n    - secret: $GLOBAL_SECRET\n"
	teamYAML   = "name: Workstations\npolicies:\n  - path: ../lib/p.yml\nqueries:\nagent_options:\ncontrols:\nsoftware:\nteam_settings:\n  secrets:\n    - secret: $TEAM_SECRET\n"
	policyYAML = "- name: p\n  query: SELECT 1;\n"
)

func TestEntryFilesGlobalFirst(t *testing.T) {
	dir := writeRepo(t, map[string]string{"default.yml": globalYAML, "teams/w.yml": teamYAML, "lib/p.yml": policyYAML})
	ctx := t.Context()
	// Entry files given team first: the global file still goes first.
	team, global := filepath.Join(dir, "teams", "w.yml"), filepath.Join(dir, "default.yml")
	repo, err := load.Load(ctx, load.Options{Root: dir, Entries: []string{team, global}})
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	wd, entries, err := EntryFiles([]string{"teams/w.yml", "default.yml"}, repo)
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, e := range entries {
		rel = append(rel, filepath.ToSlash(ArgPath(wd, e)))
	}
	if want := []string{"default.yml", "teams/w.yml"}; !reflect.DeepEqual(rel, want) {
		t.Errorf("entries %q, want %q", rel, want)
	}
	// A directory: discovered as lint discovers it, the directory is the working directory.
	wd2, entries2, err := EntryFiles([]string{dir}, repo)
	if err != nil {
		t.Fatal(err)
	}
	if wd2 != canonicalDir(dir) || len(entries2) != 2 || filepath.Base(entries2[0]) != "default.yml" {
		t.Errorf("dir target: %q %q", wd2, entries2)
	}
}

// TestLockPathPerRepository: one lock per repository, reached by any path to it.
func TestLockPathPerRepository(t *testing.T) {
	root := t.TempDir()
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Skip("no symbolic links here")
	}
	if a, b := LockPath(root), LockPath(link); a != b {
		t.Errorf("two locks for one repository: %s, %s", a, b)
	}
	if want := filepath.Join(canonicalDir(root), ".tollgate", "apply.lock"); LockPath(root) != want {
		t.Errorf("got %s, want %s", LockPath(root), want)
	}
}
