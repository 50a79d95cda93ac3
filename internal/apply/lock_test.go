package apply

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".tollgate", "audit.jsonl.lock")
	ctx := t.Context()
	first, err := AcquireLock(ctx, path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A second apply refuses at once, naming the holder.
	_, err = AcquireLock(ctx, path, 0, nil)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if want := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("%v: want the holder's %s", err, want)
	}
	// With a wait, it gets the lock once the first releases it.
	waited := make(chan string, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		first.Release()
	}()
	second, err := AcquireLock(ctx, path, 10*time.Second, func(holder string) { waited <- holder })
	if err != nil {
		t.Fatalf("waiting lock: %v", err)
	}
	if h := <-waited; h != strconv.Itoa(os.Getpid()) {
		t.Errorf("waiting callback got holder %q", h)
	}
	// A short wait runs out.
	start := time.Now()
	if _, err := AcquireLock(ctx, path, 300*time.Millisecond, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("short wait: %v", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
		t.Errorf("short wait took %v", d)
	}
	if err := second.Release(); err != nil {
		t.Error(err)
	}
	third, err := AcquireLock(ctx, path, 0, nil)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	third.Release()
}
