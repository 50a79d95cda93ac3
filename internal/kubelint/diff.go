package kubelint

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/diff"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/gitsrc"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/load"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// KindManifest is the kind of a change to a Kubernetes object (diff.Change.Kind).
const KindManifest = "manifest"

// TeamPrefix marks the group of a Kubernetes change in a plan: "kubernetes:" and the
// object's namespace ("" for cluster-wide and unnamespaced objects).
const TeamPrefix = "kubernetes:"

// maxFields bounds the changed fields listed for one object.
const maxFields = 20

// DiffOptions say what to compare: the manifests under Dir (an io/fs name under Root) at
// Base and at Head ("" for the working tree).
type DiffOptions struct {
	Root, Dir  string
	Base, Head string
}

// Diff compares the Kubernetes objects of two revisions by identity (API group, kind,
// namespace and name as written): an object on one side only is added or removed, one on
// both with another value is changed, with the fields that differ (a Secret's values are
// never shown). A file moved or reformatted changes nothing.
func Diff(ctx context.Context, opts DiffOptions) ([]diff.Change, diff.Side, diff.Side, error) {
	base, head := diff.Side{Rev: opts.Base}, diff.Side{Rev: opts.Head}
	baseTree, err := gitsrc.Open(ctx, opts.Root, opts.Base)
	if err != nil {
		return nil, base, head, err
	}
	defer baseTree.Close()
	base.Commit = baseTree.Commit
	var headSrc load.Source
	if opts.Head != "" {
		t, err := gitsrc.Open(ctx, opts.Root, opts.Head)
		if err != nil {
			return nil, base, head, err
		}
		defer t.Close()
		headSrc, head.Commit = t, t.Commit
	}
	b, err := loadSide(baseTree, opts, &base)
	if err != nil {
		return nil, base, head, err
	}
	h, err := loadSide(headSrc, opts, &head)
	if err != nil {
		return nil, base, head, err
	}
	return compare(b, h), base, head, nil
}

func loadSide(src load.Source, opts DiffOptions, side *diff.Side) (*kube.Repo, error) {
	r, err := kube.Load(kube.Options{Source: src, Root: opts.Root, Dir: opts.Dir})
	if errors.Is(err, kube.ErrNoManifests) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	for _, p := range r.Problems {
		if p.Severity == finding.Error { // what could not be read is missing from the comparison
			side.Problems = append(side.Problems, p)
		}
	}
	side.Entries = len(r.Files)
	return r, nil
}

// byIdentity indexes a side's documents; a second document of the same identity (another
// cluster's copy) is told apart by its file.
func byIdentity(r *kube.Repo) map[string]*kube.Doc {
	out := map[string]*kube.Doc{}
	if r == nil {
		return out
	}
	for _, d := range r.Docs {
		if d.Kind == "" || d.Name == "" {
			continue
		}
		id := d.Identity("").String()
		if _, dup := out[id]; dup {
			id += " in " + d.File.Path
		}
		out[id] = d
	}
	return out
}

func compare(base, head *kube.Repo) []diff.Change {
	b, h := byIdentity(base), byIdentity(head)
	var out []diff.Change
	for id, bd := range b {
		hd, ok := h[id]
		switch {
		case !ok:
			out = append(out, change(diff.Removed, id, bd, nil))
		case !reflect.DeepEqual(bd.Value, hd.Value):
			c := change(diff.Changed, id, bd, hd)
			c.Fields = fields(bd, hd)
			out = append(out, c)
		}
	}
	for id, hd := range h {
		if _, ok := b[id]; !ok {
			out = append(out, change(diff.Added, id, nil, hd))
		}
	}
	diff.Sort(out)
	return out
}

func change(action, id string, bd, hd *kube.Doc) diff.Change {
	d := hd
	if d == nil {
		d = bd
	}
	c := diff.Change{Kind: KindManifest, Action: action, Team: TeamPrefix + d.Identity("").Namespace,
		Name: id, Key: id, Detail: fmt.Sprintf("%s %s, %s", d.APIVersion, d.Kind, d.File.Path),
		Facts: map[string]any{"apiVersion": d.APIVersion, "kind": d.Kind, "name": d.Name, "namespace": d.Namespace}}
	if bd != nil {
		c.Base = &diff.Position{File: bd.File.Path, Line: bd.Line, Column: 1}
	}
	if hd != nil {
		c.Head = &diff.Position{File: hd.File.Path, Line: hd.Line, Column: 1}
	}
	return c
}

// fields lists the leaf values that differ, as dotted paths; a Secret's values are shown as
// changed, never as written.
func fields(bd, hd *kube.Doc) []diff.Field {
	secret := bd.Group() == "" && bd.Kind == "Secret"
	old, cur := map[string]any{}, map[string]any{}
	flatten(bd.Value, nil, old)
	flatten(hd.Value, nil, cur)
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	var paths []string
	for k := range keys {
		if !reflect.DeepEqual(old[k], cur[k]) {
			paths = append(paths, k)
		}
	}
	sort.Strings(paths)
	var out []diff.Field
	for _, p := range paths[:min(len(paths), maxFields)] {
		f := diff.Field{Path: p, Old: text(old, p), New: text(cur, p), OldValue: old[p], NewValue: cur[p]}
		if secret && (strings.HasPrefix(p, "data.") || strings.HasPrefix(p, "stringData.")) {
			f.Old, f.New, f.OldValue, f.NewValue = hidden(old, p), hidden(cur, p), nil, nil
		}
		out = append(out, f)
	}
	if len(paths) > maxFields {
		out = append(out, diff.Field{Path: fmt.Sprintf("(and %d more)", len(paths)-maxFields)})
	}
	return out
}

func flatten(v any, path []any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[yamlsrc.FormatPath(path)] = x
		}
		for k, e := range x {
			flatten(e, append(slices.Clone(path), k), out)
		}
	case []any:
		if len(x) == 0 {
			out[yamlsrc.FormatPath(path)] = x
		}
		for i, e := range x {
			flatten(e, append(slices.Clone(path), i), out)
		}
	default:
		out[yamlsrc.FormatPath(path)] = v
	}
}

func text(m map[string]any, p string) string {
	v, ok := m[p]
	if !ok {
		return ""
	}
	return fmt.Sprintf("%v", v)
}

func hidden(m map[string]any, p string) string {
	if _, ok := m[p]; !ok {
		return ""
	}
	return "(secret value)"
}
