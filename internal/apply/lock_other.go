//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package apply

import (
	"errors"
	"os"
)

// tryLock has no file lock to take on this system: apply refuses rather than run unguarded.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("file locking is not supported on this operating system")
}

func unlock(*os.File) {}
