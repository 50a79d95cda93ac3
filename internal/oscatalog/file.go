package oscatalog

// The on-disk shape of a catalog: the shape of ../shared/data/os-versions.json, which is embedded
// unchanged (os-versions.json in this directory) and which Update writes. Field order and the
// sorted map keys of encoding/json make the written file deterministic.

type catalogFile struct {
	Source            string                           `json:"source"`
	SourceRepo        string                           `json:"source_repo,omitempty"`
	SourceCommit      string                           `json:"source_commit,omitempty"`
	FeedURLs          map[string]string                `json:"feed_urls,omitempty"`
	SnapshotDate      string                           `json:"snapshot_date"`
	FeedLastCheck     string                           `json:"feed_last_check,omitempty"`
	StalenessWarning  string                           `json:"staleness_warning,omitempty"`
	Notes             []string                         `json:"notes,omitempty"`
	LatestReleased    map[string]string                `json:"latest_released"`
	LatestByMajor     map[string]map[string]fileLatest `json:"latest_by_major"`
	Betas             []fileBeta                       `json:"betas"`
	AppleGDMFSnapshot *fileGDMFSnapshot                `json:"apple_gdmf_snapshot"`
	MacOS             []fileEntry                      `json:"macos"`
	IOS               []fileEntry                      `json:"ios"`
	IPadOS            []fileEntry                      `json:"ipados"`
}

type fileEntry struct {
	Version           string   `json:"version"`
	Major             int      `json:"major"`
	Build             string   `json:"build"`
	Builds            []string `json:"builds,omitempty"`
	Released          *string  `json:"released"`
	SecurityInfo      string   `json:"security_info,omitempty"`
	CVEs              *int     `json:"cves,omitempty"`
	ActivelyExploited int      `json:"actively_exploited,omitempty"`
	DateSuspect       bool     `json:"date_suspect,omitempty"`
	Source            string   `json:"source,omitempty"`
}

type fileLatest struct {
	Version  string  `json:"version"`
	Build    string  `json:"build"`
	Released *string `json:"released"`
}

type fileBeta struct {
	Platform string  `json:"platform"` // "macOS", "iOS", "iPadOS" as SOFA spells them
	Version  string  `json:"version"`  // "27.0 beta 6", "26.7 RC"
	Build    string  `json:"build"`
	Released *string `json:"released"`
	Source   string  `json:"source,omitempty"`
}

type fileGDMFSnapshot struct {
	Note    string     `json:"note,omitempty"`
	Fetched string     `json:"fetched,omitempty"`
	MacOS   []fileGDMF `json:"macos"`
	IOS     []fileGDMF `json:"ios"`
	IPadOS  []fileGDMF `json:"ipados"`
}

type fileGDMF struct {
	Version string   `json:"version"`
	Builds  []string `json:"builds"`
	Posted  string   `json:"posted"`
	Expires string   `json:"expires"`
	Public  bool     `json:"public"`
}

func (f *catalogFile) entries(platform string) []fileEntry {
	switch platform {
	case MacOS:
		return f.MacOS
	case IOS:
		return f.IOS
	case IPadOS:
		return f.IPadOS
	}
	return nil
}

func (g *fileGDMFSnapshot) entries(platform string) []fileGDMF {
	switch platform {
	case MacOS:
		return g.MacOS
	case IOS:
		return g.IOS
	case IPadOS:
		return g.IPadOS
	}
	return nil
}
