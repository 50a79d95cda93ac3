package oscatalog

import (
	"slices"
	"time"
)

// Data is the JSON-able view loaded into Rego as data.os_catalog; its shape is documented in the
// package comment. Only plain values (string, int, bool, nil, []any, map[string]any) so it can
// go through ast.InterfaceToValue without surprises.
func (c *Catalog) Data() map[string]any {
	day := c.SnapshotDay()
	var gdmfDate any // null when the catalog has no GDMF lists
	if c.gdmfDate != "" {
		gdmfDate = c.gdmfDate
	}
	out := map[string]any{
		"snapshot_date": day,
		"gdmf_date":     gdmfDate,
		"fresh_days":    FreshDays,
		"source":        c.source,
	}
	plats := []any{}
	for _, p := range c.Platforms() {
		plats = append(plats, p)
		pd := c.platforms[p]
		lbm := map[string]any{}
		for m, r := range pd.byMajor {
			lbm[majorKey(m)] = r.Version.String()
		}
		versions := map[string]any{}
		for v, r := range pd.releases {
			versions[v.String()] = dateOrNil(c.ReleaseDate(p, r.Version))
		}
		betas := []any{}
		onlySet := map[Version]bool{}
		for _, b := range pd.betas {
			betas = append(betas, map[string]any{
				"version":  b.Version.String(),
				"label":    b.Label,
				"build":    b.Build,
				"released": dateOrNil(b.Released),
			})
			if c.BetaOnly(p, b.Version) {
				onlySet[b.Version] = true
			}
		}
		var only []Version
		for v := range onlySet {
			only = append(only, v)
		}
		slices.SortFunc(only, Version.Compare)
		betaOnly := []any{}
		for _, v := range only {
			betaOnly = append(betaOnly, v.String())
		}
		var gdmf any // null when unknown, so rules can tell "not offered" from "no data"
		if pd.gdmfKnown {
			list := []any{}
			for _, o := range pd.gdmf {
				list = append(list, o.Version.String())
			}
			gdmf = list
		}
		entry := map[string]any{
			"snapshot_date":   day,
			"latest_by_major": lbm,
			"versions":        versions,
			"betas":           betas,
			"beta_only":       betaOnly,
			"gdmf":            gdmf,
		}
		if len(pd.sorted) > 0 {
			entry["latest"] = pd.sorted[0].Version.String()
		}
		out[p] = entry
	}
	out["platforms"] = plats
	return out
}

func dateOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}
