package kubeschema

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// corpusDocs reads every Kubernetes document of the real repositories in
// ../shared/corpora-kubernetes: YAML and JSON files, minus Helm templates (they hold `{{`) and
// documents without apiVersion and kind (values files, Chart.yaml, CI workflows).
func corpusDocs(tb testing.TB) (root string, files []string, byFile map[string][]map[string]any) {
	tb.Helper()
	root = sharedtest.Path(tb, "corpora-kubernetes")
	byFile = map[string][]map[string]any{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(src, []byte("{{")) {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		for _, d := range docs(tb, src) {
			m, ok := d.(map[string]any)
			if !ok || m["apiVersion"] == nil || m["kind"] == nil {
				continue
			}
			if !slices.Contains(files, rel) {
				files = append(files, rel)
			}
			byFile[rel] = append(byFile[rel], m)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return root, files, byFile
}

// kustomizeUse tells, from the corpora's kustomization.yaml files, how each file is used:
// as a patch, or as a resource whose selector kustomize fills in from commonLabels. This is
// the loader's knowledge, which the pipeline passes in Options.
func kustomizeUse(tb testing.TB, root string) map[string]Options {
	tb.Helper()
	use := map[string]Options{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "kustomization.yaml" {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, doc := range docs(tb, src) {
			k, _ := doc.(map[string]any)
			if k["kind"] != nil && k["kind"] != "Kustomization" || k["apiVersion"] != nil && !strings.HasPrefix(fmt.Sprint(k["apiVersion"]), "kustomize.config.k8s.io/") {
				continue // a Flux Kustomization named kustomization.yaml
			}
			rel := func(f string) string {
				r, _ := filepath.Rel(root, filepath.Join(filepath.Dir(p), f))
				return filepath.ToSlash(r)
			}
			patches, _ := k["patchesStrategicMerge"].([]any)
			if l, ok := k["patches"].([]any); ok {
				for _, x := range l {
					if m, ok := x.(map[string]any); ok && m["path"] != nil {
						patches = append(patches, m["path"])
					}
				}
			}
			for _, f := range patches {
				o := use[rel(fmt.Sprint(f))]
				o.Patch = true
				use[rel(fmt.Sprint(f))] = o
			}
			if cl, _ := k["commonLabels"].(map[string]any); len(cl) > 0 {
				res, _ := k["resources"].([]any)
				for _, f := range res {
					o := use[rel(fmt.Sprint(f))]
					o.SelectorFromLabels = true
					use[rel(fmt.Sprint(f))] = o
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return use
}

// trueErrors are the error-level issues of the corpora that are real mistakes, with why. There
// are none at present: the corpora's mistakes (plaintext Secrets; an OCIRepository at the
// v1beta2 that source-controller v1.9 no longer serves, a note here) are for the policy rules.
var trueErrors = map[string]string{}

// TestCorpora validates every Kubernetes document of the real repositories: only the errors
// listed in trueErrors may come out, and each of them must.
func TestCorpora(t *testing.T) {
	root, files, byFile := corpusDocs(t)
	use := kustomizeUse(t, root)
	if !use["flux2-multi-tenancy/tenants/production/dev-team-patch.yaml"].Patch {
		t.Fatalf("the corpus's patches were not found: %v", use)
	}
	v := bundledValidator(t)
	found := map[string]bool{}
	docsSeen, notes := 0, map[string]bool{}
	for _, f := range files {
		for i, d := range byFile[f] {
			docsSeen++
			for _, is := range v.ValidateWith(d, use[f]) {
				key := fmt.Sprintf("%s#%d %s %s: %s", f, i, cueissue.Where(is.Path), is.RuleID, is.Message)
				switch is.Severity {
				case finding.Error:
					if _, ok := trueErrors[key]; !ok {
						t.Errorf("unexpected error: %s (hint %q)", key, is.Hint)
					}
					found[key] = true
				default:
					notes[fmt.Sprintf("%s %s %s", is.Severity, d["apiVersion"], d["kind"])] = true
				}
			}
		}
	}
	for key := range trueErrors {
		if !found[key] {
			t.Errorf("expected error not reported: %s", key)
		}
	}
	if docsSeen < 50 {
		t.Errorf("only %d documents found; the corpora should hold more", docsSeen)
	}
	var n []string
	for k := range notes {
		n = append(n, k)
	}
	slices.Sort(n)
	t.Logf("%d documents in %d files; kinds without a schema or deprecated: %s", docsSeen, len(files), strings.Join(n, "; "))
}

// TestCorporaMutated adds an unknown top-level key and a misspelt metadata key to every
// corpus document that has a schema: each must be reported, so every kind of the corpora is
// really checked (closed at the top and in metadata), the custom resources included.
func TestCorporaMutated(t *testing.T) {
	root, files, byFile := corpusDocs(t)
	use := kustomizeUse(t, root)
	v := bundledValidator(t)
	checked := 0
	for _, f := range files {
		for i, d := range byFile[f] {
			g := GVK{fmt.Sprint(d["apiVersion"]), fmt.Sprint(d["kind"])}
			if !v.Has(g) {
				continue
			}
			m := maps.Clone(d)
			m["specc"] = map[string]any{}
			meta, _ := m["metadata"].(map[string]any)
			meta = maps.Clone(meta)
			if meta == nil {
				meta = map[string]any{}
			}
			meta["lables"] = map[string]any{"a": "b"}
			m["metadata"] = meta
			got := map[string]bool{}
			for _, is := range v.ValidateWith(m, use[f]) {
				if is.RuleID == RuleUnknownKey {
					got[cueissue.Where(is.Path)+" "+is.Hint] = true
				}
			}
			if !got[`metadata.lables did you mean "labels"?`] || !got["specc "+unknownHint(v, g)] {
				t.Errorf("%s#%d (%s): the added keys were not both reported: %v", f, i, g, got)
			}
			checked++
		}
	}
	if checked < 50 {
		t.Errorf("only %d documents checked", checked)
	}
}

// unknownHint is the did-you-mean the top-level key "specc" gets: "spec" for kinds that
// have one.
func unknownHint(v *Validator, g GVK) string {
	kp, err := v.pool(g)
	if err != nil || kp == nil {
		return "?"
	}
	c := kp.get()
	defer kp.put(c)
	if cueissue.SchemaChild(c.def, "spec").Exists() {
		return `did you mean "spec"?`
	}
	return ""
}
