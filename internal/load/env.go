package load

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Prefixes fleetctl treats specially (server/fleet/fleet_vars.go).
const (
	FleetSecretPrefix = "FLEET_SECRET_"
	FleetVarPrefix    = "FLEET_VAR_" // matched case-insensitively, expanded by the server
)

// exclusionZones finds what fleetctl's getExclusionZones regexp
// (?m)^\s*(?:KEY)(.|[\r\n])*?(?:^\s+\w+:|\z) matches: values of description: and resolution:
// keys, up to the next line that starts with whitespace and a key, are not expanded. It is
// written out by hand because the regexp costs as much as parsing the file; a test checks
// that both agree.
func exclusionZones(text, key string) [][2]int {
	var zones [][2]int
	for pos := 0; pos < len(text); {
		k := strings.Index(text[pos:], key)
		if k < 0 {
			break
		}
		k += pos
		start := -1 // the first line start in the whitespace run before the key, at or after pos
		for s := k; s >= pos; s-- {
			if s == 0 || text[s-1] == '\n' {
				start = s
			}
			if s == pos || !isSpace(text[s-1]) {
				break
			}
		}
		if start < 0 {
			pos = k + 1
			continue
		}
		end := len(text)
		for i := k + len(key); i < len(text); i++ {
			if text[i] != '\n' {
				continue
			}
			if e, ok := indentedKeyAt(text, i+1); ok {
				end = e
				break
			}
		}
		zones = append(zones, [2]int{start, end})
		if end == start {
			end++
		}
		pos = end
	}
	return zones
}

// indentedKeyAt matches \s+\w+: at p and returns the end of the match.
func indentedKeyAt(text string, p int) (int, bool) {
	i := p
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	if i == p {
		return 0, false
	}
	j := i
	for j < len(text) && isAlphaNum(text[j]) {
		j++
	}
	if j == i || j >= len(text) || text[j] != ':' {
		return 0, false
	}
	return j + 1, true
}

// isSpace is RE2's \s: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// ScanYAMLEnv finds the references fleetctl's expandEnv sees in the raw text of a YAML file,
// comments included, honouring backslash escapes and description/resolution zones. Problems
// fleetctl would fail on ($FLEET_SECRET_* in YAML, unnamed "$" specials, bad ${…}) are findings.
func ScanYAMLEnv(f *File) ([]EnvRef, []finding.Finding) {
	text := textOf(f)
	if !strings.Contains(text, "$") {
		return nil, nil
	}
	var zones [][2]int
	for _, key := range []string{"resolution:", "description:"} {
		zones = append(zones, exclusionZones(text, key)...)
	}
	var refs []EnvRef
	var fs []finding.Finding
	scanRefs(text, func(name string, start, end int, escaped, braced bool) {
		line, col := lineCol(text, start)
		endCol := col + utf8.RuneCountInString(text[start:end])
		ref := EnvRef{File: f.Path, Line: line, Col: col, EndCol: endCol, Name: name, FileFormat: "yaml",
			InComment: inComment(text, start), InLiteral: escaped, Kind: "env"}
		at := func(msg, hint string) {
			fs = append(fs, finding.Finding{RuleID: catalog.EnvSyntax, Severity: finding.Error, Source: "load",
				Message: msg, Hint: hint, Location: finding.Location{File: f.Path,
					Start: finding.Position{Line: line, Column: col}, End: finding.Position{Line: line, Column: endCol}}})
		}
		switch {
		case escaped:
			return // \$NAME: a literal dollar, not a reference
		case name == "":
			at("\"$\" starts an environment variable reference with no valid name; fleetctl rejects or drops it",
				"write a literal dollar sign as \\$")
			return
		case strings.HasPrefix(strings.ToUpper(name), FleetVarPrefix):
			ref.Kind = "fleet_var"
		case strings.HasPrefix(name, FleetSecretPrefix):
			ref.Kind = "fleet_secret"
			at(fmt.Sprintf("$%s: variables with the %q prefix are only allowed in profiles and scripts, not in YAML", name, FleetSecretPrefix),
				"use a plain environment variable here, or move the value into a profile or script")
		case inZone(zones, start, end):
			return // description/resolution text is not expanded
		case !isEnvName(name):
			at(fmt.Sprintf("%q is read by fleetctl as a reference to the shell variable %q, which is never set", text[start:end], name),
				"write a literal dollar sign as \\$")
			return
		}
		refs = append(refs, ref)
	})
	return refs, fs
}

// ScanSecretRefs finds $FLEET_SECRET_* references in a profile or script (fleetctl's
// LookupEnvSecrets): they must be set in the environment and are uploaded to the server.
func ScanSecretRefs(f *File, format string) []EnvRef {
	text := textOf(f)
	if !strings.Contains(text, FleetSecretPrefix) {
		return nil
	}
	var refs []EnvRef
	scanRefs(text, func(name string, start, end int, _, _ bool) {
		if !strings.HasPrefix(name, FleetSecretPrefix) {
			return
		}
		line, col := lineCol(text, start)
		refs = append(refs, EnvRef{File: f.Path, Line: line, Col: col,
			EndCol: col + utf8.RuneCountInString(text[start:end]), Name: name, Kind: "fleet_secret", FileFormat: format})
	})
	return refs
}

// scanRefs walks s like os.Expand (which fleet.MaybeExpand forks): $NAME, ${NAME}, and the
// one-character shell specials. escaped reports an odd number of backslashes before the $.
func scanRefs(s string, visit func(name string, start, end int, escaped, braced bool)) {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			bs++
		}
		escaped := bs%2 == 1
		name, w, braced := shellName(s[i+1:])
		if w == 0 {
			continue // "$" followed by something else stays literal
		}
		// A copy: a slice of s would keep the whole file's text alive as long as the reference.
		visit(strings.Clone(name), i, i+1+w, escaped, braced)
		i += w
	}
}

// shellName is os.Expand's getShellName.
func shellName(s string) (name string, w int, braced bool) {
	switch {
	case s[0] == '{':
		if len(s) > 2 && isShellSpecial(s[1]) && s[2] == '}' {
			return s[1:2], 3, true
		}
		for i := 1; i < len(s); i++ {
			if s[i] == '}' {
				if i == 1 {
					return "", 2, true // ${} is bad syntax
				}
				return s[1:i], i + 1, true
			}
		}
		return "", 1, true // ${ without a closing brace
	case isShellSpecial(s[0]):
		return s[0:1], 1, false
	}
	i := 0
	for i < len(s) && isAlphaNum(s[i]) {
		i++
	}
	return s[:i], i, false
}

func isShellSpecial(c uint8) bool {
	switch c {
	case '*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

func isAlphaNum(c uint8) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isEnvName(name string) bool {
	if name == "" || '0' <= name[0] && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isAlphaNum(name[i]) {
			return false
		}
	}
	return true
}

func inZone(zones [][2]int, start, end int) bool {
	for _, z := range zones {
		if start >= z[0] && end <= z[1] {
			return true
		}
	}
	return false
}

// lineCol converts a byte offset to a 1-based line and character column.
func lineCol(s string, off int) (int, int) {
	line := 1 + strings.Count(s[:off], "\n")
	ls := strings.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(s[ls:off])
}

// inComment reports whether offset off sits in a YAML comment: after a '#' that starts the line
// or follows a blank, outside quotes.
func inComment(s string, off int) bool {
	ls := strings.LastIndexByte(s[:off], '\n') + 1
	var quote byte
	for i := ls; i < off; i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == ls || s[i-1] == ' ' || s[i-1] == ':' || s[i-1] == '[' || s[i-1] == ',' || s[i-1] == '-' {
				quote = c
			}
		case c == '#' && (i == ls || s[i-1] == ' ' || s[i-1] == '\t'):
			return true
		}
	}
	return false
}

// textOf views a file's bytes as a string without copying them: a file's Data is never
// written after it is read, and nothing the scans keep points into text (reference names are
// cloned, messages formatted), so the view lives no longer than the scan.
func textOf(f *File) string {
	return unsafe.String(unsafe.SliceData(f.Data), len(f.Data))
}
