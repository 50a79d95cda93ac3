package load

import (
	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Locate maps a data path of the composite document to the file, line and column it comes
// from, across includes. atKey points at the mapping key (for unknown or deprecated keys);
// otherwise at the value. A missing path points at its deepest existing ancestor.
func (d *Doc) Locate(path []any, atKey bool) finding.Location {
	d.ensure()
	if d == nil || d.File == nil {
		return finding.Location{}
	}
	if d.Root == nil { // a document that is not a mapping, or could not be read again: its file
		return NodeLocation(d.File, nil, yamlsrc.FormatPath(path))
	}
	hit := yamlsrc.Lookup(d.Root, path)
	// The key belongs to the file of the parent; the value may come from an included file.
	keyFile, valFile := d.File, d.File
	for i, n := range hit.Trail {
		if f, ok := d.owners[n]; ok {
			valFile = f
			if i < len(hit.Trail)-1 {
				keyFile = f
			}
		}
	}
	spliced := false
	if len(hit.Trail) > 0 {
		_, spliced = d.owners[hit.Trail[len(hit.Trail)-1]]
	}
	exact := hit.Depth == len(path)
	var loc finding.Location
	switch {
	case hit.Key != nil && (atKey || !exact):
		loc = NodeLocation(keyFile, hit.Key, "")
	case hit.Value != nil && hit.Value.Kind == yaml.ScalarNode || hit.Value != nil && hit.Value.Kind == yaml.AliasNode:
		loc = NodeLocation(valFile, hit.Value, "")
	case hit.Key != nil && !spliced:
		loc = NodeLocation(keyFile, hit.Key, "")
	case hit.Value != nil && len(hit.Value.Content) > 0:
		// A sequence item or an included tree: point at its first line (`- name: …`).
		loc = NodeLocation(valFile, hit.Value.Content[0], "")
	case hit.Value != nil && hit.Value.Line > 0:
		loc = NodeLocation(valFile, hit.Value, "")
	default:
		loc = NodeLocation(valFile, nil, "")
	}
	loc.Path = yamlsrc.FormatPath(path)
	return loc
}

// fileOf returns the file a node of the composite document comes from, given the trail of
// nodes that leads to it.
func (d *Doc) fileOf(trail []*yaml.Node) *File {
	f := d.File
	for _, n := range trail {
		if o, ok := d.owners[n]; ok {
			f = o
		}
	}
	return f
}

// FileAt returns the file that the value at path comes from (the including file when the
// path does not exist).
func (d *Doc) FileAt(path []any) *File {
	d.ensure()
	return d.fileOf(yamlsrc.Lookup(d.Root, path).Trail)
}

// NodeLocation is the location of node n in file f (1:1 when n is nil or has no position).
func NodeLocation(f *File, n *yaml.Node, path string) finding.Location {
	loc := finding.Location{File: f.Path, Start: finding.Position{Line: 1, Column: 1}, Path: path}
	if n == nil || n.Line <= 0 {
		loc.End = finding.Position{Line: 1, Column: 1}
		return loc
	}
	line := min(n.Line, max(f.Lines().Count(), 1)) // yaml.v3 may place an implicit null past the end
	loc.Start = finding.Position{Line: line, Column: max(n.Column, 1)}
	loc.End = finding.Position{Line: line, Column: max(f.Lines().End(n), loc.Start.Column)}
	if line != n.Line {
		loc.Start.Column, loc.End.Column = 1, 1
	}
	return loc
}

// ensure rebuilds a released document's YAML tree (see Repo.Release). Not safe for concurrent
// use with itself: callers locate late findings one after the other.
func (d *Doc) ensure() {
	if d != nil && d.Root == nil && d.rebuild != nil {
		d.Root, d.owners = d.rebuild()
	}
}
