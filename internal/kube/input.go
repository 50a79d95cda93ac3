package kube

import "slices"

// InputKind is input.kind for the Kubernetes kind's rules.
const InputKind = "kubernetes"

// DocumentInput is one document as the rules see it (docs/policies.md, "Kubernetes"):
// where it is, what it is, the object itself, and what applies it.
func (r *Repo) DocumentInput(d *Doc, appliers map[*Doc][]any) map[string]any {
	in := map[string]any{
		"file":       d.File.Path,
		"index":      d.Index,
		"line":       d.Line,
		"apiVersion": d.APIVersion,
		"kind":       d.Kind,
		"name":       d.Name,
		"namespace":  d.Namespace,
		"doc":        d.Value,
		"patch":      d.Patch,
		"encrypted":  d.Encrypted,
		"appliers":   orEmpty(appliers[d]),
	}
	if d.Overlay != "" {
		in["rendered"] = map[string]any{"overlay": d.Overlay}
	}
	return in
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// RepoInput is the part of the input every batch of documents shares: the appliers, the
// identities more than one applier applies, and the kustomizations. appliers maps each
// document to its entries of documents[].appliers.
func (r *Repo) RepoInput() (shared map[string]any, appliers map[*Doc][]any) {
	var list []any
	appliers = map[*Doc][]any{}
	by := map[string][]string{} // identity → applier names
	for i, a := range r.Appliers {
		name := a.Name()
		list = append(list, map[string]any{
			"controller":       a.Controller,
			"file":             a.Doc.File.Path,
			"index":            a.Doc.Index,
			"kind":             a.Doc.Kind,
			"name":             a.Doc.Name,
			"namespace":        a.Doc.Namespace,
			"id":               name,
			"path":             a.Path,
			"target_namespace": a.Namespace,
			"decryption":       a.Decryption,
		})
		for _, x := range a.Applied {
			id := x.Identity.String()
			appliers[x.Doc] = append(appliers[x.Doc], map[string]any{"applier": i, "identity": id})
			if !slices.Contains(by[id], name) {
				by[id] = append(by[id], name)
			}
		}
	}
	shared = map[string]any{}
	for id, names := range by {
		if len(names) > 1 {
			slices.Sort(names)
			shared[id] = toAny(names)
		}
	}
	var kusts []any
	for _, k := range r.Kustomizations {
		var res, patches []any
		for _, ref := range k.Resources {
			res = append(res, ref.Target)
		}
		for _, ref := range k.Patches {
			patches = append(patches, ref.Target)
		}
		kusts = append(kusts, map[string]any{"file": k.File.Path, "dir": k.Dir, "namespace": k.Namespace,
			"resources": orEmpty(res), "patches": orEmpty(patches), "doc": k.Value})
	}
	return map[string]any{
		"appliers":       orEmpty(list),
		"shared":         shared,
		"kustomizations": orEmpty(kusts),
	}, appliers
}

// Name is how findings name an applier: "Application argocd/demo", "Kustomization
// flux-system/apps".
func (a *Applier) Name() string {
	ns := a.Doc.Namespace
	if ns == "" {
		ns = "default"
	}
	return a.Doc.Kind + " " + ns + "/" + a.Doc.Name
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// Input is the whole input of one evaluation over docs (a batch of r.Docs), with shared from
// RepoInput.
func (r *Repo) Input(docs []*Doc, shared map[string]any, appliers map[*Doc][]any) map[string]any {
	list := make([]any, len(docs))
	for i, d := range docs {
		list[i] = r.DocumentInput(d, appliers)
	}
	in := map[string]any{"kind": InputKind, "documents": list}
	for k, v := range shared {
		in[k] = v
	}
	return in
}
