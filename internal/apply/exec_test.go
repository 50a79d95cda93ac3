package apply

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
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
	got := Quote([]string{"fleetctl", "gitops", "-f", "teams/my team.yml", "", "--dry-run"})
	if want := `fleetctl gitops -f 'teams/my team.yml' '' --dry-run`; got != want {
		t.Errorf("got %s", got)
	}
	// Pasted into a shell, the line gives back exactly the words, and runs nothing else.
	if runtime.GOOS == "windows" {
		return
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	hostile := []string{"printf", `%s\0`, "teams/$(touch pwned).yml", "`touch pwned`", "a;touch pwned", "it's",
		"line\nbreak", `back\slash"quote`, "##[error]x", "::warning::y", "*", "~", "é", ""}
	out, err := exec.Command(sh, "-c", "cd "+Quote([]string{dir})+" && "+Quote(hostile)).Output()
	if err != nil {
		t.Fatal(err)
	}
	if words := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"); !slices.Equal(words, hostile[2:]) {
		t.Errorf("the shell read %q, want %q", words, hostile[2:])
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("the quoted line ran a command")
	}
	if strings.Contains(Quote(hostile), "##[") {
		t.Errorf("%s holds a workflow command", Quote(hostile))
	}
}

// TestExecInterrupt: when tollgate is interrupted, the applier gets an interrupt (not a kill)
// and its exit is still reported.
func TestExecInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses sh and signals")
	}
	sh, err := LookApplier("sh", t.TempDir())
	if err != nil {
		t.Skip("no sh")
	}
	ctx, cancel := context.WithCancel(t.Context())
	var out bytes.Buffer
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	code, err := Exec(ctx, sh, []string{"sh", "-c", `trap 'echo cleaned up; exit 7' INT; while :; do sleep 0.05; done`}, t.TempDir(), nil, &out, &out)
	if !errors.Is(err, context.Canceled) || code != 7 {
		t.Errorf("code %d, err %v; want 7, context.Canceled", code, err)
	}
	if out.String() != "cleaned up\n" {
		t.Errorf("output %q", out.String())
	}
}
