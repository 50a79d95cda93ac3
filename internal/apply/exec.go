package apply

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// Exec runs the applier: program path with argv (argv[0] as written), in dir, with env, its
// output streamed to stdout and stderr, no standard input. It returns the exit code (-1 when
// the process was killed by a signal). When ctx ends (tollgate interrupted) the applier is
// sent an interrupt and given time to stop; err is then the context's error.
func Exec(ctx context.Context, path string, argv []string, dir string, env []string, stdout, stderr io.Writer) (code int, err error) {
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Args = argv
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return interrupt(cmd.Process) }
	cmd.WaitDelay = 30 * time.Second
	err = cmd.Run()
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

func interrupt(p *os.Process) error {
	if err := p.Signal(os.Interrupt); err != nil {
		return p.Kill() // Windows cannot send an interrupt
	}
	return nil
}

// Quote renders argv for a message, quoting the words a shell would split.
func Quote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`|&;<>()*?[]{}#~") {
			a = strconv.Quote(a)
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
