package diff

import (
	"bytes"
	"encoding/json"
)

// Document is a plan's JSON form (docs/diff-format.md): what `tollgate diff --format json`
// writes and what change rules read as input.change.
type Document struct {
	Version int      `json:"version"`
	Base    Side     `json:"base"`
	Head    Side     `json:"head"`
	Summary Counts   `json:"summary"`
	Changes []Change `json:"changes"`
}

// Document is the result in its JSON form.
func (r *Result) Document() Document {
	cs := r.Changes
	if cs == nil {
		cs = []Change{}
	}
	return Document{Version: 1, Base: r.Base, Head: r.Head, Summary: Count(cs), Changes: cs}
}

// Input is the document as policies see it (input.change): the JSON form decoded into plain
// values, numbers exact.
func (r *Result) Input() (any, error) {
	b, err := json.Marshal(r.Document())
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	return v, err
}
