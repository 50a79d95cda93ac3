package apply

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestExec(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh")
	}
	sh, err := LookApplier("sh", t.TempDir())
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code, err := Exec(t.Context(), sh, []string{"sh", "-c", `echo "$0 in $(pwd) $TG_X"; echo oops >&2; exit 3`}, dir,
		[]string{"TG_X=passed-through"}, &out, &errOut)
	if err != nil || code != 3 {
		t.Fatalf("code %d, err %v", code, err)
	}
	if want := "sh in " + canonicalDir(dir) + " passed-through\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.String() != "oops\n" {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestLookApplier(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permissions")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "scripts"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "scripts", "apply.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A path with a slash is relative to the applier's working directory.
	if got, err := LookApplier("./scripts/apply.sh", dir); err != nil || got != script {
		t.Errorf("relative: %q, %v", got, err)
	}
	if _, err := LookApplier("tollgate-no-such-applier", dir); err == nil {
		t.Error("a missing program was found")
	}
}

func TestQuote(t *testing.T) {
	got := Quote([]string{"fleetctl", "gitops", "-f", "teams/my team.yml", ""})
	if want := `fleetctl gitops -f "teams/my team.yml" ""`; got != want {
		t.Errorf("got %s", got)
	}
}
