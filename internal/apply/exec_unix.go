//go:build unix

package apply

import (
	"os"
	"os/exec"
	"syscall"
)

// canInherit: the applier can be given the lock's file (exec.Cmd.ExtraFiles).
const canInherit = true

// newGroup starts the applier in a process group of its own, so that it and everything it
// starts can be signalled together (a wrapper script's children too).
func newGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// interruptGroup sends SIGINT to the applier's process group.
func interruptGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGINT); err != nil {
		return p.Signal(os.Interrupt)
	}
	return nil
}

// killGroup kills whatever is left of the applier's process group.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
