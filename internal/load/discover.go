package load

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Discover finds the entry files of the GitOps repository in dir, in the order fleetctl needs
// them (global first): default.yml, then teams/*.yml or fleets/*.yml (the unassigned file
// last among them). It returns absolute paths.
func Discover(dir string) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	var out []string
	for _, name := range []string{"default.yml", "default.yaml"} {
		if p := filepath.Join(dir, name); isFile(p) {
			out = append(out, p)
			break
		}
	}
	var groups, unassigned []string
	for _, sub := range []string{"teams", "fleets"} {
		// One directory read, not a glob and a stat per file: the entry's type says whether it
		// is a plain file (only symbolic links are followed with a stat).
		ds, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, ext := range []string{".yml", ".yaml"} {
			for _, d := range ds {
				name := d.Name()
				if !strings.HasSuffix(name, ext) {
					continue
				}
				m := filepath.Join(dir, sub, name)
				if !d.Type().IsRegular() && !(d.Type()&os.ModeSymlink != 0 && isFile(m)) {
					continue
				}
				if isUnassignedName(name) {
					unassigned = append(unassigned, m)
				} else {
					groups = append(groups, m)
				}
			}
		}
	}
	slices.Sort(groups)
	slices.Sort(unassigned)
	out = append(out, groups...)
	out = append(out, unassigned...)
	if len(out) == 0 {
		return nil, fmt.Errorf("no Fleet GitOps files in %s: expected default.yml, teams/*.yml or fleets/*.yml", dir)
	}
	return out, nil
}

func isUnassignedName(base string) bool {
	b := strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
	return b == "no-team" || b == "unassigned"
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// FindRoot returns the repository root for dir: the nearest ancestor holding .git or
// .tollgate.yaml, or dir itself.
func FindRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		for _, marker := range []string{".git", ".tollgate.yaml", ".tollgate.yml"} {
			if _, err := os.Lstat(filepath.Join(d, marker)); err == nil {
				return d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}
