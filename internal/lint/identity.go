package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// A finding's fingerprint is what makes it the same finding in another revision of the
// repository, where lines have moved: its rule, its file, the entity it is about and its
// message with the numbers taken out. The entity is the data path within the file of the YAML
// node the finding points at, with each list index replaced by the item's identity (a policy's
// name, a profile's path), so inserting a policy above another one does not change the
// other's findings. Numbers leave the message because they move too: dates ("today is …"),
// day counts, line numbers ("already defined at line 12"), versions. What stays is the rule
// speaking about the same thing in the same words; a renamed policy, a file moved or a
// different complaint is a new finding.
//
// The fingerprint is a hash: no value of the repository (a URL with a token, a name) is in it.

// fingerprintVersion changes when the fingerprint's recipe does, so an old baseline matches
// nothing instead of matching wrongly.
const fingerprintVersion = "1"

// identityKeys are the keys that name a list item, most telling first: what Fleet matches
// policies, queries, labels (name), profiles, scripts and includes (path), Fleet-maintained
// apps (slug), App Store apps (app_store_id) and packages (url, hash) on. Never a secret:
// an enroll secret's item has no identity but its place.
var identityKeys = []string{"name", "path", "paths", "slug", "app_store_id", "package_path", "url", "hash_sha256"}

var digits = regexp.MustCompile(`[0-9]+`)

// fingerprint is the identity of f given the entity it is about.
func fingerprint(f finding.Finding, entity string) string {
	h := sha256.New()
	for _, part := range []string{fingerprintVersion, f.RuleID, f.Location.File, entity, digits.ReplaceAllString(f.Message, "#")} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fingerprints returns the fingerprint of every finding, in order. content returns a file's
// bytes (nil when unknown). Findings in report order (sorted by file) parse each file once.
func fingerprints(fs []finding.Finding, content func(file string) []byte) []string {
	out := make([]string, len(fs))
	for start := 0; start < len(fs); {
		end := start + 1
		for end < len(fs) && fs[end].Location.File == fs[start].Location.File {
			end++
		}
		group := fs[start:end]
		entities := entitiesOf(group, content)
		for i, f := range group {
			out[start+i] = fingerprint(f, entities[i])
		}
		start = end
	}
	return out
}

// entitiesOf finds the entity of each finding of one file (see the comment at the top).
func entitiesOf(group []finding.Finding, content func(file string) []byte) []string {
	entities := make([]string, len(group))
	file := group[0].Location.File
	var root *yaml.Node
	if structured(file) {
		if data := content(file); data != nil {
			root, _ = yamlsrc.Parse(data, yamlsrc.DefaultLimits)
		}
	}
	if root != nil {
		w := entityWalk{at: map[[2]int]string{}, onLine: map[int]string{}}
		for _, f := range group {
			w.at[[2]int{f.Location.Start.Line, f.Location.Start.Column}] = ""
			w.onLine[f.Location.Start.Line] = ""
		}
		w.seenAt, w.seenLine = map[[2]int]bool{}, map[int]bool{}
		w.walk(root)
		for i, f := range group {
			pos := [2]int{f.Location.Start.Line, f.Location.Start.Column}
			switch {
			case w.seenAt[pos]:
				entities[i] = w.at[pos]
			case w.seenLine[pos[0]]:
				entities[i] = w.onLine[pos[0]]
			default:
				entities[i] = looseIndices(f.Location.Path)
			}
		}
		return entities
	}
	for i, f := range group {
		entities[i] = looseIndices(f.Location.Path)
	}
	return entities
}

// structured reports whether a file is read as YAML (JSON is YAML too: a DDM profile).
func structured(file string) bool {
	switch strings.ToLower(path.Ext(file)) {
	case ".yml", ".yaml", ".json":
		return true
	}
	return false
}

var indexRe = regexp.MustCompile(`\[[0-9]+\]`)

// looseIndices is a data path without its list indices, for a finding whose node can't be
// found again: policies[3].name → policies[].name.
func looseIndices(p string) string { return indexRe.ReplaceAllString(p, "[]") }

// entityWalk visits a YAML tree once, in document order, and records the entity path of the
// first node at each wanted position and on each wanted line: the outermost one, so a list
// item (which starts where its first key does) is the entity rather than that key.
type entityWalk struct {
	at       map[[2]int]string // wanted positions → entity
	onLine   map[int]string    // wanted lines → entity of the line's first node
	seenAt   map[[2]int]bool
	seenLine map[int]bool
	stack    []string
}

func (w *entityWalk) record(n *yaml.Node) {
	pos := [2]int{n.Line, n.Column}
	if _, want := w.at[pos]; want && !w.seenAt[pos] {
		w.at[pos], w.seenAt[pos] = strings.Join(w.stack, ""), true
	}
	if _, want := w.onLine[n.Line]; want && !w.seenLine[n.Line] {
		w.onLine[n.Line], w.seenLine[n.Line] = strings.Join(w.stack, ""), true
	}
}

func (w *entityWalk) walk(n *yaml.Node) {
	if n == nil {
		return
	}
	w.record(n)
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			w.walk(c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			seg := yamlsrc.KeyString(k)
			if len(w.stack) > 0 {
				seg = "." + seg
			}
			w.stack = append(w.stack, seg)
			w.record(k)
			w.walk(v)
			w.stack = w.stack[:len(w.stack)-1]
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			w.stack = append(w.stack, "["+itemIdentity(item)+"]")
			w.walk(item)
			w.stack = w.stack[:len(w.stack)-1]
		}
	}
}

// itemIdentity names a list item by its first identity key (`name="Screen lock"`), or by
// nothing: a scalar item or an item without one is told apart by the finding's message.
func itemIdentity(item *yaml.Node) string {
	if item.Kind != yaml.MappingNode {
		return ""
	}
	for _, key := range identityKeys {
		for i := 0; i+1 < len(item.Content); i += 2 {
			if v := item.Content[i+1]; item.Content[i].Value == key && v.Kind == yaml.ScalarNode {
				return key + "=" + strconv.Quote(v.Value)
			}
		}
	}
	return ""
}
