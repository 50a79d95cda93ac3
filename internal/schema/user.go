package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"cuelang.org/go/cue"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/schema/memo"
)

// compileUser compiles every .cue file directly in dirs and unifies them into one value.
// Each file is compiled on its own (it may import CUE's standard library); the files share
// the hook definitions #Global, #Team, #NoTeam and #Package. It returns the file names, so
// errors raised by these constraints can be told apart, and the text compiled, for the
// memo's analysis (read once: what is analysed is what was compiled). The Kubernetes stage
// reads the same directories for definitions of another shape, apiVersion and kind
// (kubeschema/user.go): the two share reading a file and CUE's error text (package cueissue).
func compileUser(ctx *cue.Context, dirs []string) (cue.Value, map[string]bool, []memo.Source, error) {
	var files []string
	for _, dir := range dirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.cue"))
		if err != nil {
			return cue.Value{}, nil, nil, err
		}
		if len(matches) == 0 {
			if _, err := os.Stat(dir); err != nil {
				return cue.Value{}, nil, nil, fmt.Errorf("organisation schema directory: %w", err)
			}
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	names := map[string]bool{}
	var sources []memo.Source
	var all cue.Value
	for _, f := range files {
		src, err := cueissue.ReadSchemaFile(f)
		if err != nil {
			return cue.Value{}, nil, nil, fmt.Errorf("organisation schema: %w", err)
		}
		v := ctx.CompileBytes(src, cue.Filename(f))
		if err := v.Err(); err != nil {
			return cue.Value{}, nil, nil, fmt.Errorf("organisation schema %s", cueissue.ErrorText(err))
		}
		names[f] = true
		sources = append(sources, memo.Source{Name: f, Text: src})
		if !all.Exists() {
			all = v
		} else {
			all = all.Unify(v)
		}
	}
	if all.Exists() {
		if err := all.Validate(); err != nil {
			return cue.Value{}, nil, nil, fmt.Errorf("organisation schema %s", cueissue.ErrorText(err))
		}
	}
	return all, names, sources, nil
}
