// Package baseline reads and writes the baseline file of `tollgate lint --baseline` and
// `--write-baseline`: the fingerprints of the findings a repository already had when it
// adopted the gate, so only new ones are reported. The format is docs/baseline.md; the
// fingerprints themselves are computed by package lint. A baseline holds rule IDs, file
// names and hashes, never a value of the repository.
package baseline

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
)

// Version is the format's version: 1 while fields are only added.
const Version = 1

// File is a baseline.
type File struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`

	index map[Entry]int // Add's: an entry (Count 0) → its place in Findings
}

// Entry is one kind of known finding: Count findings of Rule in File share Fingerprint. File is
// "" for a finding that belongs to no file.
type Entry struct {
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Fingerprint string `json:"fingerprint"`
	Count       int    `json:"count"`
}

var fingerprintRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Add records one finding.
func (b *File) Add(rule, file, fingerprint string) {
	key := Entry{Rule: rule, File: file, Fingerprint: fingerprint}
	if b.index == nil {
		b.index = map[Entry]int{}
		for i, e := range b.Findings {
			e.Count = 0
			b.index[e] = i
		}
	}
	if i, ok := b.index[key]; ok {
		b.Findings[i].Count++
		return
	}
	b.index[key] = len(b.Findings)
	key.Count = 1
	b.Findings = append(b.Findings, key)
}

// Counts is how many findings of each fingerprint the baseline holds.
func (b *File) Counts() map[string]int {
	out := make(map[string]int, len(b.Findings))
	for _, e := range b.Findings {
		out[e.Fingerprint] += e.Count
	}
	return out
}

// Marshal writes the baseline: entries sorted by file, rule and fingerprint, two-space
// indentation, a final newline. The same findings give the same bytes.
func (b *File) Marshal() ([]byte, error) {
	out := File{Version: Version, Findings: slices.Clone(b.Findings)}
	if out.Findings == nil {
		out.Findings = []Entry{}
	}
	slices.SortFunc(out.Findings, func(x, y Entry) int {
		return cmp.Or(cmp.Compare(x.File, y.File), cmp.Compare(x.Rule, y.Rule), cmp.Compare(x.Fingerprint, y.Fingerprint))
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse reads a baseline strictly: an unknown field, another version, a malformed fingerprint
// or count is an error with its place, never a baseline that silently matches less (or more).
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, withPlace(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one JSON value", place(data, dec.InputOffset()))
	}
	if b.Version != Version {
		return nil, fmt.Errorf("version %d: this tollgate reads baseline version %d; write it again with --write-baseline", b.Version, Version)
	}
	for i, e := range b.Findings {
		switch {
		case e.Rule == "":
			return nil, fmt.Errorf("findings[%d]: rule is required", i)
		case !fingerprintRe.MatchString(e.Fingerprint):
			return nil, fmt.Errorf("findings[%d]: fingerprint %q is not 32 lower-case hex digits", i, e.Fingerprint)
		case e.Count < 1:
			return nil, fmt.Errorf("findings[%d]: count %d; it counts findings, at least 1", i, e.Count)
		}
	}
	return &b, nil
}

// withPlace adds the line and column of a JSON decoding error.
func withPlace(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s: %v", place(data, syn.Offset-1), err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %v", place(data, typ.Offset-1), err)
	case errors.Is(err, io.EOF):
		return errors.New("empty file: a baseline is a JSON object (write one with --write-baseline)")
	}
	return err
}

// place is "line L, column C" of the byte at offset off (json's offsets count the bytes read,
// the offending one included).
func place(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}
