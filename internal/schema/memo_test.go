package schema

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/schema/memo"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// TestMemoAgrees validates documents that differ only in values (the ones the memo may
// replace by tokens and the ones it must not) once through the memo and once with CUE
// alone: the issues must be identical, whatever the memo saw before.
func TestMemoAgrees(t *testing.T) {
	v := bundledValidator(t)
	fresh := cueAlone(v)
	var docs []string
	base := benchTeam(7)
	edits := [][2]string{
		{"", ""},
		{"name: Team 7", "name: Other team"},
		{"name: Team 7", "name: ' '"},
		{"name: Team 7", "name: 12"},
		{"name: Team 7", "name:"},
		{"$ENROLL_7", "$OTHER"},
		{"$ENROLL_7", "plain-secret"},
		{"$ENROLL_7", "sécret"},
		{"$ENROLL_7", "''"},
		{"Policy 0", "Policy zero"},
		{"platform: darwin\n", "platform: windows\n"},
		{"platform: darwin\n", "platform: macos\n"},
		{"platform: darwin\n", "platform: ''\n"},
		{"platform: darwin\n", "platform: 3\n"},
		{"critical: false", "critical: true"},
		{"critical: false", "critical: 'no'"},
		{"interval: 300", "interval: 0"},
		{"interval: 300", "interval: -5"},
		{"interval: 300", "interval: 1.5"},
		{"interval: 300", "interval: '300'"},
		{"logging: snapshot", "logging: differential"},
		{"logging: snapshot", "logging: snap"},
		{"deadline_days: 7", "deadline_days: 30"},
		{"deadline_days: 7", "deadline_days: 31"},
		{"grace_period_days: 2", "grace_period_days: 8"},
		{"'15.5'", "'15.6'"},
		{"'15.5'", "'Sequoia'"},
		{"'2025-06-30'", "'2025-02-30'"},
		{"'2025-06-30'", "''"},
		{"host_expiry_window: 0", "host_expiry_window: 9"},
		{"host_expiry_window: 0", "host_expiry_window: -1"},
		{"enable_host_users: true", "enable_host_users: false"},
		{"enable_host_users: true", "enable_host_users: yes please"},
		{"orbit: stable", "orbit: edge"},
		{"labels_include_any: [Engineering]", "labels_include_any: [Sales]"},
		{"labels_include_any: [Engineering]", "labels_include_any: []\n        labels_exclude_any: [x]"},
		{"labels_include_any: [Engineering]", "labels_include_any: [x]\n        labels_exclude_any: [y]"},
		{"app_store_id: '803453959'", "app_store_id: '1'"},
		{"app_store_id: '803453959'", "app_store_id: 1"},
		{"- path: ../lib/zoom.yml", "- url: https://example.com/a.pkg"},
		{"- path: ../lib/zoom.yml", "- hash_sha256: abc"},
		{"query: SELECT * FROM usb_devices;", "query: SELECT 2;"},
		{"query: SELECT * FROM usb_devices;", "query:"},
		{"description: Checks the OS.", "description: Checks the OS. $NOPE"},
		{"platform: darwin\n", "platfrom: darwin\n"},
		{"platform: darwin\n", "platfrom: linux\n"},
		// Values only tested by comprehension conditions (probes): a token and the tests' results.
		{"'2025-06-30'", "'2026-01-15'"},
		{"'2025-06-30'", "2025-06-30"},
		{"'2025-06-30'", "'30/06/2025'"},
		{"'15.5'", "''"},
		{"deadline: '2025-06-30'\n    ", ""},
		{"deadline: '2025-06-30'\n    minimum_version: '15.5'", "minimum_version: ''"},
		{"deadline: '2025-06-30'\n    minimum_version: '15.5'", "minimum_version: '15.6'"},
		{"deadline: '2025-06-30'\n    minimum_version: '15.5'", "deadline: ''"},
		{"deadline: '2025-06-30'\n    minimum_version: '15.5'", "deadline: '2026-02-01'"},
		{"deadline_days: 7", "deadline_days: 0"},
		{"    grace_period_days: 2\n", ""},
		{"    grace_period_days: 2\n", "    grace_period_days: 0\n"},
		{"    critical: false\n", "    critical: false\n    type: patch\n"},
		{"    query: SELECT 1 FROM os_version WHERE major >= 14;\n", "    type: patch\n"},
		{"    query: SELECT 1 FROM os_version WHERE major >= 14;\n", "    type: dynamic\n"},
		{"    query: SELECT 1 FROM os_version WHERE major >= 14;\n", "    type: ''\n"},
		{"    query: SELECT 1 FROM os_version WHERE major >= 14;\n", "    type: 3\n"},
		{"../lib/a.mobileconfig", "../lib/z.mobileconfig"},
		{"- path: ../lib/zoom.yml", "- path: ''"},
		{"labels_include_any: [Engineering]", "labels_include_any: [Engineering, Sales]"},
		{"labels_include_any: [Engineering]", "labels_include_any: [3]"},
		{"labels_include_any: [Engineering]", "labels_include_all: [Sales]"},
		{"labels_include_any: [Engineering]", "labels_include_any: [Engineering]\n        labels_include_all: [Sales]"},
		{"labels_include_any: [Engineering]", "labels_include_any: [Sales]\n        labels_include_all: []"},
		{"labels_include_any: [Engineering]", "labels_include_any: []"},
		{"- path: ../lib/zoom.yml", "- path: ../lib/zoom.yml\n      url: https://example.com/a.pkg"},
	}
	for _, e := range edits {
		docs = append(docs, strings.Replace(base, e[0], e[1], 1))
		docs = append(docs, strings.ReplaceAll(base, e[0], e[1]))
	}
	// The same edits on the fleets-era shape.
	for _, d := range slicesClone(docs) {
		docs = append(docs, strings.Replace(strings.Replace(d, "team_settings:", "settings:", 1), "queries:", "reports:", 1))
	}
	check := func(kind Kind, era Era, name, src string) {
		t.Helper()
		doc := parseYAML(t, src)
		want := fresh.Validate(kind, era, doc)
		for range 2 { // a miss, then a hit
			if got := v.Validate(kind, era, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: memo gives\n%swant\n%sdoc:\n%s", name, dump(got), dump(want), src)
				return
			}
		}
	}
	for _, era := range []Era{fleet.EraTeams, fleet.EraFleets} {
		for i, src := range docs {
			check(fleet.KindTeam, era, fmt.Sprintf("%v doc %d", era, i), src)
		}
	}
	// Package files, as a list and alone.
	pkg := "url: https://example.com/a.pkg\nhash_sha256: " + strings.Repeat("a", 64) + "\nself_service: true\ndisplay_name: App\n"
	for i, p := range []string{pkg, strings.Replace(pkg, "App", strings.Repeat("x", 300), 1), strings.Replace(pkg, "self_service: true", "self_service: 1", 1)} {
		check(fleet.KindPackageFile, fleet.EraFleets, fmt.Sprintf("package %d", i), p)
		check(fleet.KindPackageFile, fleet.EraFleets, fmt.Sprintf("package list %d", i), "- "+strings.ReplaceAll(strings.TrimSpace(p), "\n", "\n  ")+"\n- "+strings.ReplaceAll(strings.TrimSpace(pkg), "\n", "\n  ")+"\n")
	}
	// The repositories of the corpus test.
	var repos, more []string
	if corporaDir := sharedtest.Optional("corpora"); corporaDir != "" { // optional here: the documents above are the test's core
		repos, _ = filepath.Glob(filepath.Join(corporaDir, "*", "teams", "*.yml"))
		more, _ = filepath.Glob(filepath.Join(corporaDir, "*", "fleets", "*.yml"))
	}
	for _, f := range append(repos, more...) {
		era := fleet.EraTeams
		if strings.Contains(f, "/fleets/") {
			era = fleet.EraFleets
		}
		doc, _ := composite(t, f, era)
		want := fresh.Validate(kindOfDoc(doc), era, doc)
		for range 2 {
			if got := v.Validate(kindOfDoc(doc), era, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: memo gives\n%swant\n%s", f, dump(got), dump(want))
			}
		}
	}
}

// TestMemoOrganisation: constraints of an organisation schema count like the bundled ones
// (its pattern on name, its required key).
func TestMemoOrganisation(t *testing.T) {
	v, err := New([]string{filepath.Join("..", "..", "testdata", "schema", "org")})
	if err != nil {
		t.Fatal(err)
	}
	fresh := cueAlone(v)
	for _, name := range []string{"Engineering - macOS", "Sales - Windows", "workstations", "Sales - Linux", "Sales", "Engineering - macOS"} {
		for _, controls := range []string{"controls:\n  enable_disk_encryption: true\n", "controls:\n  enable_disk_encryption: false\n", ""} {
			doc := parseYAML(t, strings.Replace(fleetB, "Workstations", name, 1)+controls)
			want := fresh.Validate(fleet.KindTeam, fleet.EraFleets, doc)
			if got := v.Validate(fleet.KindTeam, fleet.EraFleets, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %q: memo gives\n%swant\n%s", name, controls, dump(got), dump(want))
			}
		}
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestMemoVaryingValues: teams that differ only in the values they set (a deadline and a
// version each, their own numbers of days and intervals, their own labels) share one memo
// result: one CUE evaluation for all; a memo keyed on those values made 10,000 such teams
// 10,000 full CUE evaluations, one at a time.
func TestMemoVaryingValues(t *testing.T) {
	v, _ := withEmptyMemo(bundledValidator(t))
	evaluations := countEvaluations(v)
	day := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200 {
		src := benchTeam(i)
		src = strings.Replace(src, "'2025-06-30'", "'"+day.AddDate(0, 0, i).Format(time.DateOnly)+"'", 1)
		src = strings.Replace(src, "'15.5'", fmt.Sprintf("'15.%d.%d'", i%8, i%3), 1)
		src = strings.Replace(src, "deadline_days: 7", fmt.Sprintf("deadline_days: %d", i%31), 1)
		src = strings.Replace(src, "host_expiry_window: 0", fmt.Sprintf("host_expiry_window: %d", i), 1)
		src = strings.Replace(src, "interval: 300", fmt.Sprintf("interval: %d", 60+i), 1)
		src = strings.Replace(src, "[Engineering]", fmt.Sprintf("[Team %d devices, Engineering]", i), 1)
		if is := v.Validate(fleet.KindTeam, fleet.EraTeams, parseYAML(t, src)); len(is) != 0 {
			t.Fatalf("team %d: %s", i, dump(is))
		}
	}
	if n := evaluations.calls.Load(); n != 1 {
		t.Errorf("%d CUE evaluations for 200 teams of one shape, want 1", n)
	}
}

// TestMemoAgreesOnConditions builds documents from the fields comprehension conditions test
// (present or not, empty or not, a date or not, "patch" or not): random mixes, and from each,
// every variant that changes one field to each of its other values, so documents that differ
// in one value meet in the shared memo. Each is checked against CUE alone: a memo key that
// dropped something a condition reads would hand one document another's issues.
func TestMemoAgreesOnConditions(t *testing.T) {
	v, _ := withEmptyMemo(bundledValidator(t))
	fresh := cueAlone(v)
	evaluations := countEvaluations(v)
	fields := []struct {
		key  string // where: macos, windows, or policy (the first policy item)
		name string
		vals []string // "" leaves the key out
	}{
		{"macos", "minimum_version", []string{"", "'15.1'", "'15.2'", "''", "'latest'", "15.1"}},
		{"macos", "deadline", []string{"", "'2026-01-01'", "'2027-03-04'", "''", "'2026-02-30'", "20260101"}},
		{"windows", "deadline_days", []string{"", "0", "7", "31", "'7'"}},
		{"windows", "grace_period_days", []string{"", "0", "2", "8"}},
		{"policy", "query", []string{"", "'SELECT 1;'"}},
		{"policy", "type", []string{"", "patch", "dynamic", "''", "3"}},
		{"policy", "labels_include_any", []string{"", "[a]", "[b, c]", "[]", "[3]"}},
		{"policy", "labels_include_all", []string{"", "[a]", "[]"}},
		{"policy", "labels_exclude_any", []string{"", "[d]", "[]"}},
	}
	build := func(pick []int) string {
		var b strings.Builder
		b.WriteString("name: T\npolicies:\n  - name: P\n")
		for f, fl := range fields {
			if v := fl.vals[pick[f]]; fl.key == "policy" && v != "" {
				fmt.Fprintf(&b, "    %s: %s\n", fl.name, v)
			}
		}
		for _, sec := range [][2]string{{"macos", "macos_updates"}, {"windows", "windows_updates"}} {
			fmt.Fprintf(&b, "controls_%s:\n", sec[1])
			for f, fl := range fields {
				if v := fl.vals[pick[f]]; fl.key == sec[0] && v != "" {
					fmt.Fprintf(&b, "    %s: %s\n", fl.name, v)
				}
			}
		}
		// Both update sections under one controls key.
		out := strings.Replace(b.String(), "controls_macos_updates:\n", "controls:\n  macos_updates:\n", 1)
		return strings.Replace(out, "controls_windows_updates:\n", "  windows_updates:\n", 1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 12 {
		base := make([]int, len(fields))
		for f := range fields {
			base[f] = r.IntN(len(fields[f].vals))
		}
		for f := range fields {
			for val := range fields[f].vals {
				pick := slices.Clone(base)
				pick[f] = val
				src := build(pick)
				doc := parseYAML(t, src)
				for _, era := range []Era{fleet.EraTeams, fleet.EraFleets} {
					want := fresh.Validate(fleet.KindTeam, era, doc)
					if got := v.Validate(fleet.KindTeam, era, doc); !reflect.DeepEqual(got, want) {
						t.Fatalf("%v: memo gives\n%swant\n%sdoc:\n%s", era, dump(got), dump(want), src)
					}
					checked++
				}
			}
		}
	}
	// Documents must meet in the memo for the comparison to test it (≈ 640 evaluations for
	// 936 checks).
	if n := int(evaluations.calls.Load()); n*10 > checked*9 {
		t.Errorf("%d CUE evaluations for %d checks: too few documents shared a result", n, checked)
	}
}

// TestMemoOrganisationReadsData: an organisation schema whose constraint reads another field,
// one with a default (directly, or through a definition nested beside it), keeps the values
// it constrains verbatim; with the memo's schema-only leaf, documents that differed only there
// got one another's issues.
func TestMemoOrganisationReadsData(t *testing.T) {
	const base = "name: Workstations\nsettings:\n  secrets:\n    - secret: $ENROLL\n"
	migration := func(mode, url string) string {
		return base + "controls:\n  macos_migration:\n    mode: " + mode + "\n    webhook_url: " + url + "\n"
	}
	jira := func(key, url string) string {
		return base + "  integrations:\n    jira:\n      - project_key: " + key + "\n        url: " + url + "\n"
	}
	migrations := []string{migration("forced", "forced-a"), migration("forced", "voluntary-a"), migration("voluntary", "voluntary-b"),
		migration("forced", "forced-b"), migration("forced", "voluntary-b")}
	cases := []struct {
		name, org string
		docs      []string
	}{
		{"interpolation", "package tollgate\nteam: controls?: macos_migration?: {\n\tmode: *\"voluntary\" | \"forced\" | \"\"\n\twebhook_url?: =~\"^\\(mode)\"\n}\n", migrations},
		{"definition", "package tollgate\nteam: controls?: macos_migration?: {\n\tmode: *\"voluntary\" | \"forced\" | \"\"\n\t#URL: =~\"^\\(mode)\"\n\twebhook_url?: #URL\n}\n", migrations},
		{"nested definition", "package tollgate\nteam: settings?: integrations?: jira?: [...{\n\tproject_key: *\"OPS\" | string\n\t#URL: =~\"^https://\\(project_key)\"\n\turl?: #URL\n}]\n",
			[]string{jira("OPSX", "https://OPSX.example.com"), jira("OPSX", "https://OPSY.example.com")}},
		// A let named like a package or a builtin the bundled schemas use hides a read of the
		// document (found by a review).
		{"let shadows a package", "package tollgate\nteam: controls?: macos_migration?: {\n\tmode: *\"voluntary\" | \"forced\" | \"\"\n\tlet time = mode\n\twebhook_url?: =~\"^\\(time)\"\n}\n", migrations},
		{"let shadows a package, selected", "package tollgate\nteam: controls?: macos_migration?: {\n\tmode: *\"voluntary\" | \"forced\" | \"\"\n\tlet strings = {p: mode}\n\twebhook_url?: =~\"^\\(strings.p)\"\n}\n", migrations},
		{"let shadows a builtin", "package tollgate\nteam: controls?: macos_migration?: {\n\tmode: *\"voluntary\" | \"forced\" | \"\"\n\tlet len = mode\n\twebhook_url?: =~\"^\\(len)\"\n}\n", migrations},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "org.cue"), []byte(c.org), 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := New([]string{dir})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fresh := cueAlone(v)
		issues := 0
		for i, src := range c.docs {
			doc := parseYAML(t, src)
			want := fresh.Validate(fleet.KindTeam, fleet.EraFleets, doc)
			issues += len(want)
			if got := v.Validate(fleet.KindTeam, fleet.EraFleets, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%s doc %d: memo gives\n%swant\n%sdoc:\n%s", c.name, i, dump(got), dump(want), src)
			}
		}
		if issues == 0 {
			t.Errorf("%s: no document has an issue: the case tests nothing", c.name)
		}
	}
}

// TestMemoSwitch: TOLLGATE_SCHEMA_MEMO=off gives CUE alone, on or unset the memo, and any
// other value is an error rather than a guess.
func TestMemoSwitch(t *testing.T) {
	for _, c := range []struct {
		value    string
		wantMemo bool
	}{{"", true}, {"on", true}, {"off", false}} {
		t.Setenv(MemoEnv, c.value)
		v, err := New(nil)
		if err != nil {
			t.Fatalf("%q: %v", c.value, err)
		}
		if _, isMemo := v.checker.(*memo.Memo[Issue]); isMemo != c.wantMemo {
			t.Errorf("%s=%q: memo %v, want %v", MemoEnv, c.value, isMemo, c.wantMemo)
		}
	}
	t.Setenv(MemoEnv, "of")
	if _, err := New(nil); err == nil || !strings.Contains(err.Error(), `TOLLGATE_SCHEMA_MEMO="of"`) {
		t.Errorf("a misspelt value: got %v, want an error naming it", err)
	}
}
