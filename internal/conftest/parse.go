package conftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Note is something about a file that conftest passes over in silence, which a gate should
// not: a document conftest never reads.
type Note struct {
	Line, Column int
	Message      string
}

// ParseYAML splits and converts a YAML file as conftest's YAML parser does, keeping yaml.v3
// nodes to locate results:
//   - documents are split at lines that are exactly `---` (with the file's line ending);
//     a part that holds another document behind any other separator (`--- # x`, `--- !tag`)
//     gives conftest its first document only, and a Note says so;
//   - an empty part (a trailing `---`) is a null document, which conftest evaluates;
//   - a file of one document that is a list gives one input per item;
//   - values are read as sigs.k8s.io/yaml reads them: YAML 1.1 booleans (yes/no/on/off),
//     numbers as float64, timestamps as the string written.
func ParseYAML(file string, src []byte) ([]Document, []Note, error) {
	lines := yamlsrc.NewLines(src)
	parts, starts := splitDocuments(src)
	var docs []Document
	var notes []Note
	for i, part := range parts {
		node, probs := yamlsrc.Parse(part, yamlsrc.DefaultLimits)
		offset := starts[i] - 1
		if node == nil {
			p := probs[0]
			return nil, nil, fmt.Errorf("%s:%d:%d: %s", file, p.Line+offset, p.Column, p.Message)
		}
		for _, p := range probs {
			if p.Kind == "multi-document" {
				notes = append(notes, Note{Line: p.Line + offset, Column: 1, Message: "conftest reads only the first YAML document before this one: it splits documents only at a line that is exactly ---, so this document is not checked (put --- alone on its line)"})
			}
		}
		shift(node, offset)
		var root *yaml.Node
		if len(node.Content) > 0 {
			root = node.Content[0]
		}
		v, err := ConvertYAML(node)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: document at line %d: %w", file, starts[i], err)
		}
		if len(parts) == 1 && root != nil && root.Kind == yaml.SequenceNode {
			for j, item := range v.([]any) { // conftest checks each item of a top-level list
				docs = append(docs, Document{File: file, Value: item, Locate: NodeLocator(file, root.Content[j], lines, starts[i])})
			}
			return docs, notes, nil
		}
		docs = append(docs, Document{File: file, Value: v, Locate: NodeLocator(file, root, lines, starts[i])})
	}
	return docs, notes, nil
}

// ParseJSON converts a JSON file as conftest's JSON parser does (encoding/json, numbers as
// float64, a leading byte-order mark dropped, a top-level array one input per item), with
// positions from yaml.v3, which reads JSON.
func ParseJSON(file string, src []byte) ([]Document, error) {
	src = bytes.TrimPrefix(src, []byte{0xEF, 0xBB, 0xBF})
	var v any
	if err := json.Unmarshal(src, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	lines := yamlsrc.NewLines(src)
	var root *yaml.Node
	if node, _ := yamlsrc.Parse(src, yamlsrc.DefaultLimits); node != nil && len(node.Content) > 0 {
		root = node.Content[0]
	}
	if items, ok := v.([]any); ok {
		docs := make([]Document, len(items))
		for i, it := range items {
			var n *yaml.Node
			if root != nil && root.Kind == yaml.SequenceNode && i < len(root.Content) {
				n = root.Content[i]
			}
			docs[i] = Document{File: file, Value: it, Locate: NodeLocator(file, n, lines, 1)}
		}
		return docs, nil
	}
	return []Document{{File: file, Value: v, Locate: NodeLocator(file, root, lines, 1)}}, nil
}

// splitDocuments is conftest's separateSubDocuments: parts between lines that are exactly
// `---` (CRLF files: `---` between CRLFs), a leading %directive kept with the first document.
// starts are the parts' first lines (1-based).
func splitDocuments(data []byte) (parts [][]byte, starts []int) {
	linebreak := []byte("\n")
	if bytes.Contains(data, []byte("\r\n")) {
		linebreak = []byte("\r\n")
	}
	sep := slices.Concat(linebreak, []byte("---"), linebreak)
	parts = bytes.Split(data, sep)
	if bytes.HasPrefix(data, []byte("%")) && len(parts) > 1 {
		if len(parts) == 2 {
			parts = [][]byte{data}
		} else {
			first := slices.Concat(parts[0], sep, parts[1])
			parts = append([][]byte{first}, parts[2:]...)
		}
	}
	line := 1
	for _, p := range parts {
		starts = append(starts, line)
		line += bytes.Count(p, []byte("\n")) + 2 // the part's lines, its last line break and the separator
	}
	return parts, starts
}

// shift moves every node of a part's tree by offset lines, into the file's coordinates.
func shift(n *yaml.Node, offset int) {
	if offset == 0 {
		return
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n.Line += offset
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

// NodeLocator locates data paths in a document whose value node is root, in file (lines
// indexes its text). A found scalar is its value, a found collection its key (a list item
// its first line), a missing path its deepest existing ancestor's key; nil root (an empty
// document) and the empty path give the document's first line, startLine when it has none.
func NodeLocator(file string, root *yaml.Node, lines *yamlsrc.Lines, startLine int) func(path []any) finding.Location {
	return func(path []any) finding.Location {
		loc := finding.Location{File: file, Path: yamlsrc.FormatPath(path)}
		n := locateNode(root, path)
		if n == nil || n.Line <= 0 {
			loc.Start = finding.Position{Line: max(startLine, 1), Column: 1}
			loc.End = loc.Start
			return loc
		}
		loc.Start = finding.Position{Line: n.Line, Column: n.Column}
		loc.End = finding.Position{Line: n.Line, Column: lines.End(n)}
		return loc
	}
}

// locateNode picks the node a finding about path points at.
func locateNode(root *yaml.Node, path []any) *yaml.Node {
	if root == nil {
		return nil
	}
	hit := yamlsrc.Lookup(root, path)
	exact := hit.Depth == len(path)
	v := hit.Value
	for v != nil && v.Kind == yaml.AliasNode && v.Alias != nil && exact && hit.Key == nil {
		v = v.Alias
	}
	switch {
	case hit.Key != nil && !exact:
		return hit.Key
	case exact && v != nil && (v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode):
		return v
	case hit.Key != nil:
		return hit.Key
	case v != nil && len(v.Content) > 0:
		return v.Content[0] // a list item or the document: its first line (`- name: …`)
	}
	return v
}
