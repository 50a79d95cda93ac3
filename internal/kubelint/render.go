package kubelint

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// maxRenderBytes bounds what one overlay's build may read from the repository.
const maxRenderBytes = 64 << 20

// fsRoot is where the repository sits in kustomize's in-memory file system.
const fsRoot = "/repo"

// render builds every overlay (a kustomization no other kustomization names) with the
// Kustomize library, as `kustomize build` does, over an in-memory copy of the files the
// build may read: the directories of the kustomizations it reaches. Nothing is read from
// outside the repository or from the network (an overlay that reaches a remote base is not
// built: the loader said so), no plugin, exec function or Helm chart runs. Each resource built
// becomes a document whose findings are placed on the source document it came from: its
// original group, kind, name and namespace matched among the documents the overlay's
// resources lead to; a resource with no source document (a generated ConfigMap or Secret) is
// placed at the overlay's kustomization.
func render(repo *kube.Repo, opts Options) ([]*kube.Doc, []finding.Finding) {
	src := opts.Source
	if src == nil {
		src = load.DirSource(opts.Root)
	}
	named := map[string]bool{}
	for _, k := range repo.Kustomizations {
		for _, r := range k.Resources {
			if repo.Kustomization(r.Target) != nil {
				named[r.Target] = true
			}
		}
	}
	var docs []*kube.Doc
	var fs []finding.Finding
	for _, k := range repo.Kustomizations {
		if named[k.Dir] {
			continue
		}
		closure, why := closureOf(repo, k)
		if why != "" {
			fs = append(fs, noteAt(k, why))
			continue
		}
		mem, err := copyDirs(src, opts.Root, closure)
		if err != nil {
			fs = append(fs, buildError(k, err))
			continue
		}
		if err := trackOrigins(mem, k); err != nil {
			fs = append(fs, buildError(k, err))
			continue
		}
		rm, warnings, err := build(mem, path.Join(fsRoot, k.Dir))
		for _, w := range warnings {
			f := noteAt(k, "")
			f.Message = fmt.Sprintf("kustomize, building overlay %s: %s", k.Dir, w)
			fs = append(fs, f)
		}
		if err != nil {
			fs = append(fs, buildError(k, err))
			continue
		}
		for _, res := range rm.Resources() {
			d, err := renderedDoc(repo, k, res)
			if err != nil {
				fs = append(fs, buildError(k, err))
				continue
			}
			docs = append(docs, d)
		}
	}
	return docs, fs
}

// stderrMu serialises builds: kustomize writes its warnings (a deprecated field) straight
// to os.Stderr, which build points at a temporary file for the duration of one build, so they
// become findings instead of noise around the report. Nothing else of tollgate writes to
// standard error while the checks run.
var stderrMu sync.Mutex

// build runs kustomize build on dir, and returns the warnings it wrote ("'bases' is
// deprecated. Please use 'resources' instead.").
func build(mem filesys.FileSystem, dir string) (resmap.ResMap, []string, error) {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	tmp, err := os.CreateTemp("", "tollgate-kustomize-*.log")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	saved := os.Stderr
	os.Stderr = tmp
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(mem, dir)
	os.Stderr = saved
	text, _ := os.ReadFile(tmp.Name())
	var warnings []string
	for _, l := range strings.Split(string(text), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "# Warning:"))
		if l != "" && !slices.Contains(warnings, l) {
			warnings = append(warnings, strings.ReplaceAll(l, fsRoot+"/", ""))
		}
	}
	return rm, warnings, err
}

// closureOf lists the kustomization directories an overlay's build reads, or says why it is
// not built.
func closureOf(repo *kube.Repo, k *kube.Kustomization) ([]string, string) {
	var dirs []string
	var why string
	var visit func(k *kube.Kustomization)
	visit = func(k *kube.Kustomization) {
		if slices.Contains(dirs, k.Dir) || why != "" {
			return
		}
		dirs = append(dirs, k.Dir)
		if k.HelmCharts {
			why = fmt.Sprintf("%s inflates Helm charts (helmCharts), which tollgate does not run: Helm charts are out of scope", k.File.Path)
			return
		}
		for _, r := range slices.Concat(k.Resources, k.Patches) {
			if r.Remote {
				why = fmt.Sprintf("%s names the remote %q, which tollgate does not fetch", k.File.Path, r.Raw)
				return
			}
			if sub := repo.Kustomization(r.Target); sub != nil {
				visit(sub)
			}
		}
	}
	visit(k)
	return dirs, why
}

// copyDirs copies the files under dirs (their subdirectories included: resources may name
// files there) into an in-memory file system, at most maxRenderBytes in all.
func copyDirs(src load.Source, root string, dirs []string) (filesys.FileSystem, error) {
	mem := filesys.MakeFsInMemory()
	total := 0
	copied := map[string]bool{}
	var walk func(dir string) error
	walk = func(dir string) error {
		ents, err := src.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("cannot read directory %s: %w", dir, err)
		}
		for _, e := range ents {
			name := path.Join(dir, e.Name())
			if copied[name] || e.Name() == ".git" {
				continue
			}
			copied[name] = true
			if e.IsDir() {
				if err := walk(name); err != nil {
					return err
				}
				continue
			}
			if e.Type()&fs.ModeType != 0 && e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			data, err := load.ReadIn(src, root, name, int64(yamlsrc.DefaultLimits.MaxBytes))
			if err != nil {
				return err
			}
			if total += len(data); total > maxRenderBytes {
				return fmt.Errorf("the build reads more than %d bytes", maxRenderBytes)
			}
			if err := mem.WriteFile(path.Join(fsRoot, name), data); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range dirs {
		if err := walk(d); err != nil {
			return nil, err
		}
	}
	return mem, nil
}

// trackOrigins has kustomize record where each resource comes from: the overlay's
// kustomization, as copied, asks for buildMetadata: [originAnnotations], which annotates
// every resource with the file it was read from (config.kubernetes.io/origin).
func trackOrigins(mem filesys.FileSystem, k *kube.Kustomization) error {
	m := maps.Clone(k.Value)
	var meta []any
	for _, v := range list(m["buildMetadata"]) {
		if v != "originAnnotations" {
			meta = append(meta, v)
		}
	}
	m["buildMetadata"] = append(meta, "originAnnotations")
	text, err := yaml.Marshal(m)
	if err != nil {
		return err
	}
	return mem.WriteFile(path.Join(fsRoot, k.File.Path), text)
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// renderedDoc turns a built resource into a document placed on its source: the file its
// origin annotation names, the document there of the same kind whose name the overlay's
// name prefix and suffix keep (the only one of its kind, else the first).
func renderedDoc(repo *kube.Repo, k *kube.Kustomization, res *resource.Resource) (*kube.Doc, error) {
	origin, err := res.GetOrigin()
	if err != nil {
		return nil, err
	}
	if err := res.SetOrigin(nil); err != nil {
		return nil, err
	}
	text, err := res.AsYAML()
	if err != nil {
		return nil, err
	}
	node, probs := yamlsrc.Parse(text, yamlsrc.DefaultLimits)
	if node == nil {
		return nil, fmt.Errorf("kustomize wrote YAML that does not parse: %s", probs[0].Message)
	}
	v, err := yamlsrc.ToAny(node.Content[0], yamlsrc.DefaultLimits.MaxNodes)
	if err != nil {
		return nil, err
	}
	cur := res.CurId()
	var src *kube.Doc
	if origin != nil && origin.Repo == "" {
		if f := repo.File(path.Clean(path.Join(k.Dir, origin.Path))); f != nil {
			src = match(f.Docs, cur.Group, cur.Kind, cur.Name)
		}
	}
	d := &kube.Doc{Value: v, Overlay: k.Dir}
	if src != nil {
		d.File, d.Index, d.Base, d.Line = src.File, src.Index, src.Base, src.Line
		d.SameSource(src)
	} else {
		at := repo.KustomizationDoc(k)
		d.File, d.Index, d.Line = at.File, at.Index, at.Line
		d.SameSource(at)
	}
	m, _ := v.(map[string]any)
	d.APIVersion, _ = m["apiVersion"].(string)
	d.Kind, _ = m["kind"].(string)
	if meta, ok := m["metadata"].(map[string]any); ok {
		d.Name, _ = meta["name"].(string)
		d.Namespace, _ = meta["namespace"].(string)
	}
	return d, nil
}

// match finds a resource's source document among a file's: same group and kind, and a name
// the built one contains (kustomize adds prefixes and suffixes); the first of its kind when
// none is contained.
func match(docs []*kube.Doc, group, kind, name string) *kube.Doc {
	var first *kube.Doc
	for _, d := range docs {
		if d.Kind != kind || d.Group() != group {
			continue
		}
		if d.Name != "" && strings.Contains(name, d.Name) {
			return d
		}
		if first == nil {
			first = d
		}
	}
	return first
}

func buildError(k *kube.Kustomization, err error) finding.Finding {
	msg := strings.ReplaceAll(err.Error(), fsRoot+"/", "")
	return finding.Finding{RuleID: kube.RuleKustomizeBuild, Severity: finding.Error, Source: "kustomize",
		Message:  fmt.Sprintf("overlay %s does not build: %s", k.Dir, msg),
		Location: finding.Location{File: k.File.Path, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}}
}

func noteAt(k *kube.Kustomization, why string) finding.Finding {
	return finding.Finding{RuleID: kube.RuleKustomizeBuild, Severity: finding.Note, Source: "kustomize",
		Message:  fmt.Sprintf("overlay %s is not rendered: %s", k.Dir, why),
		Location: finding.Location{File: k.File.Path, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}}
}
