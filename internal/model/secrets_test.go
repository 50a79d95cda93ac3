package model

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/load"
)

func TestScanSecrets(t *testing.T) {
	gh := "ghp_" + strings.Repeat("aB3", 12)
	files := []*load.File{
		{Path: "default.yml", Data: []byte("org_settings:\n  token: " + gh + "\n")},
		{Path: "lib/key.txt", Data: []byte("x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n")},
		{Path: "lib/aws.sh", Data: []byte("export K=AKIAIOSFODNN7EXAMPLE\nexport K2=AKIAZ7Q2MTRVW3X4Y5AB\n")},
		{Path: "lib/ci.yml", Data: []byte("FLEET_API_TOKEN: \"" + strings.Repeat("Qk9", 14) + "ab==\"\n")},
		{Path: "lib/icon.png", Data: []byte("\x00" + gh)},
		{Path: "lib/ok.yml", Data: []byte("token: $GH_TOKEN\nuuid: 0A1B2C3D-0000-0000-0000-000000000000\n")},
	}
	got := ScanSecrets(files)
	type hit struct {
		file, kind string
		line, col  int
	}
	want := []hit{
		{"default.yml", "GitHub token", 2, 10},
		{"lib/key.txt", "private key", 2, 1},
		{"lib/aws.sh", "AWS access key", 2, 11},
		{"lib/ci.yml", "Fleet API token", 1, 19},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d hits, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g["file"] != w.file || g["kind"] != w.kind || g["line"] != w.line || g["col"] != w.col {
			t.Errorf("hit %d = %v, want %+v", i, g, w)
		}
		red := g["redacted"].(string)
		if strings.Contains(red, gh) || len(red) > 40 {
			t.Errorf("hit %d leaks or is long: %q", i, red)
		}
	}
	if got[0]["redacted"] != "\"ghp_…\" (40 chars)" {
		t.Errorf("redacted = %q", got[0]["redacted"])
	}
}
