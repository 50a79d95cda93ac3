package lint

import (
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/schema"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// fleetTarget is the Fleet release a run checks against: --fleet-version, else fleet_version
// in .tollgate.yaml, else the newest release the schemas follow. It decides which keys exist
// (the version table) and, where the files don't, the era of an entry.
type fleetTarget struct {
	version schema.FleetVersion
	table   *schema.VersionTable
	// layoutDirs caches, per directory of an entry, whether teams/ or fleets/ sits beside it.
	layoutDirs sync.Map
	// isDir tells a directory of the repository checked (nil: of the working tree); the
	// base's lint of --new-only reads a commit.
	isDir func(abs string) bool
}

func newFleetTarget(flag string, cfg *config.Config) (*fleetTarget, error) {
	table, err := schema.Versions()
	if err != nil {
		return nil, err
	}
	t := &fleetTarget{version: table.Newest, table: table}
	src, what := flag, "--fleet-version"
	if src == "" && cfg.FleetVersion != "" {
		src, what = cfg.FleetVersion, "fleet_version"
	}
	if src != "" {
		v, err := schema.ParseFleetVersion(src)
		if err != nil {
			return nil, usage("%s: %v", what, err)
		}
		t.version = v
	}
	return t, nil
}

// entryEra is the era an entry is checked in: the loader's when the files settle it (its
// directory, its name, its keys, a teams/ or fleets/ directory beside it), otherwise the one
// of the targeted Fleet.
func (t *fleetTarget) entryEra(e *load.Entry) fleet.Era {
	if t == nil || t.settled(e) {
		return e.Era
	}
	if t.version.Less(t.table.FleetsEra) {
		return fleet.EraTeams
	}
	return fleet.EraFleets
}

func (t *fleetTarget) settled(e *load.Entry) bool {
	rel := e.File.Path
	switch filepath.Base(filepath.Dir(filepath.FromSlash(rel))) {
	case "teams", "fleets":
		return true
	}
	base := filepath.Base(rel)
	if strings.HasPrefix(base, "unassigned.") || strings.HasPrefix(base, "no-team.") {
		return true
	}
	if top, ok := e.Value.(map[string]any); ok {
		for _, k := range []string{"settings", "reports", "team_settings"} {
			if _, has := top[k]; has {
				return true
			}
		}
	}
	return t.layoutBeside(filepath.Dir(e.File.Abs))
}

func (t *fleetTarget) layoutBeside(dir string) bool {
	if v, ok := t.layoutDirs.Load(dir); ok {
		return v.(bool)
	}
	dirExists := isDir
	if t.isDir != nil {
		dirExists = t.isDir
	}
	has := dirExists(filepath.Join(dir, "teams")) || dirExists(filepath.Join(dir, "fleets"))
	t.layoutDirs.Store(dir, has)
	return has
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// issues are the version findings of an entry: keys the targeted Fleet does not know, and the
// fleets layout itself when the files use it and the target predates it.
func (t *fleetTarget) issues(e *load.Entry, era fleet.Era) []schema.Issue {
	if t == nil {
		return nil
	}
	out := t.table.Issues(e.Value, t.version)
	if era == fleet.EraFleets && t.version.Less(t.table.FleetsEra) {
		out = append(out, schema.Issue{RuleID: catalog.FleetVersion, Severity: finding.Error, AtKey: true,
			Path:    layoutKey(e),
			Message: "the fleets layout (fleets/, unassigned.yml, settings, reports) needs Fleet " + t.table.FleetsEra.String() + "; this repository targets " + t.version.String(),
			Hint:    "use the teams layout (teams/, team_settings, queries) for Fleet before " + t.table.FleetsEra.String() + ", or set fleet_version to the Fleet you run"})
	}
	return out
}

// layoutKey points a layout finding at the key that made the file a fleets-era one, or the
// first key.
func layoutKey(e *load.Entry) []any {
	if top, ok := e.Value.(map[string]any); ok {
		for _, k := range []string{"settings", "reports", "name", "org_settings"} {
			if _, has := top[k]; has {
				return []any{k}
			}
		}
	}
	if hit := yamlsrc.Lookup(e.Root, nil); hit.Value != nil && len(hit.Value.Content) > 0 {
		return []any{hit.Value.Content[0].Value}
	}
	return nil
}
