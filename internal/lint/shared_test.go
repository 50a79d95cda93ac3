package lint

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// TestSharedValuesUnchanged lints every corpus (the real repositories, whose teams include a
// shared lib/) and the shipped examples with every stage on, and checks that the values of
// included items, shared by every team that includes them (yamlsrc.Shared), are still what
// their YAML converts to: a stage that modified a document in place would change it for
// every other team.
func TestSharedValuesUnchanged(t *testing.T) {
	dirs := sharedtest.CorpusDirs(t)
	examples, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "examples", "*"))
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	total := 0
	for _, dir := range append(dirs, examples...) {
		res, err := Run(context.Background(), Options{Targets: []string{dir}, Now: now})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if res.Repo == nil {
			continue
		}
		res.Repo.EachShared(func(n *yaml.Node, v any) {
			total++
			fresh, err := yamlsrc.ToAny(n, 0)
			if err != nil {
				t.Errorf("%s: node at line %d: %v", dir, n.Line, err)
				return
			}
			if !reflect.DeepEqual(fresh, v) {
				t.Errorf("%s: the shared value of the node at line %d changed during the run:\n got %#v\nwant %#v", dir, n.Line, v, fresh)
			}
		})
	}
	if total == 0 {
		t.Fatal("no included value was shared: the corpora's lib/ files should have been")
	}
	t.Logf("%d shared values checked", total)
}
