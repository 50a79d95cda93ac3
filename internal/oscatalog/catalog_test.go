package oscatalog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseVersion(t *testing.T) {
	for _, s := range []string{"15", "15.0", "15.0.0"} {
		if v := MustParseVersion(s); v != (Version{15, 0, 0}) || v.String() != "15.0" {
			t.Errorf("%q -> %+v %q", s, v, v.String())
		}
	}
	if MustParseVersion("15.10").Compare(MustParseVersion("15.9")) <= 0 {
		t.Error("15.10 must be above 15.9 (numeric, not string, comparison)")
	}
	if MustParseVersion("26.6.2").String() != "26.6.2" {
		t.Error("patch lost")
	}
	for _, bad := range []string{"", "15.", ".1", "15.1.2.3", "v15", "15.1 ", "Ventura 13", "13.0.1 (22A400)", "-1", "1234567", "15.x", "１５"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func TestEmbedded(t *testing.T) {
	c := Embedded()
	if got := c.SnapshotDay(); got != EmbeddedSnapshotDate {
		t.Fatalf("snapshot %s, constant says %s", got, EmbeddedSnapshotDate)
	}
	want := map[string]string{MacOS: "26.6.2", IOS: "26.6.1", IPadOS: "26.6.1"}
	for p, v := range want {
		if r, ok := c.Latest(p); !ok || r.Version.String() != v {
			t.Errorf("Latest(%s) = %v, want %s", p, r.Version, v)
		}
	}
	byMajor := []struct {
		p     string
		major int
		want  string
	}{
		{MacOS, 26, "26.6.2"}, {MacOS, 15, "15.7.9"}, {MacOS, 14, "14.8.9"}, {MacOS, 13, "13.7.8"},
		{MacOS, 12, "12.7.6"}, {MacOS, 11, "11.7.11"},
		{IOS, 18, "18.7.10"}, {IOS, 17, "17.7.2"}, {IOS, 16, "16.7.16"}, {IOS, 15, "15.8.8"}, {IOS, 12, "12.5.8"},
		{IPadOS, 17, "17.7.11"},
	}
	for _, tc := range byMajor {
		if r, ok := c.LatestByMajor(tc.p, tc.major); !ok || r.Version.String() != tc.want {
			t.Errorf("LatestByMajor(%s, %d) = %v, want %s", tc.p, tc.major, r.Version, tc.want)
		}
	}
	if d := c.ReleaseDate(MacOS, MustParseVersion("26.6.2")); d == nil || d.Format(time.DateOnly) != "2026-08-17" {
		t.Errorf("release date of 26.6.2: %v", d)
	}
	if d := c.ReleaseDate(MacOS, MustParseVersion("13.3.1")); d != nil {
		t.Errorf("13.3.1 has a suspect date (shipped 2023-04-07, listed 2023-10-31); want nil, got %v", d)
	}
	if d := c.ReleaseDate(MacOS, MustParseVersion("14.8.6")); d != nil {
		t.Errorf("14.8.6 is not listed; want nil, got %v", d)
	}
	if !c.BetaOnly(MacOS, MustParseVersion("27.0")) || !c.BetaOnly(IOS, MustParseVersion("27")) || !c.BetaOnly(MacOS, MustParseVersion("26.7")) {
		t.Error("27.0 (and macOS 26.7 RC) exist only as betas")
	}
	if c.BetaOnly(MacOS, MustParseVersion("26.6")) || c.BetaOnly(IOS, MustParseVersion("26.5")) {
		t.Error("26.6 and 26.5 had betas but shipped")
	}
	offered := []struct {
		p, v  string
		offer bool
	}{
		{MacOS, "15.7.7", true}, {MacOS, "15.3", false}, {MacOS, "11.7.11", true},
		{IOS, "18.3", false}, {IOS, "18.7.10", true}, {IOS, "26.5.1", true},
		{IPadOS, "26.5.1", false}, {IPadOS, "17.7.11", true}, {IOS, "17.7.11", false},
	}
	for _, tc := range offered {
		got, known := c.GDMFOffered(tc.p, MustParseVersion(tc.v))
		if !known || got != tc.offer {
			t.Errorf("GDMFOffered(%s, %s) = %v, %v; want %v", tc.p, tc.v, got, known, tc.offer)
		}
	}
	if _, ok := c.Latest("windows"); ok {
		t.Error("windows is not an Apple platform")
	}
}

// The embedded copy must stay the shared snapshot (or a deliberate, documented refresh).
func TestEmbeddedMatchesShared(t *testing.T) {
	want, err := os.ReadFile(sharedtest.Path(t, "data/os-versions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(embeddedJSON) {
		t.Error("internal/oscatalog/os-versions.json differs from shared/data/os-versions.json")
	}
}

func TestStatusPolicyExamples(t *testing.T) {
	c := Embedded()
	fresh := day("2026-08-25") // 3 days after the snapshot
	stale := day("2026-11-25") // three months after
	cases := []struct {
		name, platform, version string
		now                     time.Time
		kind                    Kind
		sev                     finding.Severity
		msg                     string // substring
	}{
		// policy-domain §3 "Corpus checks against the catalog"
		{"kitzy workstations", MacOS, "26.6.2", stale, KindReleased, finding.SeverityNone, ""},
		{"kitzy mobile iOS", IOS, "26.6.1", stale, KindReleased, finding.SeverityNone, ""},
		{"kitzy mobile iPadOS", IPadOS, "26.6.1", stale, KindReleased, finding.SeverityNone, ""},
		{"fleet workstations", MacOS, "15.3", stale, KindReleased, finding.SeverityNone, ""},
		{"fleet iphone", IOS, "18.2", stale, KindReleased, finding.SeverityNone, ""},
		{"fleet ipad", IPadOS, "18.3", stale, KindReleased, finding.SeverityNone, ""},
		{"helios macOS", MacOS, "15.7.7", stale, KindReleased, finding.SeverityNone, ""},
		{"helios iOS", IOS, "18.3", stale, KindReleased, finding.SeverityNone, ""},
		// not listed is not never released
		{"absent 14.8.6", MacOS, "14.8.6", stale, KindReleased, finding.SeverityNone, ""},
		{"15 = 15.0.0", MacOS, "15", stale, KindReleased, finding.SeverityNone, ""},
		// only betas: an error whatever the catalog's age
		// beta-only on a stale catalog: Apple may have shipped it since (27.0 did, in September),
		// so a warning naming the catalog date, as for any version newer than a stale catalog
		{"27.0 betas only, stale", MacOS, "27.0", stale, KindNewerThanCatalog, finding.Warning, "refresh the catalog"},
		{"27 betas only iOS, stale", IOS, "27", stale, KindNewerThanCatalog, finding.Warning, "refresh the catalog"},
		{"26.7 RC only, stale", MacOS, "26.7", stale, KindNewerThanCatalog, finding.Warning, "refresh the catalog"},
		{"27.0 betas only, fresh", MacOS, "27.0", fresh, KindUnreleased, finding.Error, "only as a beta"},
		// more than the elapsed time allows, even on a stale catalog: errors
		{"28 stale", IOS, "28.0", stale, KindUnreleased, finding.Error, "cannot have been since the catalog"},
		{"15.10 stale", MacOS, "15.10", stale, KindUnreleased, finding.Error, "cannot have been since the catalog"},
		{"26.12 stale", MacOS, "26.12", stale, KindUnreleased, finding.Error, "cannot have been since the catalog"},
		{"27.5 stale", MacOS, "27.5", stale, KindUnreleased, finding.Error, "cannot have been since the catalog"},
		// above the latest, stale catalog: a warning naming the date
		{"27.0.1 stale", MacOS, "27.0.1", stale, KindNewerThanCatalog, finding.Warning, "newer than the latest release known on 2026-08-22"},
		{"15.8 stale", MacOS, "15.8", stale, KindNewerThanCatalog, finding.Warning, `the newest macOS 15 release is "15.7.9"`},
		// above the latest, fresh catalog: an error
		{"27.0.1 fresh", MacOS, "27.0.1", fresh, KindUnreleased, finding.Error, "is not released"},
		{"26.6.3 fresh", MacOS, "26.6.3", fresh, KindUnreleased, finding.Error, `"26.6.2"`},
		{"15.7.10 fresh", MacOS, "15.7.10", fresh, KindUnreleased, finding.Error, `the newest macOS 15 release is "15.7.9"`},
		// iOS and iPadOS are kept apart
		{"17.7.5 iPadOS", IPadOS, "17.7.5", stale, KindReleased, finding.SeverityNone, ""},
		{"17.7.5 iOS", IOS, "17.7.5", stale, KindWrongPlatform, finding.Error, "released for iPadOS only"},
		{"17.7.5 iOS fresh", IOS, "17.7.5", fresh, KindWrongPlatform, finding.Error, `"17.7.2"`},
		// the rest
		{"latest", MacOS, "latest", stale, KindLatest, finding.SeverityNone, ""},
		{"unquoted-float damage", MacOS, "Ventura 13", stale, KindInvalid, finding.Error, "not of the form"},
		{"windows", "windows", "10.0", stale, KindUnknownPlatform, finding.SeverityNone, "no data"},
		{"darwin alias", "darwin", "26.6.2", stale, KindReleased, finding.SeverityNone, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := c.Status(tc.platform, tc.version, tc.now)
			if v.Kind != tc.kind || v.Severity != tc.sev || !strings.Contains(v.Message, tc.msg) {
				t.Errorf("Status(%s, %s) = %s/%s %q; want %s/%s containing %q", tc.platform, tc.version, v.Kind, v.Severity, v.Message, tc.kind, tc.sev, tc.msg)
			}
			if v.CatalogDate != "2026-08-22" {
				t.Errorf("catalog date %q", v.CatalogDate)
			}
		})
	}
	if v := c.Status(MacOS, "26.6.2", stale); v.ReleaseDate == nil || v.ReleaseDate.Format(time.DateOnly) != "2026-08-17" || !v.Listed {
		t.Errorf("release date/listed missing: %+v", v)
	}
	// The freshness edge: under 14 days is fresh, 14 days is not.
	if c.Status(MacOS, "27.0.1", day("2026-09-04")).Kind != KindUnreleased || c.Status(MacOS, "27.0.1", day("2026-09-05")).Kind != KindNewerThanCatalog {
		t.Error("freshness boundary is not 14 days")
	}
}

func TestData(t *testing.T) {
	d := Embedded().Data()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	mac := back["macos"].(map[string]any)
	if mac["latest"] != "26.6.2" || back["snapshot_date"] != "2026-08-22" || mac["snapshot_date"] != "2026-08-22" {
		t.Errorf("latest/snapshot: %v %v", mac["latest"], back["snapshot_date"])
	}
	if lbm := mac["latest_by_major"].(map[string]any); lbm["15"] != "15.7.9" {
		t.Errorf("latest_by_major: %v", lbm)
	}
	vs := mac["versions"].(map[string]any)
	if vs["26.6.2"] != "2026-08-17" || vs["13.3.1"] != nil {
		t.Errorf("versions: 26.6.2=%v 13.3.1=%v", vs["26.6.2"], vs["13.3.1"])
	}
	if _, ok := vs["26.0"]; !ok {
		t.Error("26.0 must be keyed canonically")
	}
	if got := mac["beta_only"].([]any); len(got) != 2 || got[0] != "26.7" || got[1] != "27.0" {
		t.Errorf("beta_only: %v", got)
	}
	if g := back["ipados"].(map[string]any)["gdmf"].([]any); len(g) != 11 {
		t.Errorf("ipados gdmf: %v", g)
	}
	// The GDMF list's own date (its fetched time), which os-version-not-offered names.
	if back["gdmf_date"] != "2026-08-22" {
		t.Errorf("gdmf_date: %v", back["gdmf_date"])
	}
	if p := back["platforms"].([]any); len(p) != 3 {
		t.Errorf("platforms: %v", p)
	}
	// Data must be the same on every call (map iteration must not leak into lists).
	b2, _ := json.Marshal(Embedded().Data())
	if string(b) != string(b2) {
		t.Error("Data is not deterministic")
	}
}

func TestLoadShapes(t *testing.T) {
	// The shared shape.
	c, err := Load(filepath.Join(".", "os-versions.json"))
	if err != nil || c.SnapshotDay() != "2026-08-22" {
		t.Fatalf("Load: %v", err)
	}
	// A raw SOFA feed: its LastCheck dates it; the iOS feed covers iOS and iPadOS.
	ios, err := Load(filepath.Join("..", "..", "testdata", "oscatalog", "ios_data_feed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ios.SnapshotDay() != "2026-11-20" || strings.Join(ios.Platforms(), ",") != "ios,ipados" {
		t.Errorf("raw iOS feed: %s %v", ios.SnapshotDay(), ios.Platforms())
	}
	if v := ios.Status(MacOS, "26.0", day("2026-11-25")); v.Kind != KindUnknownPlatform {
		t.Errorf("an iOS feed knows nothing of macOS: %v", v.Kind)
	}
	if _, known := ios.GDMFOffered(IOS, MustParseVersion("27.0")); known {
		t.Error("a SOFA feed has no GDMF data")
	}
	if d := ios.GDMFDate(); d != "" || ios.Data()["gdmf_date"] != nil {
		t.Errorf("a SOFA feed has no GDMF date: %q", d)
	}
	for name, body := range map[string]string{
		"not json":     "nope",
		"bad date":     `{"snapshot_date": "22/08/2026"}`,
		"bad entry":    `{"snapshot_date": "2026-08-22", "macos": [{"version": "Ventura"}]}`,
		"bad beta":     `{"snapshot_date": "2026-08-22", "macos": [{"version": "15.0"}], "betas": [{"platform": "macOS", "version": "beta"}]}`,
		"feed undated": `{"OSVersions": []}`,
	} {
		if _, err := Parse([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Load("does-not-exist.json"); err == nil {
		t.Error("missing file accepted")
	}
}

// MustParseVersion parses a version the test knows is valid.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}
