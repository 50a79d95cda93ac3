// Package oscatalog knows which Apple OS versions exist: released versions with their dates,
// betas and release candidates, and what Apple's software lookup service (GDMF) offered, for
// macOS, iOS and iPadOS kept apart (17.7.3 and later in the 17 line are iPadOS-only).
//
// The catalog is a snapshot. Its date matters: a version above the newest release it knows is
// only an error while the snapshot is fresh (FreshDays) or when the catalog knows the version
// as a beta; otherwise it is a warning that names the snapshot date (see Status). A version
// missing from the lists is not proof it was never released: SOFA lists only releases with
// Apple security notes (macOS 14.8.6 and 15.7.6 are absent, for example).
//
// # Data for Rego (data.os_catalog)
//
// Data returns plain JSON values:
//
//	{
//	  "snapshot_date": "2026-08-22",          // the catalog date, stamp it in findings
//	  "fresh_days": 14,                       // newer-than-latest is an error only this long
//	  "source": "SOFA (macadmins/sofa) v2 feeds ...",
//	  "platforms": ["ios", "ipados", "macos"],
//	  "macos": {                              // also "ios" and "ipados"; absent when unknown
//	    "snapshot_date": "2026-08-22",
//	    "latest": "26.6.2",                   // newest released version
//	    "latest_by_major": {"26": "26.6.2", "15": "15.7.9", ...},
//	    "versions": {"26.6.2": "2026-08-17", "13.0": null, ...},
//	                                          // every listed release -> release date, or null
//	                                          // when unknown or flagged as a scraping error
//	    "betas": [{"version": "27.0", "label": "27.0 beta 6", "build": "26A5416b",
//	               "released": "2026-08-17"}, ...],   // newest first
//	    "beta_only": ["26.7", "27.0"],        // versions known only as beta/RC, sorted
//	    "gdmf": ["26.6.2", "26.6.1", ...]     // offered by Apple at the snapshot, or null
//	                                          // when the catalog has no GDMF snapshot
//	  },
//	  "gdmf_date": "2026-08-22"               // when the GDMF lists were fetched, or null
//	}
//
// Every version string is canonical: MAJOR.MINOR, plus .PATCH when it is not zero (so "15",
// "15.0" and "15.0.0" are all "15.0"). Rules must normalise a version the same way before
// looking it up, and compare versions numerically, never as strings.
package oscatalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Platform names, as Fleet's controls spell them (macos_updates, ios_updates, ipados_updates).
const (
	MacOS  = "macos"
	IOS    = "ios"
	IPadOS = "ipados"
)

var allPlatforms = []string{IOS, IPadOS, MacOS}

// FreshDays is how long a snapshot counts as fresh (policy-domain §3: under 14 days).
const FreshDays = 14

// EmbeddedSnapshotDate is the date of the embedded catalog (a test keeps it in step with the file).
const EmbeddedSnapshotDate = "2026-08-22"

//go:embed os-versions.json
var embeddedJSON []byte

var embedded = sync.OnceValue(func() *Catalog {
	c, err := Parse(embeddedJSON)
	if err != nil {
		panic("oscatalog: embedded catalog is broken: " + err.Error())
	}
	return c
})

// Embedded returns the catalog built into the binary. It is shared: treat it as read-only.
func Embedded() *Catalog { return embedded() }

// Release is one released OS version.
type Release struct {
	Version           Version
	Build             string
	Builds            []string
	Released          *time.Time // as recorded; nil when unknown
	DateSuspect       bool       // Released is a known scraping error (e.g. macOS 13.3.1)
	CVEs              int
	ActivelyExploited int
	SecurityInfo      string
}

// Beta is a beta or release candidate.
type Beta struct {
	Version  Version // "27.0" for "27.0 beta 6"
	Label    string
	Build    string
	Released *time.Time
}

// Offer is a version Apple's GDMF service offered at the snapshot.
type Offer struct {
	Version Version
	Builds  []string
	Posted  string
	Expires string
	Public  bool // in PublicAssetSets; otherwise only in AssetSets
}

type platformData struct {
	releases  map[Version]*Release
	sorted    []*Release // newest first
	byMajor   map[int]*Release
	betas     []Beta // newest first
	gdmf      []Offer
	gdmfKnown bool
}

// Catalog is an immutable set of OS versions at a snapshot date.
type Catalog struct {
	snapshot  time.Time
	gdmfDate  string // the day the GDMF list was fetched ("" when the catalog has none)
	source    string
	platforms map[string]*platformData
}

// Load reads a catalog file for --os-catalog: either the shape of the embedded file or a raw
// SOFA v2 feed (macos_data_feed.json or ios_data_feed.json; the latter covers iOS and iPadOS).
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// maxCatalogBytes keeps a wrong --os-catalog (a disk image, say) from being read whole.
const maxCatalogBytes = 64 << 20

// Parse builds a catalog from either accepted shape (see Load).
func Parse(data []byte) (*Catalog, error) {
	if len(data) > maxCatalogBytes {
		return nil, fmt.Errorf("catalog is %d bytes, over the %d-byte limit", len(data), maxCatalogBytes)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("catalog is not a JSON object: %w", err)
	}
	var f *catalogFile
	if _, ok := probe["OSVersions"]; ok {
		var feed sofaFeed
		if err := json.Unmarshal(data, &feed); err != nil {
			return nil, fmt.Errorf("reading SOFA feed: %w", err)
		}
		var err error
		if f, err = fromSOFA([]*sofaFeed{&feed}, nil, nil); err != nil {
			return nil, err
		}
	} else {
		f = new(catalogFile)
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(f); err != nil {
			return nil, fmt.Errorf("reading catalog: %w", err)
		}
	}
	return build(f)
}

func parseDate(s string) (time.Time, error) {
	if len(s) > 10 { // SOFA writes 2026-08-17T00:00:00Z; only the day matters
		s = s[:10]
	}
	return time.Parse(time.DateOnly, s)
}

func optDate(s *string) (*time.Time, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	t, err := parseDate(*s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// build validates a catalog file and indexes it. It does not trust latest_released and
// latest_by_major blindly: a version listed there is added as a release, and the newest release
// per major wins whichever part of the file names it.
func build(f *catalogFile) (*Catalog, error) {
	snap, err := parseDate(f.SnapshotDate)
	if err != nil {
		return nil, fmt.Errorf("snapshot_date %q: want YYYY-MM-DD", f.SnapshotDate)
	}
	c := &Catalog{snapshot: snap, source: f.Source, platforms: map[string]*platformData{}}
	for _, p := range allPlatforms {
		entries := f.entries(p)
		lbm := f.LatestByMajor[p]
		latest, hasLatest := f.LatestReleased[p]
		if len(entries) == 0 && len(lbm) == 0 && !hasLatest {
			continue // the catalog does not cover this platform (e.g. a raw macOS feed)
		}
		pd := &platformData{releases: map[Version]*Release{}, byMajor: map[int]*Release{}}
		for i, e := range entries {
			if err := pd.add(e.Version, e.Build, e.Builds, e.Released, e.DateSuspect, e.CVEs, e.ActivelyExploited, e.SecurityInfo); err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", p, i, err)
			}
		}
		for major, l := range lbm {
			if err := pd.add(l.Version, l.Build, nil, l.Released, false, nil, 0, ""); err != nil {
				return nil, fmt.Errorf("latest_by_major.%s.%s: %w", p, major, err)
			}
		}
		if hasLatest {
			if err := pd.add(latest, "", nil, nil, false, nil, 0, ""); err != nil {
				return nil, fmt.Errorf("latest_released.%s: %w", p, err)
			}
		}
		pd.index()
		c.platforms[p] = pd
	}
	for i, b := range f.Betas {
		p := normPlatform(b.Platform)
		pd := c.platforms[p]
		if pd == nil {
			continue
		}
		v, ok := betaBase(b.Version)
		if !ok {
			return nil, fmt.Errorf("betas[%d]: version %q does not start with a version number", i, b.Version)
		}
		rel, err := optDate(b.Released)
		if err != nil {
			return nil, fmt.Errorf("betas[%d]: released: %w", i, err)
		}
		pd.betas = append(pd.betas, Beta{Version: v, Label: b.Version, Build: b.Build, Released: rel})
	}
	if g := f.AppleGDMFSnapshot; g != nil {
		c.gdmfDate = c.SnapshotDay()
		if g.Fetched != "" {
			d, err := parseDate(g.Fetched)
			if err != nil {
				return nil, fmt.Errorf("apple_gdmf_snapshot.fetched %q: want a date", g.Fetched)
			}
			c.gdmfDate = d.Format(time.DateOnly)
		}
		for _, p := range allPlatforms {
			pd := c.platforms[p]
			if pd == nil {
				continue
			}
			pd.gdmfKnown = true
			for i, o := range g.entries(p) {
				v, err := ParseVersion(o.Version)
				if err != nil {
					return nil, fmt.Errorf("apple_gdmf_snapshot.%s[%d]: %w", p, i, err)
				}
				pd.gdmf = append(pd.gdmf, Offer{Version: v, Builds: o.Builds, Posted: o.Posted, Expires: o.Expires, Public: o.Public})
			}
		}
	}
	for _, pd := range c.platforms {
		slices.SortStableFunc(pd.betas, func(a, b Beta) int { return b.Version.Compare(a.Version) })
	}
	return c, nil
}

func (pd *platformData) add(version, build string, builds []string, released *string, suspect bool, cves *int, exploited int, info string) error {
	v, err := ParseVersion(version)
	if err != nil {
		return err
	}
	rel, err := optDate(released)
	if err != nil {
		return fmt.Errorf("%s: released: %w", version, err)
	}
	if r, ok := pd.releases[v]; ok { // latest_by_major repeats list entries: fill gaps only
		if r.Build == "" {
			r.Build = build
		}
		if r.Released == nil && !suspect {
			r.Released = rel
		}
		return nil
	}
	r := &Release{Version: v, Build: build, Builds: builds, Released: rel, DateSuspect: suspect, ActivelyExploited: exploited, SecurityInfo: info}
	if cves != nil {
		r.CVEs = *cves
	}
	pd.releases[v] = r
	return nil
}

func (pd *platformData) index() {
	pd.sorted = pd.sorted[:0]
	for _, r := range pd.releases {
		pd.sorted = append(pd.sorted, r)
	}
	slices.SortFunc(pd.sorted, func(a, b *Release) int { return b.Version.Compare(a.Version) })
	for _, r := range pd.sorted {
		if _, ok := pd.byMajor[r.Version.Major]; !ok {
			pd.byMajor[r.Version.Major] = r
		}
	}
}

// normPlatform accepts Fleet's and Apple's spellings: macos, macOS, darwin, ios, iOS, ipados, iPadOS.
func normPlatform(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "macos", "darwin", "mac", "osx":
		return MacOS
	case "ios", "iphone":
		return IOS
	case "ipados", "ipad":
		return IPadOS
	}
	return ""
}

func (c *Catalog) platform(p string) *platformData { return c.platforms[normPlatform(p)] }

// SnapshotDate is the date the catalog was taken (UTC midnight).
func (c *Catalog) SnapshotDate() time.Time { return c.snapshot }

// SnapshotDay is SnapshotDate as YYYY-MM-DD, the form findings quote.
func (c *Catalog) SnapshotDay() string { return c.snapshot.Format(time.DateOnly) }

// Fresh reports whether the snapshot is under FreshDays old at now.
func (c *Catalog) Fresh(now time.Time) bool {
	return now.Sub(c.snapshot) < FreshDays*24*time.Hour
}

// Platforms lists the platforms the catalog covers, sorted.
func (c *Catalog) Platforms() []string {
	var out []string
	for _, p := range allPlatforms {
		if c.platforms[p] != nil {
			out = append(out, p)
		}
	}
	return out
}

// Latest is the newest released version of a platform.
func (c *Catalog) Latest(platform string) (Release, bool) {
	pd := c.platform(platform)
	if pd == nil || len(pd.sorted) == 0 {
		return Release{}, false
	}
	return *pd.sorted[0], true
}

// Lookup finds a listed release. Not being listed does not mean never released.
func (c *Catalog) Lookup(platform string, v Version) (Release, bool) {
	pd := c.platform(platform)
	if pd == nil {
		return Release{}, false
	}
	r, ok := pd.releases[v]
	if !ok {
		return Release{}, false
	}
	return *r, true
}

// ReleaseDate is the release date of a version, or nil when the catalog does not know it or
// knows the recorded date is wrong (DateSuspect): a rule comparing a deadline to it must not
// act on a date the catalog itself distrusts.
func (c *Catalog) ReleaseDate(platform string, v Version) *time.Time {
	r, ok := c.Lookup(platform, v)
	if !ok || r.DateSuspect || r.Released == nil {
		return nil
	}
	t := *r.Released
	return &t
}

// BetaOnly reports whether a version is known only as a beta or release candidate: a beta
// names it, and it is above the newest release of its major line (26.6 had betas too, but
// shipped).
func (c *Catalog) BetaOnly(platform string, v Version) bool {
	pd := c.platform(platform)
	if pd == nil {
		return false
	}
	if r, ok := pd.byMajor[v.Major]; ok && v.Compare(r.Version) <= 0 {
		return false
	}
	for _, b := range pd.betas {
		if b.Version == v {
			return true
		}
	}
	return false
}

// GDMFDate is the day the catalog's GDMF list was fetched, "" when it has none.
func (c *Catalog) GDMFDate() string { return c.gdmfDate }

func majorKey(m int) string { return strconv.Itoa(m) }
