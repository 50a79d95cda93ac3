//go:build !unix

package apply

import (
	"os"
	"os/exec"
)

// canInherit: Windows cannot pass extra files to a child (exec.Cmd.ExtraFiles).
const canInherit = false

// newGroup: Windows has no process groups to signal; the applier alone is stopped (a job
// object would be needed to stop its children too).
func newGroup(*exec.Cmd) {}

func interruptGroup(p *os.Process) error {
	if err := p.Signal(os.Interrupt); err != nil {
		return p.Kill() // Windows cannot send an interrupt
	}
	return nil
}

func killGroup(p *os.Process) { p.Kill() }
