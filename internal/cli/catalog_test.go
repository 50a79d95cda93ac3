package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `catalog update` fetches the two SOFA feeds and the GDMF list, each from its flag's URL, and
// `catalog show` names the GDMF list's date.
func TestCatalogUpdateFetchesGDMF(t *testing.T) {
	fixtures := filepath.Join("..", "..", "testdata", "oscatalog")
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits[r.URL.Path]++
		file := map[string]string{"/mac": "macos_data_feed.json", "/ios": "ios_data_feed.json", "/pmv": "gdmf_pmv.json"}[r.URL.Path]
		if file == "" {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(fixtures, file))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "catalog.json")
	var stdout, stderr bytes.Buffer
	code := Main([]string{"catalog", "update", "-o", out, "--timeout", "10s",
		"--macos-feed", srv.URL + "/mac", "--ios-feed", srv.URL + "/ios", "--gdmf-feed", srv.URL + "/pmv"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if hits["/pmv"] != 1 || hits["/mac"] != 1 || hits["/ios"] != 1 {
		t.Errorf("requests %v: want each feed once", hits)
	}
	stdout.Reset()
	if code := Main([]string{"catalog", "show", "--os-catalog", out}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("show: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "GDMF list of 2026-11-20") {
		t.Errorf("show:\n%s", stdout.String())
	}

	// A GDMF URL that answers something else fails the update, and writes nothing.
	bad := filepath.Join(t.TempDir(), "bad.json")
	code = Main([]string{"catalog", "update", "-o", bad, "--macos-feed", srv.URL + "/mac", "--ios-feed", srv.URL + "/ios", "--gdmf-feed", srv.URL + "/nope"}, nil, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "GDMF") {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a failed update wrote its file")
	}
}
