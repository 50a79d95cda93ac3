package lint

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// trueErrors are the error-level findings on the real repositories in ../shared/corpora that
// are true: Fleet ≥ 4.65 rejects .exe packages without install and uninstall scripts (the
// corpora README names the canary team), and these passcode profiles are shorter than the
// default organisational minimum of 12 (passcode-min-length's documented default). Anything
// else at error level is a false positive and fails the test.
var trueErrors = map[string][]string{
	"Helios-IT-Management-helios-fleet-gitops": {
		"lib/ios/configuration-profiles/passcode.mobileconfig:22 passcode-min-length",
	},
	"fleet-it-and-security": {
		"lib/ios/declaration-profiles/passcode-settings.json:6 passcode-min-length",
		"lib/ipados/declaration-profiles/passcode-settings.json:6 passcode-min-length",
		"lib/macos/declaration-profiles/passcode-settings.json:6 passcode-min-length",
		"lib/windows/configuration-profiles/password.xml:10 passcode-min-length",
		"teams/workstations-canary.yml:159 software-package-scripts",
		"teams/workstations-canary.yml:160 software-package-scripts",
		"teams/workstations-canary.yml:161 software-package-scripts",
	},
	"kitzy-fleet-gitops": {
		"platforms/macos/declaration-profiles/all-macos/passcode-settings-ddm.json:6 passcode-min-length",
	},
}

// trueWithFreshCatalog are the further true errors while the OS catalog is fresh (its GDMF list
// under 14 days old, so os-version-not-offered reports errors, not warnings): these teams pin
// versions Apple no longer offers, which Fleet 4.83+ refuses ("The minimum version isn't
// supported by Apple.", ../shared/notes/policy-domain.md; the GDMF list of the embedded catalog
// offers iOS/iPadOS 18.7.8-18.7.10 and macOS 15.7.7-15.7.9 in those majors).
var trueWithFreshCatalog = map[string][]string{
	"Helios-IT-Management-helios-fleet-gitops": {
		"teams/mobile-devices.yml:8 os-version-not-offered",
	},
	"fleet-it-and-security": {
		"teams/company-owned-ipads.yml:16 os-version-not-offered",
		"teams/company-owned-iphones.yml:16 os-version-not-offered",
		"teams/personally-owned-iphones.yml:16 os-version-not-offered",
		"teams/workstations-canary.yml:114 os-version-not-offered",
		"teams/workstations.yml:73 os-version-not-offered",
	},
}

// freshNow is three days after the embedded catalog's snapshot (2026-08-22).
var freshNow = time.Date(2026, 8, 25, 12, 0, 0, 0, time.UTC)

func corpora(t *testing.T) []string {
	t.Helper()
	return sharedtest.CorpusDirs(t)
}

// errorsOf lists a run's error-level findings as "file:line rule".
func errorsOf(t *testing.T, dir string, now time.Time) []string {
	t.Helper()
	res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Severity == finding.Error {
			got = append(got, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Start.Line, f.RuleID))
		}
	}
	slices.Sort(got)
	return got
}

// Every corpus lints end to end (load, CUE, Rego) with no error-level finding but the true ones,
// with the embedded catalog stale (fixtureNow) and fresh.
func TestCorporaNoFalseErrors(t *testing.T) {
	for _, dir := range corpora(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			want := slices.Sorted(slices.Values(trueErrors[name]))
			if got := errorsOf(t, dir, fixtureNow); !slices.Equal(got, want) {
				t.Errorf("stale catalog: error-level findings differ from the known true ones:\n got %q\nwant %q", got, want)
			}
			want = slices.Sorted(slices.Values(append(slices.Clone(trueErrors[name]), trueWithFreshCatalog[name]...)))
			if got := errorsOf(t, dir, freshNow); !slices.Equal(got, want) {
				t.Errorf("fresh catalog: error-level findings differ from the known true ones:\n got %q\nwant %q", got, want)
			}
		})
	}
}

var (
	pinnedVersion = regexp.MustCompile(`(?m)^(\s+)minimum_version:\s*(["']?)\d[\d.]*(["']?)\s*(#.*)?$`)
	deadlineDate  = regexp.MustCompile(`(?m)^(\s+)deadline:\s*["']?\d{4}-\d\d-\d\d["']?\s*(#.*)?$`)
)

// TestCorporaLatestForm rewrites every pinned Apple OS update of the corpora into Fleet 4.91's
// form (minimum_version: latest, deadline_days: 7) and lints them again: the only errors left
// are the true ones that have nothing to do with OS versions.
func TestCorporaLatestForm(t *testing.T) {
	rewritten := 0
	for _, dir := range corpora(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), name)
			if err := os.CopyFS(tmp, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out := pinnedVersion.ReplaceAll(data, []byte("${1}minimum_version: latest"))
				out = deadlineDate.ReplaceAll(out, []byte("${1}deadline_days: 7"))
				if bytes.Equal(out, data) {
					return nil
				}
				rewritten += len(pinnedVersion.FindAll(data, -1))
				return os.WriteFile(p, out, 0o644)
			})
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Sorted(slices.Values(trueErrors[name]))
			if got := errorsOf(t, tmp, freshNow); !slices.Equal(got, want) {
				t.Errorf("latest form: error-level findings differ from the known true ones:\n got %q\nwant %q", got, want)
			}
		})
	}
	if rewritten < 10 {
		t.Errorf("only %d pinned versions rewritten: the test checks little", rewritten)
	}
}
