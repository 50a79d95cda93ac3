// Package libmsg is the one table of library error texts tollgate recognises by their
// wording: CUE's, yaml.v3's and some of Go's errors carry no other mark of what went wrong. Each entry
// says what it recognises; libmsg_test.go makes each library produce the real message, so an
// upgrade that rewords one fails the test named after that entry (TestTexts/<name>) instead
// of silently changing findings.
package libmsg

import (
	"regexp"
	"strings"
)

// Text is one recognised library message.
type Text struct {
	Name    string // the entry's test: TestTexts/<Name>
	Library string // the module whose message it is
	Means   string // what the message says happened, and what tollgate does with it
	match   func(string) bool
}

// In reports whether the message s is this text.
func (t *Text) In(s string) bool { return t.match(s) }

const (
	cueModule  = "cuelang.org/go"
	yamlModule = "go.yaml.in/yaml/v3"
)

// CUE error formats, as cueerrors.Error.Msg returns them (the format before its arguments).
var (
	CUEFieldNotAllowed = &Text{"cue-field-not-allowed", cueModule,
		"a key a closed definition does not declare; the schema stage finds unknown keys itself (with Allows) and skips these",
		equals("field not allowed")}
	CUECustom = &Text{"cue-custom", cueModule,
		"the text of a schema's error(\"...\") builtin, its one argument: the finding's message as written",
		equals("%s")}
	CUERequired = &Text{"cue-required", cueModule,
		"a required field (name!) that is missing",
		hasPrefix("field is required")}
	CUEEmptyDisjunction = &Text{"cue-empty-disjunction", cueModule,
		"the summary above the errors of a disjunction whose every arm failed; the arms' errors say why",
		contains("errors in empty disjunction")}
	CUEMismatchedTypes = &Text{"cue-mismatched-types", cueModule,
		"a value of the wrong kind; its four arguments are the two values and then their kinds (int, string, struct, ...)",
		contains("mismatched types")}
	CUEConflictingValues = &Text{"cue-conflicting-values", cueModule,
		"a value other than a literal the schema allows (one arm of an enum); its two arguments are the values, strings quoted",
		equals("conflicting values %s and %s")}
	CUEOutOfBound = &Text{"cue-out-of-bound", cueModule,
		"a value outside a bound (>=1, <=30, !=\"\", =~\"...\"); its last argument is the bound as written",
		contains("out of bound")}
	CUEDoesNotSatisfy = &Text{"cue-does-not-satisfy", cueModule,
		"a value a validator refuses (time.Format, strings.MinRunes); its second argument is the validator as written",
		contains("does not satisfy")}
)

// yaml.v3 errors. YAMLPrefix and YAMLPosition apply to err.Error(); the others to the
// message after the position.
var (
	YAMLPrefix = &Text{"yaml-prefix", yamlModule,
		"the package name yaml.v3 puts before every error, dropped from messages",
		hasPrefix(yamlPrefix)}
	YAMLPosition = &Text{"yaml-position", yamlModule,
		"the position yaml.v3 puts before a syntax error: line, optional column, then the message",
		yamlPosition.MatchString}
	YAMLDocumentStart = &Text{"yaml-document-start", yamlModule,
		"text after the first document that does not start a new one (a line indented less than the document's first)",
		contains("expected <document start>")}
	YAMLNoNodeContent = &Text{"yaml-no-node-content", yamlModule,
		"a value missing where one must be, as inside a flow collection left open",
		equals("did not find expected node content")}
	YAMLFlowNotClosed = &Text{"yaml-flow-not-closed", yamlModule,
		"a flow sequence or mapping ([ or {) not closed where the parser expected , or its end",
		hasPrefix("did not find expected ',' or")}
	YAMLExpectedKey = &Text{"yaml-expected-key", yamlModule,
		"a line that breaks a block mapping, reported at the start of the block",
		equals("did not find expected key")}
	YAMLExpectedDash = &Text{"yaml-expected-dash", yamlModule,
		"a line that breaks a block sequence, reported at the start of the block",
		equals("did not find expected '-' indicator")}
	YAMLTabIndent = &Text{"yaml-tab-indent", yamlModule,
		"a tab in the indentation of a block",
		contains("tab character")}
	YAMLBadTokenStart = &Text{"yaml-bad-token-start", yamlModule,
		"a character that cannot start a token, which is how a tab at the start of a value line is reported",
		contains("cannot start any token")}
)

// Go standard library errors.
var (
	GoRootEscape = &Text{"go-root-escape", "os (Go standard library)",
		"a path an os.Root refuses because it leads out of the root (a symbolic link out of the directory); os gives no error value to compare with",
		contains("path escapes from parent")}
)

// All is every entry, for the tests.
var All = []*Text{
	CUEFieldNotAllowed, CUECustom, CUERequired, CUEEmptyDisjunction, CUEMismatchedTypes,
	CUEConflictingValues, CUEOutOfBound, CUEDoesNotSatisfy,
	YAMLPrefix, YAMLPosition, YAMLDocumentStart, YAMLNoNodeContent, YAMLFlowNotClosed, YAMLExpectedKey,
	YAMLExpectedDash, YAMLTabIndent, YAMLBadTokenStart,
	GoRootEscape,
}

const yamlPrefix = "yaml: "

// TrimYAMLPrefix drops YAMLPrefix from a yaml.v3 error text.
func TrimYAMLPrefix(s string) string { return strings.TrimPrefix(s, yamlPrefix) }

var yamlPosition = regexp.MustCompile(`^yaml: (?:.*?)line (\d+)(?:, column (\d+))?: (.*)$`)

// SplitYAMLPosition splits a yaml.v3 error text into its line, its column ("" when it gives
// none) and the message after them; ok is false when the text has no position.
func SplitYAMLPosition(s string) (line, column, message string, ok bool) {
	m := yamlPosition.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

func equals(t string) func(string) bool { return func(s string) bool { return s == t } }
func hasPrefix(t string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, t) }
}
func contains(t string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, t) }
}
