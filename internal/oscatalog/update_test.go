package oscatalog

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtures = "../../testdata/oscatalog"

// feedServer serves the fixture feeds the way sofafeed.macadmins.io and GDMF would.
func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for path, file := range map[string]string{
		"/v2/macos_data_feed.json": "macos_data_feed.json",
		"/v2/ios_data_feed.json":   "ios_data_feed.json",
		"/v2/pmv":                  "gdmf_pmv.json",
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, filepath.Join(fixtures, file))
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestUpdate(t *testing.T) {
	srv := feedServer(t)
	urls := map[string]string{
		MacOS:  srv.URL + "/v2/macos_data_feed.json",
		IOS:    srv.URL + "/v2/ios_data_feed.json",
		"gdmf": srv.URL + "/v2/pmv",
	}
	var out bytes.Buffer
	if err := Update(context.Background(), srv.Client(), urls, &out); err != nil {
		t.Fatal(err)
	}
	// The server URL changes per run: replace it so the golden file is stable.
	got := bytes.ReplaceAll(out.Bytes(), []byte(srv.URL), []byte("http://feeds.test"))
	golden := filepath.Join(fixtures, "updated-catalog.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Update output differs from %s (run go test -update to accept)", golden)
	}

	// Deterministic: a second run gives the same bytes.
	var again bytes.Buffer
	if err := Update(context.Background(), srv.Client(), urls, &again); err != nil || !bytes.Equal(again.Bytes(), out.Bytes()) {
		t.Error("Update is not deterministic", err)
	}

	c, err := Parse(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if c.SnapshotDay() != "2026-11-20" {
		t.Errorf("snapshot %s, want the feeds' LastCheck day", c.SnapshotDay())
	}
	checks := []struct {
		p, v string
		kind Kind
	}{
		{MacOS, "27.0", KindReleased},      // released in the newer feed
		{MacOS, "26.7", KindReleased},      // ditto
		{MacOS, "27.0.1", KindUnreleased},  // the catalog is 5 days old: fresh
		{IOS, "26.5.1", KindReleased},      // iOS-only release
		{IPadOS, "17.7.5", KindReleased},   // iPadOS-only release
		{IOS, "17.7.5", KindWrongPlatform}, // and not for iPhones
	}
	for _, tc := range checks {
		if got := c.Status(tc.p, tc.v, now).Kind; got != tc.kind {
			t.Errorf("Status(%s, %s) = %s, want %s", tc.p, tc.v, got, tc.kind)
		}
	}
	if _, ok := c.Lookup(MacOS, MustParseVersion("26.6.2")); !ok {
		t.Error("26.6.2 missing")
	}
	if r, _ := c.Lookup(MacOS, MustParseVersion("26.7")); r.ActivelyExploited != 1 || r.CVEs != 1 {
		t.Errorf("26.7 CVE counts: %+v", r)
	}
	if r, _ := c.Lookup(MacOS, MustParseVersion("15.7.8")); !r.DateSuspect {
		t.Error("15.7.8 is dated after 15.7.9: its date must be marked suspect")
	}
	if offered, known := c.GDMFOffered(MacOS, MustParseVersion("15.8")); !offered || !known {
		t.Error("15.8 is in the GDMF AssetSets fixture")
	}
	if offered, _ := c.GDMFOffered(IOS, MustParseVersion("17.7.5")); offered {
		t.Error("17.7.5 was offered to iPads only")
	}
	if offered, _ := c.GDMFOffered(IPadOS, MustParseVersion("17.7.5")); !offered {
		t.Error("17.7.5 was offered to iPads")
	}
}

func TestUpdateErrors(t *testing.T) {
	srv := feedServer(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := Update(ctx, srv.Client(), map[string]string{MacOS: srv.URL + "/missing"}, &out); err == nil {
		t.Error("a 404 must fail")
	}
	if err := Update(ctx, srv.Client(), map[string]string{MacOS: srv.URL + "/v2/pmv"}, &out); err == nil {
		t.Error("a non-SOFA document must fail")
	}
	if err := Update(ctx, srv.Client(), map[string]string{"gdmf": srv.URL + "/v2/pmv"}, &out); err == nil {
		t.Error("no SOFA feed must fail")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Update(cancelled, srv.Client(), map[string]string{MacOS: srv.URL + "/v2/macos_data_feed.json"}, &out); err == nil {
		t.Error("a cancelled context must fail")
	}
	if out.Len() != 0 {
		t.Error("nothing may be written on failure")
	}
}
