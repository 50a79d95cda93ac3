package lint

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// fleetCheck is one check Fleet makes that tollgate mirrors. Fleet's own module is not served
// by the Go module proxy here, so its parser cannot run in a test: instead each row names the
// Fleet source it mirrors and the error Fleet gives, and its fixture
// (testdata/fleet-checks/<id>.txtar) holds a repository Fleet rejects (bad/) and one it
// accepts (good/). When Fleet's format changes, the row to update is found by its source.
type fleetCheck struct {
	id     string
	source string // Fleet file and function
	// fleetSays is Fleet's error text; where Fleet's source only asserts that it errs, the
	// test case or evidence that shows it.
	fleetSays string
	rule      string // the tollgate rule that must report the bad case
	want      string // a substring of that finding's message
	severity  finding.Severity
	// tolerate lists rules the fixtures may trigger besides (literal secrets in a fixture are
	// secret-plaintext's concern, not the check's).
	tolerate []string
}

var fleetChecks = []fleetCheck{
	// ---- Apple OS updates: server/fleet/app.go. Its tests assert only that Validate errs.
	{id: "os-latest-deadline-days", source: "server/fleet/app.go, AppleOSUpdateSettings.Validate",
		fleetSays: `TestAppleOSUpdatesLatestValidate: "latest with deadline_days" is valid; latest with deadline_days below 1 errs`,
		rule:      "os-update-deadline", want: "must be at least 1"},
	{id: "os-latest-with-deadline", source: "server/fleet/app.go, AppleOSUpdateSettings.Validate",
		fleetSays: `TestAppleOSUpdatesLatestValidate: latest with a non-empty deadline errs ("latest with explicitly empty deadline" is valid)`,
		rule:      "os-update-deadline", want: "takes deadline_days, not deadline"},
	{id: "os-deadline-days-exact-version", source: "server/fleet/app.go, AppleOSUpdateSettings.Validate",
		fleetSays: `TestAppleOSUpdatesLatestValidate: an exact version with deadline_days errs`,
		rule:      "os-update-deadline", want: `only goes with minimum_version "latest"`},
	{id: "os-latest-needs-4.91", source: "Fleet 4.91.0 changelog (minimum_version latest with deadline_days); cue/versions",
		fleetSays: `Fleet before 4.91: "must be a version number" for latest, unknown key deadline_days`,
		rule:      "fleet-version", want: "`deadline_days` with `latest` needs Fleet 4.91; this repository targets 4.88"},
	{id: "os-version-not-offered", source: "server/fleet/app.go, AppleOSUpdateSettings (GDMF check since 4.83; ../shared/notes/policy-domain.md)",
		fleetSays: `The minimum version isn't supported by Apple.`,
		rule:      "os-version-not-offered", want: `macOS "15.1" is not offered by Apple`,
		severity: finding.Warning}, // the embedded GDMF list is older than 14 days at fixtureNow

	// ---- policies: pkg/spec/gitops.go parsePolicies, server/fleet/policies.go
	{id: "policy-label-scopes", source: "server/fleet/policies.go, verifyPolicyLabelScopes",
		fleetSays: `ErrPolicyConflictingIncludeLabels (one include scope and one exclude scope; Fleet 4.89 allows one of each)`,
		rule:      "schema-value", want: "one of labels_include_any and labels_include_all"},
	{id: "policy-label-overlap", source: "server/fleet/policies.go, verifyPolicyLabelScopes (server/fleet/labels.go, LabelOverlap)",
		fleetSays: `label %q cannot appear in both an include and an exclude list`,
		rule:      "policy-label-overlap", want: `cannot appear in both an include and an exclude list`},
	{id: "patch-slug-only-on-patch", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: `fleet_maintained_app_slug is only supported for patch policies`,
		rule:      "schema-value", want: "only supported for patch policies"},
	{id: "patch-needs-slug", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: `Couldn't apply "%s": "%s" is specified in the patch policy, but it isn't specified under "software.fleet_maintained_apps."`,
		rule:      "schema-required", want: `"fleet_maintained_app_slug"`},
	{id: "patch-duplicate-slug", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: `Couldn't add multiple policies with type "patch" for "fleet_maintained_app_slug": %q.`,
		rule:      "policy-patch-conflict", want: `Couldn't add multiple policies with type "patch"`},
	{id: "patch-when-closed-continuous", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: `Couldn't apply policy %q: "continuous_automations_enabled" must be true when "patch_when_closed" is true.`,
		rule:      "schema-value", want: "continuous_automations_enabled must be true when patch_when_closed is true"},
	{id: "patch-when-closed-pre-install-query", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: `Couldn't apply policy %q: "pre_install_query" can't be set on Fleet-maintained app %q when "patch_when_closed" is true; Fleet manages this query.`,
		rule:      "policy-patch-conflict", want: `"pre_install_query" can't be set`},
	{id: "calendar-events-unassigned", source: "pkg/spec/gitops.go, parsePolicies",
		fleetSays: "calendar events are not supported on policies included in `%s`: %q",
		rule:      "schema-value", want: "calendar events are not supported"},
	{id: "resend-profile-undefined", source: "pkg/spec/gitops.go, parsePolicyResendConfigurationProfile",
		fleetSays: `configuration profile %q was not defined in controls in %s`,
		rule:      "policy-automation-target-missing", want: `configuration profile "Firewall policy" was not defined in controls`},
	{id: "resend-profile-global", source: "pkg/spec/gitops.go, parsePolicyResendConfigurationProfile",
		fleetSays: `resend_configuration_profile can only be set on team policies`,
		rule:      "schema-value", want: "resend_configuration_profile can only be set on team"},

	// ---- settings: pkg/spec/gitops.go parseOrgSettings and friends, ee/server/service
	{id: "secret-blank", source: "ee/server/service, validateFleetSecrets (pkg/spec/gitops.go parseSecrets checks only non-empty)",
		fleetSays: `enroll secret must not be empty`, tolerate: []string{"secret-plaintext"},
		rule: "schema-value", want: "must not be empty or only white space"},
	{id: "secrets-max", source: "ee/server/service, validateFleetSecrets (fleet.MaxEnrollSecretsCount)",
		fleetSays: `may not exceed 50 secrets`, tolerate: []string{"secret-plaintext"},
		rule: "schema-value", want: "more than 50 enroll secrets"},
	{id: "gitops-exceptions", source: "pkg/spec/gitops.go, validateGitOpsConfig",
		fleetSays: `org_settings.gitops.exceptions is not supported via GitOps; set exceptions in the Fleet UI`,
		rule:      "schema-value", want: "exceptions is not supported via GitOps"},
	{id: "gitops-repository-url", source: "pkg/spec/gitops.go, validateGitOpsConfig",
		fleetSays: `org_settings.gitops.repository_url is required when gitops_mode_enabled is true`,
		rule:      "schema-value", want: "repository_url is required when gitops_mode_enabled is true"},
	{id: "gitops-repository-url-scheme", source: "pkg/spec/gitops.go, validateGitOpsConfig",
		fleetSays: `org_settings.gitops.repository_url must include protocol (e.g. https://)`,
		rule:      "schema-value", want: "must include the protocol"},
	{id: "sso-incomplete", source: "pkg/spec/gitops.go, validateSSOConfig",
		fleetSays: `When org_settings.sso_settings.enable_sso is true, idp_name must be set`,
		rule:      "schema-value", want: "idp_name must be set"},
	{id: "org-logo-path-and-url", source: "pkg/spec/gitops.go, validateOrgInfoLogo",
		fleetSays: `org_settings.org_info: cannot specify both '%s' and '%s' for %s mode; choose one`,
		rule:      "schema-value", want: "cannot specify both 'org_logo_path_dark_mode' and 'org_logo_url_dark_mode'"},
	{id: "certificate-authority-unknown-key", source: "pkg/spec/gitops_validate.go, anyFieldTypes (certificate_authorities: fleet.GroupedCertificateAuthorities)",
		fleetSays: `unknown key %q in %q; did you mean %q?`,
		rule:      "schema-unknown-key", want: `unknown key "challange"`},
	{id: "unassigned-settings-keys", source: "pkg/spec/gitops.go, parseNoTeamSettings",
		fleetSays: `unsupported settings option '%s' in %s - only 'webhook_settings' is allowed`,
		rule:      "schema-unknown-key", want: `unknown key "features" in settings`},
	{id: "unassigned-settings-path", source: "pkg/spec/gitops.go, parseNoTeamSettings",
		fleetSays: `unsupported settings option 'path' in unassigned.yml - only 'webhook_settings' is allowed`,
		rule:      "unassigned-settings", want: "is not read in the unassigned file"},
	{id: "quoted-env-list", source: "pkg/spec/gitops.go, parseSecrets (after ExpandEnvBytes on the raw text)",
		fleetSays: `'secrets' must be a list of secret items`,
		rule:      "schema-type", want: "quoted environment reference"},
	{id: "preserve-host-activities", source: "server/fleet/app.go, ActivityExpirySettings (PreserveHostActivitiesOnReenrollment bool)",
		fleetSays: `Couldn't edit "%s" at "%s", expected type bool but got string (MaybeParseTypeError)`,
		rule:      "schema-type", want: "expected true or false"},
	{id: "fleet-desktop-sso", source: "Fleet 4.92.0 release notes (fleet_desktop.sso_enabled); cue/versions",
		fleetSays: `Fleet before 4.92: unknown key "sso_enabled"`,
		rule:      "fleet-version", want: "`fleet_desktop.sso_enabled` needs Fleet 4.92"},
	{id: "vulnerability-exposure-filters", source: "Fleet 4.89.0 / 4.92.0 release notes; frontend/interfaces/charts.ts IVulnExposureFilterDefaults; cue/versions",
		fleetSays: `Fleet before 4.92: unknown keys cvss_min, cvss_max`,
		rule:      "fleet-version", want: "CVSS bounds of the vulnerability exposure filters needs Fleet 4.92"},
	{id: "windows-automatic-enrollment", source: "server/fleet/app.go, MDM.WindowsAutomaticEnrollment (Fleet 4.91 release notes)",
		fleetSays: `unknown key "org_settings.mdm.windows_automatic_enrollment.default_team"`,
		rule:      "schema-unknown-key", want: `unknown key "default_team"`},
	{id: "team-name-reserved", source: "ee/server/service, verifyFleetName (server/fleet/teams.go, IsReservedTeamName)",
		fleetSays: `%q is a reserved name`,
		rule:      "team-name-invalid", want: `"All fleets" is a reserved name`},

	// ---- controls: pkg/spec/gitops.go parseControls
	{id: "apple-account-provisioning-team", source: "pkg/spec/gitops.go, parseControls",
		fleetSays: `%s: apple_account_provisioning can only be configured in the global configuration, not for a specific team`,
		rule:      "schema-value", want: "apple_account_provisioning can only be configured in the global configuration"},
	{id: "profile-activation-paths", source: "pkg/spec/gitops.go, parseControls",
		fleetSays: `profile %q cannot use "activation" with "paths"; use "path" for a single profile`,
		rule:      "schema-value", want: "activation cannot be used with paths"},
	{id: "android-certificate-names", source: "pkg/spec/gitops.go, parseControls",
		fleetSays: `android_settings.certificates[%d]: name is required`,
		rule:      "schema-value", want: "Fleet requires a name for each Android certificate"},
	{id: "windows-managed-local-account", source: "server/fleet/teams.go, TeamPayloadWindowsSettings.EnableManagedLocalAccount (Fleet 4.91)",
		fleetSays: `Fleet before 4.91: unknown key "enable_managed_local_account" in "controls.windows_settings"`,
		rule:      "fleet-version", want: "`windows_settings.enable_managed_local_account` needs Fleet 4.91"},
	{id: "local-account-type", source: "server/fleet/teams.go, MacOSSetup.EndUserLocalAccountType; frontend LocalAccountSection",
		fleetSays: `422 unless the type is admin, standard or none, and standard/none without the managed account (secondary: Fleet's Terraform provider mirrors "Fleet's 422s")`,
		rule:      "schema-value", want: "standard and none need the managed local admin account"},

	// ---- labels: pkg/spec/gitops.go parseLabels, server/fleet/labels.go
	{id: "host-vitals-operator", source: "pkg/spec/gitops.go, parseLabels (server/fleet/labels.go, CalculateHostVitalsQuery)",
		fleetSays: `invalid host vitals criteria for label %s: %v (TestCalculateHostVitalsQueryRejectsBadOperator)`,
		rule:      "schema-value", want: `operator ">" is not one of "=", "LIKE"`},
	{id: "label-name-ascii", source: "pkg/spec/gitops.go, parseLabels",
		fleetSays: `label name must be in ASCII: %s`,
		rule:      "schema-value", want: "must be ASCII"},
	{id: "label-name-builtin", source: "server/fleet/labels.go, ReservedLabelNames",
		fleetSays: `a built-in label's name is refused when the label is applied (ReservedLabelNames)`,
		rule:      "schema-value", want: "not the name of one of Fleet's built-in labels"},

	// ---- software: pkg/spec/gitops.go, ee/server/service
	{id: "package-team-level-keys", source: "pkg/spec/gitops.go, SoftwarePackage.HydrateToPackageLevel",
		fleetSays: `the software package defined in %s must not have icons, scripts, queries, URL, or hash specified at the team level`,
		rule:      "software-package-placement", want: "must not have icons, scripts, queries, URL, or hash specified at the team level"},
	{id: "setup-experience-platform", source: "ee/server/service, normalizeSetupExperiencePlatforms",
		fleetSays: `platform %q is not a valid "setup_experience_platform" value for a .sh package (TestNormalizeSetupExperiencePlatforms)`,
		rule:      "software-package-placement", want: `platform "windows" is not a valid setup_experience_platform value`},
}

// TestFleetChecks lints each fixture: the bad repository must give the check's finding, the
// good one no error at all (beyond the tolerated rules).
func TestFleetChecks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "fleet-checks", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]bool{}
	for _, c := range fleetChecks {
		byID[c.id] = true
	}
	for _, f := range files {
		if id := strings.TrimSuffix(filepath.Base(f), ".txtar"); !byID[id] {
			t.Errorf("fixture %s has no row in fleetChecks", f)
		}
	}
	for _, c := range fleetChecks {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			if c.source == "" || c.fleetSays == "" {
				t.Fatal("a check names its Fleet source and what Fleet says")
			}
			bad, good := extractFleetCheck(t, c.id)
			sev := c.severity
			if sev == finding.SeverityNone {
				sev = finding.Error
			}
			found := false
			badFs := lintDir(t, bad)
			for _, f := range badFs {
				if f.RuleID == c.rule && f.Severity == sev && strings.Contains(f.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("bad: no %s finding [%s] containing %q; got:\n%s", sev, c.rule, c.want, dump(badFs))
			}
			for _, f := range lintDir(t, good) {
				if f.Severity == finding.Error && !slices.Contains(c.tolerate, f.RuleID) || f.RuleID == c.rule {
					t.Errorf("good: %s", f.String())
				}
			}
		})
	}
}

// extractFleetCheck writes the fixture's bad/ and good/ repositories to a temporary
// directory; each gets a default.yml and a .tollgate.yaml unless the fixture has its own.
func extractFleetCheck(t *testing.T, id string) (bad, good string) {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "..", "testdata", "fleet-checks", id+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, side := range []string{"bad", "good"} {
		dir := filepath.Join(root, side)
		defaults := map[string]string{
			"default.yml":    "org_settings:\n  secrets:\n    - secret: $FLEET_GLOBAL_ENROLL_SECRET\n",
			".tollgate.yaml": "secrets: [FLEET_GLOBAL_ENROLL_SECRET]\n",
		}
		for name, content := range defaults {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err == nil {
				continue
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return filepath.Join(root, "bad"), filepath.Join(root, "good")
}

func lintDir(t *testing.T, dir string) []finding.Finding {
	t.Helper()
	res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow})
	if err != nil {
		t.Fatalf("lint %s: %v", dir, err)
	}
	return res.Findings
}

func dump(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
