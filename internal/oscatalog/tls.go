package oscatalog

import (
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"net/http"
)

// appleRootsPEM holds Apple Root CA and Apple Root CA - G3. gdmf.apple.com's certificate
// chains to an Apple root that many system pools (Debian's, Alpine's, the GitHub runners')
// do not carry; tollgate adds these two to the pool for that download instead of ever turning
// verification off.
//
//go:embed apple-roots.pem
var appleRootsPEM []byte

// gdmfClient is client with Apple's roots added to the certificates it trusts.
func gdmfClient(client *http.Client) (*http.Client, error) {
	return withRoots(client, appleRootsPEM)
}

// withRoots returns a copy of client that trusts pemCerts besides what it trusted before (its
// transport's RootCAs, else the system pool). A client whose transport is not an
// *http.Transport is returned as it is: its owner decides what it trusts.
func withRoots(client *http.Client, pemCerts []byte) (*http.Client, error) {
	var tr *http.Transport
	switch t := client.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return client, nil
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	var pool *x509.CertPool
	if tr.TLSClientConfig.RootCAs != nil {
		pool = tr.TLSClientConfig.RootCAs.Clone()
	} else if sys, err := x509.SystemCertPool(); err == nil {
		pool = sys
	} else {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pemCerts) {
		return nil, errors.New("no certificate in the PEM data")
	}
	tr.TLSClientConfig.RootCAs = pool
	c := *client
	c.Transport = tr
	return &c, nil
}
