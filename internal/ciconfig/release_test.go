package ciconfig

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	builtOnce sync.Once
	builtPath string
	builtErr  error
)

// builtTollgate is this checkout's tollgate, built once per test binary (as the action builds it).
func builtTollgate(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tollgate-release-test")
		if err != nil {
			builtErr = err
			return
		}
		builtPath = filepath.Join(dir, "tollgate")
		cmd := exec.Command("go", "build", "-trimpath", "-o", builtPath, "./cmd/tollgate")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			builtErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return builtPath
}

// fakeRelease lays out a release of version for this machine as scripts/release.sh names its
// files, in a directory served as TOLLGATE_RELEASE_URL (DIR/VERSION/FILE). With honest false the
// checksums file lists another digest for the archive.
func fakeRelease(t *testing.T, version string, honest bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, version), 0o755); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("tollgate_%s_%s_%s", strings.TrimPrefix(version, "v"), runtime.GOOS, runtime.GOARCH)
	bin, err := os.ReadFile(builtTollgate(t))
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, version, name+".tar.gz")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, e := range []struct {
		name string
		mode int64
		data []byte
	}{{name + "/tollgate", 0o755, bin}, {name + "/README.md", 0o644, []byte("# tollgate\n")}} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if !honest {
		digest = strings.Repeat("0", 64)
	}
	sums := fmt.Sprintf("%s  %s.sbom.cdx.json\n%s  %s.tar.gz\n", strings.Repeat("1", 64), name, digest, name)
	if err := os.WriteFile(filepath.Join(dir, version, fmt.Sprintf("tollgate_%s_checksums.txt", strings.TrimPrefix(version, "v"))), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fakeGH is a PATH whose first directory holds a `gh` that logs its arguments to gh.log in that
// directory and exits with code: attestation verification without the network.
func fakeGH(t *testing.T, code int) string {
	t.Helper()
	dir := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\necho \"$*\" >> %q\nexit %d\n", filepath.Join(dir, "gh.log"), code)
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir + string(os.PathListSeparator) + os.Getenv("PATH")
}

// TestInstallRelease runs scripts/install-release.sh, which the action's version input uses,
// on releases made here: every way it must refuse, and the one way it installs.
func TestInstallRelease(t *testing.T) {
	script, err := filepath.Abs(filepath.Join(root, "scripts", "install-release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	honest, tampered := fakeRelease(t, "v0.0.1", true), fakeRelease(t, "v0.0.1", false)
	run := func(release, path, version string) (dest string, code int, out string) {
		dest = filepath.Join(t.TempDir(), "bin", "tollgate")
		cmd := exec.Command("bash", script, version, dest)
		cmd.Env = append(os.Environ(), "TOLLGATE_RELEASE_URL=file://"+release, "PATH="+path, "RUNNER_OS=", "RUNNER_ARCH=")
		b, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return dest, code, string(b)
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	ghOK := fakeGH(t, 0)
	dest, code, out := run(honest, ghOK, "0.0.1") // "v" is optional
	if code != 0 || !exists(dest) || !strings.Contains(out, "tollgate devel") {
		t.Errorf("honest release: exit %d, installed %v (want 0, true, and its --version)\n%s", code, exists(dest), out)
	}
	log, _ := os.ReadFile(filepath.Join(strings.SplitN(ghOK, string(os.PathListSeparator), 2)[0], "gh.log"))
	if !strings.Contains(string(log), "attestation verify ") || !strings.HasSuffix(strings.TrimSpace(string(log)), ".tar.gz --repo tollgate-dev/tollgate") {
		t.Errorf("gh was called with %q, want attestation verify ARCHIVE --repo tollgate-dev/tollgate", log)
	}

	for _, c := range []struct {
		what, release, path, version, want string
		code                               int
	}{
		{"an archive that does not match its checksum", tampered, ghOK, "v0.0.1", "SHA-256", 1},
		{"an archive gh finds no provenance for", honest, fakeGH(t, 1), "v0.0.1", "no valid build provenance", 1},
		{"a version that was never released", honest, ghOK, "v0.0.2", "could not download", 3},
		{"not a version", honest, ghOK, "main", "not a release version", 2},
	} {
		dest, code, out := run(c.release, c.path, c.version)
		if code != c.code || !strings.Contains(out, c.want) || exists(dest) {
			t.Errorf("%s: exit %d, installed %v; want exit %d, nothing installed, and %q in:\n%s", c.what, code, exists(dest), c.code, c.want, out)
		}
	}
}

// TestMain removes the tollgate that builtTollgate shares between tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtPath != "" {
		os.RemoveAll(filepath.Dir(builtPath))
	}
	os.Exit(code)
}
