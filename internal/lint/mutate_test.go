package lint

// Mutation test: structural mistakes are written, one at a time, into copies of the real
// repositories in ../shared/corpora, and each must be reported by the right rule at the file
// and line of the change.
//
// The mutations are generated from the files themselves (every YAML file the configuration
// reaches: entry files, included files, software package files) and from the bundled CUE
// schema, which says where a key is checked (closed structs) and where any key is legal (open
// structs: osquery options, command-line flags, extensions, ...). Mutations of one kind at the
// same schema path (list indices ignored) and in the same role of file (entry or included, per
// era and document kind) are tried once, in the first corpus that has them; the corpora are
// visited smallest first, so the large ones add only the shapes the others lack.

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueload "cuelang.org/go/cue/load"
	"go.yaml.in/yaml/v3"

	bundled "github.com/tollgate-dev/tollgate/cue"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// mutation is one mistake written into one file.
type mutation struct {
	kind    string   // see the generators below
	file    string   // repo-relative, slash-separated
	entries []string // the entry files that reach file (linted instead of the whole repository)
	text    string   // the whole mutated file
	line    int      // where the finding must be
	// slack lets a yaml-syntax finding sit up to this many lines after line: only where
	// yaml.v3 itself stops later than the mistake (documented at the generator).
	slack int
	rules []string         // acceptable rule IDs (the first is the expected one)
	sev   finding.Severity // required severity
	hint  string           // a substring the finding's message or hint must hold ("": not checked)
	desc  string
}

// mutSchema is the bundled CUE schema, compiled once for the generators.
type mutSchema struct {
	ctx  *cue.Context
	defs map[string]cue.Value
}

func newMutSchema(t *testing.T) *mutSchema {
	t.Helper()
	ctx := cuecontext.New()
	insts := cueload.Instances([]string{"."}, &cueload.Config{FS: bundled.FS, Dir: "/",
		FromFSPath: func(p string) string { return "(bundled)/" + p }})
	if err := insts[0].Err; err != nil {
		t.Fatal(err)
	}
	root := ctx.BuildInstance(insts[0])
	if err := root.Err(); err != nil {
		t.Fatal(err)
	}
	s := &mutSchema{ctx: ctx, defs: map[string]cue.Value{}}
	for _, n := range []string{"#GlobalA", "#TeamA", "#NoTeamA", "#GlobalB", "#FleetB", "#UnassignedB", "#PackageFile"} {
		d := root.LookupPath(cue.ParsePath(n))
		if !d.Exists() {
			t.Fatalf("definition %s missing", n)
		}
		s.defs[n] = d
	}
	return s
}

func defName(kind fleet.Kind, era fleet.Era) string {
	names := map[fleet.Kind][2]string{
		fleet.KindGlobal:     {"#GlobalA", "#GlobalB"},
		fleet.KindTeam:       {"#TeamA", "#FleetB"},
		fleet.KindUnassigned: {"#NoTeamA", "#UnassignedB"},
	}
	return names[kind][era]
}

// mutSchemaAt looks a data path up in a schema (list items by AnyIndex).
func mutSchemaAt(v cue.Value, p []any) cue.Value {
	for _, el := range p {
		switch el := el.(type) {
		case int:
			v = v.LookupPath(cue.MakePath(cue.AnyIndex))
		case string:
			n := v.LookupPath(cue.MakePath(cue.Str(el)))
			if !n.Exists() {
				n = v.LookupPath(cue.MakePath(cue.Str(el).Optional()))
			}
			if !n.Exists() {
				n = v.LookupPath(cue.MakePath(cue.Str(el).Required()))
			}
			v = n
		}
		if !v.Exists() {
			return v
		}
	}
	return v
}

// probeKey is a key no schema declares: a struct that allows it is open (any key is legal).
const probeKey = "zz_tollgate_probe"

// fileCtx says where a YAML file sits in the documents tollgate validates.
type fileCtx struct {
	rel      string
	era      fleet.Era
	def      string // CUE definition of the document
	prefix   []any  // schema path of the file's root in that document
	dropIdx  bool   // the root is a list whose items are documents (package files)
	entry    bool
	included string   // section it is included into ("" for entry and package files)
	entries  []string // entry files that reach it, with the global file first (repo-relative)
}

// role groups files for deduplication: the same mistake in the same kind of file is tried once.
func (c fileCtx) role() string {
	switch {
	case c.entry:
		return "entry"
	case c.included != "":
		return "include:" + c.included
	}
	return "package"
}

// schemaPath is the schema path of the file path p.
func (c fileCtx) schemaPath(p []any) []any {
	if c.dropIdx && len(p) > 0 {
		if _, ok := p[0].(int); ok {
			p = p[1:]
		}
	}
	return append(slices.Clone(c.prefix), p...)
}

// pattern renders a schema path with list indices as [].
func pattern(p []any) string {
	var b strings.Builder
	for _, el := range p {
		switch el := el.(type) {
		case int:
			b.WriteString("[]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, el)
		}
	}
	return b.String()
}

// reachedFiles lists the YAML files a corpus's configuration reaches, with their place.
func reachedFiles(t *testing.T, dir string) []fileCtx {
	t.Helper()
	res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: fixtureNow, SkipPolicy: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []fileCtx
	reach := map[string][]string{} // file → entries reaching it
	global := ""
	for _, e := range res.Repo.Entries {
		if e.Kind == fleet.KindGlobal {
			global = e.File.Path
		}
	}
	add := func(c fileCtx, from string) {
		if !slices.Contains(reach[c.rel], from) {
			reach[c.rel] = append(reach[c.rel], from)
		}
		if seen[c.rel] || !isYAMLFile(c.rel) {
			return
		}
		seen[c.rel] = true
		out = append(out, c)
	}
	for _, e := range res.Repo.Entries {
		add(fileCtx{rel: e.File.Path, era: e.Era, def: defName(e.Kind, e.Era), entry: true}, e.File.Path)
	}
	// A lint run keeps few references once its batches are done: load them all.
	var entries []string
	for _, e := range res.Repo.Entries {
		entries = append(entries, filepath.Join(res.Repo.Root, filepath.FromSlash(e.File.Path)))
	}
	full, err := load.Load(context.Background(), load.Options{Root: res.Repo.Root, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range full.Refs {
		if r.File == nil || r.Entry == nil {
			continue
		}
		switch r.Role {
		case "include":
			p := r.Path[:len(r.Path)-1] // drop "path"/"paths"
			if len(p) > 0 {
				if _, isIdx := p[len(p)-1].(int); isIdx {
					p = p[:len(p)-1]
				}
			}
			add(fileCtx{rel: r.File.Path, era: r.Entry.Era, def: defName(r.Entry.Kind, r.Entry.Era), prefix: p,
				included: pattern(p)}, r.Entry.File.Path)
		case "package":
			add(fileCtx{rel: r.File.Path, era: r.Entry.Era, def: "#PackageFile", dropIdx: true}, r.Entry.File.Path)
		}
	}
	for i := range out {
		es := reach[out[i].rel]
		sort.Strings(es)
		if global != "" && !slices.Contains(es, global) {
			es = append([]string{global}, es...)
		}
		out[i].entries = es
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

func isYAMLFile(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	return ext == ".yml" || ext == ".yaml"
}

// ---- text helpers

func splitLines(s string) []string { return strings.Split(s, "\n") }

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func blankOrComment(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}

// blockEnd returns the index of the last line of the value of the block key at line index
// i, column col (0-based): the lines after it that are indented deeper, or are a sequence at
// the key's own indentation. Trailing blank and comment lines are not part of it.
func blockEnd(lines []string, i, col int) int {
	end := i
	for j := i + 1; j < len(lines); j++ {
		l := lines[j]
		if blankOrComment(l) {
			continue
		}
		ind := indentOf(l)
		if ind > col || ind == col && strings.HasPrefix(strings.TrimLeft(l, " "), "-") {
			end = j
			continue
		}
		break
	}
	return end
}

// blockKey reports whether the key node k starts a block mapping entry: on its line only
// spaces and sequence dashes come before it.
func blockKey(lines []string, k *yaml.Node) bool {
	if k.Line < 1 || k.Line > len(lines) || k.Kind != yaml.ScalarNode || k.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return false
	}
	l := lines[k.Line-1]
	if k.Column-1 > len(l) {
		return false
	}
	return strings.Trim(l[:k.Column-1], " -") == ""
}

// keyEnd is the index in its line just past key k as it is written (quotes included).
func keyEnd(lines []string, k *yaml.Node) int {
	l := lines[k.Line-1]
	rest := l[k.Column-1:]
	if i := strings.Index(rest, ":"); i >= 0 && (k.Style == 0) {
		return k.Column - 1 + i
	}
	// quoted keys
	if i := strings.Index(rest[1:], rest[:1]); i >= 0 {
		return k.Column - 1 + i + 2
	}
	return k.Column - 1 + len(k.Value)
}

func joinLines(l []string) string { return strings.Join(l, "\n") }

// replaceValue replaces the value of block key k with v written on the key's line.
func replaceValue(lines []string, k *yaml.Node, v string) string {
	out := slices.Clone(lines)
	i := k.Line - 1
	end := blockEnd(lines, i, k.Column-1)
	ke := keyEnd(lines, k)
	out[i] = out[i][:ke] + ": " + v
	out = slices.Delete(out, i+1, end+1)
	return joinLines(out)
}

// renameKey writes name in place of the key k.
func renameKey(lines []string, k *yaml.Node, name string) string {
	out := slices.Clone(lines)
	i := k.Line - 1
	ke := keyEnd(lines, k)
	out[i] = out[i][:k.Column-1] + name + out[i][ke:]
	return joinLines(out)
}

// deleteKey removes the block key k and its value.
func deleteKey(lines []string, k *yaml.Node) string {
	out := slices.Clone(lines)
	i := k.Line - 1
	end := blockEnd(lines, i, k.Column-1)
	l := out[i]
	if strings.TrimSpace(l[:k.Column-1]) != "" {
		// `- key: v`: keep the dash for the next key of the item, which moves up onto it.
		if end+1 < len(out) && indentOf(out[end+1]) == k.Column-1 && !blankOrComment(out[end+1]) {
			out[end+1] = l[:k.Column-1] + out[end+1][k.Column-1:]
		}
	}
	out = slices.Delete(out, i, end+1)
	return joinLines(out)
}

// insertAfter inserts text as a line after the block of key k, at k's column.
func insertAfter(lines []string, k *yaml.Node, text string) (string, int) {
	end := blockEnd(lines, k.Line-1, k.Column-1)
	out := slices.Insert(slices.Clone(lines), end+1, strings.Repeat(" ", k.Column-1)+text)
	return joinLines(out), end + 2
}

// ---- generators

type generator struct {
	t     *testing.T
	s     *mutSchema
	seen  map[string]bool // dedupe keys
	muts  []mutation
	skips map[string]int // reason → count (reported in the log)
	cur   fileCtx        // the file being mutated
}

func (g *generator) once(key string) bool {
	if g.seen[key] {
		return false
	}
	g.seen[key] = true
	return true
}

func (g *generator) skip(reason string) { g.skips[reason]++ }

// item lists that fleetctl ≤ 4.81 decodes into Go structs, silently dropping unknown keys:
// tollgate reports those keys as warnings in the teams era (internal/schema isItemList).
func inItemList(schemaParent []any) bool {
	if len(schemaParent) >= 2 {
		switch schemaParent[0] {
		case "policies", "queries", "reports", "labels":
			return true
		}
	}
	return len(schemaParent) >= 3 && schemaParent[0] == "software"
}

// renames mirrors Fleet 4.82's renamed keys (pkg/spec/gitops_deprecations.go and `renameto`
// tags), as internal/schema lists them: parent pattern ("[]": any index, "a|b": either), old, new.
var mutRenames = []struct {
	parent   string
	old, new string
}{
	{"", "team_settings", "settings"},
	{"", "queries", "reports"},
	{"controls", "macos_settings", "apple_settings"},
	{"controls", "macos_setup", "setup_experience"},
	{"controls.apple_settings|macos_settings|windows_settings|android_settings", "custom_settings", "configuration_profiles"},
	{"controls.setup_experience|macos_setup", "bootstrap_package", "macos_bootstrap_package"},
	{"controls.setup_experience|macos_setup", "macos_setup_assistant", "apple_setup_assistant"},
	{"controls.setup_experience|macos_setup", "enable_release_device_manually", "apple_enable_release_device_manually"},
	{"controls.setup_experience|macos_setup", "script", "macos_script"},
	{"controls.setup_experience|macos_setup", "manual_agent_install", "macos_manual_agent_install"},
	{"controls.setup_experience|macos_setup", "enable_managed_local_account", "enable_create_local_admin_account"},
	{"org_settings.mdm.apple_business_manager[]", "macos_team", "macos_fleet"},
	{"org_settings.mdm.apple_business_manager[]", "ios_team", "ios_fleet"},
	{"org_settings.mdm.apple_business_manager[]", "ipados_team", "ipados_fleet"},
	{"org_settings.mdm.volume_purchasing_program[]", "teams", "fleets"},
	{"org_settings.server_settings", "live_query_disabled", "live_reporting_disabled"},
	{"org_settings.server_settings", "query_reports_disabled", "discard_reports_data"},
	{"org_settings.server_settings", "query_report_cap", "report_cap"},
	{"org_settings.org_info", "org_logo_url", "org_logo_url_dark_mode"},
	{"org_settings.org_info", "org_logo_url_light_background", "org_logo_url_light_mode"},
}

func renameParentMatches(pat string, parent []any) bool {
	pp := pattern(parent)
	if pat == pp {
		return true
	}
	// alternatives in one segment
	segs := strings.Split(pat, ".")
	got := strings.Split(pp, ".")
	if pat == "" || len(segs) != len(got) {
		return false
	}
	for i := range segs {
		ok := false
		for _, alt := range strings.Split(segs[i], "|") {
			if alt == got[i] {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// includePositions are where `path:`/`paths:` include another file (glob rules apply).
func includePosition(schemaParent []any) bool {
	p := pattern(schemaParent)
	switch p {
	case "policies[]", "queries[]", "reports[]", "labels[]", "controls.scripts[]",
		"org_settings", "team_settings", "settings", "agent_options", "controls":
		return true
	}
	return regexp.MustCompile(`^controls\.(macos|apple|windows|android)_settings\.(custom_settings|configuration_profiles)\[\]$`).MatchString(p)
}

// misspell returns a misspelling of key that the schema at parent does not allow and that is
// not a sibling: a letter dropped (from the middle outwards), else two letters swapped.
func misspell(key string, parent cue.Value, siblings map[string]bool) string {
	try := func(c string) bool {
		return c != key && c != "" && !siblings[c] && !parent.Allows(cue.Str(c))
	}
	n := len(key)
	for d := 0; d < n; d++ {
		for _, i := range []int{n/2 + d, n/2 - d - 1} {
			if i >= 0 && i < n && key[i] != '_' {
				if c := key[:i] + key[i+1:]; try(c) {
					return c
				}
			}
		}
	}
	for i := 0; i+1 < n; i++ {
		if key[i] != key[i+1] {
			c := key[:i] + string(key[i+1]) + string(key[i]) + key[i+2:]
			if try(c) {
				return c
			}
		}
	}
	return ""
}

// decode returns node's value with null map values dropped (as internal/schema validates it).
func decode(n *yaml.Node) any {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil
	}
	return stripNil(v)
}

func stripNil(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			if x != nil {
				m[k] = stripNil(x)
			}
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = stripNil(x)
		}
		return l
	}
	return v
}

// required reports whether the schema sch of a mapping (with data) requires key.
func (g *generator) required(sch cue.Value, data map[string]any, key string) bool {
	without := map[string]any{}
	for k, v := range data {
		if k != key {
			without[k] = v
		}
	}
	u := sch.Unify(g.s.ctx.Encode(without))
	it, err := u.Fields(cue.Optional(true))
	if err != nil {
		return false
	}
	for it.Next() {
		sel := it.Selector()
		if sel.IsString() && sel.Unquoted() == key && sel.ConstraintType() == cue.RequiredConstraint {
			return true
		}
	}
	return false
}

// file generates the mutations of one file.
func (g *generator) file(c fileCtx, text string) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) == 0 {
		g.skip("file does not parse or is empty")
		return
	}
	g.cur = c
	lines := splitLines(text)
	root := doc.Content[0]
	def := g.s.defs[c.def]
	g.walk(c, def, lines, root, nil)
	g.yamlSyntax(c, lines, root)
	g.nested(c, lines, root)
}

func (g *generator) add(m mutation) {
	m.entries = g.cur.entries
	g.muts = append(g.muts, m)
}

func (g *generator) walk(c fileCtx, def cue.Value, lines []string, n *yaml.Node, p []any) {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, x := range n.Content {
			g.walk(c, def, lines, x, append(slices.Clone(p), i))
		}
		return
	case yaml.MappingNode:
	default:
		return
	}
	sp := c.schemaPath(p)
	parent := mutSchemaAt(def, sp)
	siblings := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		siblings[n.Content[i].Value] = true
	}
	open := !parent.Exists() || parent.Allows(cue.Str(probeKey))
	var data map[string]any
	if !open {
		data, _ = decode(n).(map[string]any)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kp := append(slices.Clone(p), k.Value)
		if k.Value == "<<" || v.Kind == yaml.AliasNode || v.Anchor != "" || !blockKey(lines, k) {
			g.skip("flow-style, anchored or merged key (no block line to edit)")
			g.walk(c, def, lines, v, kp)
			continue
		}
		if open {
			// Any key is legal here: the schema leaves this map open (osquery options and
			// decorators' free keys, command_line_flags, extensions, label criteria, mdm
			// settings, ...) or unconstrained (`_`: sections Fleet ignores in this file).
			g.skip("open map: " + pattern(sp))
			g.walk(c, def, lines, v, kp)
			continue
		}
		if !parent.Allows(cue.Str(k.Value)) {
			g.skip("key already unknown to the schema (reported as it is)")
			g.walk(c, def, lines, v, kp)
			continue
		}
		g.keyMutations(c, def, lines, n, k, v, p, sp, parent, siblings, data)
		g.walk(c, def, lines, v, kp)
	}
}

func (g *generator) keyMutations(c fileCtx, def cue.Value, lines []string, m, k, v *yaml.Node, p, sp []any, parent cue.Value, siblings map[string]bool, data map[string]any) {
	key := k.Value
	ksp := append(slices.Clone(sp), key)
	pat := pattern(ksp)
	// One mutation of a kind per schema path, era and place (entry or included file): the
	// document kinds share their sections, so the same path in another kind adds nothing.
	place := "entry"
	if !c.entry {
		place = c.role()
	}
	dk := func(kind string) string { return fmt.Sprint(c.era, " ", place, " ", kind, " ", pat) }
	// Misspellings and wrong types are the bulk: one per schema path and era, wherever it
	// is, plus the first of each in every kind of included file (keys there are located
	// through the include).
	dkBulk := func(kind string) string {
		if strings.HasPrefix(kind, "type ") {
			return fmt.Sprint(c.era, " ", kind)
		}
		return fmt.Sprint(c.era, " ", kind, " ", pat)
	}
	bulkOnce := func(kind string) bool {
		first := !c.entry && g.once(fmt.Sprint(c.era, " ", place, " ", kind))
		return g.once(dkBulk(kind)) || first
	}
	vsch := mutSchemaAt(def, ksp)

	// 1. A misspelled key.
	if bulkOnce("misspell") {
		if bad := misspell(key, parent, siblings); bad != "" {
			sev := finding.Error
			if c.era == fleet.EraTeams && inItemList(sp) {
				sev = finding.Warning // fleetctl ≤ 4.81 drops unknown keys of list items silently
			}
			g.add(mutation{kind: "misspell-key", file: c.rel, text: renameKey(lines, k, bad), line: k.Line,
				rules: []string{"schema-unknown-key"}, sev: sev, hint: fmt.Sprintf("did you mean %q", key),
				desc: fmt.Sprintf("%s -> %s", pat, bad)})
		} else {
			g.skip("no misspelling outside the allowed keys")
		}
	}

	// 2. A value of the wrong type.
	// Wrong types: one per mapping and kind of value (a bool, a number, a string, a list, a
	// mapping), since the type check does not depend on the key's name.
	repl, what := wrongValue(vsch.IncompleteKind(), v)
	if key != "path" && key != "paths" && repl != "" && bulkOnce("type "+pattern(sp)+" "+what) {
		{
			g.add(mutation{kind: "wrong-type", file: c.rel, text: replaceValue(lines, k, repl), line: k.Line,
				rules: []string{"schema-type"}, sev: finding.Error, desc: fmt.Sprintf("%s: %s", pat, what)})
		}
	}

	// 3. A required key deleted.
	// Deleting the only key of a mapping empties it: an emptied list item disappears (no
	// mistake left to find) and an emptied mapping value reads as null, which Fleet takes as
	// "not set" wherever the section itself is optional. Only keys with siblings are deleted.
	if data != nil && len(m.Content) > 2 && g.required(parent, data, key) && g.once(dk("delete "+c.def)) {
		g.deleteRequired(c, lines, k, p, pat)
	}

	// 4. An unquoted value that YAML reads as a number or boolean where a string belongs.
	if v.Kind == yaml.ScalarNode && (v.Style == yaml.DoubleQuotedStyle || v.Style == yaml.SingleQuotedStyle) &&
		vsch.IncompleteKind() == cue.StringKind && v.Line == k.Line && g.once(dk("unquote")) {
		var probe any
		if yaml.Unmarshal([]byte(v.Value), &probe) == nil {
			switch probe.(type) {
			case int, float64, bool:
				g.add(mutation{kind: "unquote", file: c.rel, text: replaceValue(lines, k, v.Value), line: k.Line,
					rules: []string{"schema-type"}, sev: finding.Error, hint: "quote",
					desc: fmt.Sprintf("%s: %q unquoted", pat, v.Value)})
			default:
				g.skip("unquoted value stays a string (e.g. 26.6.1): not a mistake")
			}
		}
	}
	if key == "minimum_version" && g.once(dk("version")) {
		g.add(mutation{kind: "unquote", file: c.rel, text: replaceValue(lines, k, "15.10"), line: k.Line,
			rules: []string{"schema-type"}, sev: finding.Error, hint: "15.10",
			desc: fmt.Sprintf("%s: 15.10 unquoted", pat)})
	}

	// 5. Includes and file references.
	if key == "path" && v.Kind == yaml.ScalarNode && v.Line == k.Line {
		g.pathMutations(c, lines, k, v, sp, dk)
	}

	// 6. Renamed keys (Fleet 4.82).
	g.renameMutations(c, lines, m, k, sp, siblings, dk)
}

// renamedTo reports whether key is the fleets-era name of a renamed key at parent.
func renamedTo(parent []any, key string) bool {
	for _, r := range mutRenames {
		if r.new == key && renameParentMatches(r.parent, parent) {
			return true
		}
	}
	return false
}

// wrongValue returns a value of another type than the schema kind k wants.
func wrongValue(k cue.Kind, v *yaml.Node) (string, string) {
	switch {
	case k == cue.BoolKind:
		return `"sometimes"`, "string where true/false belongs"
	case k&cue.IntKind != 0 && k&^cue.NumberKind == 0:
		return `"many"`, "string where a number belongs"
	case k == cue.StringKind && v.Kind == yaml.ScalarNode:
		return "[one, two]", "list where a string belongs"
	case k == cue.ListKind:
		return "{one: two}", "mapping where a list belongs"
	case k == cue.StructKind:
		return "[one, two]", "list where a mapping belongs"
	}
	return "", ""
}

func (g *generator) deleteRequired(c fileCtx, lines []string, k *yaml.Node, p []any, pat string) {
	text := deleteKey(lines, k)
	var doc yaml.Node
	if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 {
		g.skip("deleting the key breaks the YAML")
		return
	}
	// Where a missing key is shown: its parent mapping's key, or the first line of the list
	// item or file that should hold it.
	parentNode, parentKey := lookupNode(doc.Content[0], p)
	line := 0
	hint := k.Value
	if parentNode != nil && parentNode.Kind == yaml.ScalarNode {
		hint = "" // the parent is left empty: a finding on the parent, whatever it names
	}
	switch {
	case parentKey != nil:
		line = parentKey.Line
	case parentNode != nil && parentNode.Kind == yaml.MappingNode && len(parentNode.Content) > 0:
		line = parentNode.Content[0].Line
	}
	if line == 0 {
		g.skip("deleting the only key of a mapping")
		return
	}
	g.add(mutation{kind: "delete-required", file: c.rel, text: text, line: line,
		rules: []string{"schema-required", "file-kind"}, sev: finding.Error, hint: hint, desc: "delete " + pat})
}

// lookupNode finds the node at file path p and the mapping key that holds it (nil for an
// item or the root).
func lookupNode(n *yaml.Node, p []any) (*yaml.Node, *yaml.Node) {
	var key *yaml.Node
	for _, el := range p {
		switch el := el.(type) {
		case int:
			if n.Kind != yaml.SequenceNode || el >= len(n.Content) {
				return nil, nil
			}
			n, key = n.Content[el], nil
		case string:
			if n.Kind != yaml.MappingNode {
				return nil, nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == el {
					key, next = n.Content[i], n.Content[i+1]
				}
			}
			if next == nil {
				return nil, nil
			}
			n = next
		}
	}
	return n, key
}

func (g *generator) pathMutations(c fileCtx, lines []string, k, v *yaml.Node, sp []any, dk func(string) string) {
	ext := path.Ext(v.Value)
	dir := path.Dir(v.Value)
	// A file that does not exist.
	if g.once(dk("path-missing")) {
		g.add(mutation{kind: "include-missing", file: c.rel, text: replaceValue(lines, k, "tollgate-missing/no-such-file"+ext),
			line: k.Line, rules: []string{"include-missing"}, sev: finding.Error, desc: pattern(sp) + ".path"})
	}
	if !includePosition(sp) {
		return
	}
	// Glob characters in `path:`.
	if g.once(dk("path-glob")) {
		g.add(mutation{kind: "include-glob", file: c.rel, text: replaceValue(lines, k, path.Join(dir, "*"+ext)),
			line: k.Line, rules: []string{"include-invalid"}, sev: finding.Error, desc: pattern(sp) + ".path"})
	}
	// A path leading outside the repository (the file exists there).
	if g.once(dk("path-outside")) {
		depth := strings.Count(path.Dir(c.rel), "/") + 1
		if path.Dir(c.rel) == "." {
			depth = 0
		}
		rel := strings.Repeat("../", depth) + "../outside/outside" + ext
		g.add(mutation{kind: "include-outside", file: c.rel, text: replaceValue(lines, k, rel),
			line: k.Line, rules: []string{"include-invalid"}, sev: finding.Error, desc: pattern(sp) + ".path"})
	}
	// `path` together with `paths`. A mapping section (org_settings: {path}) takes no
	// `paths` at all, which is an unknown key there.
	if g.once(dk("path-both")) {
		text, line := insertAfter(lines, k, `paths: "*`+ext+`"`)
		g.add(mutation{kind: "include-both", file: c.rel, text: text, line: line,
			rules: []string{"include-invalid", "schema-unknown-key"}, sev: finding.Error, desc: pattern(sp) + ".path+paths"})
	}
}

// nested writes an include into an included file (fleetctl: "nested paths are not supported").
func (g *generator) nested(c fileCtx, lines []string, root *yaml.Node) {
	if c.included == "" || !g.once(fmt.Sprint(c.era, c.def, "nested", c.included)) {
		return
	}
	switch {
	case root.Kind == yaml.SequenceNode && len(root.Content) > 0:
		first := root.Content[0]
		if first.Kind != yaml.MappingNode || len(first.Content) == 0 || !blockKey(lines, first.Content[0]) {
			g.skip("nested: first item not a block mapping")
			return
		}
		k := first.Content[0]
		i := k.Line - 1
		dash := strings.Index(lines[i], "-")
		ins := lines[i][:dash] + "- path: other" + path.Ext(c.rel)
		out := slices.Insert(slices.Clone(lines), i, ins)
		g.add(mutation{kind: "include-nested", file: c.rel, text: joinLines(out), line: i + 1,
			rules: []string{"include-invalid"}, sev: finding.Error, desc: c.included})
	case root.Kind == yaml.MappingNode && len(root.Content) > 0:
		k := root.Content[0]
		if !blockKey(lines, k) {
			return
		}
		out := slices.Insert(slices.Clone(lines), k.Line-1, strings.Repeat(" ", k.Column-1)+"path: other.yml")
		g.add(mutation{kind: "include-nested", file: c.rel, text: joinLines(out), line: k.Line,
			rules: []string{"include-invalid"}, sev: finding.Error, desc: c.included})
	}
}

func (g *generator) renameMutations(c fileCtx, lines []string, m, k *yaml.Node, sp []any, siblings map[string]bool, dk func(string) string) {
	for _, r := range mutRenames {
		if !renameParentMatches(r.parent, sp) {
			continue
		}
		switch {
		case c.era == fleet.EraFleets && k.Value == r.new:
			// The old name beside the new one: Fleet refuses the file.
			if !siblings[r.old] && g.once(dk("deprecated-both "+r.old)) {
				text, line := insertAfter(lines, k, r.old+":")
				g.add(mutation{kind: "deprecated-both", file: c.rel, text: text, line: line,
					rules: []string{"deprecated-key-conflict"}, sev: finding.Error, hint: r.new,
					desc: fmt.Sprintf("%s beside %s", r.old, pattern(append(slices.Clone(sp), r.new)))})
			}
			// The old name alone: a deprecation warning.
			if !siblings[r.old] && g.once(dk("deprecated-alone "+r.old)) {
				g.add(mutation{kind: "deprecated-alone", file: c.rel, text: renameKey(lines, k, r.old), line: k.Line,
					rules: []string{"deprecated-key"}, sev: finding.Warning, hint: r.new,
					desc: fmt.Sprintf("%s instead of %s", r.old, pattern(append(slices.Clone(sp), r.new)))})
			}
		case c.era == fleet.EraTeams && k.Value == r.old && r.parent == "":
			// Not a mistake: a teams/ entry file written with `settings:`/`reports:` is read
			// as a fleets-era file kept in the old directory (internal/load classify), which
			// Fleet 4.82+ accepts.
			g.skip("not a mistake: top-level fleets-era name in a teams/ file makes it a fleets-era file")
		case c.era == fleet.EraTeams && k.Value == r.old:
			// The fleets-era name in a teams-era repository: unknown there.
			if !siblings[r.new] && g.once(dk("new-name "+r.new)) {
				g.add(mutation{kind: "new-name-in-teams-era", file: c.rel, text: renameKey(lines, k, r.new), line: k.Line,
					rules: []string{"schema-unknown-key"}, sev: finding.Error, hint: r.old,
					desc: fmt.Sprintf("%s instead of %s", r.new, pattern(append(slices.Clone(sp), r.old)))})
			}
		}
	}
}

// yamlSyntax breaks the YAML of the file at a nested key with a scalar value that follows a
// sibling with a scalar value (so an extra space of indentation is an error, not a child).
func (g *generator) yamlSyntax(c fileCtx, lines []string, root *yaml.Node) {
	if !g.once(fmt.Sprint("yaml ", c.era, c.role(), " ", c.def)) {
		return
	}
	var target *yaml.Node
	var find func(n *yaml.Node, depth int)
	find = func(n *yaml.Node, depth int) {
		if target != nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if i >= 2 && depth >= 1 && v.Kind == yaml.ScalarNode && v.Style == 0 && v.Line == k.Line &&
					n.Content[i-1].Kind == yaml.ScalarNode && n.Content[i-1].Line == n.Content[i-2].Line &&
					blockKey(lines, k) && strings.TrimSpace(lines[k.Line-1][:k.Column-1]) == "" && !strings.Contains(lines[k.Line-1], "#") {
					target = k
					return
				}
				find(v, depth+1)
			}
		case yaml.SequenceNode:
			for _, x := range n.Content {
				find(x, depth+1)
			}
		}
	}
	find(root, 0)
	if target == nil {
		g.skip("yaml: no nested key after a scalar sibling")
		return
	}
	i := target.Line - 1
	l := lines[i]
	ke := keyEnd(lines, target)
	val := strings.TrimSpace(l[ke+1:])
	with := func(s string) string {
		out := slices.Clone(lines)
		out[i] = s
		return joinLines(out)
	}
	// Every mistake below is reported by yaml.v3 on the line itself.
	g.add(mutation{kind: "yaml-unclosed-flow", file: c.rel, text: with(l[:ke] + ": [" + val), line: target.Line,
		slack: 1, rules: []string{"yaml-syntax"}, sev: finding.Error, desc: "unclosed ["})
	g.add(mutation{kind: "yaml-bad-indent", file: c.rel, text: with(" " + l), line: target.Line,
		rules: []string{"yaml-syntax"}, sev: finding.Error, desc: "one space too many"})
	g.add(mutation{kind: "yaml-tab", file: c.rel, text: with("\t" + strings.TrimLeft(l, " ")), line: target.Line,
		rules: []string{"yaml-syntax"}, sev: finding.Error, desc: "tab indentation"})
	g.add(mutation{kind: "yaml-unterminated-quote", file: c.rel, text: with(l[:ke] + `: "` + val), line: target.Line,
		slack: 2, rules: []string{"yaml-syntax"}, sev: finding.Error, desc: "unterminated \""})
}

// ---- the test

func TestMutations(t *testing.T) {
	start := time.Now()
	s := newMutSchema(t)
	dirs, err := filepath.Glob(filepath.Join(sharedtest.Corpora(t), "*"))
	if err != nil {
		t.Fatal(err)
	}
	type corpus struct {
		name, dir string
		size      int64
		files     []fileCtx
	}
	var corpora []corpus
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		var size int64
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && isYAMLFile(p) {
				if fi, err := e.Info(); err == nil {
					size += fi.Size()
				}
			}
			return nil
		})
		corpora = append(corpora, corpus{name: filepath.Base(d), dir: d, size: size})
	}
	if len(corpora) < 6 {
		t.Fatalf("corpora not found (%d)", len(corpora))
	}
	// Smallest first: each shape is tried in the cheapest repository that has it.
	sort.Slice(corpora, func(i, j int) bool { return corpora[i].size < corpora[j].size })
	g := &generator{t: t, s: s, seen: map[string]bool{}, skips: map[string]int{}}
	perCorpus := map[string][]mutation{}
	for i := range corpora {
		c := &corpora[i]
		c.files = reachedFiles(t, c.dir)
		before := len(g.muts)
		for _, f := range c.files {
			b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(f.rel)))
			if err != nil {
				t.Fatal(err)
			}
			g.file(f, string(b))
		}
		perCorpus[c.name] = g.muts[before:]
	}
	kinds := map[string]int{}
	for _, m := range g.muts {
		kinds[m.kind]++
	}
	t.Logf("%d mutations generated in %v: %v", len(g.muts), time.Since(start).Round(time.Millisecond), kinds)
	t.Logf("not mutated: %v", g.skips)
	if len(g.muts) < 100 {
		t.Fatalf("only %d mutations generated", len(g.muts))
	}
	step := 1
	if testing.Short() {
		step = 4 // -short: every fourth mutation
	}
	// Each corpus is split in shards with their own copy, so the parallel subtests balance.
	const shardSize = 60
	for _, c := range corpora {
		var all []mutation
		for i := 0; i < len(perCorpus[c.name]); i += step {
			all = append(all, perCorpus[c.name][i])
		}
		for shard := 0; shard*shardSize < len(all); shard++ {
			muts := all[shard*shardSize : min(len(all), (shard+1)*shardSize)]
			runShard(t, fmt.Sprintf("%s/%d", c.name, shard), c.dir, muts)
		}
	}
}

func runShard(t *testing.T, name, dir string, muts []mutation) {
	t.Run(name, func(t *testing.T) {
		t.Parallel()
		base := t.TempDir()
		repo := filepath.Join(base, "repo")
		copyTreeTo(t, dir, repo)
		os.MkdirAll(filepath.Join(base, "outside"), 0o755)
		for _, ext := range []string{".yml", ".yaml", ".sh", ".ps1", ".mobileconfig", ".json", ".xml", ".pdf", ".png", ""} {
			os.WriteFile(filepath.Join(base, "outside", "outside"+ext), []byte("- name: outside\n  query: SELECT 1\n"), 0o644)
		}
		for i, m := range muts {
			checkMutation(t, repo, m, i%fullEvery == 0)
		}
	})
}

// knownGaps are mutations whose generic expectation does not hold, each with the reason: a
// mistake tollgate does not report at the right place yet, or one fleetctl itself accepts.
// Each entry names the mutation kind and a substring of "file: description". A listed
// mutation that meets the generic expectation fails the test, so the list stays true.
var knownGaps = []struct{ kind, match, why string }{
	// `agent_options: {path, paths}`: fleetctl decodes agent_options as a fleet.BaseItem and
	// reads only its path (parseAgentOptions, pkg/spec/gitops.go): paths is ignored, not an
	// error. tollgate warns at the `path:` line ("keys next to agent_options.path are
	// ignored"), which is what fleetctl does; an error at `paths:` would be a false positive.
	{"include-both", "agent_options.path+paths", "fleetctl ignores paths beside agent_options.path: a warning, by design"},
}

func knownGap(m mutation) (string, bool) {
	for _, g := range knownGaps {
		if g.kind == m.kind && strings.Contains(fmt.Sprintf("%s:%d: %s", m.file, m.line, m.desc), g.match) {
			return g.why, true
		}
	}
	return "", false
}

// fullEvery: one mutation in fullEvery runs the whole pipeline (Rego too) and must not make a
// policy fail to evaluate; the others skip the policy stage, which reports no structural rule.
const fullEvery = 16

func checkMutation(t *testing.T, repo string, m mutation, full bool) {
	t.Helper()
	why, gap := knownGap(m)
	msg := checkOne(t, repo, m, full)
	switch {
	case msg != "" && gap:
		t.Logf("known gap: %s\n(%s)", msg, why)
	case msg != "":
		t.Error(msg)
	case gap:
		t.Errorf("%s %s:%d (%s) is reported now: remove it from knownGaps", m.kind, m.file, m.line, m.desc)
	}
}

// checkOne applies m, lints, restores the file and returns what is wrong ("" if nothing).
func checkOne(t *testing.T, repo string, m mutation, full bool) string {
	t.Helper()
	p := filepath.Join(repo, filepath.FromSlash(m.file))
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(m.text), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(p, orig, 0o644)
	// The sampled full runs lint the whole repository; the others only the entry files that
	// reach the mutated file (the global file first), which is where structural findings come
	// from, at a fraction of the time.
	targets := []string{repo}
	if !full {
		targets = nil
		for _, e := range m.entries {
			targets = append(targets, filepath.Join(repo, filepath.FromSlash(e)))
		}
	}
	res, err := Run(context.Background(), Options{Targets: targets, Now: fixtureNow, SkipPolicy: !full})
	if err != nil {
		return fmt.Sprintf("%s %s:%d (%s): run failed: %v", m.kind, m.file, m.line, m.desc, err)
	}
	for _, f := range res.Findings {
		if f.RuleID == "policy-error" || f.RuleID == "internal-error" {
			return fmt.Sprintf("%s %s:%d (%s): %s", m.kind, m.file, m.line, m.desc, f)
		}
	}
	var near []string
	for _, f := range res.Findings {
		if f.Location.File != m.file || !slices.Contains(m.rules, f.RuleID) {
			if f.Location.File == m.file && f.Location.Start.Line >= m.line-3 && f.Location.Start.Line <= m.line+3 {
				near = append(near, f.String()+" hint="+f.Hint)
			}
			continue
		}
		if f.Location.Start.Line < m.line || f.Location.Start.Line > m.line+m.slack {
			near = append(near, f.String()+" hint="+f.Hint)
			continue
		}
		if f.Severity != m.sev {
			near = append(near, fmt.Sprintf("%s hint=%s (severity %s, want %s)", f, f.Hint, f.Severity, m.sev))
			continue
		}
		if m.hint != "" && !strings.Contains(f.Message+" "+f.Hint, m.hint) {
			near = append(near, fmt.Sprintf("%s hint=%s (no %q)", f, f.Hint, m.hint))
			continue
		}
		return ""
	}
	lines := splitLines(m.text)
	snippet := lines[max(0, m.line-3):min(len(lines), m.line+2)]
	return fmt.Sprintf("%s %s:%d (%s): no %s %s finding there\nnear it: %q\nmutated text from line %d:\n%s",
		m.kind, m.file, m.line, m.desc, m.sev, m.rules[0], near, max(1, m.line-2), strings.Join(snippet, "\n"))
}
