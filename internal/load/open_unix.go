//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"io"
	"slices"
	"sync"
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

// readBufs holds read buffers for readNoFollow (the file is copied out at its exact size).
var readBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readNoFollow reads the file at path when it is not a symbolic link (O_NOFOLLOW) and holds
// at most limit bytes (0: no limit). O_NONBLOCK keeps a FIFO put in the file's place since
// its directory was read from blocking the open. ok is false on any error. With use, the
// bytes are handed to it in a reused buffer (valid during the call) and not returned;
// without, a copy is returned.
func readNoFollow(path string, limit int, use func([]byte)) ([]byte, bool) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp) // the buffer as it was: one grown for a large file is let go
	buf := *bp
	n := 0
	for {
		if n == len(buf) {
			if limit > 0 && n > limit {
				return nil, false
			}
			buf = slices.Grow(buf, len(buf))[:2*len(buf)]
		}
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, false // a directory (EISDIR), a FIFO (EAGAIN), ...
		}
		n += m
		if m == 0 || n < len(buf) {
			break // a regular file reads short only at its end
		}
	}
	if limit > 0 && n > limit {
		return nil, false
	}
	if use != nil {
		use(buf[:n])
		return nil, true
	}
	return slices.Clone(buf[:n]), true
}
