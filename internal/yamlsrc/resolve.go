package yamlsrc

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Hit is the result of looking a data path up in a node tree.
type Hit struct {
	Key   *yaml.Node   // the mapping key of the last resolved step (nil for a sequence item or the root)
	Value *yaml.Node   // the node of the last resolved step
	Depth int          // how many path elements were resolved; < len(path) when the path is missing
	Trail []*yaml.Node // the value nodes visited, root first (lets callers see where included trees start)
}

// Exact reports whether the whole path resolved.
func (h Hit) Exact(path []any) bool { return h.Depth == len(path) }

// Lookup descends root along path: strings select mapping keys, integers (int, int64, float64,
// json.Number or a numeric string) select sequence items. Aliases and `<<` merges are followed.
// When the path does not exist, the hit is the deepest existing ancestor.
func Lookup(root *yaml.Node, path []any) Hit {
	n := root
	for n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return Hit{Value: n}
		}
		n = n.Content[0]
	}
	h := Hit{Value: n, Trail: []*yaml.Node{n}}
	for i, el := range path {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			break
		}
		var key, next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			name, ok := el.(string)
			if !ok {
				if idx, isIdx := index(el); isIdx {
					name, ok = strconv.Itoa(idx), true
				}
			}
			if ok {
				key, next = findKey(n, name, 0)
			}
		case yaml.SequenceNode:
			if idx, ok := index(el); ok && idx >= 0 && idx < len(n.Content) {
				next = n.Content[idx]
			}
		}
		if next == nil {
			return h
		}
		h = Hit{Key: key, Value: next, Depth: i + 1, Trail: append(h.Trail, next)}
		n = next
	}
	return h
}

// findKey finds name in a mapping as ToAny reads it: in document order the later of an explicit
// key and a `<<` merge holding the name wins; in a merged list the earlier mapping wins.
// Merges are followed to a bounded depth (an anchor merged into itself ends there).
func findKey(m *yaml.Node, name string, depth int) (key, val *yaml.Node) {
	if depth > 20 {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if !isMerge(k) {
			if KeyString(k) == name {
				key, val = k, m.Content[i+1]
			}
			continue
		}
		for _, it := range mergeItems(m.Content[i+1]) {
			if t := mergeTarget(it); t != nil {
				if mk, mv := findKey(t, name, depth+1); mk != nil {
					key, val = mk, mv
					break
				}
			}
		}
	}
	return key, val
}

func index(el any) (int, bool) {
	switch v := el.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), v == float64(int(v))
	case json.Number:
		i, err := v.Int64()
		return int(i), err == nil
	case string:
		i, err := strconv.Atoi(v)
		return i, err == nil
	}
	return 0, false
}

// FormatPath renders a data path as people read it: controls.macos_updates.deadline, policies[3].name.
func FormatPath(path []any) string {
	var b strings.Builder
	for _, el := range path {
		if i, ok := el.(int); ok {
			b.WriteString("[" + strconv.Itoa(i) + "]")
			continue
		}
		if i, ok := el.(int64); ok {
			b.WriteString("[" + strconv.FormatInt(i, 10) + "]")
			continue
		}
		s, _ := el.(string)
		if s == "" {
			if n, ok := el.(json.Number); ok {
				b.WriteString("[" + n.String() + "]")
				continue
			}
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// Lines indexes line starts of a source text, to compute end columns and draw snippets. Line
// breaks are YAML's: LF, CRLF, a lone CR, NEL, LS and PS, as yaml.v3 counts lines.
type Lines struct {
	src    []byte
	starts []int

	// The last column End looked up and its byte offset: findings come in document order, so
	// a walk along a line resumes there, and a line of megabytes is walked once, not once per
	// finding on it.
	mu                        sync.Mutex
	walkLine, walkCol, walkAt int
}

// NewLines indexes src.
func NewLines(src []byte) *Lines {
	l := &Lines{src: src, starts: []int{0}}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			l.starts = append(l.starts, i+1)
		case c == '\r' && (i+1 == len(src) || src[i+1] != '\n'):
			l.starts = append(l.starts, i+1)
		case c == 0xC2 && i+1 < len(src) && src[i+1] == 0x85:
			l.starts = append(l.starts, i+2)
			i++
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
			l.starts = append(l.starts, i+3)
			i += 2
		}
	}
	return l
}

// Line returns the text of line n (1-based) without its line break.
func (l *Lines) Line(n int) string {
	if n < 1 || n > len(l.starts) {
		return ""
	}
	end := len(l.src)
	if n < len(l.starts) {
		end = l.starts[n]
	}
	text := string(l.src[l.starts[n-1]:end])
	for _, br := range []string{"\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"} {
		if strings.HasSuffix(text, br) {
			return strings.TrimSuffix(text, br)
		}
	}
	return text
}

// Count is the number of lines.
func (l *Lines) Count() int { return len(l.starts) }

// Span returns the byte offsets [start, end) of line n's text (1-based) in the source, without
// its line break; 0, 0 when there is no such line.
func (l *Lines) Span(n int) (start, end int) {
	if n < 1 || n > len(l.starts) {
		return 0, 0
	}
	start, end = l.starts[n-1], len(l.src)
	if n < len(l.starts) {
		end = l.starts[n]
	}
	text := l.src[start:end]
	for _, br := range []string{"\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"} {
		if bytes.HasSuffix(text, []byte(br)) {
			return start, end - len(br)
		}
	}
	return start, end
}

// LineAt returns the line (1-based) holding byte offset off of the source.
func (l *Lines) LineAt(off int) int {
	n, _ := slices.BinarySearch(l.starts, off+1)
	return max(n, 1)
}

// Source is the indexed text.
func (l *Lines) Source() []byte { return l.src }

// End returns the exclusive end column of the token starting at n's position on its line.
// Scalars end after their text (quotes included); for collections the key or first line is used.
func (l *Lines) End(n *yaml.Node) int {
	_, end := l.Span(n.Line)
	rest := l.src[l.Offset(n.Line, n.Column):end]
	if len(rest) == 0 {
		return n.Column + 1
	}
	if n.Kind == yaml.ScalarNode {
		switch {
		case n.Style&yaml.DoubleQuotedStyle != 0:
			return n.Column + quotedLen(rest, '"')
		case n.Style&yaml.SingleQuotedStyle != 0:
			return n.Column + quotedLen(rest, '\'')
		case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			return n.Column + 1
		case len(rest) >= len(n.Value) && string(rest[:len(n.Value)]) == n.Value:
			return n.Column + utf8.RuneCountInString(n.Value)
		}
	}
	if n.Kind == yaml.AliasNode {
		return n.Column + 1 + utf8.RuneCountInString(n.Value)
	}
	// Fall back to the rest of the line, without a trailing comment.
	if i := bytes.Index(rest, []byte(" #")); i >= 0 {
		rest = rest[:i]
	}
	rest = bytes.TrimRight(rest, " \t")
	return n.Column + max(utf8.RuneCount(rest), 1)
}

// Offset is the byte offset in the source of 1-based character column col of line n (the end
// of the line when col is past it), walked from the last offset found on the line when it lies
// before col (see Lines.walkAt).
func (l *Lines) Offset(n, col int) int {
	start, end := l.Span(n)
	i, c := start, 1
	l.mu.Lock()
	if l.walkLine == n && l.walkCol <= col {
		i, c = l.walkAt, l.walkCol
	}
	l.mu.Unlock()
	for ; c < col && i < end; c++ {
		if l.src[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(l.src[i:end])
		i += size
	}
	l.mu.Lock()
	l.walkLine, l.walkCol, l.walkAt = n, c, i
	l.mu.Unlock()
	return i
}

// quotedLen is the length in runes of a quoted scalar on one line, quotes included.
func quotedLen(s []byte, q rune) int {
	n := 0
	esc := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		first := i == 0
		i += size
		n++
		if first {
			continue
		}
		if q == '"' && r == '\\' && !esc {
			esc = true
			continue
		}
		if r == q && !esc {
			if q == '\'' && i < len(s) && s[i] == '\'' { // '' escapes a quote
				i++
				n++
				continue
			}
			return n
		}
		esc = false
	}
	return n
}
