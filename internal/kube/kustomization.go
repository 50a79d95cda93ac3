package kube

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Kustomization is a kustomization.yaml: what kustomize build reads in its directory.
type Kustomization struct {
	File *File
	Dir  string // repository-relative directory
	Root *yaml.Node
	// Value is the file as plain values (for the Rego input).
	Value map[string]any
	// Resources are the resources, bases and components it names, resolved in the
	// repository; Patches the patch files.
	Resources, Patches []Ref
	Namespace          string
	// CommonLabels: commonLabels (or labels with includeSelectors) is set, so kustomize adds
	// spec.selector to what it builds.
	CommonLabels bool
	// HelmCharts: helmCharts is set (Helm charts are out of scope; said in a note).
	HelmCharts bool
}

// Ref is one file or directory a kustomization names.
type Ref struct {
	Raw    string // as written
	Target string // repository-relative, cleaned ("" for a remote or escaping reference)
	Remote bool   // a URL or a remote base (git, http, github.com/…)
	Path   []any  // data path of the reference in the kustomization
	Inline bool   // an inline patch (no file)
}

// remoteRef: kustomize fetches these (git clones, HTTP): anything with a scheme, an scp-like
// git address, or a host-looking first element (github.com/org/repo//path).
func remoteRef(s string) bool {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git::") {
		return true
	}
	first, _, _ := strings.Cut(s, "/")
	return strings.Contains(first, ".") && first != "." && first != ".." && !strings.HasSuffix(first, ".yaml") &&
		!strings.HasSuffix(first, ".yml") && !strings.HasSuffix(first, ".json") && strings.Contains(s, "/")
}

// parseKustomization reads a kustomization file's references.
func parseKustomization(f *File, root *yaml.Node, value any) (*Kustomization, []finding.Finding) {
	k := &Kustomization{File: f, Dir: path.Dir(f.Path), Root: root}
	k.Value, _ = value.(map[string]any)
	var probs []finding.Finding
	if k.Value == nil {
		return k, []finding.Finding{at(f.Path, max(root.Line, 1), 1, RuleKustomizationInvalid, finding.Error,
			"a kustomization must be a mapping (resources, patches, …)")}
	}
	ref := func(p []any, raw string) Ref {
		r := Ref{Raw: raw, Path: p}
		switch {
		case remoteRef(raw):
			r.Remote = true
		default:
			t := path.Clean(path.Join(k.Dir, raw))
			if t == ".." || strings.HasPrefix(t, "../") || path.IsAbs(raw) {
				probs = append(probs, locAt(f, root, p, RuleKustomizationInvalid, finding.Error,
					fmt.Sprintf("%q leads out of the repository: kustomize would read what tollgate cannot check", raw)))
				break
			}
			r.Target = t
		}
		return r
	}
	for _, key := range []string{"resources", "bases", "components"} {
		for i, v := range list(k.Value[key]) {
			if s, ok := v.(string); ok {
				k.Resources = append(k.Resources, ref([]any{key, i}, s))
			}
		}
	}
	for _, key := range []string{"patchesStrategicMerge", "patchesJson6902", "patches"} {
		for i, v := range list(k.Value[key]) {
			switch x := v.(type) {
			case string:
				if strings.Contains(x, "\n") || strings.Contains(x, ":") && !strings.HasSuffix(x, ".yaml") && !strings.HasSuffix(x, ".yml") {
					k.Patches = append(k.Patches, Ref{Raw: x, Path: []any{key, i}, Inline: true})
					continue
				}
				k.Patches = append(k.Patches, ref([]any{key, i}, x))
			case map[string]any:
				if p, ok := x["path"].(string); ok {
					k.Patches = append(k.Patches, ref([]any{key, i, "path"}, p))
				} else if _, ok := x["patch"]; ok {
					k.Patches = append(k.Patches, Ref{Raw: "", Path: []any{key, i, "patch"}, Inline: true})
				}
			}
		}
	}
	k.Namespace, _ = k.Value["namespace"].(string)
	if m, ok := k.Value["commonLabels"].(map[string]any); ok && len(m) > 0 {
		k.CommonLabels = true
	}
	for _, l := range list(k.Value["labels"]) {
		if m, ok := l.(map[string]any); ok && m["includeSelectors"] == true {
			k.CommonLabels = true
		}
	}
	_, k.HelmCharts = k.Value["helmCharts"]
	for _, r := range append(append([]Ref{}, k.Resources...), k.Patches...) {
		if r.Remote {
			probs = append(probs, locAt(f, root, r.Path, RuleKustomizationRemote, finding.Warning,
				fmt.Sprintf("remote base %q is not read: tollgate checks only what is in the repository, and kustomize build --render refuses it", r.Raw)))
		}
	}
	return k, probs
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// locAt is a finding at a data path of a single-document file.
func locAt(f *File, root *yaml.Node, p []any, rule string, sev finding.Severity, msg string) finding.Finding {
	d := &Doc{File: f, Root: root, Line: max(root.Line, 1)}
	return finding.Finding{RuleID: rule, Severity: sev, Message: msg, Source: "kustomize", Location: d.Locate(p, false)}
}
