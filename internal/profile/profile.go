// Package profile parses device profiles as Fleet receives them: Apple configuration profiles
// (.mobileconfig XML plists, possibly PKCS#7-signed), Apple DDM declarations (.json), Windows
// SyncML fragments (.xml) and Android policies (.json). Every payload comes with the positions of
// its keys so rules can point at the exact line, and every problem is a Problem at a position:
// Parse never panics and never passes a file silently, whatever the input.
//
// Values are plain JSON-able Go values (string, bool, int64, float64, []any, map[string]any), so
// they can go to Rego as they are. Plist <data> becomes its base64 text and <date> an RFC 3339
// string. A Fleet placeholder ($FLEET_SECRET_X, ${FLEET_VAR_X}, $VAR) standing where a number,
// date or data is expected is kept as its text, so rules see "a variable" rather than a zero.
package profile

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Format is the kind of a profile file.
type Format string

const (
	FormatMobileconfig Format = "mobileconfig"
	FormatDDM          Format = "ddm"
	FormatSyncML       Format = "syncml"
	FormatAndroid      Format = "android"
	FormatUnknown      Format = "unknown"
)

// Pos is a 1-based position; Column counts characters, not bytes (as yaml.v3 and SARIF do).
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Problem is a parse or format problem. Code is stable and short (e.g. "plist-syntax",
// "ddm-type-forbidden"); Message is lower case with no trailing period.
type Problem struct {
	Line     int              `json:"line"`
	Column   int              `json:"column"`
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Severity finding.Severity `json:"severity"`
}

// Profile is one parsed profile file.
type Profile struct {
	File       string // as given by the caller (repo-relative)
	Format     Format
	Name       string // PayloadDisplayName, DDM Identifier, or the file's base name (Windows, Android)
	Identifier string // PayloadIdentifier or DDM Identifier
	Signed     bool   // PKCS#7-wrapped
	// Keys holds the positions of the envelope's own keys: the top-level plist dict of a
	// .mobileconfig (PayloadDisplayName, PayloadIdentifier, ...) or the DDM Type/Identifier/Payload.
	Keys     map[string]Pos
	Payloads []Payload
	Problems []Problem
}

// Payload is one unit of settings: a PayloadContent item, a DDM declaration's Payload, one
// SyncML <Item>, or an Android policy.
type Payload struct {
	Type       string         // PayloadType, DDM Type, SyncML LocURI, "android"
	Identifier string         // PayloadIdentifier or DDM Identifier
	Values     map[string]any // SyncML: LocURI, Data, Format (+ Verb, CmdID, Type when present)
	Line       int            // where the payload starts
	Column     int
	Keys       map[string]Pos // position of each top-level key of Values
}

// Limits on one file, so hostile input costs bounded time and memory. Real profiles are a few
// KB; the largest seen in the corpora is under 40 KB.
const (
	MaxBytes  = 8 << 20   // larger files are refused unread
	MaxDepth  = 64        // element/array/object nesting (real profiles nest < 10)
	MaxTokens = 2_000_000 // XML tokens or JSON values
)

// ParseAs parses with a known format (the loader knows android_settings from apple_settings);
// an empty format means "detect".
func ParseAs(file string, data []byte, format Format) *Profile {
	p := &Profile{File: file, Format: format, Keys: map[string]Pos{}}
	if len(data) > MaxBytes {
		p.Format = orUnknown(format)
		p.errorf(Pos{1, 1}, "file-too-large", "file is %d bytes, over the %d-byte limit for a profile", len(data), MaxBytes)
		return p
	}
	if p.Format == "" {
		p.Format = detect(file, data)
	}
	switch p.Format {
	case FormatMobileconfig:
		parseMobileconfig(p, data)
	case FormatDDM:
		parseDDM(p, data)
	case FormatSyncML:
		parseSyncML(p, data)
	case FormatAndroid:
		parseAndroid(p, data)
	default:
		p.Format = FormatUnknown
		p.errorf(Pos{1, 1}, "format-unknown", "not a profile Fleet accepts: want .mobileconfig (Apple), .json (Apple DDM or Android) or .xml (Windows)")
	}
	return p
}

func orUnknown(f Format) Format {
	if f == "" {
		return FormatUnknown
	}
	return f
}

// detect follows Fleet: the extension decides (.mobileconfig, .json, .xml); a .json is Android
// when it sits under an android folder or looks like an Android policy rather than a declaration.
// Other extensions are sniffed so a mislabelled file still gets a useful diagnosis.
func detect(file string, data []byte) Format {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(file, `\`, "/")))
	switch ext {
	case ".mobileconfig", ".plist":
		return FormatMobileconfig
	case ".xml":
		return FormatSyncML
	case ".json":
		if looksAndroid(file, data) {
			return FormatAndroid
		}
		return FormatDDM
	}
	t := bytes.TrimSpace(data)
	switch {
	case isPKCS7(t) || bytes.Contains(firstN(t, 512), []byte("<plist")):
		return FormatMobileconfig
	case bytes.HasPrefix(t, []byte("{")):
		if looksAndroid(file, data) {
			return FormatAndroid
		}
		return FormatDDM
	case bytes.HasPrefix(t, []byte("<Replace")) || bytes.HasPrefix(t, []byte("<Add")) || bytes.HasPrefix(t, []byte("<Atomic")):
		return FormatSyncML
	}
	return FormatUnknown
}

func firstN(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

var androidDir = regexp.MustCompile(`(^|/)android(/|$)`)

// looksAndroid: an android folder, or a JSON object with no DDM envelope key whose keys are all
// lowerCamelCase (Android Management API policy fields; DDM keys are UpperCamelCase).
func looksAndroid(file string, data []byte) bool {
	if androidDir.MatchString(strings.ToLower(strings.ReplaceAll(file, `\`, "/"))) {
		return true
	}
	keys, ok := topLevelJSONKeys(data)
	if !ok || len(keys) == 0 {
		return false
	}
	for _, k := range keys {
		if k == "Type" || k == "Identifier" || k == "Payload" || k == "" || k[0] < 'a' || k[0] > 'z' {
			return false
		}
	}
	return true
}

// placeholder matches what fleetctl and the Fleet server substitute in profiles: $NAME and
// ${NAME} (FLEET_SECRET_*, FLEET_VAR_* and plain environment variables).
var placeholder = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)

var fleetVar = regexp.MustCompile(`\$\{?FLEET_VAR_[A-Za-z0-9_]+`)

// lineIndex turns byte offsets into 1-based line and character columns.
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data, starts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

func (li *lineIndex) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(li.data) {
		off = len(li.data)
	}
	// binary search for the last line start <= off
	lo, hi := 0, len(li.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if li.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return Pos{Line: lo + 1, Column: utf8.RuneCount(li.data[li.starts[lo]:off]) + 1}
}

func (p *Profile) add(pos Pos, sev finding.Severity, code, format string, args ...any) {
	if pos.Line < 1 {
		pos = Pos{1, 1}
	}
	p.Problems = append(p.Problems, Problem{Line: pos.Line, Column: pos.Column, Code: code,
		Message: fmt.Sprintf(format, args...), Severity: sev})
}

func (p *Profile) errorf(pos Pos, code, format string, args ...any) {
	p.add(pos, finding.Error, code, format, args...)
}

func (p *Profile) warnf(pos Pos, code, format string, args ...any) {
	p.add(pos, finding.Warning, code, format, args...)
}

// checkText reports input that no text profile can be: NUL bytes and invalid UTF-8 (UTF-16
// files land here too). It returns false when parsing should stop.
func (p *Profile) checkText(data []byte) bool {
	li := newLineIndex(data)
	if i := bytes.IndexByte(data, 0); i >= 0 {
		p.errorf(li.pos(i), "encoding-binary", "file contains NUL bytes: not a text profile (UTF-16 files must be converted to UTF-8)")
		return false
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		p.errorf(li.pos(off), "encoding-invalid-utf8", "file is not valid UTF-8")
		return false
	}
	return true
}

func baseName(file string) string {
	b := path.Base(strings.ReplaceAll(file, `\`, "/"))
	return strings.TrimSuffix(b, path.Ext(b))
}
