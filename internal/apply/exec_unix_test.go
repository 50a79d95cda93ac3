//go:build unix

package apply

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid is a process that has not ended (a zombie has ended) after a
// moment for a signal sent to it to be delivered.
func alive(t *testing.T, pid int) bool {
	t.Helper()
	for range 40 {
		if !running(pid) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func running(pid int) bool {
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
	}
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscallZero) == nil
}

func childPID(t *testing.T, file string) int {
	t.Helper()
	for range 100 {
		if b, err := os.ReadFile(file); err == nil && len(bytes.TrimSpace(b)) > 0 {
			pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the applier did not start its child")
	return 0
}

// TestExecKillsTheGroup: an interrupted applier's children are stopped with it (a wrapper's
// background job ignores SIGINT, so it is killed after the grace period), and what an applier
// leaves running when it exits is killed too: nothing of the hand-off outlives the attempt.
func TestExecKillsTheGroup(t *testing.T) {
	defer func(g time.Duration) { Grace = g }(Grace)
	Grace = 300 * time.Millisecond
	dir := t.TempDir()
	sh, err := LookApplier("sh", dir)
	if err != nil {
		t.Skip("no sh")
	}
	child := filepath.Join(dir, "child")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := Exec(ctx, sh, []string{"sh", "-c", `sleep 30 >/dev/null 2>&1 & echo $! > child; wait`}, dir, nil, &bytes.Buffer{}, &bytes.Buffer{})
		done <- err
	}()
	pid := childPID(t, child)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
	if alive(t, pid) {
		t.Errorf("the applier's child %d outlived the interrupt", pid)
	}

	os.Remove(child)
	if _, err := Exec(t.Context(), sh, []string{"sh", "-c", `sleep 30 >/dev/null 2>&1 & echo $! > child`}, dir, nil, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if pid := childPID(t, child); alive(t, pid) {
		t.Errorf("the child %d the applier left running outlived it", pid)
	}
}

// TestExecInheritsTheLock: the applier holds the lock's file too, so the lock stays taken while
// any process of the hand-off runs, even if tollgate is killed.
func TestExecInheritsTheLock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := t.TempDir()
	lock, err := AcquireLock(t.Context(), LockPath(dir), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	sh, err := LookApplier("sh", dir)
	if err != nil {
		t.Skip("no sh")
	}
	var out bytes.Buffer
	if _, err := lock.Exec(t.Context(), sh, []string{"sh", "-c", `readlink /proc/$$/fd/3`}, dir, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != LockPath(dir) {
		t.Errorf("fd 3 of the applier is %q, want the lock %s", got, LockPath(dir))
	}
}

var syscallZero = syscall.Signal(0)
