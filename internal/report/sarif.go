package report

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// SARIF 2.1.0 for GitHub code scanning (shared notes: engine-notes §5), built with go-sarif v2's
// With* setters only. Never use its WriteFile (it opens without O_TRUNC) or SetPartialFingerPrint
// (it panics on a nil map).
//
// Fingerprints: none are set. upload-sarif computes primaryLocationLineHash from the checked-out
// file, and a value of ours that differed would be kept with a warning (docs/ci.md).

const sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// GitHub's limits for one run; an upload over them is rejected. Variables so tests can lower them.
var (
	sarifMaxResults   = 25_000
	sarifMaxGzipBytes = 10_000_000 // "10 MB" gzipped; decimal to stay on the safe side
	sarifMaxText      = 1024       // rule short/full description and help text
)

const sarifMaxRules = 25_000

type sarifReporter struct{}

func (sarifReporter) Report(w io.Writer, in *Input) error {
	// Findings without a file can't be a code scanning result (GitHub requires a location), so
	// they become notifications and the upload still succeeds.
	var located, unlocated []finding.Finding
	for _, f := range in.Findings {
		if f.Location.File == "" {
			unlocated = append(unlocated, f)
		} else {
			located = append(located, f)
		}
	}

	// Keep the most severe when over the result limit, then shrink further if the file is still
	// too big once gzipped. Kept results stay in report order.
	keep := located
	if len(keep) > sarifMaxResults {
		keep = mostSevere(located, sarifMaxResults)
	}
	for {
		data, err := buildSARIF(in, keep, located, unlocated)
		if err != nil {
			return err
		}
		size := gzipSize(data)
		if size <= sarifMaxGzipBytes || len(keep) == 0 {
			_, err = w.Write(data)
			return err
		}
		n := int(float64(len(keep)) * float64(sarifMaxGzipBytes) / float64(size) * 0.9)
		keep = mostSevere(located, min(n, len(keep)-1))
	}
}

// mostSevere keeps the n most severe findings of fs (sorted), in their original order.
func mostSevere(fs []finding.Finding, n int) []finding.Finding {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(fs[b].Severity) - int(fs[a].Severity) })
	idx = idx[:max(0, n)]
	slices.Sort(idx)
	out := make([]finding.Finding, len(idx))
	for i, j := range idx {
		out[i] = fs[j]
	}
	return out
}

func buildSARIF(in *Input, keep, located, unlocated []finding.Finding) ([]byte, error) {
	rep, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, err
	}
	rep.Schema = sarifSchemaURI

	run := sarif.NewRunWithInformationURI(ToolName, InformationURI)
	if v := in.ToolVersion; v != "" {
		run.Tool.Driver.WithVersion(v)
		if semver.MatchString(v) {
			run.Tool.Driver.WithSemanticVersion(strings.TrimPrefix(v, "v"))
		}
	}
	category := in.Category
	if category == "" {
		category = DefaultCategory
	}
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(category))

	rules := sarifRules(in)
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
		run.AddRule(r.ID).
			WithName(camelCase(r.ID)).
			WithShortDescription(sarif.NewMultiformatMessageString(truncateRunes(r.Title, sarifMaxText))).
			WithFullDescription(sarif.NewMultiformatMessageString(truncateRunes(r.Description, sarifMaxText))).
			WithHelp(sarifHelp(r)).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(r.Severity.String())).
			WithProperties(sarifRuleProperties(r))
	}

	for _, f := range keep {
		// CreateResultForRule would look the index up by a linear scan and store uint(-1) for an
		// unknown rule; every rule is in rules[] here, and we set the index ourselves.
		res := sarif.NewRuleResult(f.RuleID).
			WithRuleIndex(index[f.RuleID]).
			WithLevel(f.Severity.String()).
			WithMessage(sarif.NewTextMessage(sarifMessage(f)))
		res.AddLocation(sarifLocation(in, f))
		run.Results = append(run.Results, res)
	}

	var notes []*sarif.Notification
	if dropped := len(located) - len(keep); dropped > 0 {
		notes = append(notes, sarif.NewNotification().WithLevel("warning").WithTextMessage(fmt.Sprintf(
			"tollgate found %d results; only the %d most severe are included to stay within GitHub code scanning's "+
				"limits (%d results per run, %d MB gzipped); the text or json format lists all of them",
			len(located), len(keep), sarifMaxResults, sarifMaxGzipBytes/1_000_000)))
	}
	for _, f := range unlocated {
		notes = append(notes, sarif.NewNotification().WithLevel(f.Severity.String()).
			WithTextMessage(sarifMessage(f)+" ["+f.RuleID+"]"))
	}
	if len(notes) > 0 {
		run.AddInvocation(true).WithToolExecutionNotifications(notes)
	}

	rep.AddRun(run)
	var buf bytes.Buffer
	if err := encodeJSON(&buf, rep); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// semver is SemVer 2.0 with an optional leading v (Go module versions carry one).
var semver = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// sarifRules is every catalog rule sorted by ID, plus a stand-in for any rule a finding names but
// the catalog lacks, so every result has a valid ruleIndex and rule metadata.
func sarifRules(in *Input) []catalog.Rule {
	var rules []catalog.Rule
	known := map[string]bool{}
	if in.Catalog != nil {
		rules = in.Catalog.Rules()
		for _, r := range rules {
			known[r.ID] = true
		}
	}
	var extra []catalog.Rule
	for _, f := range in.Findings {
		if f.Location.File == "" || known[f.RuleID] {
			continue
		}
		known[f.RuleID] = true
		extra = append(extra, catalog.Rule{
			ID: f.RuleID, Title: f.RuleID, Severity: f.Severity, Source: f.Source,
			Description: "Reported by " + cmp.Or(f.Source, "tollgate") + "; this rule has no catalog entry.",
		})
	}
	slices.SortFunc(extra, func(a, b catalog.Rule) int { return strings.Compare(a.ID, b.ID) })
	return append(rules, extra...)
}

// sarifHelp is the rule's help. GitHub ignores helpUri, so the documentation link goes in the text.
func sarifHelp(r catalog.Rule) *sarif.MultiformatMessageString {
	text, md := r.Description, "**"+r.Title+"**\n\n"+r.Description
	if u := r.DocURL(); u != "" {
		link := "\n\nDocumentation: " + u
		text = truncateRunes(r.Description, sarifMaxText-len([]rune(link))) + link
		md += "\n\n[Documentation for " + r.ID + "](" + u + ")"
	}
	return sarif.NewMultiformatMessageString(truncateRunes(text, sarifMaxText)).WithMarkdown(md)
}

// sarifRuleProperties holds tags (GitHub shows 10), precision and, for security rules,
// security-severity as a string, which is what makes GitHub rank the alert.
func sarifRuleProperties(r catalog.Rule) sarif.Properties {
	tags := []string{}
	add := func(t string) {
		if t != "" && !slices.Contains(tags, t) && len(tags) < 10 {
			tags = append(tags, t)
		}
	}
	add(r.Category)
	if r.Security {
		add("security")
	}
	for _, t := range r.Tags {
		add(t)
	}
	// Built-in checks are parsers and schemas: they don't guess. Rego rules encode judgement.
	precision := "high"
	if r.Source == "builtin" {
		precision = "very-high"
	}
	props := sarif.Properties{"tags": tags, "precision": precision}
	if r.Security {
		props["security-severity"] = securitySeverity(r)
	}
	return props
}

// securitySeverity is the catalog's score, or one derived from the default level:
// error → high, warning → medium, note → low.
func securitySeverity(r catalog.Rule) string {
	v := r.SecuritySeverity
	if v <= 0 || v > 10 {
		switch r.Severity {
		case finding.Error:
			v = 7.5
		case finding.Warning:
			v = 5.0
		default:
			v = 2.0
		}
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func sarifMessage(f finding.Finding) string {
	msg := f.Message
	if strings.TrimSpace(msg) == "" {
		msg = f.RuleID // GitHub rejects an empty message
	}
	if f.Hint != "" {
		msg += "\nhint: " + f.Hint
	}
	return msg
}

// sarifLocation is the finding's place: a percent-encoded repo-relative URI and a region whose
// columns are UTF-16 code units (SARIF's default columnKind) when the source is at hand; tollgate
// counts characters, which differs only outside the BMP. An unknown end is left out, which SARIF
// reads as "to the end of the line".
func sarifLocation(in *Input, f finding.Finding) *sarif.Location {
	s := spanOf(f.Location)
	region := sarif.NewRegion().WithStartLine(s.startLine).
		WithStartColumn(utf16Column(in, f.Location.File, s.startLine, s.startCol))
	if s.known {
		region.WithEndLine(s.endLine).WithEndColumn(utf16Column(in, f.Location.File, s.endLine, s.endCol))
	}
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewArtifactLocation().WithUri(encodeURIPath(f.Location.File)).WithUriBaseId("%SRCROOT%")).
		WithRegion(region))
}

func utf16Column(in *Input, file string, line, col int) int {
	text, _, ok := lineAt(in, file, line)
	if !ok {
		return col
	}
	units, c := 0, 1
	for _, r := range string(text) {
		if c == col {
			return units + 1
		}
		units += utf16.RuneLen(r)
		c++
	}
	return units + 1 + (col - c) // past the end of the line: characters count one unit each
}

// encodeURIPath percent-encodes a slash-separated relative path. Only RFC 3986 unreserved
// characters and '/' stay as they are: a ':' in the first segment would otherwise read as a URI
// scheme, and GitHub wants spaces and non-ASCII encoded.
func encodeURIPath(p string) string {
	p = strings.TrimPrefix(p, "./")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '.' || c == '_' || c == '~' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// camelCase turns a kebab-case rule ID into SARIF's rule name: "yaml-syntax" → "YamlSyntax".
func camelCase(id string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		r, size := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[size:])
	}
	return b.String()
}

func gzipSize(data []byte) int {
	var c countWriter
	zw := gzip.NewWriter(&c)
	zw.Write(data)
	zw.Close()
	return int(c)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
