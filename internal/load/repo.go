// Package load discovers a Fleet GitOps repository's entry files and reads them the way
// `fleetctl gitops` does: includes resolved from the directory Fleet resolves them from, `paths:`
// globs expanded, environment references recorded (not expanded). Each entry file becomes one
// composite YAML tree whose every node can be traced back to its file, line and column.
package load

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Repo is a loaded repository.
type Repo struct {
	Root     string    // absolute, cleaned
	Era      fleet.Era // the repository's layout: fleets/ present → EraFleets
	Entries  []*Entry  // global first, then by path
	Packages []*Doc    // software package YAML files (validated on their own)
	Refs     []Ref     // non-YAML files referenced (profiles, scripts, icons, ...) and include records
	EnvRefs  []EnvRef
	Findings []finding.Finding
	files    *fileSet
	// shared converts the items of included files once for every entry that includes them
	// (see yamlsrc.Shared): their values are the same Go values in every entry's Doc.Value.
	shared yamlsrc.Shared
}

// SharedValue reports whether v, a map or list inside some entry's Doc.Value, came from an
// included file and is the same value in every entry that includes it (see yamlsrc.Shared),
// with its identity: a consumer converting documents further can convert it once, by id.
func (r *Repo) SharedValue(v any) (id any, ok bool) { return r.shared.Holds(v) }

// EachShared calls fn with every included node whose value entries share, and that value.
func (r *Repo) EachShared(fn func(n *yaml.Node, v any)) { r.shared.Each(fn) }

// Doc is a YAML document built from one or more files: includes are spliced into it.
type Doc struct {
	File *File      // the file the document starts in
	Root *yaml.Node // composite root (a mapping, a sequence or null)
	// Value is Root converted by yamlsrc.ToAny, nil when conversion failed. The items spliced
	// in from other files are shared with every entry including them: never modify it.
	Value  any
	owners map[*yaml.Node]*File
	// rebuild re-reads the document after Release, for locating late findings.
	rebuild func() (*yaml.Node, map[*yaml.Node]*File)
}

// Entry is one entry file (the -f argument of fleetctl gitops) with its includes spliced in.
type Entry struct {
	Doc
	Kind fleet.Kind
	Era  fleet.Era
	Name string // team name for team files, "" for global
	// PathItems are the `- path:` items of the entry's lists that carry other keys: spliced
	// away, the composite document no longer holds them, yet fleetctl decodes those keys with
	// the item (a mistyped one fails, an unknown one too in the fleets era). Each is a
	// document {section: [the item without path and paths]} over the original nodes, for the
	// schema to check those keys where they are written (see lint).
	PathItems []*Doc
}

// Ref records a file that an entry refers to without splicing it: a profile, a script, a
// software package file, an include. Data path is in the entry's composite document.
type Ref struct {
	Entry  *Entry
	Path   []any  // data path of the referencing value (e.g. controls.scripts[2].path)
	Role   string // "profile", "script", "package", "include", "icon", "eula", "setup-assistant", ...
	Target string // repo-relative path of the file reached ("" when missing)
	File   *File  // the file read, when it exists and was read
}

// EnvRef is a `$VAR` / `${VAR}` reference fleetctl will expand (or, for $FLEET_SECRET_*, upload).
type EnvRef struct {
	File       string // repo-relative
	Line, Col  int
	EndCol     int
	Name       string
	Kind       string // "env", "fleet_secret", "fleet_var"
	InComment  bool   // inside a YAML comment: fleetctl still expands it
	InLiteral  bool   // escaped (\$NAME): not expanded
	FileFormat string // "yaml", "profile", "script"
}

// Files lists every file read, sorted by path.
func (r *Repo) Files() []*File { return r.files.sorted() }

// File returns a file read during loading by repo-relative path.
func (r *Repo) File(rel string) *File { return r.files.get(rel) }

// Claim reports whether the caller is the first to claim f: a streaming caller scans each file
// read (environment references, secrets, suppressions) once, however many entries reach it.
func (r *Repo) Claim(f *File) bool { return f.claimed.CompareAndSwap(false, true) }

// Claimed reports whether some caller claimed f.
func (f *File) Claimed() bool { return f.claimed.Load() }

// Forget drops an entry's document and its own file's data and tree once its checks are done,
// so a streamed repository holds only the entries in flight. Files it includes stay: other
// entries may include them too. A late finding in the entry (a package file's finding shown at
// the team's `- path:` line) reads it again (Doc.Locate); a file listed by Files afterwards
// reads its lines from disk again when asked (for snippets).
func (r *Repo) Forget(e *Entry) {
	e.Root, e.owners, e.Value, e.PathItems = nil, nil, nil, nil
	r.files.forget(e.File)
}

// Files reached by an entry: its own file, the files spliced into it and the files it refers
// to (profiles, scripts, packages), each once, in a stable order.
func (e *Entry) Files(refs []Ref) []*File {
	seen := map[*File]bool{e.File: true}
	out := []*File{e.File}
	add := func(f *File) {
		if f != nil && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	var owned []*File
	for _, f := range e.owners {
		owned = append(owned, f)
	}
	slices.SortFunc(owned, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	for _, f := range owned {
		add(f)
	}
	for _, ref := range refs {
		add(ref.File)
	}
	return out
}
