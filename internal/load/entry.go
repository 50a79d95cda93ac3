package load

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// builder assembles one entry's composite document and records its findings and references.
type builder struct {
	repo     *Repo
	files    *fileSet
	entry    *Entry
	findings []finding.Finding
	refs     []Ref
	packages []*Doc
}

// LoadEntry reads the entry file at abs (as Open returns it) and splices its includes in. It
// returns the entry (nil when it cannot be read or is not a mapping), the findings of loading
// it, the files it refers to and the software package documents it reaches. Safe for
// concurrent use; files shared by entries are read once.
func (r *Repo) LoadEntry(abs string) (*Entry, []finding.Finding, []Ref, []*Doc) {
	return r.loadEntry(abs)
}

func (r *Repo) loadEntry(abs string) (*Entry, []finding.Finding, []Ref, []*Doc) {
	b := &builder{repo: r, files: r.files}
	f, err := r.files.read(abs, true)
	if err != nil {
		rel, _ := r.files.rel(abs)
		if rel == "" {
			rel = filepath.ToSlash(abs)
		}
		return nil, []finding.Finding{{RuleID: catalog.FileInvalid, Severity: finding.Error, Source: "load",
			Message:  fmt.Sprintf("cannot read entry file: %v", err),
			Location: finding.Location{File: rel, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}}}, nil, nil
	}
	b.findings = append(b.findings, f.Problems...)
	if f.Node == nil {
		return nil, b.findings, nil, nil
	}
	e := &Entry{Doc: Doc{File: f, owners: map[*yaml.Node]*File{}}}
	b.entry = e
	root := docRoot(f.Node)
	if root == nil || root.Kind != yaml.MappingNode {
		b.atNode(f, root, catalog.FileKind, finding.Error,
			"a GitOps file must be a YAML mapping with org_settings (global file) or name (team file)", "")
		return nil, b.findings, nil, nil
	}
	// The composite root is a shallow copy: splicing replaces values without touching the file's tree.
	comp := *root
	comp.Content = slices.Clone(root.Content)
	e.Root = &comp
	b.classify()
	b.spliceSections()
	b.collectRefs()
	owners := e.owners
	v, err := yamlsrc.ToAnyShared(e.Root, r.files.limits.MaxNodes, &r.shared, func(n *yaml.Node) bool {
		_, spliced := owners[n]
		return spliced
	})
	if err != nil {
		b.at(&e.Doc, nil, false, catalog.FileInvalid, finding.Error, err.Error(), "")
	} else {
		e.Value = v
	}
	e.rebuild = func() (*yaml.Node, map[*yaml.Node]*File) {
		again, _, _, _ := r.loadEntry(abs)
		if again == nil {
			return nil, nil
		}
		if f.released {
			// Read again only to locate a finding: the file list keeps the first read.
			r.files.forget(again.File)
		}
		return again.Root, again.owners
	}
	return e, b.findings, b.refs, b.packages
}

func docRoot(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// at records a finding at path in doc.
func (b *builder) at(d *Doc, path []any, atKey bool, rule string, sev finding.Severity, msg, hint string) {
	loc := d.Locate(path, atKey)
	b.findings = append(b.findings, finding.Finding{RuleID: rule, Severity: sev, Message: msg, Hint: hint,
		Location: loc, Source: "load"})
}

// atNode records a finding at a node of file f.
func (b *builder) atNode(f *File, n *yaml.Node, rule string, sev finding.Severity, msg, hint string) {
	b.findings = append(b.findings, finding.Finding{RuleID: rule, Severity: sev, Message: msg, Hint: hint,
		Location: NodeLocation(f, n, ""), Source: "load"})
}

// mapGet returns the key and value nodes of name in mapping m.
func mapGet(m *yaml.Node, name string) (key, val *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if yamlsrc.KeyString(m.Content[i]) == name {
			key, val = m.Content[i], m.Content[i+1]
		}
	}
	return key, val
}

// setValue replaces the value of name in the composite mapping m.
func setValue(m *yaml.Node, name string, v *yaml.Node) {
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		if yamlsrc.KeyString(m.Content[i]) == name {
			m.Content[i+1] = v
			return
		}
	}
}

func scalarString(n *yaml.Node) (string, bool) {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

// classify decides the entry's kind, era and name the way fleetctl does.
func (b *builder) classify() {
	e := b.entry
	root := e.Root
	rel := e.File.Path
	base := filepath.Base(rel)
	parent := filepath.Base(filepath.Dir(filepath.FromSlash(rel)))

	has := func(k string) bool { key, _ := mapGet(root, k); return key != nil }
	switch {
	case parent == "fleets" || strings.HasPrefix(base, "unassigned."):
		e.Era = fleet.EraFleets
	case parent == "teams":
		e.Era = fleet.EraTeams
	default:
		e.Era = b.repo.Era
	}
	// A teams/ file written with the new names is a fleets-era file kept in the old directory.
	if e.Era == fleet.EraTeams && (has("settings") || has("reports")) && !has("team_settings") && !has("queries") {
		e.Era = fleet.EraFleets
	}

	orgKey, _ := mapGet(root, "org_settings")
	nameKey, nameVal := mapGet(root, "name")
	settingsKey := "team_settings"
	if e.Era == fleet.EraFleets {
		settingsKey = "settings"
	}
	switch {
	case orgKey != nil:
		e.Kind = fleet.KindGlobal
		if nameKey != nil {
			b.at(&e.Doc, []any{"name"}, true, catalog.FileKind, finding.Error,
				fmt.Sprintf("'org_settings' cannot be used with 'name' or '%s': the global file has no name", settingsKey),
				"move team settings into a file under teams/ (or fleets/)")
		}
		for _, k := range []string{"team_settings", "settings"} {
			if has(k) {
				b.at(&e.Doc, []any{k}, true, catalog.FileKind, finding.Error,
					fmt.Sprintf("'org_settings' cannot be used with '%s' in the same file", k), "")
			}
		}
	case nameKey != nil:
		e.Kind = fleet.KindTeam
		name, ok := scalarString(nameVal)
		if !ok || strings.TrimSpace(name) == "" {
			b.at(&e.Doc, []any{"name"}, false, catalog.FileKind, finding.Error, "team 'name' must be a non-empty string", "")
		}
		e.Name = name
		if isUnassignedTeamName(name, e.Era) {
			e.Kind = fleet.KindUnassigned
		}
		b.checkUnassignedName(name, base)
	default:
		e.Kind = fleet.KindTeam
		if isUnassignedName(base) {
			e.Kind = fleet.KindUnassigned
		}
		b.at(&e.Doc, nil, false, catalog.FileKind, finding.Error,
			"the file has neither 'org_settings' (global file) nor 'name' (team file), so fleetctl cannot tell what it configures",
			"add `name: <team name>` for a team file, or `org_settings:` for default.yml")
	}
}

func isUnassignedTeamName(name string, era fleet.Era) bool {
	if name == "No team" {
		return true
	}
	return era == fleet.EraFleets && (strings.EqualFold(name, "unassigned") || strings.EqualFold(name, "no team"))
}

// checkUnassignedName enforces the pairing of the unassigned scope's name and file name.
func (b *builder) checkUnassignedName(name, base string) {
	e := b.entry
	isFileName := isUnassignedName(base)
	isName := isUnassignedTeamName(name, e.Era)
	stem := strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
	switch {
	case isName && !isFileName:
		want := "no-team.yml"
		if e.Era == fleet.EraFleets {
			want = "unassigned.yml"
		}
		b.at(&e.Doc, []any{"name"}, false, catalog.FileKind, finding.Error,
			fmt.Sprintf("the file for hosts without a team (name %q) must be named %q, not %q", name, want, base), "")
	case isFileName && !isName:
		want := "No team"
		if stem == "unassigned" {
			want = "Unassigned"
		}
		b.at(&e.Doc, []any{"name"}, false, catalog.FileKind, finding.Error,
			fmt.Sprintf("%s must have `name: %s`, got %q", base, want, name), "")
	case isName && e.Era == fleet.EraFleets && stem == "no-team":
		b.at(&e.Doc, []any{"name"}, true, catalog.DeprecatedKey, finding.Warning,
			"no-team.yml is deprecated in Fleet 4.82+: rename it to unassigned.yml with `name: Unassigned`", "")
	}
}
