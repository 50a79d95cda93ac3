package report

import (
	"encoding/json"
	"io"

	"github.com/tollgate-dev/tollgate/internal/diff"
)

// planJSON writes a plan for machines, in the shape docs/diff-format.md documents (and change
// rules read as input.change).
type planJSON struct{}

// PlanDocument is the JSON form of a plan.
type PlanDocument struct {
	Version int           `json:"version"`
	Base    diff.Side     `json:"base"`
	Head    diff.Side     `json:"head"`
	Summary diff.Counts   `json:"summary"`
	Changes []diff.Change `json:"changes"`
}

// PlanDoc builds the JSON form of a plan.
func PlanDoc(res *diff.Result) PlanDocument {
	cs := res.Changes
	if cs == nil {
		cs = []diff.Change{}
	}
	return PlanDocument{Version: 1, Base: res.Base, Head: res.Head, Summary: diff.Count(cs), Changes: cs}
}

func (planJSON) ReportPlan(w io.Writer, res *diff.Result) error {
	b, err := json.MarshalIndent(PlanDoc(res), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
