package yamlsrc

import (
	"reflect"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Shared converts once the subtrees many documents hold: the items of a file that many entry
// files include (a lib/ policies file listed by every team). ToAnyShared returns the same Go
// value for such a node however many documents it is spliced into, and Holds tells a consumer
// converting documents further (the policy engine, to OPA values) that a value is one of
// them, so it can convert it once too. A large repository's teams share one lib/: converting
// its items for every team was most of what a team cost.
//
// Values it returns are shared: nothing may modify them (tollgate never modifies a document;
// internal/load's TestSharedValuesUnchanged checks it on every corpus). Safe for concurrent use.
// It keeps every value it converted until it is dropped, as the repository's file set keeps
// the included files themselves.
type Shared struct {
	nodes sync.Map // *yaml.Node → *sharedSlot
	held  sync.Map // identity of a shared, non-empty map or slice → struct{}
}

type sharedSlot struct {
	once sync.Once
	v    any
	err  error
}

// ToAnyShared is ToAny for a document some of whose subtrees are shared: a node for which
// isShared reports true is converted once and its value reused. maxNodes bounds each file's
// nodes: the document's own, and each shared subtree's (a file of its own, converted alone).
func ToAnyShared(n *yaml.Node, maxNodes int, s *Shared, isShared func(*yaml.Node) bool) (any, error) {
	if s == nil {
		return ToAny(n, maxNodes)
	}
	c := converter{budget: budgetOf(maxNodes), share: s, isShared: isShared, maxNodes: maxNodes}
	return c.value(n)
}

// Holds reports whether v is a map or list that Shared converted for many documents, and
// its identity (comparable; the same for v wherever it is held) when it is.
func (s *Shared) Holds(v any) (id any, ok bool) {
	id, ok = identity(v)
	if !ok {
		return nil, false
	}
	if _, held := s.held.Load(id); !held {
		return nil, false
	}
	return id, true
}

// convert returns the shared value of n, converting it the first time.
func (s *Shared) convert(n *yaml.Node, maxNodes int) (any, error) {
	slot, _ := s.nodes.LoadOrStore(n, &sharedSlot{})
	sl := slot.(*sharedSlot)
	sl.once.Do(func() {
		sl.v, sl.err = ToAny(n, maxNodes)
		if id, ok := identity(sl.v); ok {
			s.held.Store(id, struct{}{})
		}
	})
	return sl.v, sl.err
}

// identity is what tells a map or list apart from every other one alive: the address of its
// storage. Empty values are never shared (an empty slice may have no storage of its own).
func identity(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 0 {
			return reflect.ValueOf(x).UnsafePointer(), true
		}
	case []any:
		if len(x) > 0 {
			return &x[0], true
		}
	}
	return nil, false
}

// Each calls fn with every node converted once and its value, in no particular order.
func (s *Shared) Each(fn func(n *yaml.Node, v any)) {
	s.nodes.Range(func(k, slot any) bool {
		if sl := slot.(*sharedSlot); sl.err == nil {
			fn(k.(*yaml.Node), sl.v)
		}
		return true
	})
}
