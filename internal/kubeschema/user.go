package kubeschema

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
)

// The organisation's schemas: any .cue file in a --schema directory whose top-level
// definitions fix apiVersion and kind to concrete strings, the shape `cue import` gives a CRD:
//
//	#Widget: {
//		apiVersion: "example.com/v1"
//		kind:       "Widget"
//		spec!: {size!: int & >0}
//	}
//
// A definition of a kind with no bundled schema is that kind's schema (metadata is checked
// as Kubernetes' ObjectMeta unless the definition says more), its findings reported with the
// usual rules; a definition of a bundled kind adds its constraints to the bundled schema
// (fields it doesn't mention stay allowed), and what it rejects is reported as schema-custom. Files without such definitions are left to
// others (the Fleet schema stage reads the same directories).

type userDef struct {
	file string // as given, for positions
	src  []byte
	def  string // "#Widget"
}

type userSchemas struct {
	defs map[GVK][]userDef
}

func loadUser(dirs []string) (*userSchemas, error) {
	u := &userSchemas{defs: map[GVK][]userDef{}}
	var files []string
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("schema directory: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("schema directory %s is not a directory", dir)
		}
		m, err := filepath.Glob(filepath.Join(dir, "*.cue"))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	ctx := cuecontext.New()
	for _, f := range files {
		src, err := cueissue.ReadSchemaFile(f)
		if err != nil {
			return nil, fmt.Errorf("organisation schema: %w", err)
		}
		v := ctx.CompileBytes(src, cue.Filename(f))
		if err := v.Err(); err != nil {
			return nil, fmt.Errorf("organisation schema %s", cueissue.ErrorText(err))
		}
		it, err := v.Fields(cue.Definitions(true))
		if err != nil {
			return nil, fmt.Errorf("organisation schema %s: %v", f, err)
		}
		for it.Next() {
			if !it.Selector().IsDefinition() {
				continue
			}
			d := it.Value()
			av, aerr := d.LookupPath(cue.ParsePath("apiVersion")).String()
			k, kerr := d.LookupPath(cue.ParsePath("kind")).String()
			if aerr != nil || kerr != nil || av == "" || k == "" {
				continue // a helper definition, not a kind
			}
			if err := d.Err(); err != nil {
				return nil, fmt.Errorf("organisation schema %s", cueissue.ErrorText(err))
			}
			g := GVK{av, k}
			u.defs[g] = append(u.defs[g], userDef{file: f, src: src, def: it.Selector().String()})
		}
	}
	return u, nil
}

func (u *userSchemas) has(g GVK) bool { return len(u.defs[g]) > 0 }

func (u *userSchemas) kinds() []GVK {
	out := make([]GVK, 0, len(u.defs))
	for g := range u.defs {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b GVK) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// compile compiles g's organisation definitions in ctx and names their files.
func (u *userSchemas) compile(ctx *cue.Context, g GVK) ([]cue.Value, map[string]bool, error) {
	var out []cue.Value
	files := map[string]bool{}
	for _, d := range u.defs[g] {
		v := ctx.CompileBytes(d.src, cue.Filename(d.file)).LookupPath(cue.ParsePath(d.def))
		if err := v.Err(); err != nil {
			return nil, nil, fmt.Errorf("organisation schema %s", cueissue.ErrorText(err))
		}
		out = append(out, v)
		files[d.file] = true
	}
	return out, files, nil
}
