package report

import (
	"encoding/json"
	"io"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// planJSON writes a plan for machines, in the shape docs/diff-format.md documents (and change
// rules read as input.change).
type planJSON struct{}

func (planJSON) ReportPlan(w io.Writer, res *diff.Result) error {
	b, err := json.MarshalIndent(res.Document(), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
