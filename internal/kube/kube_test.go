package kube

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// load reads a repository made of files (path → content) from memory.
func loadMap(t *testing.T, files map[string]string) (*Repo, error) {
	t.Helper()
	m := fstest.MapFS{}
	for p, c := range files {
		m[p] = &fstest.MapFile{Data: []byte(c), Mode: 0o644}
	}
	return Load(Options{Source: m, Root: "/repo"})
}

func problems(r *Repo) string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "%s:%d:%d %s %s\n", p.Location.File, p.Location.Start.Line, p.Location.Start.Column, p.RuleID, p.Message)
	}
	return b.String()
}

func TestSplitDocuments(t *testing.T) {
	text := "# header\n---\na: 1\n--- # second\nb: 2\n...\n---\n\n--- !!map\nc: 3\n---"
	var got []string
	for _, p := range splitDocuments([]byte(text)) {
		got = append(got, fmt.Sprintf("%d:%q", p.start, p.text))
	}
	want := []string{`1:"# header\n"`, `2:"---\na: 1\n"`, `4:"--- # second\nb: 2\n"`, `7:"---\n\n"`, `9:"--- !!map\nc: 3\n"`, `11:"---"`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// Documents keep their file positions across separators, List items are documents of their
// own, and empty documents (a trailing ---) are none.
func TestDocumentsAndPositions(t *testing.T) {
	r, err := loadMap(t, map[string]string{
		"a.yaml":    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n--- # two\napiVersion: v1\nkind: Service\nmetadata:\n  name: two\n  namespace: ns\n---\n",
		"list.yaml": "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: q\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Docs) != 4 {
		t.Fatalf("want 4 documents, got %d", len(r.Docs))
	}
	two := r.Doc("a.yaml", 1)
	if two.Name != "two" || two.Namespace != "ns" || two.Line != 7 {
		t.Errorf("second document: %+v", two)
	}
	if loc := two.Locate([]any{"metadata", "namespace"}, false); loc.Start.Line != 11 || loc.Start.Column != 14 {
		t.Errorf("namespace located at %+v", loc.Start)
	}
	q := r.Doc("list.yaml", 1)
	if q.Name != "q" || q.Kind != "Pod" {
		t.Errorf("second item: %+v", q)
	}
	if loc := q.Locate([]any{"metadata", "name"}, false); loc.Start.Line != 10 {
		t.Errorf("item's name located at %+v", loc.Start)
	}
	if loc := q.Locate([]any{"spec", "containers"}, false); loc.Start.Line != 7 {
		t.Errorf("a missing path points at the item: %+v", loc.Start)
	}
}

// Files that are not manifests are said to be skipped, never reported as broken YAML; a
// broken manifest is an error at its line.
func TestClassification(t *testing.T) {
	r, err := loadMap(t, map[string]string{
		"app/deploy.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
		"app/broken.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
		"app/values.yaml":          "replicas: 3\n",
		"app/tmpl.yaml":            "{{- if .Values.on }}\napiVersion: v1\n{{- end }}\n",
		"app/notyaml.yaml":         "key: [unclosed\n",
		"chart/Chart.yaml":         "apiVersion: v2\nname: c\n",
		"chart/templates/x.yaml":   "metadata:\n  name: {{ .Release.Name }}\n",
		".github/workflows/ci.yml": "on: push\n",
		"appset.yaml":              "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\nspec:\n  template:\n    metadata:\n      name: '{{path.basename}}'\n",
		".tollgate.yaml":           "rules: {}\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := problems(r)
	for _, want := range []string{
		"app/broken.yaml:4:9 yaml-syntax",
		"app/values.yaml:1:1 file-skipped no document has apiVersion and kind",
		"app/tmpl.yaml:1:1 file-skipped a template",
		"app/notyaml.yaml:1:1 file-skipped does not parse as YAML and has no apiVersion or kind",
		"chart/Chart.yaml:1:1 file-skipped Helm chart chart",
		".github/workflows/ci.yml:1:1 file-skipped CI or tool configuration",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	for _, not := range []string{"chart/templates", "appset.yaml", ".tollgate.yaml", "deploy.yaml"} {
		if strings.Contains(got, not) {
			t.Errorf("%s should not be reported:\n%s", not, got)
		}
	}
	if r.Doc("appset.yaml", 0) == nil {
		t.Error("an ApplicationSet's {{ }} values are values: it is a manifest")
	}
}

// Hostile input costs bounded work and is an error at its file, never a hang or a panic.
func TestHostileInput(t *testing.T) {
	bomb := "apiVersion: v1\nkind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := range 9 {
		name := fmt.Sprintf("b%d", i)
		bomb += fmt.Sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	deep := "apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"
	r, err := loadMap(t, map[string]string{"bomb.yaml": bomb, "deep.yaml": deep, "ok.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := problems(r)
	for _, want := range []string{"bomb.yaml", "deep.yaml:3", "nesting is deeper than 200"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if r.Doc("ok.yaml", 0) == nil {
		t.Error("one bad file hid another's documents")
	}
}

// A symbolic link out of the repository is refused, not followed.
func TestLinkOutOfRepository(t *testing.T) {
	m := fstest.MapFS{
		"ok.yaml":   {Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n")},
		"evil.yaml": {Data: []byte("../../etc/passwd.yaml"), Mode: fs.ModeSymlink},
	}
	r, err := Load(Options{Source: m, Root: "/repo"})
	if err != nil {
		t.Fatal(err)
	}
	if got := problems(r); !strings.Contains(got, "evil.yaml:1:1 file-invalid cannot read evil.yaml") {
		t.Errorf("want the link refused:\n%s", got)
	}
}

// What an applier applies gets the namespace it has there: a kustomization's namespace wins
// over the document's, an Application's destination fills in a missing one, Flux's
// targetNamespace overrides all; cluster-wide kinds have none.
func TestAppliers(t *testing.T) {
	r, err := loadMap(t, map[string]string{
		"apps/a.yaml":                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, namespace: argocd}\nspec:\n  source: {path: base}\n  destination: {namespace: shop}\n",
		"apps/b.yaml":                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: b, namespace: argocd}\nspec:\n  source: {path: overlay}\n  destination: {namespace: shop}\n",
		"apps/f.yaml":                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: f, namespace: flux-system}\nspec:\n  path: ./base\n  targetNamespace: forced\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
		"base/kustomization.yaml":    "resources: [deploy.yaml, ns.yaml]\n",
		"base/deploy.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
		"base/ns.yaml":               "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
		"overlay/kustomization.yaml": "namespace: staging\nresources: [../base]\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, a := range r.Appliers {
		for _, x := range a.Applied {
			got[a.Name()] = append(got[a.Name()], x.Identity.String())
		}
	}
	want := map[string]string{
		"Application argocd/a":        "apps/Deployment/shop/web core/Namespace/shop",
		"Application argocd/b":        "apps/Deployment/staging/web core/Namespace/shop",
		"Kustomization flux-system/f": "apps/Deployment/forced/web core/Namespace/shop",
	}
	for name, w := range want {
		if g := strings.Join(got[name], " "); g != w {
			t.Errorf("%s applies %q, want %q", name, g, w)
		}
	}
	shared, _ := r.RepoInput()
	if owners := shared["shared"].(map[string]any)["core/Namespace/shop"]; fmt.Sprint(owners) != "[Application argocd/a Application argocd/b Kustomization flux-system/f]" {
		t.Errorf("the Namespace is shared by %v", owners)
	}
}

// A kustomization's missing resources and remote bases are findings at their line.
func TestKustomizationReferences(t *testing.T) {
	r, err := loadMap(t, map[string]string{
		"k/kustomization.yaml": "resources:\n  - present.yaml\n  - missing.yaml\n  - github.com/org/repo//base?ref=v1\n  - ../../outside\n",
		"k/present.yaml":       "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := problems(r)
	for _, want := range []string{
		"k/kustomization.yaml:3:5 kustomization-invalid resource \"missing.yaml\" does not exist",
		"k/kustomization.yaml:4:5 kustomization-remote remote base \"github.com/org/repo//base?ref=v1\"",
		"k/kustomization.yaml:5:5 kustomization-invalid \"../../outside\" leads out of the repository",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestNoManifests(t *testing.T) {
	if _, err := loadMap(t, map[string]string{"values.yaml": "a: 1\n"}); err != ErrNoManifests {
		t.Errorf("want ErrNoManifests, got %v", err)
	}
}
