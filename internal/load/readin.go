package load

import (
	"fmt"
	"io/fs"
)

// ReadIn reads the regular file name (an io/fs name relative to the repository root) from src,
// following symbolic links only inside the repository (rootAbs is the root's absolute path, for
// absolute link targets), and at most limit bytes: a larger file is an error naming the limit.
// Other repository kinds (Kubernetes manifests) read their files through it, so a link out of
// the repository is refused the same way as for Fleet files, whatever the source.
func ReadIn(src Source, rootAbs, name string, limit int64) ([]byte, error) {
	real, err := resolveIn(src, rootAbs, name)
	if err != nil {
		return nil, err
	}
	fi, err := src.Lstat(real)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", name)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	if limit > 0 && fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("file is %d bytes, over the %d-byte limit for a configuration file", fi.Size(), limit)}
	}
	data, err := readLimited(src, real, fi.Size(), limit+1)
	if err != nil {
		return nil, err
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("file is over the %d-byte limit for a configuration file", limit)}
	}
	return data, nil
}

// StatIn is Lstat of name with its links followed inside the repository (see ReadIn).
func StatIn(src Source, rootAbs, name string) (fs.FileInfo, error) {
	real, err := resolveIn(src, rootAbs, name)
	if err != nil {
		return nil, err
	}
	return src.Lstat(real)
}
