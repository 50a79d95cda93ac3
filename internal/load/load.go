package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Options configure a load.
type Options struct {
	Root    string   // repository root; "" means FindRoot of the first target
	Entries []string // entry files (absolute or relative to the working directory)
	Limits  yamlsrc.Limits
	Workers int // 0 means GOMAXPROCS
}

// Load reads the entry files and everything they reach. It never stops at a bad file: every
// problem becomes a finding and the rest of the repository is still read.
func Load(ctx context.Context, opts Options) (*Repo, error) {
	repo, abs, err := Open(opts)
	if err != nil {
		return nil, err
	}
	type result struct {
		entry    *Entry
		findings []finding.Finding
		refs     []Ref
		packages []*Doc
	}
	results := make([]result, len(abs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(abs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				e, fs, refs, pkgs := repo.LoadEntry(abs[i])
				results[i] = result{e, fs, refs, pkgs}
			}
		}()
	}
	for i := range abs {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	for _, r := range results {
		if r.entry != nil {
			repo.Entries = append(repo.Entries, r.entry)
		}
		repo.Findings = append(repo.Findings, r.findings...)
		repo.Refs = append(repo.Refs, r.refs...)
		repo.Packages = append(repo.Packages, r.packages...)
	}
	repo.Findings = append(repo.Findings, repo.CheckGlobals()...)
	repo.scanEnv()
	return repo, nil
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
	root := opts.Root
	if root == "" {
		root = FindRoot(filepath.Dir(opts.Entries[0]))
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, err
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	repo := &Repo{Root: root, files: newFileSet(root, opts.Limits)}
	abs := make([]string, len(opts.Entries))
	realDirs := map[string]string{}
	wd, err := os.Getwd() // once: filepath.Abs asks the system for every path
	if err != nil {
		return nil, nil, err
	}
	for i, e := range opts.Entries {
		a := filepath.Clean(e)
		if !filepath.IsAbs(a) {
			a = filepath.Join(wd, a)
		}
		// Entries are addressed through the real root so relative paths stay inside it. Entry
		// files share a few directories: resolve each directory once.
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
		abs[i] = a
		if filepath.Base(filepath.Dir(a)) == "fleets" {
			repo.Era = EraFleets
		}
	}
	if repo.Era == EraTeams && hasDir(filepath.Join(filepath.Dir(abs[0]), "fleets")) {
		repo.Era = EraFleets
	}
	return repo, abs, nil
}

func hasDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// CheckGlobals applies fleetctl's cross-file checks on entry kinds (one global file) and puts
// the global entry first, the others in the order given (fleetctl applies in that order).
func (r *Repo) CheckGlobals() []finding.Finding {
	var fs []finding.Finding
	var globals []*Entry
	for _, e := range r.Entries {
		if e.Kind == KindGlobal {
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
		return boolInt(b.Kind == KindGlobal) - boolInt(a.Kind == KindGlobal)
	})
	return fs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scanEnv records the environment references of every YAML file and the $FLEET_SECRET_*
// references of every profile and script, each file once.
func (r *Repo) scanEnv() {
	roles := FileRoles(r.Refs)
	for _, f := range r.Files() {
		refs, fs := ScanFileEnv(f, roles[f.Path])
		r.EnvRefs = append(r.EnvRefs, refs...)
		r.Findings = append(r.Findings, fs...)
	}
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
