package gen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// committed is the directory of the generated files in this checkout.
const committed = "../../../cue/kubernetes"

func readIndex(t *testing.T) Index {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(committed, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestCRDSchemasUpToDate regenerates the custom resources' schemas from the CRDs in
// ../shared and compares them with the committed files: a changed CRD (or generator) without
// a rerun of scripts/gen-kube-schemas.sh fails here. No network is needed.
func TestCRDSchemasUpToDate(t *testing.T) {
	shared := filepath.Dir(filepath.Dir(sharedtest.Path(t, "schemas/crds")))
	files, kinds, sources, err := GenerateCRDs(shared)
	if err != nil {
		t.Fatal(err)
	}
	idx := readIndex(t)
	for _, s := range sources {
		if !slices.Contains(idx.Sources, s) {
			t.Errorf("%s has changed since the schemas were generated (sha256 %s); run scripts/gen-kube-schemas.sh", s.Input, s.SHA256)
		}
	}
	var committedKinds []Kind
	for _, k := range idx.Kinds {
		if k.CustomResource {
			committedKinds = append(committedKinds, k)
		}
	}
	if want, _ := indexJSON(Index{Kinds: kinds}); !bytes.Equal(want, mustJSON(t, Index{Kinds: committedKinds})) {
		t.Errorf("the custom resource kinds in index.json differ from what the CRDs give; run scripts/gen-kube-schemas.sh")
	}
	compare(t, files)
}

// TestBuiltinSchemasUpToDate regenerates everything from the recorded module versions (the
// Go module proxy must be reachable, or the modules in the module cache) and compares.
func TestBuiltinSchemasUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating every schema takes seconds; -short skips it")
	}
	shared := filepath.Dir(filepath.Dir(sharedtest.Path(t, "schemas/crds")))
	idx := readIndex(t)
	var in Inputs
	in.Shared = shared
	for _, s := range idx.Sources {
		mod, _, ok := strings.Cut(s.Input, " ")
		path, version, isModule := strings.Cut(mod, "@")
		if !ok || !isModule {
			continue
		}
		m, err := Download(path, version)
		if err != nil {
			msg := "cannot fetch the generator's inputs: " + err.Error()
			if sharedtest.Required() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		if m.Sum != s.Sum {
			t.Fatalf("%s: module sum %s, index.json records %s", mod, m.Sum, s.Sum)
		}
		switch path {
		case "k8s.io/kubernetes":
			in.Kubernetes = m
		case "k8s.io/api":
			in.API = m
		}
	}
	if in.Kubernetes.Dir == "" || in.API.Dir == "" {
		t.Fatalf("index.json does not name the k8s.io/kubernetes and k8s.io/api releases: %v", idx.Sources)
	}
	files, err := Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, files)
	old, _ := filepath.Glob(filepath.Join(committed, "*.cue"))
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			t.Errorf("%s is no longer generated; run scripts/gen-kube-schemas.sh", filepath.Base(f))
		}
	}
}

func compare(t *testing.T, files map[string][]byte) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("nothing generated")
	}
	for _, name := range sortedKeys(files) {
		got, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil || !bytes.Equal(got, files[name]) {
			t.Errorf("cue/kubernetes/%s is not what the generator writes now; run scripts/gen-kube-schemas.sh", name)
		}
	}
}

func mustJSON(t *testing.T, idx Index) []byte {
	t.Helper()
	b, err := indexJSON(idx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
