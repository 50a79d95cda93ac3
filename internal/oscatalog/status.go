package oscatalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Kind classifies a minimum_version against the catalog.
type Kind string

const (
	KindReleased         Kind = "released"           // at or below the newest known release of its line
	KindUnreleased       Kind = "unreleased"         // error: above every release, and the catalog can tell
	KindNewerThanCatalog Kind = "newer-than-catalog" // warning: above every release of a stale catalog
	KindWrongPlatform    Kind = "wrong-platform"     // error: a release of the sibling platform only (iPadOS 17.7.5 in ios_updates)
	KindUnknownPlatform  Kind = "unknown-platform"   // the catalog does not cover the platform
	KindInvalid          Kind = "invalid"            // not ^\d+(\.\d+){0,2}$
	KindLatest           Kind = "latest"             // Fleet 4.91's "latest": nothing to check here
)

// Verdict is what Status says about one version. Severity is SeverityNone when there is nothing
// to report. CatalogDate is always set so dependent findings can stamp it.
type Verdict struct {
	Kind          Kind
	Severity      finding.Severity
	Message       string     // lower case, no trailing period, ready for a Finding
	Version       string     // canonical form, "" when invalid
	Latest        string     // newest known release of the platform
	LatestInMajor string     // newest known release of the version's major line, "" when none
	ReleaseDate   *time.Time // for KindReleased when known (see ReleaseDate)
	Listed        bool       // the catalog lists the version itself
	CatalogDate   string     // YYYY-MM-DD
}

// display names for messages.
var displayName = map[string]string{MacOS: "macOS", IOS: "iOS", IPadOS: "iPadOS"}

// sibling is the platform sharing version numbers with this one (17.7.3+ is iPadOS-only).
var sibling = map[string]string{IOS: IPadOS, IPadOS: IOS}

// Status implements policy-domain §3 "How to use it":
//
//  1. Versions compare numerically (15 = 15.0 = 15.0.0); platforms are kept apart.
//  2. Not being listed is not "never released": a version at or below the newest release of its
//     major line (and of the platform) is released, listed or not.
//  3. Above that, it is unreleased (error) only when the catalog is fresh (under FreshDays at
//     now) or the version is known only as a beta/RC; otherwise a warning names the catalog
//     date and asks for a refresh. A major above the newest known one is treated the same way.
//
// A version above its own platform's line that the sibling platform released (iOS 17.7.5,
// iPadOS-only) is an error whatever the catalog's age: Apple will not ship it for the other
// hardware later.
func (c *Catalog) Status(platform, version string, now time.Time) Verdict {
	if now.IsZero() {
		now = time.Now()
	}
	v := Verdict{CatalogDate: c.SnapshotDay()}
	p := normPlatform(platform)
	pd := c.platforms[p]
	if pd == nil || len(pd.sorted) == 0 {
		v.Kind = KindUnknownPlatform
		v.Message = fmt.Sprintf("the OS catalog of %s has no data for platform %q", v.CatalogDate, platform)
		return v
	}
	name := displayName[p]
	v.Latest = pd.sorted[0].Version.String()
	if strings.TrimSpace(version) == "latest" {
		v.Kind = KindLatest
		return v
	}
	ver, err := ParseVersion(version)
	if err != nil {
		v.Kind, v.Severity = KindInvalid, finding.Error
		v.Message = fmt.Sprintf("%s version %q is not of the form MAJOR[.MINOR[.PATCH]]", name, version)
		return v
	}
	v.Version = ver.String()
	latest := pd.sorted[0]
	inMajor, hasMajor := pd.byMajor[ver.Major]
	if hasMajor {
		v.LatestInMajor = inMajor.Version.String()
	}
	_, v.Listed = pd.releases[ver]

	above := ver.Compare(latest.Version) > 0 || (hasMajor && ver.Compare(inMajor.Version) > 0)
	if !above {
		v.Kind = KindReleased
		v.ReleaseDate = c.ReleaseDate(p, ver)
		return v
	}

	if sib := c.platforms[sibling[p]]; sib != nil {
		if _, ok := sib.releases[ver]; ok {
			v.Kind, v.Severity = KindWrongPlatform, finding.Error
			v.Message = fmt.Sprintf("%s %q was released for %s only; the newest %s %d release is %q (catalog of %s)",
				name, v.Version, displayName[sibling[p]], name, ver.Major, v.LatestInMajor, v.CatalogDate)
			return v
		}
	}

	// What the version is above, for the message: its own line when the catalog knows the line.
	ref := fmt.Sprintf("the newest %s release is %q", name, v.Latest)
	if hasMajor && ver.Compare(inMajor.Version) > 0 && ver.Major < latest.Version.Major {
		ref = fmt.Sprintf("the newest %s %d release is %q", name, ver.Major, v.LatestInMajor)
	}
	switch {
	case c.BetaOnly(p, ver) && c.Fresh(now):
		v.Kind, v.Severity = KindUnreleased, finding.Error
		v.Message = fmt.Sprintf("%s %q exists only as a beta or release candidate in the catalog of %s; %s",
			name, v.Version, v.CatalogDate, ref)
	case !c.Fresh(now) && c.implausible(ver, latest.Version, majorVersion(inMajor, hasMajor), hasMajor, now):
		// A stale catalog can have missed recent releases, but not this many: Apple ships one
		// major a year and a minor release every month or two.
		v.Kind, v.Severity = KindUnreleased, finding.Error
		v.Message = fmt.Sprintf("%s %q is not released, and cannot have been since the catalog of %s: %s",
			name, v.Version, v.CatalogDate, ref)
	case c.Fresh(now):
		v.Kind, v.Severity = KindUnreleased, finding.Error
		v.Message = fmt.Sprintf("%s %q is not released: %s (catalog of %s)", name, v.Version, ref, v.CatalogDate)
	default:
		v.Kind, v.Severity = KindNewerThanCatalog, finding.Warning
		v.Message = fmt.Sprintf("%s %q is newer than the latest release known on %s (%s); refresh the catalog",
			name, v.Version, v.CatalogDate, ref)
	}
	return v
}

// minorsPerDay bounds how fast Apple's minor versions advance: about one every 45 days.
const daysPerMinor = 45

// implausible reports a version that Apple cannot have released between the catalog's date and
// now, given how fast versions advance: a major more than one past the newest known (or a new
// major while the catalog is under a year old, beyond its first releases), a minor beyond what
// the elapsed time allows on a known line, or any jump on an old major line (old lines get
// patch releases and rarely one more minor).
func (c *Catalog) implausible(ver, latest, inMajor Version, hasMajor bool, now time.Time) bool {
	days := int(now.Sub(c.snapshot).Hours() / 24)
	if days < 0 {
		days = 0
	}
	minors := 1 + days/daysPerMinor // minor releases that may have shipped since the catalog
	switch {
	case ver.Major > latest.Major+1+days/365:
		return true
	case ver.Major > latest.Major:
		// A new major starts at .0 in September; its minors follow at the usual pace.
		return days < 365 && ver.Minor > minors-1
	case ver.Major == latest.Major:
		return ver.Minor > latest.Minor+minors
	case hasMajor:
		return ver.Minor > inMajor.Minor+1
	}
	return false
}

func majorVersion(r *Release, ok bool) Version {
	if !ok || r == nil {
		return Version{}
	}
	return r.Version
}
