// Package redact keeps secret values out of everything tollgate prints. The findings of the
// secret rules (secret-plaintext, and any rule marked not suppressible) say where a secret is
// written; from there the whole value is marked (a block scalar's lines, a quoted string over
// several lines, a PEM key's body, a profile's <string> after its <key>), and every finding
// whose lines touch a marked value has each stretch of its message, hint and data path that
// also occurs in the value masked, and every line of source a report shows has the value
// masked. One Secrets serves the post-processing of a run (messages) and the reporters
// (snippets), so no output format or stage can draw on a line holding a secret unmasked.
package redact

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Mask replaces a stretch of a message that also occurs in a secret value.
const Mask = "***"

// gram is how many characters of a message must occur in a secret, in a row, for them to be
// masked: one more than the prefix the secret rules show on purpose ("ghp_…"), so that prefix
// survives while any longer piece of the value (quoted, escaped or cut short) does not.
const gram = 5

// Secrets holds the secret values of one run, by file.
type Secrets struct {
	files    map[string]*fileSecrets
	isSecret func(ruleID string) bool
}

type fileSecrets struct {
	lines *yamlsrc.Lines
	// byLine lists, per line, the byte ranges of the source to mask on it and the values
	// (indices into values) that touch it.
	byLine map[int][]lineSecret
	values []*value
}

type lineSecret struct {
	from, to int // byte offsets in the file, within the line
	value    int
}

// New collects the secret values that the findings of secret rules (isSecret) point at; source
// returns a file's text (nil when it can't, which leaves nothing of that file to show either).
func New(fs []finding.Finding, isSecret func(ruleID string) bool, source func(file string) []byte) *Secrets {
	s := &Secrets{files: map[string]*fileSecrets{}, isSecret: isSecret}
	for _, f := range fs {
		if !isSecret(f.RuleID) || f.Location.File == "" || f.Location.Start.Line < 1 {
			continue
		}
		fsec, ok := s.files[f.Location.File]
		if !ok {
			src := source(f.Location.File)
			if src == nil {
				continue
			}
			fsec = &fileSecrets{lines: yamlsrc.NewLines(src), byLine: map[int][]lineSecret{}}
			s.files[f.Location.File] = fsec
		}
		fsec.add(f.Location)
	}
	return s
}

// IsSecretRule reports the rules whose findings mark a secret value: the not-suppressible ones
// (lookup says whether a rule is), secret-plaintext when the rule is unknown.
func IsSecretRule(lookup func(id string) (notSuppressible, known bool)) func(string) bool {
	return func(id string) bool {
		ns, known := lookup(id)
		if !known {
			return id == "secret-plaintext"
		}
		return ns
	}
}

// add marks the value a secret finding at loc points at.
func (fs *fileSecrets) add(loc finding.Location) {
	from, to, ok := valueExtent(fs.lines, loc)
	if !ok {
		return
	}
	src := fs.lines.Source()
	idx := len(fs.values)
	fs.values = append(fs.values, newValue(unquote(string(src[from:to]))))
	first, last := fs.lines.LineAt(from), fs.lines.LineAt(max(to-1, from))
	for n := first; n <= last; n++ {
		ls, le := fs.lines.Span(n)
		a, b := max(from, ls), min(to, le)
		if b < a {
			b = a
		}
		fs.byLine[n] = append(fs.byLine[n], lineSecret{from: a, to: b, value: idx})
	}
}

// Mask masks the secret values in text, a stretch of line n of file that starts at byte offset
// off of the file: every character of a value except blanks becomes '*', so the columns stay
// where they were.
func (s *Secrets) Mask(file string, n, off int, text string) string {
	if s == nil {
		return text
	}
	fs := s.files[file]
	if fs == nil || len(fs.byLine[n]) == 0 {
		return text
	}
	var b strings.Builder
	for i, r := range text {
		at := off + i
		if r != ' ' && r != '\t' && slices.ContainsFunc(fs.byLine[n], func(x lineSecret) bool { return at >= x.from && at < x.to }) {
			b.WriteByte('*')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Holds reports whether line n of file holds (part of) a secret value.
func (s *Secrets) Holds(file string, n int) bool {
	if s == nil {
		return false
	}
	fs := s.files[file]
	return fs != nil && len(fs.byLine[n]) > 0
}

// Findings masks, in every finding on a line holding a secret, each stretch of its message,
// hint and data path that also occurs in one of those secrets; fs is changed in place. The
// findings of the secret rules themselves are left as they are: they describe the value by
// contract (lib.redact: a 4-character prefix and the length) and never hold it, and comparing
// them would mask their words that the value happens to share.
func (s *Secrets) Findings(fs []finding.Finding) []finding.Finding {
	if s == nil || len(s.files) == 0 {
		return fs
	}
	for i := range fs {
		if !s.isSecret(fs[i].RuleID) {
			fs[i] = s.Finding(fs[i])
		}
	}
	return fs
}

// Finding is Findings for one finding.
func (s *Secrets) Finding(f finding.Finding) finding.Finding {
	file := s.files[f.Location.File]
	if file == nil {
		return f
	}
	first := max(f.Location.Start.Line, 1)
	last := max(f.Location.End.Line, first)
	var values []*value
	for n := first; n <= last && n <= file.lines.Count(); n++ {
		for _, x := range file.byLine[n] {
			if v := file.values[x.value]; !slices.Contains(values, v) {
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return f
	}
	f.Message = maskText(f.Message, values)
	f.Hint = maskText(f.Hint, values)
	f.Location.Path = maskText(f.Location.Path, values)
	return f
}

// maxValue bounds how much of one value messages are compared with: a message shows a value's
// beginning, and the comparison keeps a set of the value's pieces.
const maxValue = 64 << 10

// A value is one secret's text and, once a message is compared with it, the set of its pieces
// of gram characters.
type value struct {
	text   string
	pieces map[string]struct{}
}

func newValue(text string) *value {
	if len(text) > maxValue {
		cut := maxValue
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return &value{text: text}
}

// has reports whether piece (gram characters, or the whole of a shorter value) is in v.
func (v *value) has(piece string) bool {
	if v.pieces == nil {
		v.pieces = map[string]struct{}{}
		r := []rune(v.text)
		for i := 0; i+gram <= len(r); i++ {
			v.pieces[string(r[i:i+gram])] = struct{}{}
		}
	}
	if _, ok := v.pieces[piece]; ok {
		return true
	}
	return piece == v.text
}

// maskText replaces every run of text whose characters, gram at a time, occur in one of values.
// A value shorter than gram is masked wherever it occurs whole (from 3 characters on: shorter
// ones would mask ordinary words, and the secret rules show that much anyway).
func maskText(text string, values []*value) string {
	if text == "" {
		return text
	}
	r := []rune(text)
	masked := make([]bool, len(r))
	found := false
	for _, v := range values {
		k := min(gram, utf8.RuneCountInString(v.text))
		if k < 3 {
			continue
		}
		for i := 0; i+k <= len(r); i++ {
			if v.has(string(r[i : i+k])) {
				for j := i; j < i+k; j++ {
					masked[j] = true
				}
				found = true
			}
		}
	}
	if !found {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if !masked[i] {
			b.WriteRune(r[i])
			continue
		}
		b.WriteString(Mask)
		for i+1 < len(r) && masked[i+1] {
			i++
		}
	}
	return b.String()
}

// unquote drops the quotes around a quoted scalar: a message quotes the value its own way, and
// the quote itself must not count as part of the secret (it would mask the prefix the rule
// shows on purpose).
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// valueExtent widens a secret finding's start to the byte range of the whole value there.
func valueExtent(lines *yamlsrc.Lines, loc finding.Location) (from, to int, ok bool) {
	n := loc.Start.Line
	if n > lines.Count() {
		return 0, 0, false
	}
	src := lines.Source()
	ls, le := lines.Span(n)
	from = ls + byteOffset(src[ls:le], loc.Start.Column)
	rest := src[from:le]
	switch {
	case len(rest) == 0:
		return ls, le, le > ls // a finding past the end of its line: the whole line
	case rest[0] == '|' || rest[0] == '>':
		return from, indentedBlockEnd(lines, n, le), true
	case rest[0] == '"' || rest[0] == '\'':
		return from, quotedEnd(src, from), true
	case bytes.HasPrefix(rest, []byte("-----BEGIN")):
		return from, pemEnd(src, from), true
	case bytes.HasPrefix(rest, []byte("<key>")):
		return from, plistValueEnd(src, from, le), true
	}
	to = le
	if loc.End.Line == n && loc.End.Column > loc.Start.Column {
		to = ls + byteOffset(src[ls:le], loc.End.Column)
	}
	if len(bytes.TrimSpace(src[to:le])) == 0 {
		// A plain scalar that reaches the end of its line may go on, more indented, below.
		to = indentedBlockEnd(lines, n, le)
	}
	return from, to, true
}

// byteOffset is the byte offset of 1-based character column col in line (its length past the end).
func byteOffset(line []byte, col int) int {
	i := 0
	for c := 1; c < col && i < len(line); c++ {
		_, size := utf8.DecodeRune(line[i:])
		i += size
	}
	return i
}

// indentedBlockEnd extends a value starting on line n (ending at le there) over the following
// lines that are blank or more indented than line n: a block scalar's body, or a plain
// scalar's continuation lines. Trailing blank lines are not included.
func indentedBlockEnd(lines *yamlsrc.Lines, n, le int) int {
	src := lines.Source()
	ls, _ := lines.Span(n)
	base := indent(src[ls:le])
	end := le
	for m := n + 1; m <= lines.Count(); m++ {
		s, e := lines.Span(m)
		text := src[s:e]
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if indent(text) <= base {
			break
		}
		end = e
	}
	return end
}

func indent(line []byte) int {
	return len(line) - len(bytes.TrimLeft(line, " \t"))
}

// quotedEnd is the end of the quoted scalar starting at from (just after its closing quote, or
// the end of the file when it is never closed).
func quotedEnd(src []byte, from int) int {
	q := src[from]
	for i := from + 1; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i++
		case src[i] == q:
			return i + 1
		}
	}
	return len(src)
}

// pemEnd is the end of the PEM block whose armour starts at from: the end of its -----END line.
func pemEnd(src []byte, from int) int {
	i := bytes.Index(src[from:], []byte("-----END"))
	if i < 0 {
		return len(src)
	}
	end := from + i
	if j := bytes.IndexAny(src[end:], "\r\n"); j >= 0 {
		return end + j
	}
	return len(src)
}

// plistValueEnd is the end of the value element after the plist <key> starting at from (its
// closing tag included); the end of the line when there is none.
func plistValueEnd(src []byte, from, le int) int {
	i := bytes.Index(src[from:], []byte("</key>"))
	if i < 0 {
		return le
	}
	rest := src[from+i+len("</key>"):]
	open := bytes.IndexByte(rest, '<')
	if open < 0 {
		return le
	}
	closeTag := bytes.IndexByte(rest[open:], '>')
	if closeTag < 0 {
		return len(src)
	}
	tag := rest[open+1 : open+closeTag]
	base := from + i + len("</key>") + open + closeTag + 1
	if bytes.HasSuffix(tag, []byte("/")) { // <true/>
		return base
	}
	name := tag
	if sp := bytes.IndexAny(name, " \t\r\n"); sp >= 0 {
		name = name[:sp]
	}
	end := bytes.Index(src[base:], []byte("</"+string(name)+">"))
	if end < 0 {
		return len(src)
	}
	return base + end + len(name) + 3
}
