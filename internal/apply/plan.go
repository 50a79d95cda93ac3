package apply

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// DefaultAuditFile is where the audit log goes, relative to the repository root, when neither
// --audit-file nor apply.audit_file says otherwise.
const DefaultAuditFile = ".tollgate/audit.jsonl"

// ConfigError is a problem with the command line or the apply configuration (exit code 2).
// Nothing was attempted, so no audit record is written.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Plan is everything an attempt will do, decided before anything runs.
type Plan struct {
	Dir       string     // the applier's working directory (absolute)
	Entries   []string   // entry files, absolute, global first: what is re-checked before the hand-off
	Runs      [][]string // argv of each hand-off in order: a dry run may precede the real apply
	AuditFile string     // absolute
	LockFile  string     // LockPath of the repository root
	LockWait  time.Duration
	// DiscoverIn is the directory the entry files were discovered in ("" when they were given
	// as files): the recheck before each hand-off discovers them there again.
	DiscoverIn string
}

// LockName is the apply lock's file under the repository root: one place per repository,
// whatever audit file each apply writes (a lock beside the audit file let two applies with
// different --audit-file both hand off).
const LockName = ".tollgate/apply.lock"

// LockPath is the apply lock of the repository at root, its symbolic links resolved so that
// two paths to one repository share one lock.
func LockPath(root string) string {
	return filepath.Join(canonicalDir(root), filepath.FromSlash(LockName))
}

// DiscoveryDir is the directory EntryFiles discovers the entries in, or "" when the targets
// are entry files.
func DiscoveryDir(targets []string) string {
	if len(targets) == 0 {
		targets = []string{"."}
	}
	if fi, err := os.Stat(targets[0]); len(targets) == 1 && err == nil && fi.IsDir() {
		return canonicalDir(targets[0])
	}
	return ""
}

// EntryFiles returns the applier's working directory and the entry files, absolute and in the
// order fleetctl needs them (the global file first). Given one directory (or nothing: "."), the
// entries are discovered in it exactly as lint discovers them and the directory is the working
// directory; given entry files, they are taken as given and the working directory is cwd.
// Entry files that do not parse are kept: leaving one out of the hand-off could make
// --delete-other-teams delete that team.
func EntryFiles(targets []string, repo *load.Repo) (dir string, entries []string, err error) {
	if len(targets) == 0 {
		targets = []string{"."}
	}
	if fi, err := os.Stat(targets[0]); len(targets) == 1 && err == nil && fi.IsDir() {
		found, err := load.Discover(targets[0])
		if err != nil {
			return "", nil, err
		}
		dir, entries = canonicalDir(targets[0]), found
	} else {
		cwd, err := os.Getwd()
		if err != nil {
			return "", nil, err
		}
		dir, entries = canonicalDir(cwd), slices.Clone(targets)
	}
	global := map[string]bool{}
	for _, e := range repo.Entries {
		if e.Kind == fleet.KindGlobal {
			global[e.File.Abs] = true
		}
	}
	for i, e := range entries {
		entries[i] = canonical(e)
	}
	slices.SortStableFunc(entries, func(a, b string) int { return boolInt(global[b]) - boolInt(global[a]) })
	return dir, entries, nil
}

// canonical is the absolute path of a file with its directory's symbolic links resolved, as
// the loader addresses entry files.
func canonical(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return filepath.Join(canonicalDir(filepath.Dir(a)), filepath.Base(a))
}

func canonicalDir(d string) string {
	a, err := filepath.Abs(d)
	if err != nil {
		return d
	}
	if real, err := filepath.EvalSymlinks(a); err == nil {
		return real
	}
	return a
}

// ArgPath is how file appears in the applier's argv: relative to dir when it lies inside dir
// (so the argv reads `-f default.yml -f teams/workstations.yml`), absolute otherwise.
func ArgPath(dir, file string) string {
	r, err := filepath.Rel(dir, file)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return file
	}
	return r
}

// FleetArgv is the fleetctl command line for files (given in order, global first):
// `fleetctl gitops -f F…`, then --delete-other-teams (teams era) or --delete-other-fleets
// (fleets era) when deleteOther is set and a global file is among them (pruning without the
// global file is refused by the template's gitops.sh too), then --dry-run.
func FleetArgv(files []string, era fleet.Era, hasGlobal, deleteOther, dryRun bool) []string {
	argv := []string{"fleetctl", "gitops"}
	for _, f := range files {
		argv = append(argv, "-f", f)
	}
	if deleteOther && hasGlobal {
		if era == fleet.EraFleets {
			argv = append(argv, "--delete-other-fleets")
		} else {
			argv = append(argv, "--delete-other-teams")
		}
	}
	if dryRun {
		argv = append(argv, "--dry-run")
	}
	return argv
}

// Runs returns the command lines to hand off, in order. With the default applier that is
// fleetctl's dry run, then (unless dryRun) the real apply; with apply.command, apply.dry_run_command
// plays the dry run. apply.dry_run_first: false skips the dry run before a real apply.
func Runs(ac config.ApplyConfig, files []string, era fleet.Era, hasGlobal, dryRun bool) ([][]string, error) {
	first := ac.DryRunFirst == nil || *ac.DryRunFirst
	if len(ac.Command) == 0 {
		if len(ac.DryRunCommand) > 0 {
			return nil, errors.New("apply.dry_run_command is set without apply.command; the default fleetctl applier dry-runs with --dry-run")
		}
		dry := FleetArgv(files, era, hasGlobal, ac.DeleteOther, true)
		real := FleetArgv(files, era, hasGlobal, ac.DeleteOther, false)
		switch {
		case dryRun:
			return [][]string{dry}, nil
		case first:
			return [][]string{dry, real}, nil
		}
		return [][]string{real}, nil
	}
	if ac.DeleteOther {
		return nil, errors.New("apply.delete_other only applies to the default fleetctl applier; with apply.command, write the flag into the command")
	}
	for name, c := range map[string][]string{"command": ac.Command, "dry_run_command": ac.DryRunCommand} {
		if len(c) > 0 && strings.TrimSpace(c[0]) == "" {
			return nil, fmt.Errorf("apply.%s: the program name is empty", name)
		}
	}
	switch {
	case dryRun && len(ac.DryRunCommand) == 0:
		return nil, errors.New("--dry-run with a custom apply.command needs apply.dry_run_command (e.g. [terraform, plan]); tollgate never guesses a dry-run flag")
	case dryRun:
		return [][]string{slices.Clone(ac.DryRunCommand)}, nil
	case first && len(ac.DryRunCommand) > 0:
		return [][]string{slices.Clone(ac.DryRunCommand), slices.Clone(ac.Command)}, nil
	}
	return [][]string{slices.Clone(ac.Command)}, nil
}

// AuditPath picks the audit file: --audit-file (relative to cwd), else apply.audit_file
// (relative to the configuration file), else DefaultAuditFile under the repository root.
func AuditPath(flag string, cfg *config.Config, root string) (string, error) {
	switch {
	case flag != "":
		return filepath.Abs(flag)
	case cfg != nil && cfg.Apply.AuditFile != "":
		return filepath.Abs(cfg.Abs(cfg.Apply.AuditFile))
	}
	return filepath.Join(root, filepath.FromSlash(DefaultAuditFile)), nil
}

// LockWait picks how long to wait for another apply: --lock-wait when given (flag non-nil),
// else apply.lock_wait, else zero (refuse at once).
func LockWait(flag *time.Duration, cfg *config.Config) (time.Duration, error) {
	if flag != nil {
		if *flag < 0 {
			return 0, errors.New("--lock-wait must not be negative")
		}
		return *flag, nil
	}
	if cfg == nil || cfg.Apply.LockWait == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(cfg.Apply.LockWait)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("apply.lock_wait: %q is not a duration such as 30s or 5m", cfg.Apply.LockWait)
	}
	return d, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
