package lint

import (
	"fmt"
	"time"
)

// catalogRules are the bundled rules whose findings depend on the OS catalog: with a stale
// catalog they report warnings where a fresh one could give errors.
var catalogRules = map[string]bool{
	"os-version-unreleased":  true,
	"os-version-not-offered": true,
	"os-update-deadline":     true,
}

// StaleCatalogNote is one line for the run's output when the OS catalog the rules used is
// older than oscatalog.FreshDays at now and some finding depends on it; "" otherwise. It is
// said once for the run rather than in every finding.
func (r *Result) StaleCatalogNote(now time.Time) string {
	c := r.OSCatalog
	if c == nil || c.Fresh(now) {
		return ""
	}
	n := 0
	for _, f := range r.Findings {
		if catalogRules[f.RuleID] {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	age := int(now.Sub(c.SnapshotDate()).Hours() / 24)
	return fmt.Sprintf("note: the OS catalog is from %s (%d days old): %d finding(s) about OS versions are warnings that a fresh catalog could make errors; run `tollgate catalog update` and pass --os-catalog", c.SnapshotDay(), age, n)
}
