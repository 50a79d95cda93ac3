package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/diff"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
	"github.com/tollgate-dev/tollgate/internal/report"
)

// What an apply is about to change is shown as the plan (tollgate diff) from the commit of the
// last successful apply of the same directory, read from the audit log, to the files checked.
// The plan names things and shows environment references by name, never a secret's value
// (internal/diff hides them), so it is as safe to print as the findings.

// appliedMarker is how a record of a successful apply starts its outcome in the log: Marshal
// writes it without spaces, and any such text in another field is escaped ("\"outcome\"…").
var appliedMarker = []byte(`"outcome":"` + string(Applied) + `"`)

// LastApplied returns the newest record in the audit file of a real apply that succeeded in
// dir (the applier's working directory, absolute), or nil when there is none. It reads the file
// from its end, so a long log costs what its last records do. A record that says it was
// applied but can't be read is an error: the plan from an older one would show changes that
// are already in the fleet as new.
func LastApplied(auditFile, dir string) (*Record, error) {
	f, err := os.Open(auditFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var found *Record
	var bad error
	err = eachLineBackwards(f, func(line []byte) bool {
		if !bytes.Contains(line, appliedMarker) {
			return true
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			bad = fmt.Errorf("a record of an apply cannot be read: %v", err)
			return false
		}
		if r.Outcome == Applied && !r.DryRun && r.Dir == dir {
			found = &r
			return false
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return found, err
}

// backwardsChunk is how much of the audit file eachLineBackwards reads at a time.
const backwardsChunk = 256 << 10

// eachLineBackwards calls fn with each non-empty line of f (without its newline), the last line
// first, until fn returns false.
func eachLineBackwards(f *os.File, fn func(line []byte) bool) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var partial []byte // the start of a line cut by the chunk boundary is read with the next chunk
	for off := fi.Size(); off > 0; {
		n := min(int64(backwardsChunk), off)
		off -= n
		buf := make([]byte, n, n+int64(len(partial)))
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			return err
		}
		buf = append(buf, partial...)
		for {
			i := bytes.LastIndexByte(buf, '\n')
			if i < 0 {
				break
			}
			if line := buf[i+1:]; len(line) > 0 && !fn(line) {
				return nil
			}
			buf = buf[:i]
		}
		partial = buf
	}
	if len(partial) > 0 {
		fn(partial)
	}
	return nil
}

// commitID is a full commit ID, SHA-1 or SHA-256.
var commitID = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// showChangesSince prints, before the first hand-off, the plan from the last successful apply
// of the same directory to what is about to be applied; where there is none to compare with,
// one line that says why. It never stops the apply: the checks have passed, and this only
// informs whoever reads the log.
func (a *attempt) showChangesSince(ctx context.Context) {
	w := a.opts.Stderr
	const what = "tollgate: changes since the last apply"
	last, err := LastApplied(a.plan.AuditFile, a.plan.Dir)
	if err != nil {
		fmt.Fprintf(w, "%s: unknown, %s: %v\n", what, a.plan.AuditFile, err)
		return
	}
	if last == nil {
		fmt.Fprintf(w, "%s: none recorded for %s in %s, so there is nothing to compare with\n", what, a.plan.Dir, a.plan.AuditFile)
		return
	}
	commit := last.GitCommit
	if commit == "" {
		commit = last.Commit // a record written before git_commit was
	}
	when := fmt.Sprintf("%s (%s)", what, last.Time)
	if !commitID.MatchString(commit) {
		fmt.Fprintf(w, "%s: unknown, the record names no commit ID\n", when)
		return
	}
	res, err := diff.Run(ctx, diff.Options{Dir: a.plan.Dir, Base: commit})
	var missing *gitsrc.MissingCommitError
	switch {
	case errors.As(err, &missing):
		fmt.Fprintf(w, "%s: unknown, its commit %s is not in this clone (fetch it with: %s)\n", when, commit[:12], missing.FetchCommand())
		return
	case err != nil:
		fmt.Fprintf(w, "%s: unknown: %v\n", when, err)
		return
	}
	var buf bytes.Buffer
	text, _ := report.NewPlan("text", report.Options{})
	if err := text.ReportPlan(&buf, res); err != nil {
		fmt.Fprintf(w, "%s: unknown: %v\n", when, err)
		return
	}
	note := ""
	if last.GitDirty {
		note = "; that apply had files that differed from its commit, which this plan may list as changes"
	}
	fmt.Fprintf(w, "%s, commit %s by %s%s:\n%s", when, commit[:12], orUnknown(last.Actor), note, buf.String())
}

// GitDirty reports whether any of files (paths relative to root) differs from the HEAD commit
// of the git repository at root or is not in it. When git can't tell, it says dirty: the record
// must not claim that a commit is what was applied unless that is known.
func GitDirty(root string, files []FileDigest) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	changed, err := gitsrc.ChangedFiles(ctx, root, "HEAD", "")
	if err != nil {
		return true
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		return true
	}
	tracked := map[string]bool{}
	for _, p := range strings.Split(string(out), "\x00") {
		tracked[p] = true
	}
	modified := map[string]bool{}
	for _, p := range changed {
		modified[p] = true
	}
	for _, f := range files {
		if p := filepath.ToSlash(f.Path); modified[p] || !tracked[p] {
			return true
		}
	}
	return false
}
