package lint

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

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

// Every corpus lints end to end (load, CUE, Rego) with no error-level finding but the true ones.
func TestCorporaNoFalseErrors(t *testing.T) {
	for _, dir := range sharedtest.CorpusDirs(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Severity == finding.Error {
					got = append(got, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Start.Line, f.RuleID))
				}
			}
			want := trueErrors[name]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("error-level findings differ from the known true ones:\n got %q\nwant %q", got, want)
			}
		})
	}
}
