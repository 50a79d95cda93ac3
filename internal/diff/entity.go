package diff

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"

	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/profile"
)

// scope is one team (or the organisation) on one side of the diff, with the things it holds.
type scope struct {
	key   string // Fleet's identity: the NFC name, NoTeam, or "" for the organisation
	name  string // as written
	entry *load.Entry
	items map[string]*item // by kind + "\x00" + key
}

// item is one thing Fleet manages, as configured on one side.
type item struct {
	kind, key, name, detail string
	fields                  map[string]value // compared one by one
	facts                   map[string]any
	doc                     *load.Doc // where it is written
	path                    []any     // its data path in doc (actual spelling)
}

// value is one field's value: text for people (never a secret), the parsed value for rules.
type value struct {
	text string
	raw  any
}

// readScope extracts what one loaded entry configures; refs and pkgs are what loading it
// reached (its batch), profiles caches the parsed profiles of the side.
func readScope(repo *load.Repo, e *load.Entry, refs []load.Ref, pkgs []*load.Doc, profiles *profileCache) *scope {
	doc, ok := e.Value.(map[string]any)
	if !ok {
		return nil
	}
	sc := &scope{key: scopeKey(e), name: e.Name, entry: e, items: map[string]*item{}}
	if e.Kind == fleet.KindGlobal {
		sc.name = ""
	}
	byPath := make(map[string]*load.Doc, len(pkgs))
	for _, d := range pkgs {
		byPath[d.File.Path] = d
	}
	x := extractor{repo: repo, sc: sc, e: e, doc: doc, refs: refs, pkgs: byPath, profileIDs: profiles}
	x.run()
	return sc
}

// profileCache parses each profile file of a side once, however many teams list it.
type profileCache struct {
	mu     sync.Mutex
	parsed map[string]profileID
}

// profileID is what the change review needs of a profile: what Fleet names it by.
type profileID struct{ name, identifier, format string }

func (c *profileCache) get(f *load.File, format profile.Format) profileID {
	key := f.Path + "\x00" + string(format)
	c.mu.Lock()
	id, ok := c.parsed[key]
	c.mu.Unlock()
	if ok {
		return id
	}
	p := profile.ParseAs(f.Path, f.Data, format)
	id = profileID{name: p.Name, identifier: p.Identifier, format: string(p.Format)}
	c.mu.Lock()
	if c.parsed == nil {
		c.parsed = map[string]profileID{}
	}
	c.parsed[key] = id
	c.mu.Unlock()
	return id
}

// scopeKey is a team's identity: its name as Fleet compares it, one key for hosts without a
// team in both eras, "" for the global file.
func scopeKey(e *load.Entry) string {
	switch e.Kind {
	case fleet.KindGlobal:
		return ""
	case fleet.KindUnassigned:
		return NoTeam
	}
	return norm.NFC.String(strings.TrimSpace(e.Name))
}

type extractor struct {
	repo       *load.Repo
	sc         *scope
	e          *load.Entry
	doc        map[string]any
	refs       []load.Ref
	pkgs       map[string]*load.Doc
	profileIDs *profileCache
}

func (x *extractor) add(it *item) {
	if it.doc == nil {
		it.doc = &x.e.Doc
	}
	k := it.kind + "\x00" + it.key
	if _, dup := x.sc.items[k]; dup {
		return // a duplicate name: the lint reports it; Fleet keeps one
	}
	x.sc.items[k] = it
}

func (x *extractor) run() {
	x.secrets()
	x.profiles()
	x.scripts()
	x.namedList(KindPolicy, "policies")
	x.namedList(KindQuery, "reports", "queries")
	x.namedList(KindLabel, "labels")
	x.software()
	x.settings()
}

// first returns the value of the first of keys that m holds, and that key.
func first(m map[string]any, keys ...string) (any, string) {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v, k
		}
	}
	return nil, ""
}

// secrets: enroll secrets, by fingerprint.
func (x *extractor) secrets() {
	section, key := first(x.doc, "org_settings", "settings", "team_settings")
	m, _ := section.(map[string]any)
	list, _ := m["secrets"].([]any)
	for i, s := range list {
		sm, _ := s.(map[string]any)
		v, ok := sm["secret"].(string)
		if !ok {
			continue
		}
		name := secretName(v)
		x.add(&item{kind: KindSecret, key: name, name: name, path: []any{key, "secrets", i, "secret"},
			fields: map[string]value{}})
	}
}

// profiles: per platform section, by what Fleet matches on (a .mobileconfig's
// PayloadDisplayName, otherwise the file name), label targeting and content compared.
func (x *extractor) profiles() {
	for _, r := range x.refs {
		if r.Role != "profile" || len(r.Path) < 4 {
			continue
		}
		sectionKey, _ := r.Path[1].(string)
		platform := strings.TrimSuffix(fleet.NewName([]any{"controls"}, sectionKey), "_settings")
		itemPath := r.Path[:4]
		it := &item{kind: KindProfile, path: itemPath, fields: map[string]value{}, facts: map[string]any{"platform": platform}}
		name := strings.TrimSuffix(path.Base(r.Target), path.Ext(r.Target))
		if r.File != nil && r.File.Digest != "" {
			it.fields["content"] = value{text: "sha256:" + r.File.Digest[:12]}
			format := profile.Format("")
			if platform == "android" {
				format = profile.FormatAndroid
			}
			p := x.profileIDs.get(r.File, format)
			if p.format == string(profile.FormatMobileconfig) && p.name != "" {
				name = p.name
			}
			if p.identifier != "" {
				it.fields["identifier"] = value{text: quote(p.identifier), raw: p.identifier}
			}
			it.facts["file"] = r.File.Path
		} else if r.Target == "" {
			continue // a missing file: the lint reports it
		}
		it.key, it.name = platform+"/"+name, name
		it.detail = platform + ", " + r.Target
		item, _ := lookupPath(x.doc, itemPath).(map[string]any)
		labels := map[string]any{}
		for _, k := range []string{"labels_include_any", "labels_include_all", "labels_exclude_any"} {
			if l, ok := item[k]; ok {
				it.fields[k] = sortedList(l)
				labels[k] = it.fields[k].raw
			}
		}
		it.facts["labels"] = labels
		x.add(it)
	}
}

// scripts: controls.scripts, by file name, content compared.
func (x *extractor) scripts() {
	for _, r := range x.refs {
		if r.Role != "script" || len(r.Path) < 2 || r.Path[0] != "controls" || r.Path[1] != "scripts" || r.File == nil {
			continue
		}
		name := path.Base(r.File.Path)
		it := &item{kind: KindScript, key: name, name: name, path: r.Path[:min(3, len(r.Path))],
			fields: map[string]value{}, detail: r.File.Path}
		if r.File.Digest != "" {
			it.fields["content"] = value{text: "sha256:" + r.File.Digest[:12]}
		}
		x.add(it)
	}
}

// namedList: policies, queries (reports) and labels, by name; every other key compared.
func (x *extractor) namedList(kind string, keys ...string) {
	v, key := first(x.doc, keys...)
	list, _ := v.([]any)
	for i, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			continue
		}
		name, ok := m["name"].(string)
		if !ok || name == "" {
			continue
		}
		it := &item{kind: kind, key: name, name: name, path: []any{key, i}, fields: map[string]value{}}
		it.doc = &x.e.Doc
		for k, fv := range m {
			if k == "name" {
				continue
			}
			it.fields[k] = render(fv, k)
		}
		if kind == KindPolicy {
			it.facts = policyFacts(m)
		}
		x.add(it)
	}
}

// policyFacts says which automations a policy has.
func policyFacts(m map[string]any) map[string]any {
	var autos []any
	for _, k := range []string{"install_software", "run_script", "calendar_events_enabled", "conditional_access_enabled"} {
		if v, ok := m[k]; ok && v != nil && v != false {
			autos = append(autos, k)
		}
	}
	return map[string]any{"automations": orEmpty(autos)}
}

// software: packages by hash (else URL, else file name for a script package), App Store apps
// by id, Fleet-maintained apps by slug.
func (x *extractor) software() {
	sw, _ := x.doc["software"].(map[string]any)
	pkgs, _ := sw["packages"].([]any)
	for i, el := range pkgs {
		m, _ := el.(map[string]any)
		itemPath := []any{"software", "packages", i}
		if p, ok := m["path"].(string); ok {
			x.packageFile(m, itemPath, p)
			continue
		}
		x.pkg(m, nil, &x.e.Doc, itemPath, x.e.Doc.FileAt(itemPath))
	}
	for _, list := range []struct{ key, id string }{{"app_store_apps", "app_store_id"}, {"fleet_maintained_apps", "slug"}} {
		l, _ := sw[list.key].([]any)
		for i, el := range l {
			m, _ := el.(map[string]any)
			id := fmt.Sprint(m[list.id])
			if m[list.id] == nil {
				continue
			}
			it := &item{kind: KindSoftware, key: list.id + ":" + id, name: id, detail: strings.ReplaceAll(list.key, "_", " "),
				path: []any{"software", list.key, i}, fields: map[string]value{}}
			for k, fv := range m {
				if k != list.id {
					it.fields[k] = render(fv, k)
				}
			}
			x.addSoftware(it)
		}
	}
}

// packageFile adds the packages of a package file a team lists (a mapping or a list of them;
// or a script-only package: the script itself).
func (x *extractor) packageFile(teamItem map[string]any, itemPath []any, p string) {
	holder := x.e.Doc.FileAt(itemPath)
	rel := path.Join(path.Dir(holder.Path), p)
	d, ok := x.pkgs[rel]
	if !ok {
		f := x.repo.File(rel)
		if f == nil {
			return // missing: the lint reports it
		}
		name := path.Base(rel)
		it := &item{kind: KindSoftware, key: "script:" + name, name: name, detail: "script package " + rel,
			path: itemPath, fields: map[string]value{}}
		if f.Digest != "" {
			it.fields["content"] = value{text: "sha256:" + f.Digest[:12]}
		}
		for k, fv := range teamItem {
			if k != "path" {
				it.fields[k] = render(fv, k)
			}
		}
		x.addSoftware(it)
		return
	}
	switch v := d.Value.(type) {
	case map[string]any:
		x.pkg(v, teamItem, &x.e.Doc, itemPath, d.File)
	case []any:
		for _, el := range v {
			if m, ok := el.(map[string]any); ok {
				x.pkg(m, teamItem, &x.e.Doc, itemPath, d.File)
			}
		}
	}
}

// pkg adds one software package: its own keys, the keys the team's list item sets around it,
// and the content of the scripts it names (resolved from the file that names them).
func (x *extractor) pkg(m, teamItem map[string]any, doc *load.Doc, itemPath []any, holder *load.File) {
	key, name := "", ""
	switch {
	case m["hash_sha256"] != nil && m["hash_sha256"] != "":
		h := fmt.Sprint(m["hash_sha256"])
		key, name = "sha256:"+h, h
	case m["url"] != nil:
		key, name = "url:"+fmt.Sprint(m["url"]), fmt.Sprint(m["url"])
	default:
		return
	}
	if dn, ok := m["display_name"].(string); ok && dn != "" {
		name = dn
	} else if u, ok := m["url"].(string); ok {
		name = u
	}
	it := &item{kind: KindSoftware, key: key, name: name, path: itemPath, doc: doc, fields: map[string]value{}}
	if holder != nil {
		it.detail = "package " + holder.Path
	}
	for k, fv := range m {
		if k == "hash_sha256" && strings.HasPrefix(key, "sha256:") {
			continue
		}
		if sub, ok := fv.(map[string]any); ok && holder != nil {
			if p, ok := sub["path"].(string); ok && len(sub) == 1 {
				f := x.repo.File(path.Join(path.Dir(holder.Path), p))
				if f != nil && f.Digest != "" {
					it.fields[k] = value{text: "sha256:" + f.Digest[:12]}
					continue
				}
			}
		}
		it.fields[k] = render(fv, k)
	}
	for k, fv := range teamItem {
		if k != "path" {
			it.fields[k] = render(fv, k)
		}
	}
	x.addSoftware(it)
}

// addSoftware adds a software item with the facts rules read, on whichever side has it (a
// removed item has no head to read them from): whether it is installed during the setup
// experience and offered in self-service.
func (x *extractor) addSoftware(it *item) {
	it.facts = map[string]any{
		"setup_experience": it.fields["setup_experience"].raw == true,
		"self_service":     it.fields["self_service"].raw == true,
	}
	x.add(it)
}

// handled are the subtrees that items cover (actual key names, either era): everything else
// in an entry is a setting.
func handled(p []any) bool {
	if len(p) == 0 {
		return false
	}
	top, _ := p[0].(string)
	switch top {
	case "name", "policies", "queries", "reports", "labels", "software":
		return len(p) == 1
	}
	if len(p) == 2 && p[1] == "secrets" && (top == "org_settings" || top == "settings" || top == "team_settings") {
		return true
	}
	if top == "controls" && len(p) == 2 && p[1] == "scripts" {
		return true
	}
	if top == "controls" && len(p) == 3 && (p[2] == "configuration_profiles" || p[2] == "custom_settings") {
		return true
	}
	return false
}

// settings: every other value, by its dotted path with Fleet's current key names, leaves
// compared one by one (a list as a whole).
func (x *extractor) settings() {
	var walk func(v any, actual, canon []any)
	walk = func(v any, actual, canon []any) {
		if handled(actual) {
			return
		}
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(m[k], append(slices.Clone(actual), k), append(slices.Clone(canon), fleet.NewName(canon, k)))
			}
			return
		}
		// null is no value: Fleet reads `key: null` as it reads a missing key (compareFields
		// does the same for the fields of items).
		if len(canon) == 0 || v == nil {
			return
		}
		name := dotted(canon)
		it := &item{kind: KindSetting, key: name, name: name, path: actual, fields: map[string]value{}}
		val := render(canonicalValue(v, canon), lastKey(canon))
		if f := x.fileValue(actual, v); f != "" {
			val = value{text: f}
		}
		it.fields["value"] = val
		x.add(it)
	}
	walk(x.doc, nil, nil)
}

// canonicalValue renames the keys inside a list of mappings (the Apple Business Manager
// entries, the VPP locations) to Fleet's current names, so the migration is no change there too.
func canonicalValue(v any, canon []any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			name := fleet.NewName(canon, k)
			out[name] = canonicalValue(el, append(slices.Clone(canon), name))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = canonicalValue(el, append(slices.Clone(canon), i))
		}
		return out
	}
	return v
}

// fileValue is the content digest of a file a setting names (a setup-experience script, an
// EULA): a moved file is no change, a changed file is.
func (x *extractor) fileValue(p []any, v any) string {
	s, ok := v.(string)
	if !ok || s == "" {
		return ""
	}
	for _, r := range x.refs {
		if r.File != nil && r.File.Digest != "" && samePath(r.Path, p) {
			return "sha256:" + r.File.Digest[:12]
		}
	}
	return ""
}

func samePath(a, b []any) bool {
	return slices.EqualFunc(a, b, func(x, y any) bool { return x == y })
}

func lastKey(p []any) string {
	if len(p) == 0 {
		return ""
	}
	s, _ := p[len(p)-1].(string)
	return s
}

// dotted writes a data path as people read it: controls.macos_updates.deadline.
func dotted(p []any) string {
	var b strings.Builder
	for i, el := range p {
		switch x := el.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, x)
		}
	}
	return b.String()
}

// lookupPath follows a data path through a decoded document.
func lookupPath(v any, p []any) any {
	for _, el := range p {
		switch x := el.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[x]
		case int:
			l, _ := v.([]any)
			if x < 0 || x >= len(l) {
				return nil
			}
			v = l[x]
		}
	}
	return v
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
