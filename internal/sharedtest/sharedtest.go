// Package sharedtest finds the material tests read from beside the checkout: the real Fleet
// repositories (corpora), the Kubernetes ones, the custom resource definitions (schemas/crds),
// the OS-version snapshot. It is imported by tests only, so none of it is in the binary.
//
// The material lives in ../shared next to the module root (where CI puts it), or wherever
// TOLLGATE_SHARED points. A test that needs it and doesn't find it skips with a message naming
// what is missing and how to get it, so `go test ./...` passes on a fresh clone with nothing
// beside it; with TOLLGATE_REQUIRE_SHARED=1 (.ci/run sets it) the same test fails instead, so
// CI never skips them.
package sharedtest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string // "" when not found
	why  string
)

// Dir is the shared directory, or "" with the reason it was not found.
func Dir() (string, string) {
	once.Do(func() { dir, why = find() })
	return dir, why
}

func find() (string, string) {
	if d := os.Getenv("TOLLGATE_SHARED"); d != "" {
		if isDir(d) {
			abs, _ := filepath.Abs(d)
			return abs, ""
		}
		return "", "TOLLGATE_SHARED=" + d + " is not a directory"
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err.Error()
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if !isDir(filepath.Join(d, "corpora")) {
		return "", d + "/corpora does not exist"
	}
	return d, ""
}

// moduleRoot is the nearest directory above the working directory (a package directory under
// go test) that holds go.mod.
func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", os.ErrNotExist
		}
		d = parent
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Required reports whether a missing shared directory fails the test instead of skipping it.
func Required() bool { return os.Getenv("TOLLGATE_REQUIRE_SHARED") == "1" }

// Path returns the shared directory's sub path (e.g. "corpora", "data/os-versions.json"), or
// skips tb (fails it under TOLLGATE_REQUIRE_SHARED=1) when it is missing.
func Path(tb testing.TB, sub string) string {
	tb.Helper()
	d, reason := Dir()
	if d != "" {
		p := filepath.Join(d, filepath.FromSlash(sub))
		if _, err := os.Stat(p); err == nil {
			return p
		}
		reason = p + " does not exist"
	}
	msg := "needs ../shared/" + sub + " beside the checkout (" + reason + "); " +
		"get it with scripts/fetch-corpora.sh, or point TOLLGATE_SHARED at a copy"
	if Required() {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Corpora is the directory of the real Fleet GitOps repositories.
func Corpora(tb testing.TB) string {
	tb.Helper()
	return Path(tb, "corpora")
}

// CorpusDirs lists the corpora's repositories (absolute paths, sorted).
func CorpusDirs(tb testing.TB) []string {
	tb.Helper()
	root := Corpora(tb)
	ents, err := os.ReadDir(root)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, filepath.Join(root, e.Name()))
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no repositories in %s", root)
	}
	return out
}

// Optional returns the shared sub path when present, or "" (for fuzz seeds and other uses
// that work without it).
func Optional(sub string) string {
	d, _ := Dir()
	if d == "" {
		return ""
	}
	p := filepath.Join(d, filepath.FromSlash(sub))
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
