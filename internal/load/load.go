package load

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/fleet"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Options configure a load.
type Options struct {
	Root    string   // repository root (config.FindRoot), required
	Entries []string // entry files (absolute or relative to the working directory)
	Limits  yamlsrc.Limits
	Workers int // 0 means GOMAXPROCS
	// Source is what the files are read from, addressed relative to Root; nil means the
	// working tree at Root. With another source (a commit), Root is only the absolute path the
	// repository's names are joined to, as fleetctl would see them in a checkout there, and
	// Entries must be absolute paths under it.
	Source Source
}

// Open prepares a repository for loading without reading any entry: it settles the root (real
// path), the era and the file cache, and returns the entry files as absolute paths under the
// real root. Load reads them all; a streaming caller reads them with LoadEntry, a few at a time.
func Open(opts Options) (*Repo, []string, error) {
	if len(opts.Entries) == 0 {
		return nil, nil, fmt.Errorf("no entry files")
	}
	if opts.Limits == (yamlsrc.Limits{}) {
		opts.Limits = yamlsrc.DefaultLimits
	}
	if opts.Root == "" {
		return nil, nil, fmt.Errorf("no repository root (config.FindRoot finds it)")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, nil, err
	}
	src := opts.Source
	if src == nil {
		if real, err := filepath.EvalSymlinks(root); err == nil {
			root = real
		}
		src = DirSource(root)
	}
	repo := &Repo{Root: root, files: newFileSet(root, src, opts.Limits)}
	abs := make([]string, len(opts.Entries))
	realDirs := map[string]string{}
	wd := ""
	if opts.Source == nil {
		if wd, err = os.Getwd(); err != nil { // once: filepath.Abs asks the system for every path
			return nil, nil, err
		}
	}
	for i, e := range opts.Entries {
		a := filepath.Clean(e)
		if !filepath.IsAbs(a) {
			if opts.Source != nil {
				return nil, nil, fmt.Errorf("entry file %s: an absolute path under %s is needed with a source", e, root)
			}
			a = filepath.Join(wd, a)
		}
		if opts.Source == nil {
			// Entries are addressed through the real root so relative paths stay inside it.
			// Entry files share a few directories: resolve each directory once.
			d := filepath.Dir(a)
			real, ok := realDirs[d]
			if !ok {
				real = d
				if r, err := filepath.EvalSymlinks(d); err == nil {
					real = r
				}
				realDirs[d] = real
			}
			a = filepath.Join(real, filepath.Base(a))
		}
		abs[i] = a
		if filepath.Base(filepath.Dir(a)) == "fleets" {
			repo.Era = fleet.EraFleets
		}
	}
	if repo.Era == fleet.EraTeams && repo.isDir(filepath.Join(filepath.Dir(abs[0]), "fleets")) {
		repo.Era = fleet.EraFleets
	}
	return repo, abs, nil
}

// isDir reports whether abs is a directory of the repository (its links followed inside it).
func (r *Repo) isDir(abs string) bool {
	rel, err := r.files.rel(abs)
	if err != nil {
		return false
	}
	real, err := resolveIn(r.files.src, r.Root, rel)
	if err != nil {
		return false
	}
	fi, err := r.files.src.Lstat(real)
	return err == nil && fi.IsDir()
}

// FS is the repository as an io/fs file system whose links are followed inside it only (a link
// leading out of it is an error), for reading the files that are not configuration (CI
// workflows, the secret scan of other files).
func (r *Repo) FS() fs.FS { return &sourceFS{src: r.files.src, rootAbs: r.Root, budget: math.MaxInt} }

// CheckGlobals applies fleetctl's cross-file checks on entry kinds (one global file) and puts
// the global entry first, the others in the order given (fleetctl applies in that order).
func (r *Repo) CheckGlobals() []finding.Finding {
	var fs []finding.Finding
	var globals []*Entry
	for _, e := range r.Entries {
		if e.Kind == fleet.KindGlobal {
			globals = append(globals, e)
		}
	}
	for _, g := range globals[min(1, len(globals)):] {
		loc := g.Locate([]any{"org_settings"}, true)
		fs = append(fs, finding.Finding{RuleID: "file-kind", Severity: finding.Error, Source: "load",
			Message:  fmt.Sprintf("only one global file may be given to fleetctl gitops; %s is already the global file", globals[0].File.Path),
			Location: loc})
	}
	// Global first, then the others in the order given (fleetctl applies in that order).
	slices.SortStableFunc(r.Entries, func(a, b *Entry) int {
		return boolInt(b.Kind == fleet.KindGlobal) - boolInt(a.Kind == fleet.KindGlobal)
	})
	return fs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FileRoles maps the files that refs reach to what they are for fleetctl: "profile", "script"
// and so on (a script-only software package counts as a script).
func FileRoles(refs []Ref) map[string]string {
	roles := map[string]string{}
	for _, ref := range refs {
		switch {
		case ref.File == nil || ref.Role == "include":
		case ref.Role == "package" && !isYAMLName(ref.File.Path):
			roles[ref.File.Path] = "script" // a script-only software package (Fleet 4.82+)
		case ref.Role != "package":
			roles[ref.File.Path] = ref.Role
		}
	}
	return roles
}

// ScanFileEnv returns the environment references of one file read: every reference of a YAML
// file, the $FLEET_SECRET_* references of a profile or script (role as FileRoles gives it).
func ScanFileEnv(f *File, role string) ([]EnvRef, []finding.Finding) {
	if f.Node != nil || f.Problems != nil && isYAMLName(f.Path) {
		return ScanYAMLEnv(f)
	}
	switch role {
	case "profile", "script":
		return ScanSecretRefs(f, role), nil
	}
	return nil, nil
}

func isYAMLName(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yml" || ext == ".yaml"
}
