package oscatalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The shipped roots are Apple's, byte for byte: their SHA-256 fingerprints as Apple publishes
// them (https://www.apple.com/certificateauthority/).
func TestAppleRoots(t *testing.T) {
	want := map[string]string{
		"Apple Root CA":      "b0b1730ecbc7ff4505142c49f1295e6eda6bcaed7e2c68c5be91b5a11001f024",
		"Apple Root CA - G3": "63343abfb89a6a03ebb57e9b3f5fa7be7c4f5c756f3017b3a8c488c3653e9179",
	}
	rest := appleRootsPEM
	got := map[string]string{}
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(block.Bytes)
		got[cert.Subject.CommonName] = hex.EncodeToString(sum[:])
		if !cert.IsCA {
			t.Errorf("%s is not a CA", cert.Subject.CommonName)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("roots %v, want %v", got, want)
	}
	for cn, fp := range want {
		if got[cn] != fp {
			t.Errorf("%s: sha256 %s, want %s", cn, got[cn], fp)
		}
	}
}

// gdmfClient adds Apple's roots to what the client trusts and keeps verification on.
func TestGDMFClientTrustsAppleRoots(t *testing.T) {
	c, err := gdmfClient(&http.Client{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Transport.(*http.Transport)
	if tr.TLSClientConfig.InsecureSkipVerify {
		t.Fatal("verification is off")
	}
	block, _ := pem.Decode(appleRootsPEM)
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.Verify(x509.VerifyOptions{Roots: tr.TLSClientConfig.RootCAs, CurrentTime: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Errorf("Apple Root CA is not trusted by the GDMF client: %v", err)
	}
	if c.Timeout != time.Second {
		t.Error("the client's settings are lost")
	}
}

// TestUpdateGDMFOverTLS serves GDMF over TLS (SOFA over plain HTTP): a server whose
// certificate the client does not trust is refused, and once its CA is trusted the update goes
// through; Apple's roots are added to the client's, not instead of them.
func TestUpdateGDMFOverTLS(t *testing.T) {
	sofa := feedServer(t)
	gdmf := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(fixtures, "gdmf_pmv.json"))
	}))
	t.Cleanup(gdmf.Close)
	urls := map[string]string{
		MacOS:  sofa.URL + "/v2/macos_data_feed.json",
		IOS:    sofa.URL + "/v2/ios_data_feed.json",
		"gdmf": gdmf.URL + "/v2/pmv",
	}

	var out bytes.Buffer
	err := Update(context.Background(), &http.Client{Timeout: 5 * time.Second}, urls, &out)
	if err == nil || !strings.Contains(err.Error(), "GDMF") || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted GDMF server: err = %v, want a certificate error", err)
	}
	if out.Len() != 0 {
		t.Error("a failed update wrote output")
	}

	// gdmf.Client() trusts the test server's CA; Update adds Apple's roots to that pool.
	if err := Update(context.Background(), gdmf.Client(), urls, &out); err != nil {
		t.Fatalf("trusted GDMF server: %v", err)
	}
	c, err := Parse(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if c.GDMFDate() == "" || c.GDMF(MacOS) == nil {
		t.Errorf("no GDMF list in the updated catalog (date %q)", c.GDMFDate())
	}
}

func TestUpdateRejectsNonGDMF(t *testing.T) {
	sofa := feedServer(t)
	urls := map[string]string{
		MacOS:  sofa.URL + "/v2/macos_data_feed.json",
		IOS:    sofa.URL + "/v2/ios_data_feed.json",
		"gdmf": sofa.URL + "/v2/macos_data_feed.json", // JSON, but not a GDMF answer
	}
	var out bytes.Buffer
	if err := Update(context.Background(), sofa.Client(), urls, &out); err == nil || !strings.Contains(err.Error(), "not a GDMF answer") {
		t.Errorf("err = %v", err)
	}
}
