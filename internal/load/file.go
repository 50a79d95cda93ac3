package load

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	claimed   atomic.Bool
	// released is set when Forget dropped Data and Node: Content reads the file again.
	released   bool
	reread     func() ([]byte, error) // reads the file again from its source
	reloadOnce sync.Once
	reloaded   []byte
	// A software package file is converted once, however many entries list it (see packageDoc).
	pkgOnce sync.Once
	pkg     *Doc
	pkgErr  error
}

// Lines indexes the file's text lines (see Content for a file already let go).
func (f *File) Lines() *yamlsrc.Lines {
	f.linesOnce.Do(func() { f.lines = yamlsrc.NewLines(f.Content()) })
	return f.lines
}

// Content returns the file's bytes: those in memory, or, once Repo.Forget let them go, the
// file read again from its source if it still holds what was checked (same digest); nil
// otherwise, so a report never shows a snippet of text that was not the text checked. Only
// files with a finding to show are read again.
func (f *File) Content() []byte {
	if f.Data != nil || !f.released {
		return f.Data
	}
	f.reloadOnce.Do(func() {
		if f.reread == nil {
			return
		}
		data, err := f.reread()
		if sum := sha256.Sum256(data); err == nil && hex.EncodeToString(sum[:]) == f.Digest {
			f.reloaded = data
		}
	})
	return f.reloaded
}

// fileSet reads each file once, however many entries include it, and keeps reads inside the
// repository. Files are addressed by absolute path under root (as fleetctl resolves them) and
// read through src by their name relative to root.
type fileSet struct {
	root   string
	src    Source
	limits yamlsrc.Limits
	mu     sync.Mutex
	slots  map[string]*fileSlot
	dirs   map[string]*dirSlot // directory name → its name with links resolved
	gone   map[string]*File    // files forgotten, by path: still listed by sorted, found by get
}

type fileSlot struct {
	once sync.Once
	file *File
	err  error
}

type dirSlot struct {
	once sync.Once
	real string
	err  error
}

func newFileSet(root string, src Source, lim yamlsrc.Limits) *fileSet {
	return &fileSet{root: root, src: src, limits: lim, slots: map[string]*fileSlot{}, dirs: map[string]*dirSlot{},
		gone: map[string]*File{}}
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

// entryFor returns m[key], adding a zero one first if there is none, under mu: the caller then
// fills it in once (each kind has its sync.Once), outside the lock.
func entryFor[T any](mu *sync.Mutex, m map[string]*T, key string) *T {
	mu.Lock()
	defer mu.Unlock()
	e, ok := m[key]
	if !ok {
		e = new(T)
		m[key] = e
	}
	return e
}

// read returns the file at abs, reading it at most once. yamlDoc asks for YAML parsing.
func (s *fileSet) read(abs string, yamlDoc bool) (*File, error) {
	abs = filepath.Clean(abs)
	slot := entryFor(&s.mu, s.slots, abs)
	slot.once.Do(func() { slot.file, slot.err = s.readNew(abs) })
	if slot.err == nil && yamlDoc && slot.file.Data != nil {
		slot.file.parseOnce.Do(func() { parseYAML(slot.file, s.limits) })
	}
	return slot.file, slot.err
}

// realDir resolves the links of a directory name, once per directory.
func (s *fileSet) realDir(dir string) (string, error) {
	d := entryFor(&s.mu, s.dirs, dir)
	d.once.Do(func() { d.real, d.err = resolveIn(s.src, s.root, dir) })
	return d.real, d.err
}

// locate resolves the links of a file name: its directory's (cached), then its own.
func (s *fileSet) locate(rel string) (string, error) {
	dir, base := path.Split(rel)
	realDir, err := s.realDir(path.Clean(dir))
	if err != nil {
		return "", err
	}
	return path.Join(realDir, base), nil
}

func (s *fileSet) readNew(abs string) (*File, error) {
	rel, err := s.rel(abs)
	if err != nil {
		return nil, err
	}
	name, err := s.locate(rel)
	if err != nil {
		return nil, err
	}
	f := &File{Path: rel, Abs: abs, reread: s.rereader(name)}
	if pr, ok := s.src.(plainReader); ok {
		if data, ok := pr.readPlain(name, s.limits.MaxBytes, nil); ok {
			f.Data = data
			sum := sha256.Sum256(f.Data)
			f.Digest = hex.EncodeToString(sum[:])
			return f, nil
		}
	}
	real, err := resolveIn(s.src, s.root, name) // the file itself may be a link
	if err != nil {
		return nil, err
	}
	fi, err := s.src.Lstat(real)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a file", rel)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	f.reread = s.rereader(real)
	if s.limits.MaxBytes > 0 && fi.Size() > int64(s.limits.MaxBytes) {
		f.Problems = append(f.Problems, fileFinding(f, 1, 1, catalog.FileInvalid,
			fmt.Sprintf("file is %d bytes, over the %d-byte limit for a configuration file", fi.Size(), s.limits.MaxBytes)))
		return f, nil
	}
	if f.Data, err = readLimited(s.src, real, fi.Size(), int64(s.limits.MaxBytes)+1); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(f.Data)
	f.Digest = hex.EncodeToString(sum[:])
	return f, nil
}

// rereader reads a file again (for Content), at most at the size limit.
func (s *fileSet) rereader(name string) func() ([]byte, error) {
	return func() ([]byte, error) {
		fi, err := s.src.Lstat(name)
		if err != nil {
			return nil, err
		}
		return readLimited(s.src, name, fi.Size(), int64(s.limits.MaxBytes)+1)
	}
}

// readAll reads at most limit bytes of r, expecting about size: one allocation and one read
// for a file that did not change since it was stat'ed (io.ReadAll grows its buffer from 512
// bytes, bytes.Buffer.ReadFrom re-allocates when fewer than 512 bytes are free).
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	buf := make([]byte, min(size, limit)+1)
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil
	case err != nil:
		return nil, err
	}
	// The file grew: read on, up to the limit.
	rest, err := io.ReadAll(io.LimitReader(r, limit-int64(n)))
	return append(buf, rest...), err
}

// peek hands use a regular, non-linked file under the root within the size limit, without
// caching it (nor, when it can, copying it: the bytes are only valid during use); ok is false
// for anything else (the full read reports why).
func (s *fileSet) peek(abs string, use func([]byte)) bool {
	rel, err := s.rel(abs)
	if err != nil {
		return false
	}
	name, err := s.locate(rel)
	if err != nil {
		return false
	}
	if pr, ok := s.src.(plainReader); ok {
		if _, ok := pr.readPlain(name, s.limits.MaxBytes, use); ok {
			return true
		}
	}
	fi, err := s.src.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || s.limits.MaxBytes > 0 && fi.Size() > int64(s.limits.MaxBytes) {
		return false
	}
	data, err := readLimited(s.src, name, fi.Size(), int64(s.limits.MaxBytes)+1)
	if err != nil || s.limits.MaxBytes > 0 && len(data) > s.limits.MaxBytes {
		return false
	}
	use(data)
	return true
}

// parseYAML parses f.Data into f.Node, turning problems into findings.
func parseYAML(f *File, lim yamlsrc.Limits) {
	f.Problems = f.Problems[:0:0] // a re-parse after Release must not report twice
	node, probs := yamlsrc.Parse(f.Data, lim)
	for _, p := range probs {
		rule, sev := catalog.YAMLSyntax, finding.Error
		switch p.Kind {
		case "invalid", "not-json":
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
		return s.gone[rel] // nil when never read
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
	for _, f := range s.gone {
		if slot, ok := s.slots[f.Abs]; !ok || slot.file == nil {
			out = append(out, f) // not read again since
		}
	}
	slices.SortFunc(out, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// isNotExist reports a missing file, including a missing directory on the way.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// forget drops a file's data and tree once nothing will read them again; its path and digest
// stay (apply checks them). A later read of the same path reads the file anew.
func (s *fileSet) forget(f *File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slot, ok := s.slots[f.Abs]; ok && slot.file == f {
		delete(s.slots, f.Abs)
		// Keep the read that was checked (claimed; hashed for apply), not a first look before
		// the check or a second read to locate a finding after it.
		if old, ok := s.gone[f.Path]; !ok || !old.Claimed() {
			s.gone[f.Path] = f
		}
	}
	f.Data, f.Node, f.released = nil, nil, true
	f.lines, f.linesOnce = nil, sync.Once{} // the line index holds the data too
}

// pathError is an *os.PathError for errors from direct system calls, so callers see the same
// errors as from os.Open ("open teams/x.yml: permission denied"; errors.Is(err, fs.ErrNotExist)).
func pathError(path string, err error) error { return &os.PathError{Op: "open", Path: path, Err: err} }
