package kube

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Options configure a load.
type Options struct {
	// Source is what the files are read from; nil means the working tree at Root.
	Source load.Source
	Root   string // the repository root, absolute
	// Dir is the directory to check, an io/fs name under the root ("." for all of it).
	Dir string
	// Exclude names files another kind of the same run reads (the Fleet repository's): they
	// are neither checked here nor said to be skipped.
	Exclude func(name string) bool
	Limits  yamlsrc.Limits
	Workers int
	// Progress, when set, is called after each file is read (to pace the collector).
	Progress func()
}

// ErrNoManifests is returned by Load when the directory holds no Kubernetes manifest.
var ErrNoManifests = errors.New("no Kubernetes manifests")

// Load reads the Kubernetes manifests and kustomizations under opts.Dir. A file that cannot be
// read or parsed is a finding, never the end of the run; a directory that cannot be listed is
// an error (which files Argo CD or Flux would apply is then unknown). ErrNoManifests says the
// directory has no manifest at all (the caller decides whether that is a problem).
func Load(opts Options) (*Repo, error) {
	if opts.Source == nil {
		opts.Source = load.DirSource(opts.Root)
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Limits == (yamlsrc.Limits{}) {
		opts.Limits = yamlsrc.DefaultLimits
	}
	cands, charts, err := walk(opts.Source, opts.Dir)
	if err != nil {
		return nil, err
	}
	r := &Repo{byPath: map[string]*File{}, kustByDir: map[string]*Kustomization{}}
	for _, c := range charts {
		r.Problems = append(r.Problems, at(path.Join(c, "Chart.yaml"), 1, 1, RuleFileSkipped, finding.Note,
			fmt.Sprintf("Helm chart %s: its templates and values are not checked (Helm charts are out of scope: render them with helm template into a directory, and lint that)", c)))
	}
	var todo []candidate
	for _, c := range cands {
		if ownConfig(c.name) || c.chart != "" || opts.Exclude != nil && opts.Exclude(c.name) {
			continue
		}
		if ciFile(c.name) {
			r.Problems = append(r.Problems, at(c.name, 1, 1, RuleFileSkipped, finding.Note,
				"CI or tool configuration, not a Kubernetes manifest: not checked"))
			continue
		}
		todo = append(todo, c)
	}
	results := make([]fileResult, len(todo))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i] = readFile(opts, todo[i].name)
				if opts.Progress != nil {
					opts.Progress()
				}
			}
		})
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	referenced := r.addKustomizations(results)
	for i := range results {
		r.addManifests(&results[i], referenced)
	}
	r.markKustomized()
	if len(r.Docs) == 0 && len(r.Kustomizations) == 0 {
		return r, ErrNoManifests
	}
	r.buildAppliers()
	finding.Sort(r.Problems)
	return r, nil
}

// fileResult is one file read and parsed by a worker.
type fileResult struct {
	file    *File
	parsed  parsed
	objects []object
	err     finding.Finding // the file could not be read (RuleID "" when it was)
	skip    string          // why the file is not a manifest ("" when it may be one)
}

// object is a parsed YAML document reduced, on the worker that parsed it, to what the
// repository keeps: its value and a few positions. Its nodes are let go (a document's
// source parses them again when a finding needs a position); a kustomization keeps them.
type object struct {
	src       *docSource
	value     any
	err       error // the value could not be made (an alias bomb)
	errAt     [2]int
	manifest  bool  // apiVersion or kind is a top-level key
	first     int   // the line of its first key
	itemLines []int // a List's items' lines
	root      *yaml.Node
}

func objects(f *File, p parsed, lim yamlsrc.Limits, keepNodes bool) []object {
	out := make([]object, len(p.docs))
	for i, n := range p.docs {
		root, pt := n.Content[0], p.parts[i]
		o := object{src: &docSource{file: f, from: pt.off, to: pt.off + len(pt.text), start: pt.start, limits: lim},
			manifest: topKey(root, "apiVersion") != nil || topKey(root, "kind") != nil, first: max(pt.start, root.Line)}
		if len(root.Content) > 0 {
			o.first = root.Content[0].Line // the first key, not the --- above it
		}
		if keepNodes {
			o.root = root
		}
		o.value, o.err = yamlsrc.ToAny(root, yamlsrc.DefaultLimits.MaxNodes)
		o.errAt = [2]int{root.Line, root.Column}
		if items := topKey(root, "items"); items != nil {
			for _, it := range items.Content {
				o.itemLines = append(o.itemLines, it.Line)
			}
		}
		out[i] = o
	}
	return out
}

func readFile(opts Options, name string) fileResult {
	f := &File{Path: name}
	data, err := load.ReadIn(opts.Source, opts.Root, name, int64(opts.Limits.MaxBytes))
	if err != nil {
		return fileResult{file: f, err: at(name, 1, 1, catalog.FileInvalid, finding.Error,
			fmt.Sprintf("cannot read %s: %v", name, readError(err)))}
	}
	f.Data = data
	if templated(data) && !kustomizationName(name) {
		return fileResult{file: f, skip: "a template ({{ }} actions), not a manifest: not checked"}
	}
	p := parseFile(name, data, opts.Limits)
	res := fileResult{file: f, objects: objects(f, p, opts.Limits, kustomizationName(name))}
	p.docs = nil
	res.parsed = p
	return res
}

func readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// addKustomizations records the kustomization files, and returns the files they name as
// patches and the resources they name (a JSON 6902 patch file has no apiVersion and kind).
func (r *Repo) addKustomizations(results []fileResult) map[string]bool {
	referenced := map[string]bool{}
	for i := range results {
		res := &results[i]
		if !kustomizationName(res.file.Path) || res.err.RuleID != "" {
			continue
		}
		r.addFile(res.file)
		r.Problems = append(r.Problems, res.parsed.problems...)
		res.parsed.problems = nil
		if res.parsed.fatal || len(res.objects) == 0 {
			res.skip = "-"
			continue
		}
		o := res.objects[0]
		if o.err != nil {
			r.Problems = append(r.Problems, at(res.file.Path, o.errAt[0], o.errAt[1], catalog.FileInvalid, finding.Error, kubeWords(o.err.Error())))
			res.skip = "-"
			continue
		}
		k, probs := parseKustomization(res.file, o.root, o.value)
		r.Problems = append(r.Problems, probs...)
		r.Kustomizations = append(r.Kustomizations, k)
		r.kustByDir[k.Dir] = k
		for _, p := range k.Patches {
			if p.Target != "" {
				referenced[p.Target] = true
			}
		}
		res.skip = "-" // read as a kustomization, not as manifests
	}
	return referenced
}

func (r *Repo) addFile(f *File) {
	if r.byPath[f.Path] == nil {
		r.byPath[f.Path] = f
		r.Files = append(r.Files, f)
	}
}

// addManifests turns a parsed file into documents, or says why it is not checked.
func (r *Repo) addManifests(res *fileResult, referenced map[string]bool) {
	f := res.file
	switch {
	case res.skip == "-":
		return
	case res.err.RuleID != "":
		r.addFile(f)
		r.Problems = append(r.Problems, res.err)
		return
	case res.skip != "":
		r.Problems = append(r.Problems, at(f.Path, 1, 1, RuleFileSkipped, finding.Note, res.skip))
		return
	}
	p := res.parsed
	if p.fatal && !looksLikeManifest(f.Data) && !referenced[f.Path] {
		r.Problems = append(r.Problems, at(f.Path, 1, 1, RuleFileSkipped, finding.Note,
			"does not parse as YAML and has no apiVersion or kind: not a Kubernetes manifest, not checked"))
		return
	}
	manifest := p.fatal
	for _, o := range res.objects {
		manifest = manifest || o.manifest
	}
	if !manifest && len(res.objects) == 0 && !p.fatal {
		r.Problems = append(r.Problems, at(f.Path, 1, 1, RuleFileSkipped, finding.Note, "empty (no YAML document): nothing to check"))
		return
	}
	if !manifest {
		if !referenced[f.Path] { // a JSON 6902 patch file is the kustomization's business
			r.Problems = append(r.Problems, at(f.Path, 1, 1, RuleFileSkipped, finding.Note,
				"no document has apiVersion and kind: not a Kubernetes manifest (values or application configuration), not checked"))
		}
		return
	}
	r.addFile(f)
	r.Problems = append(r.Problems, p.problems...)
	for _, o := range res.objects {
		r.addDocs(f, o)
	}
}

// addDocs adds the documents of one YAML document: the object itself, or a List's items.
func (r *Repo) addDocs(f *File, o object) {
	if o.err != nil {
		r.Problems = append(r.Problems, at(f.Path, o.errAt[0], o.errAt[1], catalog.FileInvalid, finding.Error, kubeWords(o.err.Error())))
		return
	}
	m, _ := o.value.(map[string]any)
	kind, _ := m["kind"].(string)
	items, isList := m["items"].([]any)
	if isList && (kind == "List" || strings.HasSuffix(kind, "List")) {
		for i, it := range items {
			line := o.first
			if i < len(o.itemLines) {
				line = o.itemLines[i]
			}
			r.addDoc(&Doc{File: f, src: o.src, Base: []any{"items", i}, Value: it, Line: line})
		}
		return
	}
	r.addDoc(&Doc{File: f, src: o.src, Value: o.value, Line: o.first})
}

func (r *Repo) addDoc(d *Doc) {
	d.Index = len(d.File.Docs)
	if m := d.Object(); m != nil {
		d.APIVersion, _ = m["apiVersion"].(string)
		d.Kind, _ = m["kind"].(string)
		if meta, ok := m["metadata"].(map[string]any); ok {
			d.Name, _ = meta["name"].(string)
			d.Namespace, _ = meta["namespace"].(string)
		}
		_, d.Encrypted = m["sops"].(map[string]any)
	}
	d.File.Docs = append(d.File.Docs, d)
	r.Docs = append(r.Docs, d)
}

// markKustomized marks the documents kustomizations use as patches, and those under
// commonLabels.
func (r *Repo) markKustomized() {
	for _, k := range r.Kustomizations {
		for _, p := range k.Patches {
			if f := r.File(p.Target); f != nil {
				for _, d := range f.Docs {
					d.Patch = true
				}
			}
		}
		if k.CommonLabels {
			for _, d := range r.KustomizationDocs(k) {
				d.SelectorFromLabels = true
			}
		}
	}
	for _, k := range r.Kustomizations {
		for i, ref := range append(slices.Clone(k.Resources), k.Patches...) {
			if ref.Target == "" || r.File(ref.Target) != nil || r.kustByDir[ref.Target] != nil || r.dirHas(ref.Target) {
				continue
			}
			what := "resource"
			if i >= len(k.Resources) {
				what = "patch"
			}
			r.Problems = append(r.Problems, locAt(k.File, k.Root, ref.Path, RuleKustomizationInvalid, finding.Error,
				fmt.Sprintf("%s %q does not exist (paths are relative to %s/); kustomize build fails on it", what, ref.Raw, k.Dir)))
		}
	}
}

// dirHas: some loaded or skipped file lies under dir (a resource may name a directory with a
// kustomization, or a file the loader skipped as a non-manifest).
func (r *Repo) dirHas(name string) bool {
	for _, f := range r.Files {
		if strings.HasPrefix(f.Path, name+"/") || f.Path == name {
			return true
		}
	}
	for _, p := range r.Problems {
		if p.RuleID == RuleFileSkipped && (p.Location.File == name || strings.HasPrefix(p.Location.File, name+"/")) {
			return true
		}
	}
	return false
}

// KustomizationDocs are the documents a kustomization builds from, through its resources and
// the kustomizations they name (not its patches).
func (r *Repo) KustomizationDocs(k *Kustomization) []*Doc {
	var out []*Doc
	seen := map[string]bool{}
	var visit func(k *Kustomization)
	visit = func(k *Kustomization) {
		if seen[k.Dir] {
			return
		}
		seen[k.Dir] = true
		for _, ref := range k.Resources {
			if ref.Target == "" {
				continue
			}
			if sub := r.kustByDir[ref.Target]; sub != nil {
				visit(sub)
				continue
			}
			if f := r.File(ref.Target); f != nil {
				out = append(out, f.Docs...)
			}
		}
	}
	visit(k)
	return out
}

// Kustomization returns the kustomization of a directory, or nil.
func (r *Repo) Kustomization(dir string) *Kustomization { return r.kustByDir[dir] }

// KustomizationDoc is the kustomization file as a document, to place findings about what it
// generates (a resource of --render with no source document of its own). It is added to the
// file's documents on first use, never to Repo.Docs.
func (r *Repo) KustomizationDoc(k *Kustomization) *Doc {
	if len(k.File.Docs) == 0 {
		d := &Doc{File: k.File, Root: k.Root, Value: k.Value, Line: max(k.Root.Line, 1), Kind: "Kustomization"}
		d.APIVersion, _ = k.Value["apiVersion"].(string)
		k.File.Docs = append(k.File.Docs, d)
	}
	return k.File.Docs[0]
}
