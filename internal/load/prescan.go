package load

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// TopLevel is what a pre-scan learns about a YAML file's top-level mapping.
type TopLevel struct {
	HasOrgSettings bool   // a top-level "org_settings" key is present
	HasName        bool   // a top-level "name" key is present
	Name           string // its value when it is a scalar string (see below)
	NameIsString   bool   // the value is a string scalar (what yaml.v3 decodes to a Go string)
	HasLabels      bool   // a top-level "labels" key is present
}

// PrescanTopLevel scans data without a YAML parser. When certain is true the result equals
// what parsing data with yaml.v3 gives (see the reference below); otherwise the caller must parse.
//
// Reference: data decodes with yaml.v3 to exactly one document whose root is a mapping; HasX
// is whether a scalar key "X" is in that mapping; Name and NameIsString come from the value of
// the (single) "name" key, decoded into an any.
//
// The scan reads data line by line. A line at column 0 is a top-level key, a comment, a
// leading "---", or an item of a top-level key's sequence written at column 0; every other
// line is checked to close everything it opens on the same line (quoted scalars, flow
// collections) or to open a block scalar, whose content lines are then skipped. Anything it
// does not understand gives certain=false.
//
// PrescanTopLevel does not validate the whole document: certain=true means "if data parses,
// the result is the reference". A syntax error inside a nested value (an unterminated flow
// collection in a nested block scalar's sibling, say) can go unnoticed; the caller's full
// parse of the file reports it.
func PrescanTopLevel(data []byte) (t TopLevel, certain bool) {
	hasCR, ok := prescanText(data)
	if !ok {
		return TopLevel{}, false
	}
	var (
		seenKey  bool // a top-level key was seen
		docStart bool // a "---" was seen
		seqOK    bool // a column-0 "- " item may follow: the last top-level key has no value on its line
		inSeq    bool // a column-0 "- " item followed that key
		blockT   = -1 // in a block scalar: its content lines are those indented more than blockT
		pending  byte // the name's value is not settled: 'p' a plain scalar that must not continue, 'e' empty so far
	)
	for pos := 0; pos < len(data); {
		var line []byte
		if end := bytes.IndexByte(data[pos:], '\n'); end < 0 {
			line, pos = data[pos:], len(data)
		} else {
			line, pos = data[pos:pos+end], pos+end+1
		}
		if hasCR && len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		ind := 0
		for ind < len(line) && line[ind] == ' ' {
			ind++
		}
		if ind == len(line) {
			continue // blank
		}
		if blockT >= 0 {
			if ind > blockT {
				continue // block scalar content
			}
			blockT = -1
		}
		c := line[ind]
		if c == '\t' {
			return TopLevel{}, false
		}
		if pending == 'p' {
			if ind > 0 {
				return TopLevel{}, false // the plain name may continue on this line
			}
			pending = 0
		}
		if c == '#' {
			continue // comment line
		}
		if pending == 'e' {
			if ind > 0 {
				return TopLevel{}, false // the name's value is on this line
			}
			pending = 0 // null, or a sequence at column 0: not a string either way
		}
		if ind > 0 {
			if !seenKey {
				return TopLevel{}, false // indented root, or content before the first key
			}
			if !inSeq {
				seqOK = false
			}
			owner, ok := prescanLine(line, ind)
			if !ok {
				return TopLevel{}, false
			}
			blockT = owner
			continue
		}
		switch c {
		case '-':
			if len(line) >= 3 && line[1] == '-' && line[2] == '-' && (len(line) == 3 || line[3] == ' ') {
				r := skipSpaces(line, 3)
				if seenKey || docStart || r < len(line) && line[r] != '#' {
					return TopLevel{}, false // a second document, or content on the marker line
				}
				docStart = true
				continue
			}
			if len(line) > 1 && line[1] != ' ' || !seqOK {
				return TopLevel{}, false
			}
			inSeq = true
			owner, ok := prescanLine(line, 0)
			if !ok {
				return TopLevel{}, false
			}
			blockT = owner
			continue
		case '.':
			if len(line) >= 3 && line[1] == '.' && line[2] == '.' {
				return TopLevel{}, false // document end marker (or a key that looks like one)
			}
		case '?', ':', '"', '\'', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`':
			// complex key, quoted key, flow root, anchor, alias, tag, block scalar root,
			// directive, reserved or invalid.
			return TopLevel{}, false
		}

		// A top-level key: a plain scalar up to ": " or ":" at the end of the line.
		i := 0
		for ; i < len(line); i++ {
			b := line[i]
			if b == ':' && (i+1 == len(line) || line[i+1] == ' ') {
				break
			}
			if b == '\t' || b == '#' && line[i-1] == ' ' {
				return TopLevel{}, false
			}
		}
		if i == len(line) || i > 1000 {
			return TopLevel{}, false // not a key, or too long for an implicit key
		}
		k := i
		for line[k-1] == ' ' {
			k--
		}
		key := line[:k]
		p := skipSpaces(line, i+1)
		kind, end, owner, ok := prescanValue(line, p, 0)
		if !ok {
			return TopLevel{}, false
		}
		seenKey = true
		seqOK, inSeq = kind == valEmpty, false
		blockT = owner
		switch string(key) {
		case "name":
			if t.HasName {
				return TopLevel{}, false
			}
			t.HasName = true
			switch kind {
			case valEmpty:
				pending = 'e'
			case valPlain:
				pending = 'p'
				fallthrough
			case valQuoted:
				t.Name, t.NameIsString, ok = prescanNameValue(line, line[p:end], kind)
				if !ok {
					return TopLevel{}, false
				}
			default:
				return TopLevel{}, false
			}
		case "org_settings":
			if t.HasOrgSettings {
				return TopLevel{}, false
			}
			t.HasOrgSettings = true
		case "labels":
			if t.HasLabels {
				return TopLevel{}, false
			}
			t.HasLabels = true
		case "<<":
			return TopLevel{}, false
		}
	}
	if !seenKey {
		return TopLevel{}, false
	}
	return t, true
}

// prescanText reports whether data holds only characters yaml.v3 reads without an error and
// whose only line breaks are "\n" and "\r\n" (and whether there is any "\r"). A BOM, NEL, LS
// and PS give false.
func prescanText(data []byte) (hasCR, ok bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(data); {
		if i+8 <= len(data) {
			// Eight printable ASCII characters (0x20 to 0x7E) at once: no high bit, no byte
			// below 0x20, no 0x7F.
			w := binary.LittleEndian.Uint64(data[i:])
			d := w ^ 0x7f*ones
			if (w|(w-0x20*ones)|(d-ones)&^d)&highs == 0 {
				i += 8
				continue
			}
		}
		b := data[i]
		if b >= 0x20 && b < 0x7f || b == '\n' || b == '\t' {
			i++
			continue
		}
		if b == '\r' {
			if i+1 == len(data) || data[i+1] != '\n' {
				return false, false
			}
			hasCR = true
			i += 2
			continue
		}
		if b < 0x80 {
			return false, false // control character or DEL
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0xA0, r == 0x2028, r == 0x2029, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
			return false, false
		}
		i += size
	}
	return hasCR, true
}

func skipSpaces(line []byte, i int) int {
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

// Kinds of values after "key:" on a line.
const (
	valEmpty  = iota // nothing (or a comment): the value is on the next lines, or null
	valPlain         // a plain scalar, which may continue on more indented lines
	valQuoted        // a quoted scalar closed on this line
	valFlow          // a flow collection closed on this line
	valBlock         // a block scalar header
)

// prescanLine checks the line content at p (after the indentation, not a comment) in block
// context: it must close what it opens. owner is the column of the node whose block scalar the
// line opens (content is on lines indented more), or -1.
func prescanLine(line []byte, p int) (owner int, ok bool) {
	dash := -1
	for line[p] == '-' && (p+1 == len(line) || line[p+1] == ' ') {
		dash = p
		p = skipSpaces(line, p+1)
		if p == len(line) {
			return -1, true
		}
	}
	switch line[p] {
	case '#':
		return -1, true // "- # comment"
	case '"', '\'':
		q, ok := prescanQuoted(line, p)
		if !ok {
			return -1, false
		}
		r := skipSpaces(line, q)
		if r == len(line) || line[r] == '#' && r > q {
			return -1, true
		}
		if line[r] == ':' && (r+1 == len(line) || line[r+1] == ' ') {
			_, _, owner, ok := prescanValue(line, skipSpaces(line, r+1), p)
			return owner, ok
		}
		return -1, false
	case '[', '{':
		q, ok := prescanFlow(line, p)
		if !ok {
			return -1, false
		}
		r := skipSpaces(line, q)
		return -1, r == len(line) || line[r] == '#' && r > q
	case '|', '>':
		if dash >= 0 {
			owner = dash
		} else {
			owner = p // a value on its own line: its parent is less indented, so this under-skips
		}
		return owner, prescanBlockHeader(line, p)
	case '?', ':':
		if p+1 == len(line) || line[p+1] == ' ' {
			return -1, false
		}
	case '\t', '&', '*', '!', '%', '@', '`', ',', ']', '}':
		return -1, false
	}
	// A plain scalar: a key if ": " follows, else a value.
	for i := p; i < len(line); i++ {
		b := line[i]
		if b == ':' && (i+1 == len(line) || line[i+1] == ' ') {
			if i-p > 1000 {
				return -1, false
			}
			_, _, owner, ok := prescanValue(line, skipSpaces(line, i+1), p)
			return owner, ok
		}
		if b == '\t' {
			return -1, false
		}
		if b == '#' && line[i-1] == ' ' {
			break
		}
	}
	return -1, true
}

// prescanValue checks the value of a key at column keyCol; p is past the ": " and its spaces.
// end is where a plain or quoted value ends (before trailing spaces and a comment).
func prescanValue(line []byte, p, keyCol int) (kind, end, owner int, ok bool) {
	if p == len(line) {
		return valEmpty, p, -1, true
	}
	switch line[p] {
	case '#':
		return valEmpty, p, -1, true
	case '"', '\'':
		q, ok := prescanQuoted(line, p)
		if !ok {
			return 0, 0, -1, false
		}
		r := skipSpaces(line, q)
		return valQuoted, q, -1, r == len(line) || line[r] == '#' && r > q
	case '[', '{':
		q, ok := prescanFlow(line, p)
		if !ok {
			return 0, 0, -1, false
		}
		r := skipSpaces(line, q)
		return valFlow, q, -1, r == len(line) || line[r] == '#' && r > q
	case '|', '>':
		return valBlock, len(line), keyCol, prescanBlockHeader(line, p)
	case '-', '?', ':':
		if p+1 == len(line) || line[p+1] == ' ' {
			return 0, 0, -1, false
		}
	case '\t', '&', '*', '!', '%', '@', '`', ',', ']', '}':
		return 0, 0, -1, false
	}
	end = len(line)
	for i := p; i < len(line); i++ {
		b := line[i]
		if b == ':' && (i+1 == len(line) || line[i+1] == ' ') || b == '\t' {
			return 0, 0, -1, false
		}
		if b == '#' && line[i-1] == ' ' {
			end = i
			break
		}
	}
	for line[end-1] == ' ' {
		end--
	}
	return valPlain, end, -1, true
}

// prescanQuoted returns the index after the quoted scalar starting at p, which must close on
// the line.
func prescanQuoted(line []byte, p int) (int, bool) {
	if line[p] == '"' {
		for i := p + 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1, true
			}
		}
		return 0, false
	}
	for i := p + 1; i < len(line); i++ {
		if line[i] == '\'' {
			if i+1 < len(line) && line[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return 0, false
}

// prescanFlow returns the index after the flow collection starting at p, which must close on
// the line. Flow indicators always end plain scalars in flow context, so counting brackets
// outside quoted scalars is exact; a quote is taken as starting a quoted scalar only where
// nothing else can be meant.
func prescanFlow(line []byte, p int) (int, bool) {
	depth := 0
	var last byte    // the last character that is not a space
	colonSp := false // last is ':' and a space followed it
	for i := p; i < len(line); i++ {
		b := line[i]
		switch b {
		case ' ':
			colonSp = last == ':'
			continue
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case '"', '\'':
			if last != '[' && last != '{' && last != ',' && !colonSp {
				return 0, false
			}
			q, ok := prescanQuoted(line, i)
			if !ok {
				return 0, false
			}
			i = q - 1
		case '#', '\t', '&', '*', '!', '|', '>', '%', '@', '`':
			return 0, false
		}
		last, colonSp = b, false
	}
	return 0, false
}

// prescanBlockHeader checks a block scalar header at p ("|" or ">", indicators, a comment).
func prescanBlockHeader(line []byte, p int) bool {
	i := p + 1
	var chomp, digit bool
	for i < len(line) {
		b := line[i]
		if (b == '+' || b == '-') && !chomp {
			chomp = true
		} else if b >= '1' && b <= '9' && !digit {
			digit = true
		} else {
			break
		}
		i++
	}
	r := skipSpaces(line, i)
	return r == len(line) || line[r] == '#' && r > i
}

// prescanNameValue decodes the value of a top-level "name" key that ends on its line: v is
// the plain or quoted scalar text. Simple shapes are decoded here; the others by yaml.v3 on
// the line alone.
func prescanNameValue(line, v []byte, kind int) (name string, isString, ok bool) {
	switch kind {
	case valQuoted:
		q := v[0]
		body := v[1 : len(v)-1]
		if q == '\'' {
			if bytes.IndexByte(body, '\'') < 0 {
				return string(body), true, true
			}
			return string(bytes.ReplaceAll(body, []byte("''"), []byte("'"))), true, true
		}
		if bytes.IndexByte(body, '\\') < 0 {
			return string(body), true, true
		}
	case valPlain:
		switch v[0] {
		case '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '<':
			// numbers, timestamps, infinities, the merge key: yaml.v3 decides
		default:
			switch string(v) {
			case "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL":
				return "", false, true
			}
			return string(v), true, true
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(line, &doc); err != nil {
		return "", false, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return "", false, false
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2 || m.Content[0].Value != "name" {
		return "", false, false
	}
	n := m.Content[1]
	if n.Kind != yaml.ScalarNode || n.Anchor != "" {
		return "", false, false
	}
	var val any
	if err := n.Decode(&val); err != nil {
		return "", false, false
	}
	s, isString := val.(string)
	return s, isString, true
}
