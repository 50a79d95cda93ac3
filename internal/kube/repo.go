// Package kube is the Kubernetes kind of repository: a GitOps repository of manifests applied
// by Argo CD or Flux (YAML and JSON files of apiVersion/kind documents, multi-document files,
// List kinds, Kustomize directories). It finds and reads the manifests through the same
// load.Source as the Fleet loader (the working tree, or a commit), keeps every document's
// yaml.v3 nodes so a data path maps to file:line:column, and builds the graph of what applies
// what: Kustomize kustomizations, Argo CD Applications and Flux Kustomizations. The checks
// (structure, the bundled rules, conftest policies) read this model; internal/lint dispatches
// to it as it does to the Fleet loader.
package kube

import (
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Repo is a loaded Kubernetes GitOps repository.
type Repo struct {
	// Files are the manifest files read, sorted by path.
	Files []*File
	// Docs are every document of every manifest file, in file order (List items expanded).
	Docs []*Doc
	// Kustomizations are the kustomization.yaml files, by directory.
	Kustomizations []*Kustomization
	// Appliers are the Argo CD Applications and Flux Kustomizations of the repository, and
	// what each applies.
	Appliers []*Applier
	// Problems are what loading found: files that do not parse, skipped files (notes),
	// kustomizations that refer to what is not there.
	Problems []finding.Finding

	byPath    map[string]*File
	kustByDir map[string]*Kustomization
	byDir     map[string][]*File // manifest files by directory (filesUnder)
	dirs      []string           // the keys of byDir, sorted
}

// File is one manifest file (or kustomization file) of the repository.
type File struct {
	Path  string // repository-relative, slash-separated
	Data  []byte
	Docs  []*Doc
	lines *yamlsrc.Lines
}

// Lines indexes the file's text.
func (f *File) Lines() *yamlsrc.Lines {
	if f.lines == nil {
		f.lines = yamlsrc.NewLines(f.Data)
	}
	return f.lines
}

// Doc is one Kubernetes object as written in a file: a YAML document, or one item of a List.
type Doc struct {
	File  *File
	Index int // among the file's documents, List items counted one by one (0-based)
	// Root is the node the data paths start from: the document's mapping (for a List item, the
	// List's mapping, with Base leading to the item). Set for kustomizations; the documents of
	// manifest files read it with RootNode, which parses their text again when a finding needs
	// a position (keeping every document's nodes cost more memory than the whole run).
	Root *yaml.Node
	src  *docSource
	Base []any // ["items", i] for a List item, nil otherwise
	// Value is the object as Kubernetes reads it (YAML 1.1, yamlsrc.ToAny); nil when the
	// document is empty or could not be converted.
	Value any
	Line  int // the document's first line

	APIVersion, Kind, Name, Namespace string
	// Patch: a kustomization uses the file as a patch, so it names only what it changes.
	Patch bool
	// SelectorFromLabels: a kustomization over it sets commonLabels (kustomize fills in
	// spec.selector).
	SelectorFromLabels bool
	// Encrypted: the document carries SOPS metadata (a top-level sops key).
	Encrypted bool
	// Overlay is, for a resource kustomize built (--render), the overlay directory that built
	// it; File, Index and Root are then those of the source document it came from.
	Overlay string
}

// Object is the document's value as a mapping (nil when it is not one).
func (d *Doc) Object() map[string]any {
	m, _ := d.Value.(map[string]any)
	return m
}

// Group is the API group of the document's apiVersion ("" for the core group).
func (d *Doc) Group() string { return group(d.APIVersion) }

func group(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// Locate maps a data path of the object to its place: a scalar at its value, a mapping or list
// at its key (atKey: the key in any case), a list item at its first line, a missing path at its
// deepest existing ancestor's key; the document's first line when nothing matches.
func (d *Doc) Locate(path []any, atKey bool) finding.Location {
	full := slices.Concat(d.Base, path)
	loc := finding.Location{File: d.File.Path, Path: yamlsrc.FormatPath(path)}
	n := locateNode(d.RootNode(), full, atKey)
	if n == nil || n.Line <= 0 {
		loc.Start = finding.Position{Line: max(d.Line, 1), Column: 1}
		loc.End = loc.Start
		return loc
	}
	loc.Start = finding.Position{Line: n.Line, Column: n.Column}
	loc.End = finding.Position{Line: n.Line, Column: d.File.Lines().End(n)}
	return loc
}

func locateNode(root *yaml.Node, path []any, atKey bool) *yaml.Node {
	if root == nil {
		return nil
	}
	hit := yamlsrc.Lookup(root, path)
	exact := hit.Depth == len(path)
	v := hit.Value
	switch {
	case hit.Key != nil && (atKey || !exact):
		return hit.Key
	case exact && v != nil && (v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode):
		return v
	case hit.Key != nil:
		return hit.Key
	case v != nil && len(v.Content) > 0:
		return v.Content[0]
	}
	return v
}

// docSource is where a YAML document is written in its file, to parse it again.
type docSource struct {
	file     *File
	from, to int            // byte offsets in file.Data
	start    int            // the part's first line
	limits   yamlsrc.Limits // those it was first parsed with
	once     sync.Once
	root     *yaml.Node
}

// node parses the document again (once) and returns its root node, in file coordinates.
func (s *docSource) node() *yaml.Node {
	s.once.Do(func() {
		n, _ := yamlsrc.Parse(s.file.Data[s.from:s.to], yamlsrc.Limits{MaxDepth: s.limits.MaxDepth, MaxNodes: s.limits.MaxNodes})
		if n == nil || len(n.Content) == 0 {
			return
		}
		shift(n, s.start-1)
		s.root = n.Content[0]
	})
	return s.root
}

// RootNode is the node the document's data paths start from (see Root).
func (d *Doc) RootNode() *yaml.Node {
	if d.Root != nil || d.src == nil {
		return d.Root
	}
	return d.src.node()
}

// SameSource gives d the source text of another document (a rendered resource is placed on
// the document it came from).
func (d *Doc) SameSource(of *Doc) { d.Root, d.src = of.Root, of.src }

// File returns the loaded file at a repository-relative path, or nil.
func (r *Repo) File(path string) *File {
	if r == nil {
		return nil
	}
	return r.byPath[path]
}

// Doc returns the document index of file, or nil.
func (r *Repo) Doc(file string, index int) *Doc {
	f := r.File(file)
	if f == nil || index < 0 || index >= len(f.Docs) {
		return nil
	}
	return f.Docs[index]
}

// Identity names the object a document creates: group, kind, namespace (as written, "" when
// none) and name.
type Identity struct{ Group, Kind, Namespace, Name string }

func (id Identity) String() string {
	g := id.Group
	if g == "" {
		g = "core"
	}
	if id.Namespace == "" {
		return g + "/" + id.Kind + "/" + id.Name
	}
	return g + "/" + id.Kind + "/" + id.Namespace + "/" + id.Name
}

// Identity is the document's object; namespace is the effective namespace when the document
// names none (an Application's destination, a kustomization's namespace), and is dropped for
// kinds that are not namespaced.
func (d *Doc) Identity(namespace string) Identity {
	ns := d.Namespace
	if ns == "" {
		ns = namespace
	}
	if ClusterScoped(d.Group(), d.Kind) {
		ns = ""
	}
	return Identity{Group: d.Group(), Kind: d.Kind, Namespace: ns, Name: d.Name}
}

// clusterScoped are the kinds of the bundled schemas that live outside namespaces.
var clusterScoped = map[string]bool{
	"/Namespace": true, "/Node": true, "/PersistentVolume": true, "/ComponentStatus": true,
	"rbac.authorization.k8s.io/ClusterRole": true, "rbac.authorization.k8s.io/ClusterRoleBinding": true,
	"apiextensions.k8s.io/CustomResourceDefinition": true, "storage.k8s.io/StorageClass": true,
	"storage.k8s.io/CSIDriver": true, "storage.k8s.io/CSINode": true, "storage.k8s.io/VolumeAttachment": true,
	"storage.k8s.io/VolumeAttributesClass": true,
	"scheduling.k8s.io/PriorityClass":      true, "node.k8s.io/RuntimeClass": true,
	"networking.k8s.io/IngressClass": true, "networking.k8s.io/IPAddress": true, "networking.k8s.io/ServiceCIDR": true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":     true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy":        true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy":          true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding":   true,
	"apiregistration.k8s.io/APIService":                             true, "certificates.k8s.io/CertificateSigningRequest": true,
	"certificates.k8s.io/ClusterTrustBundle": true, "flowcontrol.apiserver.k8s.io/FlowSchema": true,
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": true,
	"resource.k8s.io/DeviceClass":                             true, "resource.k8s.io/ResourceSlice": true,
	"argoproj.io/ClusterAnalysisTemplate": true,
}

// ClusterScoped reports whether objects of the kind have no namespace.
func ClusterScoped(group, kind string) bool { return clusterScoped[group+"/"+kind] }

// Rule IDs of the loader's findings (internal/catalog documents them).
const (
	RuleFileSkipped          = catalog.FileSkipped
	RuleKustomizationInvalid = catalog.KustomizationInvalid
	RuleKustomizationRemote  = catalog.KustomizationRemote
	RuleKustomizeBuild       = catalog.KustomizeBuild
)
