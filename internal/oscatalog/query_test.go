package oscatalog

import "slices"

// Queries the tests use to check what a catalog holds; rules read the same data through Data
// (data.os_catalog) and Status.

// LatestByMajor is the newest released version of one major line (e.g. 15 -> 15.7.9).
func (c *Catalog) LatestByMajor(platform string, major int) (Release, bool) {
	pd := c.platform(platform)
	if pd == nil {
		return Release{}, false
	}
	r, ok := pd.byMajor[major]
	if !ok {
		return Release{}, false
	}
	return *r, true
}

// Betas lists the betas and release candidates of a platform, newest first.
func (c *Catalog) Betas(platform string) []Beta {
	pd := c.platform(platform)
	if pd == nil {
		return nil
	}
	return slices.Clone(pd.betas)
}

// GDMFOffered reports whether Apple's GDMF service offered the version at the snapshot.
// known is false when the catalog has no GDMF snapshot for the platform (a catalog refreshed
// from SOFA alone): then offered means nothing and rules must stay silent.
func (c *Catalog) GDMFOffered(platform string, v Version) (offered, known bool) {
	pd := c.platform(platform)
	if pd == nil || !pd.gdmfKnown {
		return false, false
	}
	for _, o := range pd.gdmf {
		if o.Version == v {
			return true, true
		}
	}
	return false, true
}

// GDMF lists what Apple offered at the snapshot (nil when unknown).
func (c *Catalog) GDMF(platform string) []Offer {
	pd := c.platform(platform)
	if pd == nil {
		return nil
	}
	return slices.Clone(pd.gdmf)
}
