//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package load

import "os"

// readPath reads at most limit bytes of the file at path, expecting about size bytes.
func readPath(path string, size, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return readAll(fh, size, limit)
}

// readNoFollow is the Unix fast path; elsewhere every file takes the careful way.
func readNoFollow(string, int, func([]byte)) ([]byte, bool) { return nil, false }
