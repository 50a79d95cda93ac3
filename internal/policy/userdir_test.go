package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A policy file that is a symbolic link out of the policy directory is not read (a pull
// request could otherwise have any file of the runner shown in the parse error); one inside
// it is.
func TestUserDirSymlinks(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy")
	if err := os.MkdirAll(filepath.Join(policy, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("secret-first-line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(policy, "lib", "real.txt"), []byte("package main\n\ndeny contains \"x\" if { false }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("lib", "real.txt"), filepath.Join(policy, "inside.rego")); err != nil {
		t.Fatal(err)
	}
	if ms, err := UserDir(policy, false); err != nil || len(ms) != 1 {
		t.Errorf("a link inside the directory: %d modules, %v", len(ms), err)
	}
	if err := os.Symlink(filepath.Join("..", "secret.txt"), filepath.Join(policy, "leak.rego")); err != nil {
		t.Fatal(err)
	}
	_, err := UserDir(policy, false)
	if err == nil || !strings.Contains(err.Error(), "a symbolic link there leads out of it") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a link out of the directory: %v", err)
	}
}
