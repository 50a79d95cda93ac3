package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrLocked means another apply held the lock for longer than the wait.
var ErrLocked = errors.New("another tollgate apply holds the lock")

// Lock is an exclusive OS file lock (flock on Unix, LockFileEx on Windows). The OS releases it
// when the process exits, crashes or is killed, so a stale lock file never blocks anyone; the
// file itself is left in place (deleting it would let two processes lock two different files).
type Lock struct{ f *os.File }

// LockPollInterval is how often a waiting apply tries the lock again.
var LockPollInterval = 200 * time.Millisecond

// AcquireLock takes the lock on path, waiting up to wait (zero: one try). waiting, when not
// nil, is called once if the lock is busy, with the pid the holder wrote into the file.
func AcquireLock(ctx context.Context, path string, wait time.Duration, waiting func(holder string)) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	told := false
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			// Note who holds it, for the message another apply prints while it waits.
			if f.Truncate(0) == nil {
				f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			}
			return &Lock{f: f}, nil
		}
		holder := lockHolder(path)
		if !time.Now().Before(deadline) {
			f.Close()
			if holder != "" {
				return nil, fmt.Errorf("%w (%s, pid %s)", ErrLocked, path, holder)
			}
			return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
		}
		if !told && waiting != nil {
			waiting(holder)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(min(LockPollInterval, time.Until(deadline))):
		}
	}
}

// Release unlocks.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	unlock(l.f)
	err := l.f.Close()
	l.f = nil
	return err
}

func lockHolder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
