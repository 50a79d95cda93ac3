package schema

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// TestMemoAgrees validates documents that differ only in values (the ones the memo may
// replace by tokens and the ones it must not) once through the memo and once with CUE
// alone: the issues must be identical, whatever the memo saw before.
func TestMemoAgrees(t *testing.T) {
	v := bundledValidator(t)
	fresh := *v
	fresh.noMemo = true
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
	for _, era := range []Era{EraTeams, EraFleets} {
		for i, src := range docs {
			check(KindTeam, era, fmt.Sprintf("%v doc %d", era, i), src)
		}
	}
	// Package files, as a list and alone.
	pkg := "url: https://example.com/a.pkg\nhash_sha256: " + strings.Repeat("a", 64) + "\nself_service: true\ndisplay_name: App\n"
	for i, p := range []string{pkg, strings.Replace(pkg, "App", strings.Repeat("x", 300), 1), strings.Replace(pkg, "self_service: true", "self_service: 1", 1)} {
		check(KindPackageFile, EraFleets, fmt.Sprintf("package %d", i), p)
		check(KindPackageFile, EraFleets, fmt.Sprintf("package list %d", i), "- "+strings.ReplaceAll(strings.TrimSpace(p), "\n", "\n  ")+"\n- "+strings.ReplaceAll(strings.TrimSpace(pkg), "\n", "\n  ")+"\n")
	}
	// The repositories of the corpus test.
	repos, _ := filepath.Glob(filepath.Join(corporaDir, "*", "teams", "*.yml"))
	more, _ := filepath.Glob(filepath.Join(corporaDir, "*", "fleets", "*.yml"))
	for _, f := range append(repos, more...) {
		era := EraTeams
		if strings.Contains(f, "/fleets/") {
			era = EraFleets
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
	fresh := *v
	fresh.noMemo = true
	for _, name := range []string{"Engineering - macOS", "Sales - Windows", "workstations", "Sales - Linux", "Sales", "Engineering - macOS"} {
		for _, controls := range []string{"controls:\n  enable_disk_encryption: true\n", "controls:\n  enable_disk_encryption: false\n", ""} {
			doc := parseYAML(t, strings.Replace(fleetB, "Workstations", name, 1)+controls)
			want := fresh.Validate(KindTeam, EraFleets, doc)
			if got := v.Validate(KindTeam, EraFleets, doc); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %q: memo gives\n%swant\n%s", name, controls, dump(got), dump(want))
			}
		}
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// TestTaintAnalysis checks what the analysis keeps verbatim, on schemas that would make a
// replaced value unsafe.
func TestTaintAnalysis(t *testing.T) {
	v := bundledValidator(t)
	for _, name := range []string{"type", "minimum_version", "deadline", "label_membership_type", "labels_include_any", "path", "paths", "url", "hash_sha256"} {
		if !v.memo.tainted[name] {
			t.Errorf("bundled schema: %q must be kept verbatim", name)
		}
	}
	for _, name := range []string{"name", "query", "description", "secret", "platform"} {
		if v.memo.tainted[name] {
			t.Errorf("bundled schema: %q could be replaced", name)
		}
	}
	if !v.memo.abstract {
		t.Error("bundled schema: replacement switched off")
	}
	cases := []struct {
		src     string
		tainted []string
		opaque  bool
	}{
		{"team: {a?: string, if a == \"x\" {b: =~\"y\"}}", []string{"a", "b"}, false},
		{"team: {a?: string, if a != _|_ {b!: string}}", []string{"a"}, false},
		{"#X: {c: =~\"z\"}\nteam: {a?: string, if a != _|_ {#X}}", []string{"a", "c"}, false},
		{"team: {a?: {k: =~\"x\", j: int} | {k: string}}", []string{"k"}, false},
		{"import \"list\"\nteam: {a?: [...string] & list.UniqueItems()}", nil, true},
		{"team: {for k, x in a {(k): string}}", []string{"a"}, true},
		{"team: {X=a?: string, b: X}", nil, true},
	}
	for _, tc := range cases {
		ta := taintAnalysis{tainted: map[string]bool{}, defs: map[string][]ast.Expr{}}
		ta.run([]*ast.File{mustParse(t, tc.src)})
		if ta.opaque != tc.opaque {
			t.Errorf("%q: opaque %v, want %v", tc.src, ta.opaque, tc.opaque)
		}
		for _, n := range tc.tainted {
			if !ta.tainted[n] {
				t.Errorf("%q: %q not tainted", tc.src, n)
			}
		}
	}
}

func mustParse(t *testing.T, src string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile("test.cue", src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
