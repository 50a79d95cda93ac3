package load

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Discover finds the entry files of the GitOps repository in dir, in the order fleetctl needs
// them (global first): default.yml, then teams/*.yml or fleets/*.yml (the unassigned file
// last among them). It returns absolute paths.
func Discover(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return DiscoverIn(DirSource(abs), abs, abs)
}

// DiscoverIn is Discover for a repository read from src (whose names are relative to root,
// an absolute path); dir is an absolute path under root. Every name fleetctl's loop over
// teams/*.yml would hand over is returned, whatever it is (a directory, a dangling link): the
// loader then says why it can't be read, where skipping it would let the gate pass and an
// apply with pruning delete that team. Names starting with a dot are left out, as the shell
// glob of the template's gitops.sh leaves them out. A directory that can't be listed fails
// discovery: which team files fleetctl would apply is then unknown.
func DiscoverIn(src Source, root, dir string) ([]string, error) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || escapes(filepath.ToSlash(rel)) {
		return nil, fmt.Errorf("%s is not inside %s", dir, root)
	}
	rel = filepath.ToSlash(rel)
	real, err := resolveIn(src, root, rel)
	if err == nil {
		var fi fs.FileInfo
		if fi, err = src.Lstat(real); err == nil && !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", dir)
		}
	}
	if err != nil {
		return nil, err
	}
	isFileIn := func(name string) bool {
		r, err := resolveIn(src, root, path.Join(real, name))
		if err != nil {
			return false
		}
		fi, err := src.Lstat(r)
		return err == nil && fi.Mode().IsRegular()
	}
	var out []string
	for _, name := range []string{"default.yml", "default.yaml"} {
		if isFileIn(name) {
			out = append(out, filepath.Join(dir, name))
			break
		}
	}
	var groups, unassigned []string
	for _, sub := range []string{"teams", "fleets"} {
		subReal, err := resolveIn(src, root, path.Join(real, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var ds []fs.DirEntry
		if err == nil {
			ds, err = src.ReadDir(subReal)
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				continue // a file named teams: no team files there, as for fleetctl's glob
			}
			return nil, fmt.Errorf("cannot read directory %s: %w (tollgate can't tell which team files fleetctl would apply)",
				filepath.Join(dir, sub), unwrapPath(err))
		}
		// One directory read, not a glob and a stat per file.
		for _, ext := range []string{".yml", ".yaml"} {
			for _, d := range ds {
				name := d.Name()
				if !strings.HasSuffix(name, ext) || strings.HasPrefix(name, ".") {
					continue
				}
				m := filepath.Join(dir, sub, name)
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

// unwrapPath drops an *fs.PathError's absolute path: the message names the directory already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isUnassignedName(base string) bool {
	b := strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
	return b == "no-team" || b == "unassigned"
}
