// Package buildinfo says which tollgate this is: the release version, commit and build date
// that the release build writes in with -ldflags, else what the Go toolchain recorded (the
// module version of `go install …@v1.2.3`, the VCS revision and time of a build from a
// checkout), else "devel".
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the release build (scripts/release.sh):
//
//	-X github.com/tollgate-dev/tollgate/internal/buildinfo.version=v1.2.3
//	-X github.com/tollgate-dev/tollgate/internal/buildinfo.commit=<full SHA>
//	-X github.com/tollgate-dev/tollgate/internal/buildinfo.date=<RFC 3339 UTC>
var version, commit, date string

// Info describes a build.
type Info struct {
	Version  string // v1.2.3, a Go pseudo-version, or "devel"
	Commit   string // full VCS revision, "" when unknown
	Date     string // commit or build time, RFC 3339, "" when unknown
	Modified bool   // built from a checkout with uncommitted changes
	Go       string // the Go toolchain, e.g. go1.26.0
	Platform string // GOOS/GOARCH
}

// Get returns this binary's build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuild(bi, version, commit, date)
}

// fromBuild combines the -ldflags values with the toolchain's record (bi may be nil).
func fromBuild(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate string) Info {
	info := Info{Version: ldVersion, Commit: ldCommit, Date: ldDate, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = ldCommit == "" && s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			info.Go = bi.GoVersion
		}
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	return info
}

// String is the one line `tollgate --version` prints after the program's name.
func (i Info) String() string {
	var details []string
	if i.Commit != "" {
		c := i.Commit
		if i.Modified {
			c += "+modified"
		}
		details = append(details, "commit "+c)
	}
	if i.Date != "" {
		details = append(details, i.Date)
	}
	details = append(details, i.Go+" "+i.Platform)
	return fmt.Sprintf("%s (%s)", i.Version, strings.Join(details, ", "))
}
