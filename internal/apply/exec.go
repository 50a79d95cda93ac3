package apply

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// LookApplier finds the applier program at hand-off time: a bare name on PATH (exec.LookPath),
// a path with a separator relative to dir.
func LookApplier(name, dir string) (string, error) {
	if !filepath.IsAbs(name) && strings.ContainsAny(name, "/"+string(filepath.Separator)) {
		name = filepath.Join(dir, name)
	}
	return exec.LookPath(name)
}

// Grace is how long an interrupted applier has to stop before its process group is killed.
var Grace = 30 * time.Second

// Exec runs the applier: program path with argv (argv[0] as written), in dir, with env, its
// output streamed to stdout and stderr, no standard input, in a process group of its own. It
// returns the exit code (-1 when the process was killed by a signal). When ctx ends (tollgate
// interrupted) the whole group is sent an interrupt and, after Grace, killed; err is then the
// context's error. Whatever is left of the group when the applier exits is killed: nothing the
// hand-off started outlives the attempt (and its lock).
func Exec(ctx context.Context, path string, argv []string, dir string, env []string, stdout, stderr io.Writer) (code int, err error) {
	return run(ctx, path, argv, dir, env, stdout, stderr, nil)
}

// Exec runs the applier as Exec does, and lets it inherit the lock: the lock is then held as
// long as any process of the hand-off keeps it open, even if tollgate itself is killed (SIGKILL
// gives it no chance to stop the applier first).
func (l *Lock) Exec(ctx context.Context, path string, argv []string, dir string, env []string, stdout, stderr io.Writer) (code int, err error) {
	return run(ctx, path, argv, dir, env, stdout, stderr, l.f)
}

func run(ctx context.Context, path string, argv []string, dir string, env []string, stdout, stderr io.Writer, inherit *os.File) (code int, err error) {
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Args = argv
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if inherit != nil && canInherit {
		cmd.ExtraFiles = []*os.File{inherit}
	}
	newGroup(cmd)
	var kill *time.Timer
	cmd.Cancel = func() error {
		kill = time.AfterFunc(Grace, func() { killGroup(cmd.Process) })
		return interruptGroup(cmd.Process)
	}
	cmd.WaitDelay = Grace + 5*time.Second
	err = cmd.Run()
	if kill != nil {
		kill.Stop()
	}
	if cmd.Process != nil {
		killGroup(cmd.Process)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case ctx.Err() != nil:
		code := -1
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return code, ctx.Err()
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return -1, err
}

// Quote renders argv as a POSIX shell would read it back: words of plain characters as they
// are, any other in single quotes (a single quote inside closes the quotes, is escaped, and
// reopens them). Pasted into a shell, it runs that one command and nothing else, whatever the
// file names hold ($(…), `…`, ;, newlines). A "##[" is split in two quoted pieces, the same
// word to a shell, so a file name can't make the line a GitHub Actions workflow command.
func Quote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, needsQuote) < 0 {
			out[i] = a
			continue
		}
		q := "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		out[i] = strings.ReplaceAll(q, "##[", "##''[")
	}
	return strings.Join(out, " ")
}

// needsQuote is true for a character a shell may treat specially, and for anything not ASCII.
func needsQuote(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("@%+=:,./_-", r)
}
