// Package model builds the repository model that Rego policies see as `input`: entry files
// with includes resolved, software package files, parsed profiles, references to other files,
// environment references, CI-provided variables and the team index. A large repository is
// evaluated in parts (a batch of teams at a time) that share the same Facts. Its shape is documented
// in docs/policies.md ("The input") and is a public interface for user policies.
package model

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/profile"
)

// Facts are what every evaluation sees, whichever part of the repository it covers: the era,
// the global entry and the cross-file facts of input.repo (every team, the labels defined, CI,
// the secrets the configuration declares). They are known before the teams are read in full,
// so teams can be checked a batch at a time.
type Facts struct {
	Era    string
	Global map[string]any // the global entry, or nil
	Repo   map[string]any
}

// TeamRef is one entry of input.repo.teams.
type TeamRef struct {
	Name string
	File string
	Kind fleet.Kind
}

// Options add facts from outside the repository files.
type Options struct {
	Secrets []string // variables the configuration says CI provides
	// OmitTeamIndex leaves input.repo.teams out, when no policy reads it (policy.Engine's
	// ReadsRepoTeams): in a large repository it is the biggest value live for the whole run.
	OmitTeamIndex bool
}

// NewFacts assembles the facts: global may be nil; teams lists every non-global entry in
// fleetctl order; labels are the names defined by the global file and by team files.
func NewFacts(era fleet.Era, global *load.Entry, teams []TeamRef, labels []string, ci CI, opts Options) *Facts {
	f := &Facts{Era: era.String()}
	if global != nil {
		f.Global = entryObj(global)
	}
	index := make([]any, 0, len(teams))
	for _, t := range teams {
		index = append(index, map[string]any{"name": t.Name, "file": t.File, "kind": t.Kind.String(), "name_key": nameKey(t.Name)})
	}
	secrets := slices.Clone(opts.Secrets)
	slices.Sort(secrets)
	labels = slices.Clone(labels)
	slices.Sort(labels)
	f.Repo = map[string]any{
		"team_name_clashes": nameClashes(index),
		"labels":            strs(slices.Compact(labels)),
		"ci": map[string]any{
			"known": ci.Known, "advisory": ci.Advisory, "provided": strs(ci.Provided), "workflows": strs(ci.Workflows),
			"steps": ciSteps(ci.Steps),
		},
		"secrets": strs(secrets),
	}
	if !opts.OmitTeamIndex {
		f.Repo["teams"] = index
	}
	return f
}

// Part is a piece of the repository evaluated together: some teams with the files they reach,
// or (for the last evaluation) the package files and whatever no team owns.
type Part struct {
	Teams    []*load.Entry
	Packages []*load.Doc
	// UsedBy lists, per package file, the {entry, path} of every team item that references it
	// (a rule points at the `- path:` line fleetctl was reading when it failed).
	UsedBy  map[string][]any
	Refs    []load.Ref
	EnvRefs []load.EnvRef
	// Secrets lists credential-shaped text found in the part's files (see ScanSecrets).
	Secrets []map[string]any
}

// Input is the Rego input of a part, without the facts every part shares (input.era,
// input.global, input.repo: see Facts). Profiles are parsed through cache (shared by parts).
func Input(p Part, cache *ProfileCache) map[string]any {
	teams := make([]any, 0, len(p.Teams))
	for _, e := range p.Teams {
		teams = append(teams, entryObj(e))
	}
	pkgs := make([]any, 0, len(p.Packages))
	for _, d := range p.Packages {
		pkgs = append(pkgs, map[string]any{"file": d.File.Path, "doc": Plain(d.Value),
			"used_by": orEmpty(p.UsedBy[d.File.Path])})
	}
	refs := make([]any, 0, len(p.Refs))
	refRecs := make([]RefRecord, len(p.Refs))
	var profiles []any
	var profileRecs []ProfileRecord
	for i, r := range p.Refs {
		path := cache.paths.Path(r.Path)
		refRecs[i] = RefRecord{Entry: r.Entry.File.Path, Path: path, Role: r.Role, Target: r.Target, Exists: r.File != nil}
		refs = append(refs, &refRecs[i])
		if r.Role == "profile" && r.File != nil && r.File.Digest != "" { // not read (over the size limit): load reported it
			if profileRecs == nil {
				profileRecs = make([]ProfileRecord, 0, len(p.Refs)-i)
			}
			profileRecs = append(profileRecs, profileRecord(cache.parse(r), r, path))
			profiles = append(profiles, &profileRecs[len(profileRecs)-1])
		}
	}
	envs := make([]any, 0, len(p.EnvRefs))
	for _, er := range p.EnvRefs {
		envs = append(envs, map[string]any{
			"file": er.File, "line": er.Line, "col": er.Col, "end_col": er.EndCol, "name": er.Name,
			"kind": er.Kind, "in_comment": er.InComment, "format": er.FileFormat,
		})
	}
	secrets := make([]any, 0, len(p.Secrets))
	for _, s := range p.Secrets {
		secrets = append(secrets, s)
	}
	return map[string]any{
		"teams":         teams,
		"packages":      pkgs,
		"profiles":      orEmpty(profiles),
		"refs":          refs,
		"env_refs":      envs,
		"secrets_found": secrets,
	}
}

func entryObj(e *load.Entry) map[string]any {
	return map[string]any{
		"file": e.File.Path,
		"kind": e.Kind.String(),
		"era":  e.Era.String(),
		"name": e.Name,
		"doc":  Plain(e.Value),
	}
}

// ProfileCache parses each profile file once, however many teams (and parts) use it, and
// builds once the parts of its input object every reference shares; it also shares the data
// paths of references, which every team listing the same files repeats. Safe for concurrent use.
type ProfileCache struct {
	mu     sync.Mutex
	parsed map[string]*cachedProfile
	paths  PathCache
}

// PathCache gives every reference at the same data path one shared value of it: thousands of
// teams list their files at the same few paths, and the policy input converts each shared
// path once. Safe for concurrent use; the zero value is ready.
type PathCache struct {
	mu    sync.Mutex
	paths map[pathKey]*Shared
}

// pathKey is a data path of up to len(el) elements (strings and indices) as a map key.
type pathKey struct {
	n  int
	el [8]any
}

// maxSharedPaths bounds a PathCache: past it, further paths are built each time.
const maxSharedPaths = 4096

// Path is p as Rego sees it (pathAny): a *Shared for a path met before or kept now, else
// the plain list (a path too long or with other elements than strings and indices, or one
// past the bound).
func (c *PathCache) Path(p []any) any {
	k := pathKey{n: len(p)}
	if len(p) > len(k.el) {
		return pathAny(p)
	}
	for i, el := range p {
		switch el.(type) {
		case string, int:
			k.el[i] = el
		default: // not comparable as a key, maybe: not shared
			return pathAny(p)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.paths[k]; ok {
		return s
	}
	if len(c.paths) >= maxSharedPaths {
		return pathAny(p)
	}
	if c.paths == nil {
		c.paths = map[pathKey]*Shared{}
	}
	s := &Shared{pathAny(p)}
	c.paths[k] = s
	return s
}

// applePlatformSets are input.profiles[_].apple_platforms for each subset of the Apple
// platforms (bit 0 ios, 1 ipados, 2 macos), shared by every profile record that has it.
var applePlatformSets = func() (sets [8]*Shared) {
	names := []string{"ios", "ipados", "macos"}
	for mask := range sets {
		var ss []string
		for i, n := range names {
			if mask&(1<<i) != 0 {
				ss = append(ss, n)
			}
		}
		sets[mask] = &Shared{strs(ss)}
	}
	return sets
}()

// sharedPlatforms is strs(ps), for ps sorted and compacted as applePlatforms returns them.
func sharedPlatforms(ps []string) any {
	mask := 0
	for _, p := range ps {
		switch p {
		case "ios":
			mask |= 1
		case "ipados":
			mask |= 2
		case "macos":
			mask |= 4
		default:
			return strs(ps)
		}
	}
	return applePlatformSets[mask]
}

type cachedProfile struct {
	profile *profile.Profile
	// payloads, problems, keys: the same for every reference, so converted once (Shared)
	payloads, problems, keys *Shared
}

// Shared marks a value that many inputs hold (a profile's payloads, listed by every team
// that uses the profile): the policy engine converts it once, however many inputs hold it.
// Its Value is plain (see Plain) and never changes.
type Shared struct{ Value any }

func (c *ProfileCache) parse(r load.Ref) *cachedProfile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.parsed == nil {
		c.parsed = map[string]*cachedProfile{}
	}
	cp, ok := c.parsed[r.File.Path]
	if !ok {
		p := profile.ParseAs(r.File.Path, r.File.Data, profileFormat(r.Path, r.File.Path))
		cp = profileShared(p)
		c.parsed[r.File.Path] = cp
	}
	return cp
}

// ConftestDocs are the documents plain conftest policies see, one per entry file.
func ConftestDocs(entries []*load.Entry) []Doc {
	out := make([]Doc, 0, len(entries))
	for _, e := range entries {
		out = append(out, Doc{File: e.File.Path, Doc: Plain(e.Value)})
	}
	return out
}

// Doc is one document for conftest-style evaluation.
type Doc struct {
	File string
	Doc  any
}

// nameKey is a team name as fleetctl compares it: trimmed and NFC-normalised (spec.GitOpsFromFile
// applies norm.NFC to the name). Rules compare keys for equality, and lower(key) for names that the
// database's case-insensitive collation (utf8mb4_unicode_ci, used by TeamByName) treats as one.
func nameKey(name string) string {
	return norm.NFC.String(strings.TrimSpace(name))
}

// profileFormat tells Android JSON from Apple DDM JSON by where the profile is listed.
func profileFormat(path []any, file string) profile.Format {
	for _, p := range path {
		if p == "android_settings" {
			return profile.FormatAndroid
		}
	}
	if strings.HasSuffix(strings.ToLower(file), ".xml") {
		return profile.FormatSyncML
	}
	return ""
}

// profileShared is what a profile's input object holds whichever entry lists it.
func profileShared(p *profile.Profile) *cachedProfile {
	payloads := make([]any, 0, len(p.Payloads))
	for _, pl := range p.Payloads {
		keys := map[string]any{}
		for k, pos := range pl.Keys {
			keys[k] = map[string]any{"line": pos.Line, "col": pos.Column}
		}
		payloads = append(payloads, map[string]any{
			"type": pl.Type, "identifier": pl.Identifier, "values": Plain(pl.Values),
			"line": pl.Line, "col": pl.Column, "keys": keys,
		})
	}
	problems := make([]any, 0, len(p.Problems))
	for _, pr := range p.Problems {
		problems = append(problems, map[string]any{"line": pr.Line, "col": pr.Column, "code": pr.Code,
			"message": pr.Message, "severity": pr.Severity.String()})
	}
	keys := map[string]any{}
	for k, pos := range p.Keys {
		keys[k] = map[string]any{"line": pos.Line, "col": pos.Column}
	}
	return &cachedProfile{profile: p, payloads: &Shared{payloads}, problems: &Shared{problems}, keys: &Shared{keys}}
}

// profileRecord is the input record of the profile cp referenced by r (at data path ref, as
// Rego sees it).
func profileRecord(cp *cachedProfile, r load.Ref, ref any) ProfileRecord {
	p := cp.profile
	return ProfileRecord{
		File: p.File, Entry: r.Entry.File.Path, Ref: ref, Format: string(p.Format),
		Name: p.Name, Identifier: p.Identifier, Signed: p.Signed, Payloads: cp.payloads,
		Problems: cp.problems, Keys: cp.keys, Platform: platformOf(r.Path, p),
		ApplePlatforms: sharedPlatforms(applePlatforms(r, p)),
	}
}

// builtinPlatformLabels are Fleet's built-in labels that stand for one Apple platform.
var builtinPlatformLabels = map[string]string{
	"macOS": "macos", "macOS 14+ (Sonoma+)": "macos", "iOS": "ios", "iPadOS": "ipados",
}

// allApplePlatforms are what applePlatforms returns when nothing narrows them (read only).
var allApplePlatforms = []string{"ios", "ipados", "macos"}

// applePlatforms names the Apple platforms an Apple profile can reach, for rules whose
// thresholds differ by platform: Fleet delivers a team's Apple profiles to its macOS, iOS and
// iPadOS hosts alike. Narrowed, in order, by the built-in platform labels of the item that lists
// it (labels_include_all, or labels_include_any naming platform labels only; labels_exclude_any
// removes), else by a directory of the profile's path named for one platform, as Fleet's
// template lays them out (lib/macos, lib/ios, lib/ipados; platforms/ios in the fleets era).
// Otherwise all three, so the strictest threshold applies. Nil for other profiles.
func applePlatforms(r load.Ref, p *profile.Profile) []string {
	if p.Format != profile.FormatMobileconfig && p.Format != profile.FormatDDM {
		return nil
	}
	all := allApplePlatforms
	item, _ := valueAt(r.Entry.Value, r.Path[:max(len(r.Path)-1, 0)]).(map[string]any)
	platformsOf := func(key string) (named []string, others bool) {
		ls, _ := item[key].([]any)
		for _, l := range ls {
			s, _ := l.(string)
			if pl, ok := builtinPlatformLabels[s]; ok {
				named = append(named, pl)
			} else {
				others = true
			}
		}
		return named, others
	}
	reach := all
	if named, _ := platformsOf("labels_include_all"); len(named) > 0 {
		reach = named
	} else if named, others := platformsOf("labels_include_any"); len(named) > 0 && !others {
		reach = named
	} else if seg := pathPlatforms(r.Target); len(seg) == 1 {
		reach = seg
	}
	excluded, _ := platformsOf("labels_exclude_any")
	out := slices.DeleteFunc(slices.Clone(reach), func(pl string) bool { return slices.Contains(excluded, pl) })
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return all // excluded from every platform it could reach: checked as for any
	}
	return out
}

// pathPlatforms are the Apple platforms the directories of path are named for.
func pathPlatforms(path string) []string {
	var out []string
	dirs := strings.Split(strings.ToLower(path), "/")
	for _, d := range dirs[:max(len(dirs)-1, 0)] {
		switch d {
		case "macos", "darwin":
			out = append(out, "macos")
		case "ios":
			out = append(out, "ios")
		case "ipados":
			out = append(out, "ipados")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// valueAt walks a data path in a plain value; nil when it is not there.
func valueAt(v any, path []any) any {
	for _, el := range path {
		switch k := el.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}

// platformOf names the platform a profile is for: from the settings section it is listed in.
func platformOf(path []any, p *profile.Profile) string {
	for _, el := range path {
		switch el {
		case "windows_settings":
			return "windows"
		case "android_settings":
			return "android"
		case "macos_settings", "apple_settings":
			return "apple"
		}
	}
	return string(p.Format)
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// pathAny is a data path as Rego sees it (indices as numbers).
func pathAny(p []any) []any {
	out := make([]any, len(p))
	for i, el := range p {
		if n, ok := el.(int); ok {
			out[i] = json.Number(strconv.Itoa(n))
			continue
		}
		out[i] = el
	}
	return out
}

// Plain rewrites values that OPA's converter would mangle: big integers become exact
// json.Numbers (ast.InterfaceToValue wraps uint64 silently), other values pass through. A
// value without such numbers is returned as it is, without a copy.
func Plain(v any) any {
	if !needsPlain(v) {
		return v
	}
	return plain(v)
}

func needsPlain(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if needsPlain(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if needsPlain(e) {
				return true
			}
		}
	case *big.Int, int:
		return true
	}
	return false
}

// plain copies the maps and lists on the way to a value that needs rewriting, and only
// those: the rest stay the values they were, so a value shared by many documents (an
// included file's items, load.Repo.SharedValue) stays shared.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Plain(e)
		}
		return out
	case *big.Int:
		return json.Number(x.String())
	case int:
		return int64(x)
	}
	return v
}

// nameClashes groups the teams whose names Fleet would take for the same team (collationKey:
// what MySQL's utf8mb4_unicode_ci equates), in file order, keeping only groups of two or more.
// Grouping here keeps the team-name-duplicate rule linear however many teams there are.
func nameClashes(teams []any) []any {
	groups := map[string][]any{}
	var order []string
	for _, t := range teams {
		tm := t.(map[string]any)
		k := collationKey(tm["name_key"].(string))
		if k == "" {
			continue
		}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], tm)
	}
	out := []any{}
	for _, k := range order {
		if len(groups[k]) > 1 {
			out = append(out, map[string]any{"key": k, "teams": groups[k]})
		}
	}
	return out
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
