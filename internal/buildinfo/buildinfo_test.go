package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFromBuild(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	vcs := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	for _, c := range []struct {
		name                string
		bi                  *debug.BuildInfo
		ldV, ldC, ldD, want string
	}{
		{"release build: -ldflags win", vcs, "v0.1.0", "fedcba9876543210fedcba9876543210fedcba98", "2026-12-07T08:00:00Z",
			"v0.1.0 (commit fedcba9876543210fedcba9876543210fedcba98, 2026-12-07T08:00:00Z, go1.26.0 " + platform + ")"},
		{"go install …@v0.1.0: the module version", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.1.0"}}, "", "", "",
			"v0.1.0 (go1.26.0 " + platform + ")"},
		{"go build in a checkout with changes: the VCS stamp", vcs, "", "", "",
			"devel (commit 0123456789abcdef0123456789abcdef01234567+modified, 2026-12-01T10:00:00Z, go1.26.0 " + platform + ")"},
		{"nothing recorded", nil, "", "", "", "devel (" + runtime.Version() + " " + platform + ")"},
	} {
		if got := fromBuild(c.bi, c.ldV, c.ldC, c.ldD).String(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
