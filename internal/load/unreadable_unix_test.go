//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A teams/ directory that can't be listed fails discovery (skipped, lint would pass on the
// global file alone, and an apply with pruning would then delete every team). Root
// reads any directory, so as root the check runs in a child process as an unprivileged user.
func TestUnreadableTeamsDirFailsDiscovery(t *testing.T) {
	if dir := os.Getenv("TOLLGATE_TEST_DISCOVER"); dir != "" {
		_, err := Discover(dir) // the child: report and exit
		fmt.Println("discover:", err)
		os.Exit(0)
	}
	root := t.TempDir()
	writeFile(t, root, "default.yml", "org_settings:\n  secrets: []\n")
	writeFile(t, filepath.Join(root, "teams"), "a.yml", "name: A\n")
	if err := os.Chmod(filepath.Join(root, "teams"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(root, "teams"), 0o755)
	if os.Geteuid() != 0 {
		_, err := Discover(root)
		if err == nil || !strings.Contains(err.Error(), "cannot read directory") || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("Discover of an unreadable teams/: %v", err)
		}
		return
	}
	// Let the unprivileged child reach the repository: the test's temporary directories are 0700.
	for d := root; d != filepath.Dir(os.TempDir()) && d != "/"; d = filepath.Dir(d) {
		if strings.HasPrefix(d, os.TempDir()) && d != os.TempDir() {
			os.Chmod(d, 0o755)
		}
	}
	self, err := os.ReadFile(os.Args[0]) // the test binary, where the child may run it
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(root), "load.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^TestUnreadableTeamsDirFailsDiscovery$")
	cmd.Env = append(os.Environ(), "TOLLGATE_TEST_DISCOVER="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Skipf("can't run a child as an unprivileged user here (%v: %s): the unreadable directory is tested only where that works", err, out)
	}
	if !strings.Contains(string(out), "discover: cannot read directory") || !strings.Contains(string(out), "permission denied") {
		t.Fatalf("Discover of an unreadable teams/ as an unprivileged user: %s", out)
	}
}
