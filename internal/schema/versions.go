package schema

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	bundled "github.com/tollgate-dev/tollgate/cue"
	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// FleetVersion is a Fleet release as far as the GitOps format goes: major and minor (patch
// releases do not change the format).
type FleetVersion struct{ Major, Minor int }

var fleetVersionRe = regexp.MustCompile(`^v?(\d+)\.(\d+)(\.\d+)?$`)

// ParseFleetVersion reads "4.91", "4.91.2" or "v4.91.0".
func ParseFleetVersion(s string) (FleetVersion, error) {
	m := fleetVersionRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return FleetVersion{}, fmt.Errorf("%q is not a Fleet version such as 4.91", s)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major != 4 {
		return FleetVersion{}, fmt.Errorf("%q is not a Fleet 4 version: the GitOps format tollgate knows is Fleet 4's", s)
	}
	return FleetVersion{major, minor}, nil
}

func (v FleetVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than w.
func (v FleetVersion) Less(w FleetVersion) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

// IsZero reports an unset version.
func (v FleetVersion) IsZero() bool { return v == FleetVersion{} }

// VersionKey is one row of the version table (cue/versions/versions.cue).
type VersionKey struct {
	Key     string            `json:"key"`
	Since   string            `json:"since,omitempty"`
	Removed string            `json:"removed,omitempty"`
	Value   string            `json:"value,omitempty"`
	When    map[string]string `json:"when,omitempty"`
	What    string            `json:"what"`
	Source  string            `json:"source"`

	pattern []string
	since   FleetVersion
	removed FleetVersion
	value   *regexp.Regexp
	when    []whenCond
}

type whenCond struct {
	keys []string
	re   *regexp.Regexp
}

// VersionTable says which Fleet versions the schemas follow and when each key of the format
// appeared or went away.
type VersionTable struct {
	Newest    FleetVersion
	Covered   []FleetVersion
	FleetsEra FleetVersion // the release that introduced the fleets layout
	Keys      []VersionKey
}

var bundledVersions = sync.OnceValues(func() (*VersionTable, error) {
	src, err := fs.ReadFile(bundled.VersionsFS, "versions/versions.cue")
	if err != nil {
		return nil, err
	}
	return ParseVersionTable(src)
})

// Versions returns the bundled version table.
func Versions() (*VersionTable, error) { return bundledVersions() }

// ParseVersionTable compiles a table in the shape of cue/versions/versions.cue.
func ParseVersionTable(src []byte) (*VersionTable, error) {
	v := cuecontext.New().CompileBytes(src, cue.Filename("versions.cue"))
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("version table: %s", cueissue.ErrorText(err))
	}
	var raw struct {
		Newest    string       `json:"newest"`
		Covered   []string     `json:"covered"`
		FleetsEra string       `json:"fleets_era"`
		Keys      []VersionKey `json:"keys"`
	}
	if err := v.Decode(&raw); err != nil {
		return nil, fmt.Errorf("version table: %w", err)
	}
	t := &VersionTable{Keys: raw.Keys}
	var err error
	if t.Newest, err = ParseFleetVersion(raw.Newest); err != nil {
		return nil, fmt.Errorf("version table: newest: %w", err)
	}
	if t.FleetsEra, err = ParseFleetVersion(raw.FleetsEra); err != nil {
		return nil, fmt.Errorf("version table: fleets_era: %w", err)
	}
	for _, c := range raw.Covered {
		cv, err := ParseFleetVersion(c)
		if err != nil {
			return nil, fmt.Errorf("version table: covered: %w", err)
		}
		t.Covered = append(t.Covered, cv)
	}
	for i := range t.Keys {
		k := &t.Keys[i]
		if k.Key == "" || k.What == "" || k.Source == "" {
			return nil, fmt.Errorf("version table: %q: key, what and source are required", k.Key)
		}
		k.pattern = splitKeyPattern(k.Key)
		if k.Since == "" && k.Removed == "" {
			return nil, fmt.Errorf("version table: %s: neither since nor removed", k.Key)
		}
		if k.Since != "" {
			if k.since, err = ParseFleetVersion(k.Since); err != nil {
				return nil, fmt.Errorf("version table: %s: %w", k.Key, err)
			}
		}
		if k.Removed != "" {
			if k.removed, err = ParseFleetVersion(k.Removed); err != nil {
				return nil, fmt.Errorf("version table: %s: %w", k.Key, err)
			}
		}
		if k.Value != "" {
			if k.value, err = regexp.Compile(k.Value); err != nil {
				return nil, fmt.Errorf("version table: %s: value: %w", k.Key, err)
			}
		}
		siblings := make([]string, 0, len(k.When))
		for s := range k.When {
			siblings = append(siblings, s)
		}
		slices.Sort(siblings)
		for _, s := range siblings {
			re, err := regexp.Compile(k.When[s])
			if err != nil {
				return nil, fmt.Errorf("version table: %s: when %s: %w", k.Key, s, err)
			}
			k.when = append(k.when, whenCond{keys: strings.Split(s, "|"), re: re})
		}
	}
	return t, nil
}

// Issues reports the keys of doc that target does not know: introduced after it, or removed
// at or before it. A zero target checks nothing.
func (t *VersionTable) Issues(doc any, target FleetVersion) []Issue {
	if t == nil || target.IsZero() {
		return nil
	}
	var out []Issue
	for i := range t.Keys {
		k := &t.Keys[i]
		var msg string
		switch {
		case !k.since.IsZero() && target.Less(k.since):
			msg = fmt.Sprintf("%s needs Fleet %s; this repository targets %s", k.What, k.since, target)
		case !k.removed.IsZero() && !target.Less(k.removed):
			msg = fmt.Sprintf("%s was removed in Fleet %s; this repository targets %s", k.What, k.removed, target)
		default:
			continue
		}
		parents := expand(doc, k.pattern[:len(k.pattern)-1])
		for _, parent := range parents {
			m, _ := cueissue.Lookup(doc, parent)
			obj, ok := m.(map[string]any)
			if !ok {
				continue
			}
			for _, name := range sortedAlternatives(k.pattern[len(k.pattern)-1]) {
				val, has := obj[name]
				if !has || empty(val) || !k.matches(obj, val) {
					continue
				}
				out = append(out, Issue{Path: cueissue.AppendPath(parent, name), RuleID: catalog.FleetVersion,
					Severity: finding.Error, AtKey: true, Message: msg,
					Hint: fmt.Sprintf("remove it, or set fleet_version in .tollgate.yaml (or --fleet-version) to the Fleet you run if it is %s or later", k.since)})
				if k.since.IsZero() {
					out[len(out)-1].Hint = fmt.Sprintf("remove it: Fleet %s and later no longer read it", k.removed)
				}
			}
		}
	}
	cueissue.Sort(out)
	return out
}

// matches applies the row's value and sibling conditions to the key's value val in obj.
func (k *VersionKey) matches(obj map[string]any, val any) bool {
	if k.value != nil {
		s, ok := val.(string)
		if !ok || !k.value.MatchString(s) {
			return false
		}
	}
	for _, w := range k.when {
		found := false
		for _, sib := range w.keys {
			sv, has := obj[sib]
			if !has || empty(sv) {
				continue
			}
			if s, ok := sv.(string); ok && w.re.MatchString(s) || w.re.String() == "" {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// empty is a value Fleet reads as "not set": null, or an empty list.
func empty(v any) bool {
	if v == nil {
		return true
	}
	l, isList := v.([]any)
	return isList && len(l) == 0
}

func sortedAlternatives(p string) []string {
	alts := strings.Split(p, "|")
	slices.Sort(alts)
	return alts
}

// splitKeyPattern turns "policies[].labels_exclude_all" into the path pattern expand takes:
// ["policies", "[]", "labels_exclude_all"].
func splitKeyPattern(key string) []string {
	var out []string
	for _, part := range strings.Split(key, ".") {
		for strings.HasSuffix(part, "[]") {
			if base := strings.TrimSuffix(part, "[]"); base != "" {
				out = append(out, base)
			}
			out = append(out, "[]")
			part = ""
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
