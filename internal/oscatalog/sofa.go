package oscatalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The parts of SOFA's v2 feeds (https://sofafeed.macadmins.io/v2/{macos,ios}_data_feed.json,
// schema in macadmins/sofa v2/*.schema.json) that the catalog uses. The iOS feed covers iPadOS
// too; the split is made from UpdateName ("iOS X and iPadOS X", "iPadOS X", "iOS X") and
// narrowed by SupportedDevices (iPhone*/iPod* for iOS, iPad* for iPadOS) when the feed lists them.

type sofaFeed struct {
	UpdateHash string          `json:"UpdateHash"`
	LastCheck  string          `json:"LastCheck"`
	OSVersions []sofaOSVersion `json:"OSVersions"`
}

type sofaOSVersion struct {
	OSVersion        string        `json:"OSVersion"`
	Latest           *sofaRelease  `json:"Latest"`
	SecurityReleases []sofaRelease `json:"SecurityReleases"`
}

type sofaRelease struct {
	UpdateName            string   `json:"UpdateName"`
	ProductName           string   `json:"ProductName"`
	ProductVersion        string   `json:"ProductVersion"`
	Build                 string   `json:"Build"`
	AllBuilds             []string `json:"AllBuilds"`
	ReleaseDate           string   `json:"ReleaseDate"`
	SecurityInfo          string   `json:"SecurityInfo"`
	SupportedDevices      []string `json:"SupportedDevices"`
	UniqueCVEsCount       int      `json:"UniqueCVEsCount"`
	ActivelyExploitedCVEs []string `json:"ActivelyExploitedCVEs"`
}

// pmvFeed is Apple's GDMF answer (gdmf.apple.com/v2/pmv), optional in Update.
type pmvFeed struct {
	PublicAssetSets map[string][]pmvAsset `json:"PublicAssetSets"`
	AssetSets       map[string][]pmvAsset `json:"AssetSets"`
}

type pmvAsset struct {
	ProductVersion   string   `json:"ProductVersion"`
	Build            string   `json:"Build"`
	PostingDate      string   `json:"PostingDate"`
	ExpirationDate   string   `json:"ExpirationDate"`
	SupportedDevices []string `json:"SupportedDevices"`
}

var iosWord = regexp.MustCompile(`(^|[^A-Za-z])iOS\b`)

// releasePlatforms says which platforms a SOFA release belongs to.
func releasePlatforms(r *sofaRelease) []string {
	names := r.UpdateName
	if names == "" {
		names = r.ProductName
	}
	if strings.Contains(names, "macOS") || strings.Contains(r.ProductName, "macOS") {
		return []string{MacOS}
	}
	ios, ipad := iosWord.MatchString(names), strings.Contains(names, "iPadOS")
	if len(r.SupportedDevices) > 0 {
		var phone, tablet bool
		for _, d := range r.SupportedDevices {
			phone = phone || strings.HasPrefix(d, "iPhone") || strings.HasPrefix(d, "iPod")
			tablet = tablet || strings.HasPrefix(d, "iPad")
		}
		if !ios && !ipad { // no usable name: the devices decide
			ios, ipad = phone, tablet
		}
		ios, ipad = ios && phone, ipad && tablet
	}
	var out []string
	if ios {
		out = append(out, IOS)
	}
	if ipad {
		out = append(out, IPadOS)
	}
	return out
}

// fromSOFA turns SOFA feeds (and optionally a GDMF answer) into the catalog file shape.
// Releases whose ProductVersion is not a plain version (Rapid Security Responses such as
// "16.5.1 (c)") are skipped: Fleet's minimum_version cannot name them.
func fromSOFA(feeds []*sofaFeed, gdmf *pmvFeed, urls map[string]string) (*catalogFile, error) {
	f := &catalogFile{
		Source:         "SOFA (macadmins/sofa) v2 feeds",
		SourceRepo:     "https://github.com/macadmins/sofa",
		FeedURLs:       map[string]string{},
		LatestReleased: map[string]string{},
		LatestByMajor:  map[string]map[string]fileLatest{},
		Betas:          []fileBeta{},
		Notes: []string{
			"Written by tollgate's catalog update from the SOFA v2 feeds: released versions only, no betas or release candidates (SOFA's feeds carry none).",
			"A version missing from a list is NOT proof it was never released (SOFA lists releases that have Apple security notes). Compare against latest_released and latest_by_major.",
			"apple_gdmf_snapshot is null unless the update was given a GDMF (gdmf.apple.com/v2/pmv) answer.",
		},
	}
	for k, u := range urls {
		if k == MacOS || k == IOS {
			f.FeedURLs[k+"_v2"] = u
		} else {
			f.FeedURLs[k] = u
		}
	}
	lists := map[string]map[Version]*fileEntry{MacOS: {}, IOS: {}, IPadOS: {}}
	for _, feed := range feeds {
		if feed.LastCheck > f.FeedLastCheck {
			f.FeedLastCheck = feed.LastCheck
		}
		for _, osv := range feed.OSVersions {
			rels := osv.SecurityReleases
			if osv.Latest != nil {
				rels = append([]sofaRelease{*osv.Latest}, rels...)
			}
			for i := range rels {
				r := &rels[i]
				v, err := ParseVersion(strings.TrimSpace(r.ProductVersion))
				if err != nil {
					continue
				}
				for _, p := range releasePlatforms(r) {
					addSOFA(lists[p], v, r)
				}
			}
		}
	}
	if f.FeedLastCheck == "" {
		return nil, fmt.Errorf("SOFA feed has no LastCheck: cannot date the catalog")
	}
	if _, err := parseDate(f.FeedLastCheck); err != nil {
		return nil, fmt.Errorf("SOFA feed LastCheck %q is not a date", f.FeedLastCheck)
	}
	f.SnapshotDate = f.FeedLastCheck[:10]
	for _, p := range allPlatforms {
		entries := sortedEntries(lists[p])
		if len(entries) == 0 {
			continue
		}
		switch p {
		case MacOS:
			f.MacOS = entries
		case IOS:
			f.IOS = entries
		case IPadOS:
			f.IPadOS = entries
		}
		f.LatestReleased[p] = entries[0].Version
		lbm := map[string]fileLatest{}
		for _, e := range entries {
			k := majorKey(e.Major)
			if _, ok := lbm[k]; !ok {
				lbm[k] = fileLatest{Version: e.Version, Build: e.Build, Released: e.Released}
			}
		}
		f.LatestByMajor[p] = lbm
	}
	if gdmf != nil {
		f.AppleGDMFSnapshot = gdmfSnapshot(gdmf, f.SnapshotDate)
	}
	return f, nil
}

func addSOFA(list map[Version]*fileEntry, v Version, r *sofaRelease) {
	if e, ok := list[v]; ok { // Latest repeats SecurityReleases[0]; merge builds only
		for _, b := range r.AllBuilds {
			if !slices.Contains(e.Builds, b) {
				e.Builds = append(e.Builds, b)
			}
		}
		return
	}
	e := &fileEntry{Version: v.String(), Major: v.Major, Build: r.Build, SecurityInfo: r.SecurityInfo,
		ActivelyExploited: len(r.ActivelyExploitedCVEs)}
	cves := r.UniqueCVEsCount
	e.CVEs = &cves
	if len(r.AllBuilds) > 1 {
		e.Builds = slices.Clone(r.AllBuilds)
	}
	if len(r.ReleaseDate) >= 10 {
		d := r.ReleaseDate[:10]
		e.Released = &d
	}
	list[v] = e
}

// sortedEntries orders entries newest first and marks dates that are later than the date of a
// higher version of the same major line (a SOFA scraping artefact, e.g. macOS 13.3.1).
func sortedEntries(list map[Version]*fileEntry) []fileEntry {
	type kv struct {
		v Version
		e *fileEntry
	}
	var all []kv
	for v, e := range list {
		slices.Sort(e.Builds)
		all = append(all, kv{v, e})
	}
	slices.SortFunc(all, func(a, b kv) int { return b.v.Compare(a.v) })
	out := make([]fileEntry, 0, len(all))
	earliestAbove := map[int]string{} // per major: earliest date among higher versions
	for _, x := range all {
		e := *x.e
		if e.Released != nil {
			if min, ok := earliestAbove[e.Major]; ok && *e.Released > min {
				e.DateSuspect = true
			} else {
				earliestAbove[e.Major] = *e.Released
			}
		}
		out = append(out, e)
	}
	return out
}

func gdmfSnapshot(g *pmvFeed, day string) *fileGDMFSnapshot {
	s := &fileGDMFSnapshot{
		Note:    "Versions Apple published via gdmf.apple.com/v2/pmv when the catalog was updated. public=true means listed in PublicAssetSets.",
		Fetched: day,
	}
	byPlat := map[string]map[Version]*fileGDMF{MacOS: {}, IOS: {}, IPadOS: {}}
	add := func(set map[string][]pmvAsset, public bool) {
		for key, assets := range set {
			for _, a := range assets {
				v, err := ParseVersion(strings.TrimSpace(a.ProductVersion))
				if err != nil {
					continue
				}
				var plats []string
				if key == "macOS" {
					plats = []string{MacOS}
				} else if key == "iOS" {
					plats = releasePlatforms(&sofaRelease{UpdateName: "iOS and iPadOS", SupportedDevices: a.SupportedDevices})
				}
				for _, p := range plats {
					o, ok := byPlat[p][v]
					if !ok {
						o = &fileGDMF{Version: v.String(), Builds: []string{}, Posted: a.PostingDate, Expires: a.ExpirationDate}
						byPlat[p][v] = o
					}
					if a.Build != "" && !slices.Contains(o.Builds, a.Build) {
						o.Builds = append(o.Builds, a.Build)
					}
					if a.PostingDate != "" && (o.Posted == "" || a.PostingDate < o.Posted) {
						o.Posted = a.PostingDate
					}
					if a.ExpirationDate > o.Expires {
						o.Expires = a.ExpirationDate
					}
					o.Public = o.Public || public
				}
			}
		}
	}
	add(g.PublicAssetSets, true)
	add(g.AssetSets, false)
	for p, m := range byPlat {
		var vs []Version
		for v := range m {
			vs = append(vs, v)
		}
		slices.SortFunc(vs, func(a, b Version) int { return b.Compare(a) })
		list := []fileGDMF{}
		for _, v := range vs {
			slices.Sort(m[v].Builds)
			list = append(list, *m[v])
		}
		switch p {
		case MacOS:
			s.MacOS = list
		case IOS:
			s.IOS = list
		case IPadOS:
			s.IPadOS = list
		}
	}
	return s
}
