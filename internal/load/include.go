package load

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/editdist"
	"github.com/tollgate-dev/tollgate/internal/fleet"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

var yamlExts = []string{".yml", ".yaml"}

// spliceSections replaces `{path: file}` sections and `- path:`/`- paths:` list items of the
// entry with the content of the included files, as fleetctl reads them.
func (b *builder) spliceSections() {
	for _, k := range []string{"org_settings", "team_settings", "settings", "agent_options", "controls"} {
		b.spliceMapping(k)
	}
	for _, k := range []string{"policies", "queries", "reports", "labels"} {
		b.spliceList(k)
	}
}

func containsGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[{") }

// resolve joins p to the directory of the file holding it, as fleetctl's resolveApplyRelativePath.
func resolve(from *File, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(filepath.Dir(from.Abs), filepath.FromSlash(p))
}

// readTarget reads the file a reference points to, reporting a missing or escaping target at
// the referencing node. ok is false when the target could not be read.
func (b *builder) readTarget(holder *File, valNode *yaml.Node, p, what string, asYAML bool) (*File, bool) {
	abs := resolve(holder, p)
	f, err := b.files.read(abs, asYAML)
	switch {
	case err == nil:
		// A YAML file's problems, and any file's size over the limit: a profile or script
		// tollgate did not read must fail the check, not pass as empty.
		b.findings = append(b.findings, f.Problems...)
		return f, true
	case errors.Is(err, ErrOutside):
		b.atNode(holder, valNode, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s %q points outside the repository (%v)", what, p, err),
			"keep every file the configuration uses inside the repository")
	case isNotExist(err):
		hint := "paths are resolved from the directory of " + holder.Path
		if sugg := b.files.nearestFile(abs); sugg != "" {
			if rel, err := filepath.Rel(filepath.Dir(holder.Abs), sugg); err == nil {
				hint = fmt.Sprintf("did you mean %q? (%s)", filepath.ToSlash(rel), hint)
			}
		}
		b.atNode(holder, valNode, catalog.IncludeMissing, finding.Error,
			fmt.Sprintf("%s %q does not exist", what, p), hint)
	default:
		b.atNode(holder, valNode, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s %q cannot be read: %v", what, p, err), "")
	}
	return nil, false
}

// nearestFile suggests a file in the target's directory whose name is close to the missing one.
func (s *fileSet) nearestFile(abs string) string {
	rel, err := s.rel(filepath.Dir(abs))
	if err != nil {
		return ""
	}
	dir, err := resolveIn(s.src, s.root, rel)
	if err != nil {
		return ""
	}
	ents, err := s.src.ReadDir(dir)
	if err != nil {
		return ""
	}
	want := filepath.Base(abs)
	best, bestD := "", max(2, len(want)*3/10)+1
	for _, e := range ents {
		if d := editdist.Levenshtein(want, e.Name()); d < bestD {
			best, bestD = filepath.Join(filepath.Dir(abs), e.Name()), d
		}
	}
	return best
}

// spliceMapping handles `section: {path: file.yml}`.
func (b *builder) spliceMapping(section string) {
	e := b.entry
	_, val := mapGet(e.Root, section)
	if val == nil || val.Kind != yaml.MappingNode {
		return
	}
	pathKey, pathVal := mapGet(val, "path")
	if pathKey == nil {
		if k, _ := mapGet(val, "paths"); k != nil {
			b.atNode(e.File, k, catalog.IncludeInvalid, finding.Error,
				fmt.Sprintf("'%s' takes a single `path:`, not a `paths:` glob", section), "")
		}
		return
	}
	p, ok := scalarString(pathVal)
	if !ok || p == "" {
		b.atNode(e.File, pathVal, catalog.IncludeInvalid, finding.Error, fmt.Sprintf("%s.path must be a file path", section), "")
		return
	}
	if len(val.Content) > 2 {
		b.atNode(e.File, pathKey, catalog.IncludeInvalid, finding.Warning,
			fmt.Sprintf("keys next to %s.path are ignored: fleetctl reads the whole section from %q", section, p),
			"move those keys into the included file")
	}
	if containsGlobMeta(p) {
		b.atNode(e.File, pathVal, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s.path %q contains glob characters; a section is included from exactly one file", section, p), "")
		return
	}
	f, ok := b.readTarget(e.File, pathVal, p, section+" file", true)
	b.refs = append(b.refs, Ref{Entry: e, Path: []any{section, "path"}, Role: "include", Target: targetPath(f), File: f})
	if !ok || f.Node == nil {
		return
	}
	inc := docRoot(f.Node)
	if inc == nil {
		inc = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: 1, Column: 1}
	} else if inc.Kind != yaml.MappingNode && inc.ShortTag() != "!!null" {
		b.atNode(f, inc, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s file must hold a YAML mapping (the keys of '%s'), found a %s", section, section, kindName(inc)), "")
		return
	}
	// fleetctl refuses a nested path in every included section, agent options included
	// (pkg/spec/gitops.go, parseAgentOptions: "nested paths are not supported").
	if k, v := mapGet(inc, "path"); k != nil {
		nested, _ := scalarString(v)
		b.atNode(f, k, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("nested paths are not supported: %q in %s (an included file cannot include another)", nested, f.Path), "")
	}
	setValue(e.Root, section, inc)
	e.owners[inc] = f
}

// spliceList handles `section: [- path: file.yml, - paths: "glob/*.yml", inline items...]`.
func (b *builder) spliceList(section string) {
	e := b.entry
	_, val := mapGet(e.Root, section)
	if val == nil || val.Kind != yaml.SequenceNode {
		return
	}
	out := make([]*yaml.Node, 0, len(val.Content))
	changed := false
	for i, item := range val.Content {
		files, isRef := b.expandItem(e.File, item, section, []any{section, i}, yamlExts, false)
		if !isRef {
			out = append(out, item)
			continue
		}
		changed = true
		if extra, first := extraKeys(item); len(extra) > 0 && section != "labels" {
			b.atNode(e.File, first, catalog.IncludeInvalid, finding.Warning,
				fmt.Sprintf("%s on a `path:` entry are ignored by fleetctl, so the included %s apply without them", strings.Join(extra, ", "), section),
				"set them on each item inside the included file")
			if len(files) > 0 { // unresolved, the item stays in the document the schema checks
				b.keepPathItem(section, item)
			}
		}
		for _, f := range files {
			out = append(out, b.listItems(f, section)...)
		}
		if len(files) == 0 {
			out = append(out, item) // keep the unresolved entry so the schema still sees it
		}
	}
	if !changed {
		return
	}
	seq := *val
	seq.Content = out
	setValue(e.Root, section, &seq)
}

// extraKeys lists the keys of an include entry other than path/paths, and the first such key.
func extraKeys(item *yaml.Node) ([]string, *yaml.Node) {
	var out []string
	var first *yaml.Node
	for i := 0; i+1 < len(item.Content); i += 2 {
		if k := item.Content[i]; k.Value != "path" && k.Value != "paths" {
			out = append(out, k.Value)
			if first == nil {
				first = k
			}
		}
	}
	return out, first
}

// keepPathItem records a `- path:` item's other keys as Entry.PathItems.
func (b *builder) keepPathItem(section string, item *yaml.Node) {
	sectionKey, _ := mapGet(b.entry.Root, section)
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: item.Line, Column: item.Column}
	for i := 0; i+1 < len(item.Content); i += 2 {
		if k := item.Content[i]; k.Value != "path" && k.Value != "paths" {
			rest.Content = append(rest.Content, k, item.Content[i+1])
		}
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: item.Line, Column: item.Column, Content: []*yaml.Node{rest}}
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: sectionKey.Line, Column: sectionKey.Column,
		Content: []*yaml.Node{sectionKey, list}}
	v, err := yamlsrc.ToAny(root, b.files.limits.MaxNodes)
	if err != nil {
		return // an alias bomb under the item: the entry's own conversion reports it
	}
	b.entry.PathItems = append(b.entry.PathItems, &Doc{File: b.entry.File, Root: root, Value: v})
}

// listItems returns the items of an included list file, registering their owner.
func (b *builder) listItems(f *File, section string) []*yaml.Node {
	if f.Node == nil {
		return nil
	}
	inc := docRoot(f.Node)
	if inc == nil || inc.ShortTag() == "!!null" {
		return nil
	}
	if inc.Kind != yaml.SequenceNode {
		b.atNode(f, inc, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("a %s file must hold a YAML list (each item starting with `- `), found a %s", section, kindName(inc)),
			"indent the items under a leading `- `")
		return nil
	}
	items := make([]*yaml.Node, 0, len(inc.Content))
	for _, it := range inc.Content {
		if it.Kind == yaml.MappingNode {
			if k, v := mapGet(it, "path"); k != nil {
				nested, _ := scalarString(v)
				b.atNode(f, k, catalog.IncludeInvalid, finding.Error,
					fmt.Sprintf("nested paths are not supported: %q in %s (an included file cannot include another)", nested, f.Path), "")
				continue
			}
		}
		b.entry.owners[it] = f
		items = append(items, it)
	}
	return items
}

// expandItem resolves one `path:`/`paths:` entry of a list held in file holder. It returns the
// files reached (read as YAML when asYAML... chosen by exts) and whether the item is a reference.
// basenames, when non-nil, enforces unique file names (scripts, profiles).
func (b *builder) expandItem(holder *File, item *yaml.Node, what string, path []any, exts []string, unique bool) ([]*File, bool) {
	if item.Kind != yaml.MappingNode {
		return nil, false
	}
	pk, pv := mapGet(item, "path")
	gk, gv := mapGet(item, "paths")
	if pk == nil && gk == nil {
		return nil, false
	}
	e := b.entry
	asYAML := slices.Equal(exts, yamlExts)
	if pk != nil && gk != nil {
		b.atNode(holder, gk, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s entry cannot have both \"path\" and \"paths\"", singular(what)), "keep one of them")
		return nil, true
	}
	if pk != nil {
		p, ok := scalarString(pv)
		if !ok || p == "" {
			b.atNode(holder, pv, catalog.IncludeInvalid, finding.Error, fmt.Sprintf("%s path must be a file path", singular(what)), "")
			return nil, true
		}
		if containsGlobMeta(p) {
			b.atNode(holder, pv, catalog.IncludeInvalid, finding.Error,
				fmt.Sprintf("%s \"path\" %q contains glob characters", singular(what), p), "use `paths:` for a glob pattern (Fleet 4.82+)")
			return nil, true
		}
		f, ok := b.readTarget(holder, pv, p, singular(what)+" file", asYAML)
		b.refs = append(b.refs, Ref{Entry: e, Path: append(slices.Clone(path), "path"), Role: "include", Target: targetPath(f), File: f})
		if !ok {
			return nil, true
		}
		return []*File{f}, true
	}
	pattern, ok := scalarString(gv)
	if !ok || pattern == "" {
		b.atNode(holder, gv, catalog.IncludeInvalid, finding.Error, fmt.Sprintf("%s paths must be a glob pattern", singular(what)), "")
		return nil, true
	}
	if e.Era == fleet.EraTeams {
		b.atNode(holder, gk, catalog.IncludeInvalid, finding.Warning,
			"`paths:` globs need Fleet 4.82 or newer (the fleets/ layout); older fleetctl ignores this entry", "")
	}
	if !containsGlobMeta(pattern) {
		b.atNode(holder, gv, catalog.IncludeInvalid, finding.Error,
			fmt.Sprintf("%s \"paths\" %q does not contain glob characters", singular(what), pattern), "use `path:` for a specific file")
		return nil, true
	}
	matches, err := b.files.glob(resolve(holder, pattern))
	if err != nil {
		b.atNode(holder, gv, catalog.IncludeInvalid, finding.Error, fmt.Sprintf("glob %q cannot be expanded: %v", pattern, err),
			"keep the files a glob matches inside the repository, without symbolic link loops")
		return nil, true
	}
	var files []*File
	skipped := 0
	for _, m := range matches {
		if !slices.Contains(exts, strings.ToLower(filepath.Ext(m))) {
			skipped++
			continue
		}
		f, ok := b.readTarget(holder, gv, m, singular(what)+" file", asYAML)
		if ok {
			files = append(files, f)
			b.refs = append(b.refs, Ref{Entry: e, Path: append(slices.Clone(path), "paths"), Role: "include", Target: f.Path, File: f})
		}
	}
	if len(files) == 0 {
		msg := fmt.Sprintf("glob %q matches no %s file", pattern, strings.Join(exts, "/"))
		if skipped > 0 {
			msg += fmt.Sprintf(" (%d files with other extensions are skipped)", skipped)
		}
		b.atNode(holder, gv, catalog.IncludeNoMatch, finding.Warning, msg,
			"fleetctl applies an empty list here, which removes what the server has")
	}
	return files, true
}

func singular(section string) string {
	switch section {
	case "policies":
		return "policy"
	case "queries":
		return "query"
	case "reports":
		return "report"
	case "labels":
		return "label"
	case "scripts":
		return "script"
	}
	return section
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "scalar value"
}

func targetPath(f *File) string {
	if f == nil {
		return ""
	}
	return f.Path
}
