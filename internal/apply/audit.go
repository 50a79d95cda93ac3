package apply

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// AuditVersion is the version of the audit record format (the "v" field). It changes only when
// a field is removed or changes meaning; new fields may appear in any version.
const AuditVersion = 1

// Outcome is how an attempt ended.
type Outcome string

const (
	RefusedFindings Outcome = "refused-findings" // a finding at or above the fail level
	RefusedSecrets  Outcome = "refused-secrets"  // a needed environment variable unset or empty
	RefusedLocked   Outcome = "refused-locked"   // another apply held the lock past the wait
	RefusedChanged  Outcome = "refused-changed"  // a file differed from what was checked
	ApplierMissing  Outcome = "applier-missing"  // the applier program was not found
	Failed          Outcome = "failed"           // the applier failed, or could not be started
	Applied         Outcome = "applied"          // the applier succeeded
	DryRunOK        Outcome = "dry-run-ok"       // the dry run succeeded (--dry-run)
)

// Record is one audit line. It holds names, paths, digests and command lines, never the value
// of an environment variable beyond the CI metadata below (commit, actor, run URL).
type Record struct {
	V        int     `json:"v"`
	Time     string  `json:"time"` // RFC 3339, UTC
	Tollgate string  `json:"tollgate"`
	Outcome  Outcome `json:"outcome"`
	DryRun   bool    `json:"dry_run"`
	ExitCode int     `json:"exit_code"` // tollgate's own exit code
	Commit   string  `json:"commit"`
	Actor    string  `json:"actor"`
	RunURL   string  `json:"run_url"`
	// GitCommit is the HEAD commit of the repository's git work tree ("" outside git): what was
	// applied, unless GitDirty says a checked file differed from it or was not in it. The next
	// apply shows the changes since this commit (since.go).
	GitCommit string       `json:"git_commit"`
	GitDirty  bool         `json:"git_dirty"`
	Root      string       `json:"root"` // repository root, absolute
	Dir       string       `json:"dir"`  // the applier's working directory, absolute
	Files     []FileDigest `json:"files"`
	Findings  Summary      `json:"findings"`
	// MissingEnv names the variables that were unset or empty (refused-secrets).
	MissingEnv []string `json:"missing_env,omitempty"`
	// Changed lists the files that differed from the check (refused-changed).
	Changed []Change `json:"changed,omitempty"`
	// Argv is the applier command line this attempt was for (the last hand-off planned).
	Argv []string `json:"argv"`
	// Runs lists every applier process started, in order, with its exit code.
	Runs    []RunRecord `json:"runs"`
	Message string      `json:"message,omitempty"`
	// Bypass is set when the attempt was made with --emergency-bypass.
	Bypass *Bypass `json:"bypass,omitempty"`
}

// RunRecord is one applier process: its argv and exit code (-1 when killed by a signal).
type RunRecord struct {
	Argv     []string `json:"argv"`
	ExitCode int      `json:"exit_code"`
}

// Summary counts findings by severity and lists the rule IDs that fired.
type Summary struct {
	FailLevel string   `json:"fail_level"`
	Errors    int      `json:"errors"`
	Warnings  int      `json:"warnings"`
	Notes     int      `json:"notes"`
	Rules     []string `json:"rules"`
}

// Summarize is the findings part of a record.
func Summarize(fs []finding.Finding, failLevel finding.Severity) Summary {
	c := finding.Count(fs)
	rules := []string{}
	for _, f := range fs {
		if !slices.Contains(rules, f.RuleID) {
			rules = append(rules, f.RuleID)
		}
	}
	slices.Sort(rules)
	return Summary{FailLevel: failLevel.String(), Errors: c.Errors, Warnings: c.Warnings, Notes: c.Notes, Rules: rules}
}

// CI is what a record says about where it ran.
type CI struct{ Commit, Actor, RunURL string }

// DetectCI reads the commit, actor and run URL from GitHub Actions or GitLab CI variables, the
// actor from USER elsewhere. gitHead is asked for the commit only when CI does not say (it may
// be nil, or return "").
func DetectCI(getenv func(string) string, gitHead func() string) CI {
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	ci := CI{Commit: first("GITHUB_SHA", "CI_COMMIT_SHA"), Actor: first("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER")}
	if ci.Commit == "" && gitHead != nil {
		ci.Commit = gitHead()
	}
	if server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repo != "" && id != "" {
		ci.RunURL = strings.TrimSuffix(server, "/") + "/" + repo + "/actions/runs/" + id
		if a := getenv("GITHUB_RUN_ATTEMPT"); a != "" {
			ci.RunURL += "/attempts/" + a
		}
	} else {
		ci.RunURL = first("CI_JOB_URL", "CI_PIPELINE_URL")
	}
	return ci
}

// FormatTime is the record's time format.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// OpenAudit opens the audit file for appending, creating it and its directory.
func OpenAudit(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// Marshal is a record as one JSON line, newline included.
func Marshal(r *Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Append writes r to f (opened with O_APPEND) in one write, so concurrent writers never
// interleave within a line.
func Append(f *os.File, r *Record) error {
	b, err := Marshal(r)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return err
}
