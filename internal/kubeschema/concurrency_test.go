package kubeschema

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
)

// TestEveryKindCompiles validates a bare object of every bundled kind: each schema compiles
// and none reports an internal error.
func TestEveryKindCompiles(t *testing.T) {
	v := bundledValidator(t)
	gvks := slices.SortedFunc(maps.Keys(v.index), func(a, b GVK) int { return cueissue.ComparePaths([]any{a.String()}, []any{b.String()}) })
	if len(gvks) < 100 {
		t.Fatalf("only %d bundled kinds", len(gvks))
	}
	for _, g := range gvks {
		doc := map[string]any{"apiVersion": g.APIVersion, "kind": g.Kind, "metadata": map[string]any{"name": "x"}}
		for _, is := range v.Validate(doc) {
			if is.RuleID != RuleRequired && is.RuleID != RuleDeprecated {
				t.Errorf("%s: %s", g, show1(is))
			}
		}
	}
}

// TestConcurrentUse validates the same documents from several goroutines on a fresh
// Validator (so kinds are compiled while others validate) and compares with one goroutine.
// Run under -race in CI.
func TestConcurrentUse(t *testing.T) {
	var all []any
	for _, src := range []string{deployment, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: \"80\"}], type: lb}\n",
		"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {prune: yes, interval: 5m, sourceRef: {kind: GitRepository, name: x}, lables: 1}\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {project: default, destination: {namespace: x}, source: {repoURL: r, targetRevison: HEAD}}\n"} {
		all = append(all, docs(t, []byte(src))...)
	}
	seq, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]Issue, len(all))
	for i, d := range all {
		want[i] = seq.Validate(d)
	}
	par, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	par.copies = 3 // more copies than goroutines at a time on a 2-core machine, to exercise the pool
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				i := (g + round) % len(all)
				if got := par.Validate(all[i]); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("document %d, goroutine %d: %v, want %v", i, g, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(want[1]) + len(want[2]) + len(want[3]); n < 4 {
		t.Errorf("the documents should have issues to compare, got %d", n)
	}
}
