// Package model builds the repository model that Rego policies see as `input`: entry files
// with includes resolved, software package files, parsed profiles, references to other files,
// environment references, CI-provided variables and the team index. Its shape is documented
// in docs/rego-input.md and is a public interface for user policies.
package model

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/profile"
)

// Model is the whole repository as policies see it.
type Model struct {
	Era      string
	Global   map[string]any   // the global entry, or nil
	Teams    []map[string]any // team and unassigned entries, in fleetctl order
	Packages []map[string]any
	Profiles []map[string]any
	Refs     []map[string]any
	EnvRefs  []map[string]any
	// SecretsFound lists credential-shaped text found in any file read (kind and position only,
	// never the value): see secrets.go.
	SecretsFound []map[string]any
	Repo         map[string]any // cross-file facts: team index, labels defined, CI, configured secrets
}

// Options add facts from outside the repository files.
type Options struct {
	Secrets []string // variables the configuration says CI provides
}

// Build assembles the model. Profiles are parsed once per file, however many teams use them.
func Build(repo *load.Repo, opts Options) *Model {
	m := &Model{Era: repo.Era.String()}
	teamIndex := []any{}
	for _, e := range repo.Entries {
		obj := map[string]any{
			"file": e.File.Path,
			"kind": e.Kind.String(),
			"era":  e.Era.String(),
			"name": e.Name,
			"doc":  Plain(e.Value),
		}
		if e.Kind == load.KindGlobal {
			if m.Global == nil {
				m.Global = obj
			}
			continue
		}
		m.Teams = append(m.Teams, obj)
		teamIndex = append(teamIndex, map[string]any{"name": e.Name, "file": e.File.Path, "kind": e.Kind.String(),
			"name_key": nameKey(e.Name)})
	}
	// used_by lists the team entries (and data paths) that reference each package file, so a
	// rule can point at the `- path:` line fleetctl was reading when it failed.
	usedBy := map[string][]any{}
	for _, r := range repo.Refs {
		if r.Role == "package" && r.File != nil {
			usedBy[r.File.Path] = append(usedBy[r.File.Path], map[string]any{"entry": r.Entry.File.Path, "path": pathAny(r.Path)})
		}
	}
	for _, p := range repo.Packages {
		m.Packages = append(m.Packages, map[string]any{"file": p.File.Path, "doc": Plain(p.Value),
			"used_by": orEmpty(usedBy[p.File.Path])})
	}
	parsed := map[string]*profile.Profile{}
	for _, r := range repo.Refs {
		ref := map[string]any{
			"entry":  r.Entry.File.Path,
			"path":   pathAny(r.Path),
			"role":   r.Role,
			"target": r.Target,
			"exists": r.File != nil,
		}
		m.Refs = append(m.Refs, ref)
		if r.Role != "profile" || r.File == nil {
			continue
		}
		p, ok := parsed[r.File.Path]
		if !ok {
			p = profile.ParseAs(r.File.Path, r.File.Data, profileFormat(r.Path, r.File.Path))
			parsed[r.File.Path] = p
		}
		m.Profiles = append(m.Profiles, profileObj(p, r))
	}
	for _, er := range repo.EnvRefs {
		m.EnvRefs = append(m.EnvRefs, map[string]any{
			"file": er.File, "line": er.Line, "col": er.Col, "end_col": er.EndCol, "name": er.Name,
			"kind": er.Kind, "in_comment": er.InComment, "format": er.FileFormat,
		})
	}
	files := repo.Files()
	m.SecretsFound = append(scanSecrets(files), scanSecrets(otherFiles(repo.Root, gitopsDirs(repo), files))...)
	ci := ReadCI(repo.Root)
	secrets := slices.Clone(opts.Secrets)
	slices.Sort(secrets)
	m.Repo = map[string]any{
		"root_files":        len(repo.Files()),
		"teams":             teamIndex,
		"team_name_clashes": nameClashes(teamIndex),
		"labels":            definedLabels(m.Global, m.Teams),
		"ci": map[string]any{
			"known": ci.Known, "advisory": ci.Advisory, "provided": strs(ci.Provided), "workflows": strs(ci.Workflows),
		},
		"secrets": strs(secrets),
	}
	return m
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

func profileObj(p *profile.Profile, r load.Ref) map[string]any {
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
	return map[string]any{
		"file": p.File, "entry": r.Entry.File.Path, "ref": pathAny(r.Path), "format": string(p.Format),
		"name": p.Name, "identifier": p.Identifier, "signed": p.Signed, "payloads": payloads,
		"problems": problems, "keys": keys, "platform": platformOf(r.Path, p),
	}
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

// definedLabels lists the label names defined in the global file and in team files (era B
// allows fleet-scoped labels).
func definedLabels(global map[string]any, teams []map[string]any) []any {
	seen := map[string]bool{}
	collect := func(entry map[string]any) {
		doc, _ := entry["doc"].(map[string]any)
		labels, _ := doc["labels"].([]any)
		for _, l := range labels {
			if lm, ok := l.(map[string]any); ok {
				if n, ok := lm["name"].(string); ok {
					seen[n] = true
				}
			}
		}
	}
	if global != nil {
		collect(global)
	}
	for _, t := range teams {
		collect(t)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return strs(out)
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

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

func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case *big.Int:
		return json.Number(x.String())
	case int:
		return int64(x)
	}
	return v
}

// nameClashes groups the teams whose names Fleet would take for the same team (trimmed, NFC,
// case-insensitive), in file order, keeping only groups of two or more. Grouping here keeps
// the team-name-duplicate rule linear however many teams there are.
func nameClashes(teams []any) []any {
	groups := map[string][]any{}
	var order []string
	for _, t := range teams {
		tm := t.(map[string]any)
		k := strings.ToLower(tm["name_key"].(string))
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
