package apply

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

func TestDetectCI(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	noGit := func() string { t.Error("git asked although CI gave the commit"); return "" }

	gh := DetectCI(env(map[string]string{"GITHUB_SHA": "abc", "GITHUB_ACTOR": "octocat", "USER": "runner",
		"GITHUB_SERVER_URL": "https://github.com/", "GITHUB_REPOSITORY": "acme/fleet", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2"}), noGit)
	if want := (CI{"abc", "octocat", "https://github.com/acme/fleet/actions/runs/42/attempts/2"}); gh != want {
		t.Errorf("GitHub: %+v", gh)
	}
	gl := DetectCI(env(map[string]string{"CI_COMMIT_SHA": "def", "GITLAB_USER_LOGIN": "tanuki",
		"CI_JOB_URL": "https://gitlab.example/acme/fleet/-/jobs/7"}), noGit)
	if want := (CI{"def", "tanuki", "https://gitlab.example/acme/fleet/-/jobs/7"}); gl != want {
		t.Errorf("GitLab: %+v", gl)
	}
	local := DetectCI(env(map[string]string{"USER": "alice"}), func() string { return "0123" })
	if want := (CI{"0123", "alice", ""}); local != want {
		t.Errorf("local: %+v", local)
	}
	if none := DetectCI(env(nil), nil); none != (CI{}) {
		t.Errorf("nothing known: %+v", none)
	}
}

func TestSummarize(t *testing.T) {
	fs := []finding.Finding{
		{RuleID: "b-rule", Severity: finding.Error},
		{RuleID: "a-rule", Severity: finding.Warning},
		{RuleID: "b-rule", Severity: finding.Error},
		{RuleID: "c-rule", Severity: finding.Note},
	}
	got := Summarize(fs, finding.Warning)
	want := Summary{FailLevel: "warning", Errors: 2, Warnings: 1, Notes: 1, Rules: []string{"a-rule", "b-rule", "c-rule"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
	if b, _ := json.Marshal(Summarize(nil, finding.Error)); !bytes.Contains(b, []byte(`"rules":[]`)) {
		t.Errorf("no findings should list no rules as [], got %s", b)
	}
}

// TestAppend checks the line format and that concurrent appenders never interleave a line.
func TestAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "audit.jsonl")
	rec := &Record{V: AuditVersion, Time: FormatTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))),
		Outcome: DryRunOK, DryRun: true, Argv: []string{"fleetctl", "gitops", "-f", "default.yml", "--dry-run"},
		Runs: []RunRecord{{Argv: []string{"fleetctl"}, ExitCode: 0}}, Message: "multi\nline"}
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := OpenAudit(path)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			for range each {
				if err := Append(f, rec); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != writers*each {
		t.Fatalf("%d lines, want %d", len(lines), writers*each)
	}
	for _, l := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if got["time"] != "2026-01-02T02:04:05Z" || got["outcome"] != "dry-run-ok" || got["v"] != float64(1) {
			t.Fatalf("line %q", l)
		}
	}
}
