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
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
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
	for _, tool := range []string{"bash", "curl", "tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			// Not a skip: a skipped test would hide that the script never ran.
			t.Fatalf("%s is needed to run scripts/install-release.sh: %v", tool, err)
		}
	}
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

// newestRelease is the newest version with a section in CHANGELOG.md ("0.1.0").
func newestRelease(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\] - \d{4}-\d{2}-\d{2}$`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("CHANGELOG.md has no release section (## [X.Y.Z] - YYYY-MM-DD)")
	}
	return m[1]
}

// TestDocsPinTheRelease: every place the documentation and the examples name a tollgate
// release names the newest one of CHANGELOG.md, and none says "main" (a moving target).
func TestDocsPinTheRelease(t *testing.T) {
	want := "v" + newestRelease(t)
	files := []string{"README.md", "CHANGELOG.md"}
	for _, pattern := range []string{"docs/*.md", "docs/examples/*.yml"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, f := range m {
			rel, _ := filepath.Rel(root, f)
			files = append(files, rel)
		}
	}
	refs := []*regexp.Regexp{
		regexp.MustCompile(`tollgate-dev/tollgate(?:/cmd/tollgate)?@(\S+?)["'\s` + "`" + `)]`), // uses:, go install
		regexp.MustCompile(`TOLLGATE_VERSION:\s*(\S+)`),
		regexp.MustCompile(`^\s*rev:\s*(\S+)`), // the pre-commit snippet
		regexp.MustCompile(`^\s*version:\s*(v\S+)`),
		regexp.MustCompile(`releases/download/(v[^/\s"]+)`),
		regexp.MustCompile(`raw\.githubusercontent\.com/tollgate-dev/tollgate/([^/\s]+)/`),
		regexp.MustCompile(`^\s*v=(\S+)`),
		regexp.MustCompile("with `version: (\\S+)`"),
	}
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, re := range refs {
				for _, m := range re.FindAllStringSubmatch(line, -1) {
					got := m[1]
					if got == "${TOLLGATE_VERSION}" || got == "$TOLLGATE_VERSION" || got == "v$v" || got == "${{" {
						continue // the variable, pinned where it is set
					}
					found++
					if got != want && got != strings.TrimPrefix(want, "v") {
						t.Errorf("%s:%d: names tollgate %q; the newest release in CHANGELOG.md is %s", f, i+1, got, want)
					}
				}
			}
		}
	}
	if found < 10 {
		t.Errorf("found only %d references to a tollgate release in the docs: has the wording changed under this test?", found)
	}
}

// TestReleaseWorkflow checks what actionlint can't: the release workflow runs on version tags,
// builds with scripts/release.sh (which cross-builds the six targets), attests what it built
// with the job's OIDC token, and publishes only then.
func TestReleaseWorkflow(t *testing.T) {
	var wf struct {
		On struct {
			Push struct {
				Tags []string `yaml:"tags"`
			} `yaml:"push"`
		} `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
			Steps       []step            `yaml:"steps"`
		} `yaml:"jobs"`
	}
	data, err := os.ReadFile(filepath.Join(root, ".github/workflows/release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.On.Push.Tags) != 1 || !strings.HasPrefix(wf.On.Push.Tags[0], "v") {
		t.Errorf("on.push.tags = %q, want version tags only", wf.On.Push.Tags)
	}
	if wf.Permissions["contents"] != "read" || len(wf.Permissions) != 1 {
		t.Errorf("workflow permissions %v: want contents: read, the job adds what it needs", wf.Permissions)
	}
	job, ok := wf.Jobs["release"]
	if !ok || len(wf.Jobs) != 1 {
		t.Fatalf("want one job, release: %v", wf.Jobs)
	}
	for k, v := range map[string]string{"contents": "write", "id-token": "write", "attestations": "write"} {
		if job.Permissions[k] != v {
			t.Errorf("release job: permissions.%s = %q, want %q", k, job.Permissions[k], v)
		}
	}
	order := map[string]int{}
	for i, s := range job.Steps {
		switch {
		case strings.Contains(s.Run, "go test ./..."):
			order["test"] = i + 1
		case strings.Contains(s.Run, `bash scripts/release.sh "$TAG" dist`):
			order["build"] = i + 1
		case strings.HasPrefix(s.Uses, "actions/attest-build-provenance@"):
			order["attest"] = i + 1
			if s.With["subject-checksums"] != "${{ steps.build.outputs.checksums }}" {
				t.Errorf("the attestation must cover every file of the checksums file: with %v", s.With)
			}
		case strings.Contains(s.Run, "gh release create"):
			order["publish"] = i + 1
		}
	}
	if !(order["test"] > 0 && order["test"] < order["build"] && order["build"] < order["attest"] && order["attest"] < order["publish"]) {
		t.Errorf("steps in order test, build, attest, publish: got positions %v", order)
	}

	script, err := os.ReadFile(filepath.Join(root, "scripts/release.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"} {
		if !regexp.MustCompile(`(?m)^targets=".*\b` + target + `\b`).Match(script) {
			t.Errorf("scripts/release.sh does not build %s by default", target)
		}
	}
}

// TestApplyExample checks the apply example against what the template's workflow needs: the
// fleetctl of the server's version, `fleetctl config set` before any apply, the secrets once
// for the job, tollgate pinned and verified, and one apply at a time.
func TestApplyExample(t *testing.T) {
	var wf struct {
		Concurrency struct {
			Group            string `yaml:"group"`
			CancelInProgress bool   `yaml:"cancel-in-progress"`
		} `yaml:"concurrency"`
		Jobs map[string]struct {
			Env   map[string]string `yaml:"env"`
			Steps []step            `yaml:"steps"`
		} `yaml:"jobs"`
	}
	data, err := os.ReadFile(filepath.Join(root, "docs/examples/fleet-gitops-apply.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Concurrency.Group == "" || wf.Concurrency.CancelInProgress {
		t.Errorf("concurrency %+v: one apply at a time, never cancelled half-way", wf.Concurrency)
	}
	job := wf.Jobs["fleet-gitops"]
	for _, v := range []string{"FLEET_URL", "FLEET_API_TOKEN", "FLEET_GLOBAL_ENROLL_SECRET"} {
		if job.Env[v] != "${{ secrets."+v+" }}" {
			t.Errorf("job env %s = %q: set every secret once, for the job", v, job.Env[v])
		}
	}
	if job.Env["TOLLGATE_VERSION"] != "v"+newestRelease(t) {
		t.Errorf("TOLLGATE_VERSION = %q, want the newest release", job.Env["TOLLGATE_VERSION"])
	}
	at := func(match func(step) bool) int { return slices.IndexFunc(job.Steps, match) }
	install := at(func(s step) bool { return strings.Contains(s.Run, "releases/download") })
	fleetctl := at(func(s step) bool {
		return strings.Contains(s.Run, "/api/v1/fleet/version") && strings.Contains(s.Run, "npm install -g")
	})
	config := at(func(s step) bool {
		return strings.Contains(s.Run, `fleetctl config set --address "$FLEET_URL" --token "$FLEET_API_TOKEN"`)
	})
	dry := at(func(s step) bool { return strings.Contains(s.Run, "tollgate apply --dry-run") })
	apply := at(func(s step) bool {
		return strings.Contains(s.Run, "tollgate apply") && !strings.Contains(s.Run, "--dry-run")
	})
	upload := at(func(s step) bool { return strings.HasPrefix(s.Uses, "actions/upload-artifact@") })
	if install < 0 || !strings.Contains(job.Steps[install].Run, "sha256sum -c") || !strings.Contains(job.Steps[install].Run, "gh attestation verify") {
		t.Errorf("tollgate must be installed from its release, checksum and provenance verified")
	}
	if !(install >= 0 && fleetctl >= 0 && fleetctl < config && config < dry && config < apply && apply < upload) {
		t.Errorf("steps: install %d, fleetctl %d, config set %d, dry run %d, apply %d, upload %d: want fleetctl installed and configured before any apply, the audit record uploaded last", install, fleetctl, config, dry, apply, upload)
	}
	if upload >= 0 && job.Steps[upload].If != "always()" {
		t.Errorf("the audit record is uploaded if: always() (refusals are recorded too), has %q", job.Steps[upload].If)
	}
	if apply >= 0 && job.Steps[apply].Env["TOLLGATE_EMERGENCY_BYPASS"] != "${{ inputs.emergency-bypass }}" {
		t.Errorf("the apply step takes its emergency bypass from the workflow_dispatch input only")
	}
}
