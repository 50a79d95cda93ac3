package kube

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// part is one YAML document of a file: its text, the file line it starts on and its offset.
type part struct {
	text  []byte
	start int // 1-based
	off   int
}

// splitDocuments cuts a file into its YAML documents as Kubernetes' YAML reader does: a line
// starting with the document marker --- (alone, or followed by a space, a tab, a comment or
// content) begins a document, a line that is `...` ends one. The marker line stays with the
// document it begins, so yaml.v3 reads it and positions need only the part's start line.
// (A marker at the start of a line cannot be inside a scalar: YAML forbids it there.)
func splitDocuments(data []byte) []part {
	var parts []part
	start, startLine := 0, 1
	line := 1
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		text := bytes.TrimRight(data[off:next], "\r\n")
		switch {
		case isMarker(text, "---") && off > start:
			parts = append(parts, part{data[start:off], startLine, start})
			start, startLine = off, line
		case isMarker(text, "..."):
			parts = append(parts, part{data[start:off], startLine, start})
			start, startLine = next, line+1
		}
		off = next
		line++
	}
	if start < len(data) || len(parts) == 0 {
		parts = append(parts, part{data[start:], startLine, start})
	}
	return parts
}

func isMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	rest := line[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

// emptyDocument: nothing but comments, blank lines and markers (a trailing ---, a header).
func emptyDocument(n *yaml.Node) bool {
	return n == nil || len(n.Content) == 0 || n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null"
}

// parsed is a file read into documents.
type parsed struct {
	docs     []*yaml.Node // document nodes, in file coordinates (nil for an empty part)
	parts    []part       // the text each came from
	problems []finding.Finding
	fatal    bool // a document did not parse
}

// parseFile parses every document of a YAML file under lim. Problems carry the rule IDs the
// Fleet loader uses, with Kubernetes' reader named where yamlsrc names fleetctl's (both are
// yaml.v2 underneath, with the same failures).
func parseFile(file string, data []byte, lim yamlsrc.Limits) parsed {
	var out parsed
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		out.problems = append(out.problems, at(file, 1, 1, catalog.FileInvalid, finding.Error,
			fmt.Sprintf("file is %d bytes, over the %d-byte limit for a configuration file", len(data), lim.MaxBytes)))
		out.fatal = true
		return out
	}
	nodes := 0
	for _, p := range splitDocuments(data) {
		node, probs := yamlsrc.Parse(p.text, yamlsrc.Limits{MaxDepth: lim.MaxDepth, MaxNodes: lim.MaxNodes})
		offset := p.start - 1
		for _, pr := range probs {
			if pr.Kind == "multi-document" {
				continue // the split already separated documents
			}
			rule, sev := catalog.YAMLSyntax, finding.Error
			switch pr.Kind {
			case "invalid", "not-json":
				rule = catalog.FileInvalid
			case "duplicate-key":
				rule = catalog.YAMLDuplicateKey
			}
			out.problems = append(out.problems, at(file, pr.Line+offset, pr.Column, rule, sev, kubeWords(pr.Message)))
		}
		if node == nil {
			out.fatal = true
			continue
		}
		shift(node, offset)
		nodes += countNodes(node)
		if lim.MaxNodes > 0 && nodes > lim.MaxNodes {
			out.problems = append(out.problems, at(file, p.start, 1, catalog.FileInvalid, finding.Error,
				fmt.Sprintf("the file has more than %d YAML nodes: tollgate does not read it", lim.MaxNodes)))
			out.fatal = true
			return out
		}
		if emptyDocument(node) {
			continue
		}
		out.docs = append(out.docs, node)
		out.parts = append(out.parts, p)
	}
	return out
}

func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

// kubeWords rewrites yamlsrc's explanations, written for fleetctl, for Kubernetes tools:
// kubectl, Argo CD and Flux read YAML with sigs.k8s.io/yaml, the same yaml.v2 behaviour.
func kubeWords(msg string) string {
	return strings.ReplaceAll(msg, "fleetctl", "Kubernetes' YAML reader (sigs.k8s.io/yaml)")
}

// shift moves every node of a part's tree by offset lines, into the file's coordinates.
func shift(n *yaml.Node, offset int) {
	if offset == 0 {
		return
	}
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		n.Line += offset
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

func at(file string, line, col int, rule string, sev finding.Severity, msg string) finding.Finding {
	line, col = max(line, 1), max(col, 1)
	return finding.Finding{RuleID: rule, Severity: sev, Message: msg, Source: "yaml",
		Location: finding.Location{File: file, Start: finding.Position{Line: line, Column: col},
			End: finding.Position{Line: line, Column: col + 1}}}
}

// topKey returns the value node of key in a mapping node, or nil.
func topKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// looksLikeManifest: the text has apiVersion or kind as a top-level key, so a file that does
// not parse is a broken manifest rather than some other YAML (a template, values).
func looksLikeManifest(data []byte) bool {
	for _, l := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("apiVersion:")) || bytes.HasPrefix(l, []byte("kind:")) ||
			bytes.Contains(l, []byte(`"apiVersion"`)) {
			return true
		}
	}
	return false
}

// templated: the text holds template actions ({{ … }}) outside what YAML can read as values:
// a line that starts with one (`{{- if .Values.x }}`), or a file that does not parse at all.
// An ApplicationSet's '{{path.basename}}' in a quoted value is a value, not a template.
func templated(data []byte) bool {
	if !bytes.Contains(data, []byte("{{")) {
		return false
	}
	for _, l := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimLeft(l, " \t-")
		if bytes.HasPrefix(t, []byte("{{")) {
			return true
		}
		if i := bytes.Index(l, []byte(": {{")); i >= 0 {
			return true // key: {{ .Values.x }} — a flow mapping to YAML, a template to Helm
		}
	}
	return false
}
