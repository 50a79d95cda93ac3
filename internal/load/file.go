package load

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// File is one file read from the repository.
type File struct {
	Path   string // repository-relative, forward slashes
	Abs    string
	Data   []byte
	Digest string     // sha256 of Data, hex
	Node   *yaml.Node // parsed YAML document (YAML files only; nil when it does not parse)
	// Problems are the YAML problems of this file, as findings (reported once per file).
	Problems []finding.Finding

	parseOnce sync.Once
	linesOnce sync.Once
	lines     *yamlsrc.Lines
}

// Lines indexes the file's text lines.
func (f *File) Lines() *yamlsrc.Lines {
	f.linesOnce.Do(func() { f.lines = yamlsrc.NewLines(f.Data) })
	return f.lines
}

// fileSet reads each file once, however many entries include it, and keeps reads inside Root.
type fileSet struct {
	root   string
	limits yamlsrc.Limits
	mu     sync.Mutex
	slots  map[string]*fileSlot
}

type fileSlot struct {
	once sync.Once
	file *File
	err  error
}

func newFileSet(root string, lim yamlsrc.Limits) *fileSet {
	return &fileSet{root: root, limits: lim, slots: map[string]*fileSlot{}}
}

// ErrOutside is returned for a path that leads (directly or through a symlink) out of the repository.
var ErrOutside = errors.New("outside the repository")

// rel turns an absolute path into a repository-relative slash path, or ErrOutside.
func (s *fileSet) rel(abs string) (string, error) {
	r, err := filepath.Rel(s.root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", ErrOutside
	}
	return filepath.ToSlash(r), nil
}

// read returns the file at abs, reading it at most once. yamlDoc asks for YAML parsing.
func (s *fileSet) read(abs string, yamlDoc bool) (*File, error) {
	abs = filepath.Clean(abs)
	s.mu.Lock()
	slot, ok := s.slots[abs]
	if !ok {
		slot = &fileSlot{}
		s.slots[abs] = slot
	}
	s.mu.Unlock()
	slot.once.Do(func() { slot.file, slot.err = s.readNew(abs) })
	if slot.err == nil && yamlDoc && slot.file.Data != nil {
		slot.file.parseOnce.Do(func() { parseYAML(slot.file, s.limits) })
	}
	return slot.file, slot.err
}

func (s *fileSet) readNew(abs string) (*File, error) {
	rel, err := s.rel(abs)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	if _, err := s.rel(real); err != nil {
		return nil, fmt.Errorf("symbolic link to %s: %w", real, ErrOutside)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", rel)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	f := &File{Path: rel, Abs: abs}
	if s.limits.MaxBytes > 0 && fi.Size() > int64(s.limits.MaxBytes) {
		f.Problems = append(f.Problems, fileFinding(f, 1, 1, catalog.FileInvalid,
			fmt.Sprintf("file is %d bytes, over the %d-byte limit for a configuration file", fi.Size(), s.limits.MaxBytes)))
		return f, nil
	}
	fh, err := os.Open(real)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// Read at most the limit plus one byte: the file may grow between Stat and Read.
	f.Data, err = io.ReadAll(io.LimitReader(fh, int64(s.limits.MaxBytes)+1))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(f.Data)
	f.Digest = hex.EncodeToString(sum[:])
	return f, nil
}

// parseYAML parses f.Data into f.Node, turning problems into findings.
func parseYAML(f *File, lim yamlsrc.Limits) {
	f.Problems = f.Problems[:0:0] // a re-parse after Release must not report twice
	node, probs := yamlsrc.Parse(f.Data, lim)
	for _, p := range probs {
		rule, sev := catalog.YAMLSyntax, finding.Error
		switch p.Kind {
		case "invalid":
			rule = catalog.FileInvalid
		case "duplicate-key":
			rule = catalog.YAMLDuplicateKey
		case "multi-document":
			rule, sev = catalog.YAMLMultiDocument, finding.Warning
		}
		fd := fileFinding(f, p.Line, p.Column, rule, p.Message)
		fd.Severity = sev
		f.Problems = append(f.Problems, fd)
	}
	f.Node = node
}

func fileFinding(f *File, line, col int, rule, msg string) finding.Finding {
	line, col = max(line, 1), max(col, 1)
	return finding.Finding{RuleID: rule, Severity: finding.Error, Message: msg, Source: "yaml",
		Location: finding.Location{File: f.Path, Start: finding.Position{Line: line, Column: col},
			End: finding.Position{Line: line, Column: col + 1}}}
}

func (s *fileSet) get(rel string) *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	slot, ok := s.slots[filepath.Join(s.root, filepath.FromSlash(rel))]
	if !ok {
		return nil
	}
	return slot.file
}

func (s *fileSet) sorted() []*File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*File
	for _, slot := range s.slots {
		if slot.file != nil {
			out = append(out, slot.file)
		}
	}
	slices.SortFunc(out, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// isNotExist reports a missing file, including a missing directory on the way.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// release forgets every parsed tree, so that the next read parses the file again.
func (s *fileSet) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, slot := range s.slots {
		if slot.file != nil {
			slot.file.Node = nil
			slot.file.parseOnce = sync.Once{}
		}
	}
}
