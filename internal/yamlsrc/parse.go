// Package yamlsrc parses YAML into yaml.v3 nodes under hard limits, converts nodes into plain Go
// values (as fleetctl reads them), and maps data paths back to source positions.
package yamlsrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/libmsg"
)

// Limits bound the work spent on one file, so hostile input costs bounded time and memory.
type Limits struct {
	MaxBytes int // larger files are refused before parsing
	MaxNodes int // values produced when aliases are expanded (alias bombs)
	MaxDepth int // nesting of mappings and sequences
}

// DefaultLimits are generous for configuration (the largest real policy file seen is ~1 MB).
var DefaultLimits = Limits{MaxBytes: 8 << 20, MaxNodes: 2_000_000, MaxDepth: 200}

// Problem is a parse problem at a position (line/column 1-based; 0 when unknown).
type Problem struct {
	Line, Column int
	Kind         string // "syntax", "invalid", "duplicate-key", "multi-document"
	Message      string
}

func (p *Problem) Error() string { return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message) }

// Parse parses the first YAML document of data. Problems that stop parsing return a nil node;
// warnings (extra documents, duplicate keys) come back alongside a usable node.
func Parse(data []byte, lim Limits) (*yaml.Node, []*Problem) {
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, []*Problem{{Line: 1, Column: 1, Kind: "invalid",
			Message: fmt.Sprintf("file is %d bytes, over the %d-byte limit for a configuration file", len(data), lim.MaxBytes)}}
	}
	if p := checkText(data); p != nil {
		return nil, []*Problem{p}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1}, nil // empty file: null document
		}
		return nil, []*Problem{refine(data, syntaxProblem(err))}
	}
	var probs []*Problem
	fatal, notJSON := checkTree(&doc, lim.MaxDepth)
	if fatal != nil {
		return nil, []*Problem{fatal}
	}
	probs = append(probs, duplicateKeys(&doc)...)
	probs = append(probs, notJSON...)
	if p := tabbedComment(data, &doc); p != nil {
		probs = append(probs, p)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		probs = append(probs, &Problem{Line: max(extra.Line, 1), Column: 1, Kind: "multi-document",
			Message: "the file holds more than one YAML document; fleetctl reads only the first and ignores the rest"})
	} else if !errors.Is(err, io.EOF) {
		if p := outdentedAfterRoot(data, &doc); p != nil && libmsg.YAMLDocumentStart.In(err.Error()) {
			// Only the first block is read: checking it would report as missing every key below.
			return nil, []*Problem{p}
		} else {
			// fleetctl never reads past the first document, so a mistake there does not fail it.
			p := syntaxProblem(err)
			p.Kind = "multi-document"
			p.Message = "the file holds more than one YAML document; fleetctl reads only the first and ignores the rest (which does not parse either: " + p.Message + ")"
			probs = append(probs, p)
		}
	}
	return &doc, probs
}

// outdentedAfterRoot finds the first line indented less than a document whose top level does
// not start at column 1 (" name: x" above "policies:"): YAML ends the document before it, and
// fleetctl silently reads nothing from there on. nil when there is no such line.
func outdentedAfterRoot(data []byte, doc *yaml.Node) *Problem {
	if len(doc.Content) == 0 || doc.Content[0].Column <= 1 {
		return nil
	}
	root := doc.Content[0]
	lines := strings.Split(string(data), "\n")
	for i := root.Line; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		t := strings.TrimLeft(l, " ")
		if t == "" || t[0] == '#' {
			continue
		}
		if ind := len(l) - len(t); ind < root.Column-1 {
			return &Problem{Line: i + 1, Column: ind + 1, Kind: "syntax",
				Message: fmt.Sprintf("this line starts at column %d but the file's top level starts at column %d (line %d): YAML ends the document before it, and fleetctl silently ignores everything from here on; start every top-level key at column 1", ind+1, root.Column, root.Line)}
		}
	}
	return nil
}

// tabbedComment finds a comment line indented with a tab, outside scalar text and flow
// collections. yaml.v3 accepts one that follows another comment line; fleetctl's yaml.v2 fails
// on it ("found character that cannot start any token"), as both do on a tab before anything
// else at the start of a line. Only the first document is looked at; nil when there is none.
func tabbedComment(data []byte, doc *yaml.Node) *Problem {
	if bytes.IndexByte(data, '\t') < 0 || len(doc.Content) == 0 {
		return nil
	}
	// Lines where a tab is text (block and quoted scalars, multi-line plain ones) or allowed
	// (flow collections): from such a node's line to the line before the next node starts.
	var starts []int
	type span struct{ from, last int } // last: the deepest line of the node's own subtree
	var opaque []span
	var walk func(n *yaml.Node) int
	walk = func(n *yaml.Node) int {
		starts = append(starts, n.Line)
		last := n.Line
		for _, c := range n.Content {
			last = max(last, walk(c))
		}
		text := n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 || strings.Contains(n.Value, "\n"))
		if text || n.Style&yaml.FlowStyle != 0 {
			opaque = append(opaque, span{n.Line, last})
		}
		return last
	}
	root := doc.Content[0]
	walk(root)
	slices.Sort(starts)
	// Each opaque node covers its lines up to the next node after its subtree; merged into
	// disjoint sorted intervals, a line is looked up by binary search (a hostile file of many
	// small flow collections and tabbed comments stays linear).
	var ivs []span // from..last as interval bounds
	for _, o := range opaque {
		end := math.MaxInt
		if next, _ := slices.BinarySearch(starts, o.last+1); next < len(starts) {
			end = starts[next] - 1
		}
		ivs = append(ivs, span{o.from, end})
	}
	slices.SortFunc(ivs, func(a, b span) int { return a.from - b.from })
	merged := ivs[:0]
	for _, iv := range ivs {
		if n := len(merged); n > 0 && iv.from <= merged[n-1].last+1 {
			merged[n-1].last = max(merged[n-1].last, iv.last)
			continue
		}
		merged = append(merged, iv)
	}
	inOpaque := func(line int) bool {
		i, _ := slices.BinarySearchFunc(merged, line, func(iv span, l int) int { return iv.from - l })
		if i < len(merged) && merged[i].from == line {
			return true
		}
		return i > 0 && line <= merged[i-1].last
	}
	lines := bytes.Split(data, []byte("\n"))
	for i, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if i+1 > root.Line && (bytes.Equal(l, []byte("---")) || bytes.HasPrefix(l, []byte("--- ")) || bytes.Equal(l, []byte("..."))) {
			break // the next document, which fleetctl does not read
		}
		ws := len(l) - len(bytes.TrimLeft(l, " \t"))
		if ws == len(l) || l[ws] != '#' || bytes.IndexByte(l[:ws], '\t') < 0 || inOpaque(i+1) {
			continue
		}
		return &Problem{Line: i + 1, Column: bytes.IndexByte(l, '\t') + 1, Kind: "syntax",
			Message: "a tab before this comment: YAML indents with spaces only, and fleetctl's parser fails on it (\"found character that cannot start any token\")"}
	}
	return nil
}

// checkText refuses binary and non-UTF-8 content with the position of the first bad byte.
func checkText(data []byte) *Problem {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return &Problem{Line: 1, Column: 1, Kind: "invalid", Message: "file is UTF-16 encoded: fleetctl reads it, but does not expand the $VAR references in it (it looks for them in the raw bytes), and tollgate does not read it; save it as UTF-8"}
	}
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return nil // the common case, checked without decoding rune by rune
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return &Problem{Line: line, Column: col, Kind: "invalid",
				Message: fmt.Sprintf("file is not valid UTF-8 (byte 0x%02X at offset %d)", data[i], i)}
		case r == 0:
			return &Problem{Line: line, Column: col, Kind: "invalid", Message: "file is binary (contains a NUL byte), not YAML"}
		case r == '\n':
			line, col = line+1, 1
		default:
			col++
		}
		i += size
	}
	return nil
}

func syntaxProblem(err error) *Problem {
	msg := err.Error()
	if line, col, text, ok := libmsg.SplitYAMLPosition(msg); ok {
		l, _ := strconv.Atoi(line)
		c, _ := strconv.Atoi(col) // 0 when yaml.v3 gives no column
		return &Problem{Line: l, Column: max(c, 1), Kind: "syntax", Message: text}
	}
	return &Problem{Line: 1, Column: 1, Kind: "syntax", Message: libmsg.TrimYAMLPrefix(msg)}
}

// refine moves a parser error from where yaml.v3 reports it (the start of the enclosing
// block, e.g. "line 2: did not find expected key") to the line that breaks it: the first line
// after which the text no longer parses. Only parser errors are refined, over a bounded window.
func refine(data []byte, p *Problem) *Problem {
	if t := tabProblem(data, p); t != nil {
		return t
	}
	if q := openQuote(data, p); q != nil {
		return q
	}
	if libmsg.YAMLNoNodeContent.In(p.Message) || libmsg.YAMLFlowNotClosed.In(p.Message) {
		if l, c, br, ok := unclosedBracket(data, math.MaxInt); ok {
			return &Problem{Line: l, Column: c, Kind: p.Kind,
				Message: fmt.Sprintf("%q opened here is never closed (%s)", br, p.Message)}
		}
		return p
	}
	if !libmsg.YAMLExpectedKey.In(p.Message) && !libmsg.YAMLExpectedDash.In(p.Message) {
		return p
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if p.Line < 1 || p.Line > len(lines) {
		return p
	}
	end := 0
	for i := range p.Line {
		end += len(lines[i])
	}
	for l := p.Line + 1; l <= len(lines) && l <= p.Line+200; l++ {
		end += len(lines[l-1])
		var n yaml.Node
		if err := yaml.Unmarshal(data[:end], &n); err != nil {
			text := string(lines[l-1])
			indent := len(text) - len(strings.TrimLeft(text, " "))
			return &Problem{Line: l, Column: indent + 1, Kind: p.Kind,
				Message: p.Message + fmt.Sprintf(" (the block that starts on line %d ends badly here: check the indentation)", p.Line)}
		}
	}
	return p
}

// tabProblem points a tab error at the tab: yaml.v3 reports a tab in the indentation on the
// line before it, or at the start of the enclosing list item when a block scalar comes
// between. The tab is on the first line at or after the reported one whose indentation holds
// a tab, with which the text stops parsing (a tab inside a block scalar is text).
func tabProblem(data []byte, p *Problem) *Problem {
	if !libmsg.YAMLTabIndent.In(p.Message) && !libmsg.YAMLBadTokenStart.In(p.Message) {
		return nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	end, tried := 0, 0
	for l := 1; l <= len(lines); l++ {
		line := lines[l-1]
		end += len(line)
		if l < p.Line {
			continue
		}
		indent := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		tab := bytes.IndexByte(indent, '\t')
		if tab < 0 {
			continue
		}
		if tried++; tried > 50 {
			break
		}
		// The text parses up to the line before and no longer with it: this tab is the mistake
		// (not an earlier one of another kind, not a tab inside a block scalar).
		var n yaml.Node
		if yaml.Unmarshal(data[:end-len(line)], &n) == nil && yaml.Unmarshal(data[:end], &n) != nil {
			return &Problem{Line: l, Column: tab + 1, Kind: p.Kind,
				Message: "a tab character in the indentation: YAML indents with spaces only"}
		}
	}
	return nil
}

// openQuote finds a quoted value left open: a line before the error whose value starts
// with a quote that does not close on that line. YAML lets a quoted string run over several
// lines, so yaml.v3 reads on to the next quote and fails there, lines later; a configuration
// value rarely spans lines, so when the text does not parse, the nearest such line is the
// likely mistake.
func openQuote(data []byte, p *Problem) *Problem {
	lines := bytes.SplitAfter(data, []byte("\n"))
	for l := min(p.Line, len(lines)); l >= 1 && l >= p.Line-50; l-- {
		if col, ok := unclosedQuoteAt(string(lines[l-1])); ok && closingFixes(lines, l, col, p.Line) {
			return &Problem{Line: l, Column: col, Kind: p.Kind,
				Message: fmt.Sprintf("the quoted value opened here is not closed on its line (%s)", p.Message)}
		}
	}
	return nil
}

// closingFixes: with the quote at line l, column col closed at the end of its line, the text
// parses, or breaks only after line upTo (the quote was the mistake, not a string that
// really spans lines).
func closingFixes(lines [][]byte, l, col, upTo int) bool {
	var b bytes.Buffer
	for i, line := range lines {
		if i == l-1 {
			body := bytes.TrimRight(line, "\r\n")
			b.Write(body)
			b.WriteByte(line[col-1]) // the quote that opened the value
			b.Write(line[len(body):])
			continue
		}
		b.Write(line)
	}
	var n yaml.Node
	err := yaml.Unmarshal(b.Bytes(), &n)
	if err == nil {
		return true
	}
	q := syntaxProblem(err)
	return q.Line > upTo
}

// unclosedQuoteAt reports the column of a quote that opens a value (after "key: " or "- ")
// and does not close on the same line.
func unclosedQuoteAt(line string) (int, bool) {
	line = strings.TrimRight(line, "\r\n")
	trimmed := strings.TrimLeft(line, " ")
	start := len(line) - len(trimmed)
	for strings.HasPrefix(trimmed, "- ") {
		trimmed = strings.TrimLeft(trimmed[2:], " ")
		start = len(line) - len(trimmed)
	}
	if strings.HasPrefix(trimmed, "#") {
		return 0, false
	}
	if i := strings.Index(trimmed, ": "); i >= 0 && !strings.ContainsAny(trimmed[:i], "\"'") {
		rest := strings.TrimLeft(trimmed[i+2:], " ")
		start = len(line) - len(rest)
		trimmed = rest
	}
	if trimmed == "" || (trimmed[0] != '"' && trimmed[0] != '\'') {
		return 0, false
	}
	q := trimmed[0]
	for i := 1; i < len(trimmed); i++ {
		switch {
		case q == '"' && trimmed[i] == '\\':
			i++
		case trimmed[i] == q && q == '\'' && i+1 < len(trimmed) && trimmed[i+1] == '\'':
			i++
		case trimmed[i] == q:
			return 0, false
		}
	}
	return start + 1, true
}

// unclosedBracket finds the innermost flow bracket ([ or {) still open before line upTo,
// skipping quoted strings and comments.
func unclosedBracket(data []byte, upTo int) (line, col int, br string, ok bool) {
	type open struct {
		line, col int
		br        rune
	}
	var stack []open
	line, col = 1, 0
	var quote rune
	comment := false
	prev := '\n'
	for _, r := range string(data) {
		col++
		before := prev
		prev = r
		switch {
		case r == '\n':
			if line >= upTo {
				goto done
			}
			line, col, comment = line+1, 0, false
			if quote == '\'' || quote == '"' {
				continue // quoted scalars may span lines
			}
		case comment:
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case (r == '"' || r == '\'') && strings.ContainsRune(" \t\n:[{,-", before):
			quote = r // a quoted scalar starts only where a value can start ("it's" is plain)
		case r == '#' && strings.ContainsRune(" \t\n", before):
			comment = true
		case r == '[' || r == '{':
			stack = append(stack, open{line, col, r})
		case r == ']' || r == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
done:
	if len(stack) == 0 {
		return 0, 0, "", false
	}
	top := stack[len(stack)-1]
	return top.line, top.col, string(top.br), true
}

// checkTree refuses what fleetctl cannot read, or tollgate could not in bounded time: nesting
// deeper than limit (yaml.v3's own limit is far higher), an alias inside the value of its own
// anchor (a value that contains itself), a << merge of something other than mappings. It also
// lists, without stopping, the plain scalars YAML reads as infinity or not-a-number (.inf,
// -.Inf, .nan): fleetctl's YAML-to-JSON step cannot write them and fails on the whole file.
func checkTree(n *yaml.Node, limit int) (fatal *Problem, notJSON []*Problem) {
	var anchored []*yaml.Node // the anchored nodes enclosing the one visited
	var walk func(n *yaml.Node, d int) *Problem
	walk = func(n *yaml.Node, d int) *Problem {
		if limit > 0 && d > limit {
			return &Problem{Line: n.Line, Column: n.Column, Kind: "invalid",
				Message: fmt.Sprintf("nesting is deeper than %d levels", limit)}
		}
		switch n.Kind {
		case yaml.AliasNode:
			if slices.Contains(anchored, n.Alias) {
				return &Problem{Line: n.Line, Column: n.Column, Kind: "invalid",
					Message: fmt.Sprintf("*%s is used inside the value of its own anchor &%s, which never ends; fleetctl fails with \"anchor '%s' value contains itself\"", n.Value, n.Value, n.Value)}
			}
		case yaml.MappingNode:
			if p := checkMerges(n); p != nil {
				return p
			}
		case yaml.ScalarNode:
			if n.Style == 0 && n.ShortTag() == "!!float" {
				if v := strings.ToLower(strings.TrimLeft(n.Value, "+-")); v == ".inf" || v == ".nan" {
					notJSON = append(notJSON, &Problem{Line: n.Line, Column: n.Column, Kind: "not-json",
						Message: fmt.Sprintf("%s is a YAML number that JSON cannot hold: fleetctl fails on the whole file (\"json: unsupported value\"); quote it if it is text", n.Value)})
				}
			}
		}
		if n.Anchor != "" {
			anchored = append(anchored, n)
			defer func() { anchored = anchored[:len(anchored)-1] }()
		}
		for _, c := range n.Content {
			if p := walk(c, d+1); p != nil {
				return p
			}
		}
		return nil
	}
	return walk(n, 0), notJSON
}

// checkMerges refuses a `<<` merge whose value is not a mapping, an alias to one, or a list
// of them: fleetctl's yaml.v2 fails on it where yaml.v3 would ignore it.
func checkMerges(m *yaml.Node) *Problem {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !isMerge(m.Content[i]) {
			continue
		}
		for _, it := range mergeItems(m.Content[i+1]) {
			if mergeTarget(it) == nil {
				return &Problem{Line: it.Line, Column: it.Column, Kind: "invalid",
					Message: "a << merge takes a mapping, an alias to one, or a list of them; fleetctl fails with \"map merge requires map or sequence of maps as the value\""}
			}
		}
	}
	return nil
}

// earlierKey is the first scalar key before content[i] named name (seen indexes them when
// not nil), or nil.
func earlierKey(content []*yaml.Node, i int, name string, seen map[string]*yaml.Node) *yaml.Node {
	if seen != nil {
		return seen[name]
	}
	for j := 0; j < i; j += 2 {
		if k := content[j]; k.Kind == yaml.ScalarNode && k.Value == name && k.Value != "<<" {
			return k
		}
	}
	return nil
}

// duplicateKeys reports keys defined twice in one mapping; Fleet's YAML-to-JSON step keeps the last.
func duplicateKeys(root *yaml.Node) []*Problem {
	var out []*Problem
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && len(n.Content) > 2 {
			var seen map[string]*yaml.Node // only for large mappings: most have a few keys
			if len(n.Content) > 32 {
				seen = make(map[string]*yaml.Node, len(n.Content)/2)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode || k.Value == "<<" {
					continue
				}
				if first := earlierKey(n.Content, i, k.Value, seen); first != nil {
					out = append(out, &Problem{Line: k.Line, Column: k.Column, Kind: "duplicate-key",
						Message: fmt.Sprintf("key %q is already defined at line %d; only this last value is kept", k.Value, first.Line)})
					continue
				}
				if seen != nil {
					seen[k.Value] = k
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return out
}
