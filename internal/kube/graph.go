package kube

import (
	"path"
	"slices"
	"strings"
)

// Applier is a GitOps controller object of the repository: an Argo CD Application or a Flux
// Kustomization, and the documents of this repository it applies.
type Applier struct {
	Doc        *Doc
	Controller string // "argocd" or "flux"
	// Path is the directory it applies, repository-relative ("" when it is not a directory of
	// this repository: another repository, a Helm chart, an OCI artifact).
	Path string
	// Namespace is where its objects go when they name none (Application
	// spec.destination.namespace); Force when it overrides theirs too (Flux targetNamespace).
	Namespace string
	Force     bool
	// Decryption is a Flux Kustomization's spec.decryption.provider ("" when none).
	Decryption string
	// Applied are the documents it applies, each with the identity it gets on the cluster.
	Applied []Applied
	seen    map[*Doc]bool
}

// Applied is one document an applier applies, under the identity it gets there.
type Applied struct {
	Doc      *Doc
	Identity Identity
}

// buildAppliers finds the Applications and Flux Kustomizations and follows their paths in the
// repository. A source is taken to be this repository when its path is a directory here (an
// Application's repoURL or a GitRepository's url cannot be compared with a checkout's); a Flux
// Kustomization without a path (the source's root) counts only when its source is the
// bootstrap's flux-system GitRepository, which is the repository Flux was bootstrapped from.
func (r *Repo) buildAppliers() {
	for _, d := range r.Docs {
		if d.Patch {
			continue
		}
		m := d.Object()
		spec, _ := m["spec"].(map[string]any)
		switch {
		case d.Group() == "argoproj.io" && d.Kind == "Application":
			a := &Applier{Doc: d, Controller: "argocd"}
			if dest, ok := spec["destination"].(map[string]any); ok {
				a.Namespace, _ = dest["namespace"].(string)
			}
			var sources []map[string]any
			if s, ok := spec["source"].(map[string]any); ok {
				sources = append(sources, s)
			}
			for _, s := range list(spec["sources"]) {
				if sm, ok := s.(map[string]any); ok {
					sources = append(sources, sm)
				}
			}
			for _, s := range sources {
				p, _ := s["path"].(string)
				if _, chart := s["chart"]; chart || p == "" {
					continue
				}
				recurse := false
				if dir, ok := s["directory"].(map[string]any); ok {
					recurse, _ = dir["recurse"].(bool)
				}
				r.follow(a, cleanDir(p), recurse)
			}
			r.Appliers = append(r.Appliers, a)
		case d.Group() == "kustomize.toolkit.fluxcd.io" && d.Kind == "Kustomization":
			a := &Applier{Doc: d, Controller: "flux"}
			a.Namespace, _ = spec["targetNamespace"].(string)
			a.Force = a.Namespace != ""
			if dec, ok := spec["decryption"].(map[string]any); ok {
				a.Decryption, _ = dec["provider"].(string)
			}
			p, _ := spec["path"].(string)
			src, _ := spec["sourceRef"].(map[string]any)
			srcName, _ := src["name"].(string)
			if dir := cleanDir(p); dir != "." || srcName == "flux-system" {
				r.follow(a, dir, true)
			}
			r.Appliers = append(r.Appliers, a)
		}
	}
}

func cleanDir(p string) string {
	return path.Clean(strings.TrimPrefix(strings.TrimSpace(p), "/"))
}

// follow adds to a what its directory holds: the kustomization's build when there is one,
// else the manifests in it (and below it, with recurse: Flux generates a kustomization of
// every manifest in the tree; Argo CD reads one directory unless directory.recurse is set).
func (r *Repo) follow(a *Applier, dir string, recurse bool) {
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return
	}
	if k := r.kustByDir[dir]; k != nil {
		a.Path = dir
		r.applyKustomization(a, k, "")
		return
	}
	files := r.filesUnder(dir, recurse)
	if len(files) == 0 {
		return
	}
	a.Path = dir
	for _, f := range files {
		for _, d := range f.Docs {
			if !d.Patch {
				a.add(d, "")
			}
		}
	}
}

// applyKustomization adds what a kustomization builds; ns is the namespace an enclosing
// kustomization sets (the outermost one wins, as kustomize applies it last).
func (r *Repo) applyKustomization(a *Applier, k *Kustomization, ns string) {
	seen := map[string]bool{}
	var visit func(k *Kustomization, ns string)
	visit = func(k *Kustomization, ns string) {
		if seen[k.Dir] {
			return
		}
		seen[k.Dir] = true
		if ns == "" {
			ns = k.Namespace
		}
		for _, ref := range k.Resources {
			if ref.Target == "" {
				continue
			}
			if sub := r.kustByDir[ref.Target]; sub != nil {
				visit(sub, ns)
				continue
			}
			if f := r.File(ref.Target); f != nil {
				for _, d := range f.Docs {
					a.add(d, ns)
				}
			}
		}
	}
	visit(k, ns)
}

// add records a document under the identity it gets: a forced namespace (Flux
// targetNamespace), else a kustomization's, else its own, else the applier's default.
func (a *Applier) add(d *Doc, kustNS string) {
	id := d.Identity(a.Namespace)
	if !ClusterScoped(d.Group(), d.Kind) {
		switch {
		case a.Force:
			id.Namespace = a.Namespace
		case kustNS != "":
			id.Namespace = kustNS
		}
	}
	if a.seen == nil {
		a.seen = map[*Doc]bool{}
	}
	if a.seen[d] {
		return
	}
	a.seen[d] = true
	a.Applied = append(a.Applied, Applied{Doc: d, Identity: id})
}

// filesUnder lists the manifest files in dir (and below it, with recurse), from an index of
// the files by directory built on first use: an applier looks up its directory, not every
// file of the repository (5,000 Applications in a 10,000-file repository).
func (r *Repo) filesUnder(dir string, recurse bool) []*File {
	if r.byDir == nil {
		r.byDir = map[string][]*File{}
		for _, f := range r.Files {
			if !kustomizationName(f.Path) {
				d := path.Dir(f.Path)
				r.byDir[d] = append(r.byDir[d], f)
				r.dirs = append(r.dirs, d)
			}
		}
		slices.Sort(r.dirs)
		r.dirs = slices.Compact(r.dirs)
	}
	if !recurse {
		return r.byDir[dir]
	}
	if dir == "." {
		var all []*File
		for _, d := range r.dirs {
			all = append(all, r.byDir[d]...)
		}
		return all
	}
	out := slices.Clone(r.byDir[dir])
	i, _ := slices.BinarySearch(r.dirs, dir+"/")
	for ; i < len(r.dirs) && strings.HasPrefix(r.dirs[i], dir+"/"); i++ {
		out = append(out, r.byDir[r.dirs[i]]...)
	}
	return out
}
