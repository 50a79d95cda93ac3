package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// Outcomes of the yaml.v3 reference.
const (
	refOK       = iota // one document, a mapping at its root
	refParseErr        // yaml.v3 reports an error
	refOther           // no document, several, or a root that is not a mapping
)

// prescanReference is what PrescanTopLevel must equal when it is certain: data decoded with
// yaml.v3 into a yaml.Node.
func prescanReference(data []byte) (TopLevel, int) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return TopLevel{}, refOther
		}
		return TopLevel{}, refParseErr
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return TopLevel{}, refParseErr
		}
		return TopLevel{}, refOther
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) != 1 {
			return TopLevel{}, refOther
		}
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return TopLevel{}, refOther
	}
	var t TopLevel
	var name *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		switch k.Value {
		case "org_settings":
			t.HasOrgSettings = true
		case "labels":
			t.HasLabels = true
		case "name":
			t.HasName = true
			name = root.Content[i+1]
		}
	}
	if name != nil && name.Kind == yaml.ScalarNode {
		var v any
		if err := name.Decode(&v); err == nil {
			t.Name, t.NameIsString = v.(string)
		}
	}
	return t, refOK
}

// checkPrescan fails when PrescanTopLevel is certain and differs from the reference. A
// certain result on data yaml.v3 rejects is allowed: the pre-scan does not validate nested
// values, the full parse reports the error.
func checkPrescan(t *testing.T, data []byte) (TopLevel, bool) {
	t.Helper()
	got, certain := PrescanTopLevel(data)
	if !certain {
		if got != (TopLevel{}) {
			t.Errorf("uncertain with a non-zero result %+v for %q", got, data)
		}
		return got, false
	}
	want, status := prescanReference(data)
	switch status {
	case refOther:
		t.Errorf("certain, but yaml.v3 does not see one document with a mapping root:\n%q", data)
	case refOK:
		if got != want {
			t.Errorf("certain but wrong for %q:\n got %+v\nwant %+v", data, got, want)
		}
	}
	return got, true
}

const teamExample = `# comment
name: Team 00001          # trailing comment
policies:
  - name: nested names are not top-level
    query: SELECT 1;
team_settings:
  secrets:
    - secret: $FLEET_ENROLL_SECRET
`

var prescanCases = []struct {
	name    string
	in      string
	certain bool
	want    TopLevel // checked when certain (and against the reference too)
}{
	{"example", teamExample, true, TopLevel{HasName: true, Name: "Team 00001", NameIsString: true}},
	{"double quoted", "name: \"Workstations (canary)\"\n", true, TopLevel{HasName: true, Name: "Workstations (canary)", NameIsString: true}},
	{"double quoted escape", "name: \"a\\tb \\u00e9\"\n", true, TopLevel{HasName: true, Name: "a\tb é", NameIsString: true}},
	{"double quoted comment", "name: \"x: y # z\" # c\nlabels:\n", true, TopLevel{HasName: true, Name: "x: y # z", NameIsString: true, HasLabels: true}},
	{"single quoted", "name: 'It''s'\n", true, TopLevel{HasName: true, Name: "It's", NameIsString: true}},
	{"single quoted plain", "name: 'a \"b\" c'\n", true, TopLevel{HasName: true, Name: "a \"b\" c", NameIsString: true}},
	{"empty quoted", "name: ''\n", true, TopLevel{HasName: true, Name: "", NameIsString: true}},
	{"emoji", "name: 💻 Workstations\n", true, TopLevel{HasName: true, Name: "💻 Workstations", NameIsString: true}},
	{"env var", "name: $DOGFOOD_TEAM\n", true, TopLevel{HasName: true, Name: "$DOGFOOD_TEAM", NameIsString: true}},
	{"hash inside", "name: a#b\n", true, TopLevel{HasName: true, Name: "a#b", NameIsString: true}},
	{"colon inside", "name: a:b\n", true, TopLevel{HasName: true, Name: "a:b", NameIsString: true}},
	{"space before colon", "name :  x  \n", true, TopLevel{HasName: true, Name: "x", NameIsString: true}},
	{"leading marker", "---\nname: T\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"marker comment", "# c\n--- # doc\n\nname: T\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"yes is a string", "name: yes\n", true, TopLevel{HasName: true, Name: "yes", NameIsString: true}},
	{"int", "name: 123\n", true, TopLevel{HasName: true}},
	{"float", "name: 1.5e3\n", true, TopLevel{HasName: true}},
	{"inf", "name: .inf\n", true, TopLevel{HasName: true}},
	{"timestamp is not a string", "name: 2024-01-02\n", true, TopLevel{HasName: true}},
	{"digits then text", "name: 2024 Team\n", true, TopLevel{HasName: true, Name: "2024 Team", NameIsString: true}},
	{"bool", "name: true\n", true, TopLevel{HasName: true}},
	{"null", "name: null\n", true, TopLevel{HasName: true}},
	{"tilde", "name: ~\n", true, TopLevel{HasName: true}},
	{"empty", "name:\nlabels:\n", true, TopLevel{HasName: true, HasLabels: true}},
	{"empty comment", "name: # none\n# c\nlabels: []\n", true, TopLevel{HasName: true, HasLabels: true}},
	{"empty at end", "labels:\nname:", true, TopLevel{HasName: true, HasLabels: true}},
	{"quoted number", "name: \"123\"\n", true, TopLevel{HasName: true, Name: "123", NameIsString: true}},
	{"name sequence at column 0", "name:\n- a\n- b\n", true, TopLevel{HasName: true}},
	{"global", "agent_options:\n  path: a.yml\norg_settings:\n  server_settings:\n    server_url: $X\nlabels:\n  - path: l.yml\n", true, TopLevel{HasOrgSettings: true, HasLabels: true}},
	{"no name", "policies:\n", true, TopLevel{}},
	{"crlf", "# c\r\nname: T \r\npolicies:\r\n  - name: x\r\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"no final newline", "policies: []\nname: T", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"column 0 ends a block scalar", `name: T
policies:
  - name: p
    query: |
      SELECT 1 FROM x WHERE name: 'y';

name: a top-level key again (a duplicate)
      -- "unbalanced
    description: >-
      text "
      name: z
labels:
`, false, TopLevel{}},
	{"block scalar content", `name: T
policies:
  - name: p
    query: |
      SELECT 1 FROM x WHERE a = 'y: z';

        name: deeper
      -- "unbalanced
    description: >-
      text "
      name: z
  - name: q
    query: >
      SELECT 2;
labels:
`, true, TopLevel{HasName: true, Name: "T", NameIsString: true, HasLabels: true}},
	{"comments at column 0 between indented lines", `team_settings:
  secrets:
# a comment
    - secret: $S
#another
  features:
    enable: true
name: T
`, true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"sequence at column 0", `policies:
- name: p1
  query: SELECT 1;
- name: p2
  query: |
    SELECT 2;
name: T
controls:
- path: a
-
  path: b
`, true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"top-level block scalar", "description: |\n  name: x\n\n  labels:\nname: T\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"multi-line plain other key", "description: a long\n  text - with \"quotes\" [and] {brackets}\n  and more\nname: T\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},
	{"flow values", "labels: [ ]\nname: T\nx: {a: \"b, c\", d: ['e]']}\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true, HasLabels: true}},
	{"nested quoted key", "a:\n  \"b c\": 'd'\n  'e': |\n    x\nname: T\n", true, TopLevel{HasName: true, Name: "T", NameIsString: true}},

	// Uncertain shapes.
	{"empty file", "", false, TopLevel{}},
	{"only comments", "# c\n\n", false, TopLevel{}},
	{"only marker", "---\n", false, TopLevel{}},
	{"two documents", "name: a\n---\nname: b\n", false, TopLevel{}},
	{"document end", "name: a\n...\n", false, TopLevel{}},
	{"directive", "%YAML 1.2\n---\nname: a\n", false, TopLevel{}},
	{"flow root", "{name: a}\n", false, TopLevel{}},
	{"sequence root", "- name: a\n", false, TopLevel{}},
	{"scalar root", "name\n", false, TopLevel{}},
	{"indented root", "  name: a\n", false, TopLevel{}},
	{"complex key", "? name\n: a\n", false, TopLevel{}},
	{"quoted key", "\"name\": a\n", false, TopLevel{}},
	{"single quoted key", "'labels': []\n", false, TopLevel{}},
	{"anchor", "name: &n a\n", false, TopLevel{}},
	{"alias", "x: &n a\nname: *n\n", false, TopLevel{}},
	{"tag", "name: !!str 1\n", false, TopLevel{}},
	{"anchored mapping", "&m\nname: a\n", false, TopLevel{}},
	{"merge key", "<<: {name: a}\n", false, TopLevel{}},
	{"tab indentation", "a:\n\tb: c\nname: a\n", false, TopLevel{}},
	{"tab after colon", "name:\ta\n", false, TopLevel{}},
	{"bom", "\ufeffname: a\n", false, TopLevel{}},
	{"lone cr", "name: a\rlabels: b\n", false, TopLevel{}},
	{"nel", "name: a\u0085labels: b\n", false, TopLevel{}},
	{"line separator", "x: \u2028name: b\n", false, TopLevel{}},
	{"not utf-8", "name: a\xff\n", false, TopLevel{}},
	{"control character", "name: a\x01\n", false, TopLevel{}},
	{"name block scalar", "name: |\n  a\n", false, TopLevel{}},
	{"name folded", "name: >\n  a\n", false, TopLevel{}},
	{"name multi-line plain", "name: a\n  b\n", false, TopLevel{}},
	{"name plain after blank", "name: a\n\n  b\n", false, TopLevel{}},
	{"name on next line", "name:\n  a\n", false, TopLevel{}},
	{"name multi-line quoted", "name: \"a\n  b\"\n", false, TopLevel{}},
	{"name flow", "name: [a]\n", false, TopLevel{}},
	{"duplicate name", "name: a\nname: b\n", false, TopLevel{}},
	{"duplicate labels", "labels:\nlabels:\n", false, TopLevel{}},
	{"multi-line quoted swallows a key", "x: \"a\nname: b\"\n", false, TopLevel{}},
	{"nested multi-line quoted swallows a key", "x:\n  y: 'a\nname: b'\n", false, TopLevel{}},
	{"multi-line flow swallows a key", "x: [a,\nname: b]\n", false, TopLevel{}},
	{"nested multi-line flow", "x:\n  - {a: 1,\nname: b}\n", false, TopLevel{}},
	{"sequence after a scalar", "a: b\n- c\n", false, TopLevel{}},
	{"sequence before any key", "- a\nname: b\n", false, TopLevel{}},
	{"dash key", "-a: b\n", false, TopLevel{}},
	{"comment before colon", "name # x: y\n", false, TopLevel{}},
	{"plain value with colon", "name: a: b\n", false, TopLevel{}},
}

func TestPrescanTopLevel(t *testing.T) {
	for _, c := range prescanCases {
		t.Run(c.name, func(t *testing.T) {
			got, certain := checkPrescan(t, []byte(c.in))
			if certain != c.certain {
				t.Fatalf("certain = %v, want %v (result %+v)", certain, c.certain, got)
			}
			if !certain {
				return
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
			if _, status := prescanReference([]byte(c.in)); status != refOK {
				t.Errorf("a certain case that yaml.v3 does not read as one mapping: status %d", status)
			}
		})
	}
}

// prescanEntryFiles lists the entry files of the real repositories in shared/corpora.
func prescanEntryFiles(tb testing.TB, corpora string) []string {
	tb.Helper()
	var files []string
	for _, pattern := range []string{"*/default.yml", "*/no-team.yml", "*/unassigned.yml", "*/teams/*.yml", "*/fleets/*.yml"} {
		m, err := filepath.Glob(filepath.Join(corpora, pattern))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// prescanUncertainCorpus lists the corpus entry files the pre-scan is allowed to be uncertain
// about, with the reason.
var prescanUncertainCorpus = map[string]string{}

func TestPrescanCorpora(t *testing.T) {
	corpora := sharedtest.Corpora(t)
	files := prescanEntryFiles(t, corpora)
	if len(files) == 0 {
		t.Fatal("no entry files in the corpora")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(corpora, f)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, certain := checkPrescan(t, data)
			reason, listed := prescanUncertainCorpus[filepath.ToSlash(rel)]
			switch {
			case !certain && !listed:
				t.Errorf("uncertain")
			case certain && listed:
				t.Errorf("certain now; drop it from prescanUncertainCorpus (%s)", reason)
			}
			if _, status := prescanReference(data); certain && status != refOK {
				t.Errorf("certain on a file yaml.v3 does not read (status %d)", status)
			}
			t.Logf("%+v", got)
		})
	}
}

func FuzzPrescanTopLevel(f *testing.F) {
	for _, c := range prescanCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte(prescanBenchFile))
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		f.Add(prescanSoup(r))
	}
	if corpora := sharedtest.Optional("corpora"); corpora != "" {
		for _, file := range prescanEntryFiles(f, corpora) {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	} else {
		f.Log("corpora not found beside the checkout: table seeds only")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPrescan(t, data)
	})
}

// prescanBenchFile is a realistic team file of about 2 KB.
var prescanBenchFile = `# Team configuration for the workstations of the engineering department.
name: 💻 Workstations (canary)
team_settings:
  features:
    enable_host_users: true
    enable_software_inventory: true
  host_expiry_settings:
    host_expiry_enabled: false
    host_expiry_window: 0
  secrets:
    - secret: $WORKSTATIONS_CANARY_ENROLL_SECRET
agent_options:
  path: ../lib/all/agent-options/agent-options.yml
controls:
  enable_disk_encryption: true
  macos_settings:
    custom_settings:
      - path: ../lib/macos/configuration-profiles/date-time.mobileconfig
      - path: ../lib/macos/configuration-profiles/disable-guest-account.mobileconfig
        labels_include_any:
          - "Macs with 1Password8 installed"
  macos_updates:
    deadline: "2025-02-23"
    minimum_version: "15.3"
  scripts:
    - path: ../lib/macos/scripts/collect-fleetd-logs.sh
policies:
  - name: macOS - Disk encryption enabled
    description: Checks that FileVault is on.
    resolution: Turn on FileVault in System Settings.
    platform: darwin
    critical: true
    query: |
      SELECT 1 FROM disk_encryption
      WHERE user_uuid IS NOT '' AND filevault_status = 'on'
      LIMIT 1;
  - name: macOS - Firewall enabled
    platform: darwin
    query: SELECT 1 FROM alf WHERE global_state >= 1;
  - path: ../lib/macos/policies/latest-macos.yml
  - name: Windows - Screen lock
    platform: windows
    description: >-
      Checks that the screen locks after
      fifteen minutes of inactivity.
    query: |
      SELECT 1 FROM registry
      WHERE path = 'HKEY_LOCAL_MACHINE\Software\Policies\Microsoft\Windows\Control Panel\Desktop\ScreenSaveTimeOut'
      AND CAST(data AS INTEGER) <= 900;
queries:
  - name: Collect failed login attempts
    interval: 300
    observer_can_run: true
    automations_enabled: false
    query: SELECT uid, failed_login_count, failed_login_timestamp FROM users WHERE failed_login_count > 0;
software:
  packages:
    - path: ../lib/macos/software/google-chrome.yml # Google Chrome for macOS
    - path: ../lib/macos/software/zoom.yml
      self_service: true
  app_store_apps:
    - app_store_id: '803453959' # Slack Desktop
    - app_store_id: '1477385213'
`

func TestPrescanBenchFile(t *testing.T) {
	got, certain := checkPrescan(t, []byte(prescanBenchFile))
	want := TopLevel{HasName: true, Name: "💻 Workstations (canary)", NameIsString: true}
	if !certain || got != want {
		t.Fatalf("got %+v, certain %v; want %+v", got, certain, want)
	}
	if n := len(prescanBenchFile); n < 1800 || n > 2400 {
		t.Errorf("bench file is %d bytes, want about 2 KB", n)
	}
	if strings.Contains(prescanBenchFile, "\t") {
		t.Error("bench file has a tab")
	}
}

func BenchmarkPrescanTopLevel(b *testing.B) {
	data := []byte(prescanBenchFile)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, certain := PrescanTopLevel(data); !certain {
			b.Fatal("uncertain")
		}
	}
}

func BenchmarkYAMLParse(b *testing.B) {
	data := []byte(prescanBenchFile)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// prescanSoupLines are lines (and line fragments) that YAML gives a context-dependent meaning.
var prescanSoupLines = []string{
	"name: a", "name: 'b'", "name: \"c\"", "name:", "name: 1", "name: true", "name: a # c", "name: x:y",
	"labels:", "labels: []", "org_settings:", "org_settings: {}", "name :", "policies:",
	"x: |", "x: >-", "x: |2", "- |", "- >", "  |", "  - |", "  - x: |", "  y: |+",
	"- a", "- name: a", "-", "- - a", "  - name: a", "  name: a", "    name: a", "   text", "  - a",
	"  y: \"a", "b\"", "name: \"a", "z: 'q", "q'", "  'k': v", "  \"k\": |", "\"name\": v",
	"  [a,", "b]", "x: [a,", "x: {a: 'b'}", "x: [a, \"b\"]", "  {a: 1}", "name: [a]",
	"# c", "  # c", "---", "--- # c", "...", "", "  ", " ", "? a", ": b",
	"name: &a x", "x: *a", "name: !!str 1", "<<: {name: a}", "\tname: x", "x:\ty",
	"name: 'it''s'", "name: \"a\\\"b\"", "name: ~", "name: null", "name: 2024-01-02", "name: .5",
	"  name: |", "      name: deep", "a: b: c", "name: a\r", "x: 'a' 'b'",
}

// prescanSoup is a document of random soup lines.
func prescanSoup(r *rand.Rand) []byte {
	var b []byte
	for range 1 + r.IntN(10) {
		b = append(b, prescanSoupLines[r.IntN(len(prescanSoupLines))]...)
		b = append(b, '\n')
	}
	return b
}

// Random documents made of lines that change meaning with their context: certain results
// equal the reference.
func TestPrescanLineSoup(t *testing.T) {
	seed, n := uint64(1), 100000
	if testing.Short() {
		n = 10000
	}
	if s := os.Getenv("PRESCAN_SOUP"); s != "" { // "seed,n" for longer runs
		if _, err := fmt.Sscanf(s, "%d,%d", &seed, &n); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(seed, 2))
	certain, ok, certainErr := 0, 0, 0
	for range n {
		data := prescanSoup(r)
		_, c := checkPrescan(t, data)
		_, status := prescanReference(data)
		if c {
			certain++
			if status == refParseErr {
				certainErr++
			}
		}
		if status == refOK {
			ok++
		}
		if t.Failed() {
			t.Fatalf("failed on %q", data)
		}
	}
	t.Logf("%d documents, %d one mapping for yaml.v3, %d certain (%d of them yaml.v3 rejects)", n, ok, certain, certainErr)
}

// prescanText's eight-byte fast path agrees with a byte-at-a-time check for every byte value
// at every position of a word.
func TestPrescanText(t *testing.T) {
	naive := func(data []byte) (hasCR, ok bool) {
		for i := 0; i < len(data); i++ {
			switch b := data[i]; {
			case b == '\r':
				if i+1 == len(data) || data[i+1] != '\n' {
					return false, false
				}
				hasCR = true
			case b >= 0x80:
				r, size := utf8.DecodeRune(data[i:])
				if r == utf8.RuneError && size <= 1 || r < 0xA0 || r == 0x2028 || r == 0x2029 || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF {
					return false, false
				}
				i += size - 1
			case b < 0x20 && b != '\n' && b != '\t', b == 0x7f:
				return false, false
			}
		}
		return hasCR, true
	}
	for b := range 256 {
		for pos := range 17 {
			for _, fill := range []byte{'a', ' ', '~', '\n'} {
				data := bytes.Repeat([]byte{fill}, 17)
				data[pos] = byte(b)
				cr, ok := prescanText(data)
				wcr, wok := naive(data)
				if cr != wcr || ok != wok {
					t.Errorf("byte %#x at %d in %q: got %v %v, want %v %v", b, pos, fill, cr, ok, wcr, wok)
				}
			}
		}
	}
	for _, s := range []string{"\u00a0\u2027\U0001F4BB", "a\u2028", "\u0085", "\ufeff", "\uffff", "\xed\xa0\x80", "\xc2", "ok\r\nok"} {
		cr, ok := prescanText([]byte(s))
		wcr, wok := naive([]byte(s))
		if cr != wcr || ok != wok {
			t.Errorf("%q: got %v %v, want %v %v", s, cr, ok, wcr, wok)
		}
	}
}
