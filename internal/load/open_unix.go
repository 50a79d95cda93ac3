//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"io"
	"syscall"
)

// readPath reads at most limit bytes of the file at path, expecting about size bytes. On Unix it
// goes through the system calls directly: os.Open registers every file with the runtime's
// poller (fcntl, epoll_ctl, fstat: six calls that fail or do nothing for a regular file), which
// was a third of the system calls of a 10,000-file repository.
func readPath(path string, size, limit int64) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, pathError(path, err)
	}
	defer syscall.Close(fd)
	return readAll(fdReader(fd), size, limit)
}

type fdReader int

func (r fdReader) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(r), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		case n < len(p):
			// A regular file (readPath's only use) reads short only at its end: saying so
			// saves the read that would return 0.
			return n, io.EOF
		}
		return n, nil
	}
}
