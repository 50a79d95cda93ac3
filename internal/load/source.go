package load

import (
	"slices"

	"errors"
	"fmt"
	"github.com/bmatcuk/doublestar/v4"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Source is the file system a repository is read from: the working tree (DirSource), a commit
// read from git objects (internal/gitsrc), or a test's tree (testing/fstest.MapFS). Names are
// io/fs names: slash-separated, relative to the repository root, "." for the root. Symbolic
// links are read (ReadLink) and followed by the loader itself, so a link that leads out of the
// repository is refused the same way whatever the source.
type Source interface {
	fs.ReadDirFS
	fs.ReadLinkFS
}

// plainReader is the working tree's fast path (see dirSource.readPlain).
type plainReader interface {
	readPlain(name string, limit int, use func([]byte)) ([]byte, bool)
	readFile(name string, size, limit int64) ([]byte, error)
}

// errTooManyLinks stops a chain or loop of symbolic links, as the OS does (ELOOP).
var errTooManyLinks = errors.New("too many levels of symbolic links")

// maxLinkHops is the OS's limit on the links followed for one path (Linux: 40).
const maxLinkHops = 40

// linkError says where a symbolic link leads out of the repository. Its text names the link
// and its target as written in the repository (never a path of the machine the check ran on).
func linkError(link, target string) error {
	return fmt.Errorf("%s is a symbolic link to %s: %w", link, target, ErrOutside)
}

// resolveIn follows the symbolic links of name (a clean relative name) component by component
// inside src, as the OS resolves a path, and returns the name with no link in it. A link whose
// target leaves the repository (relative, or absolute and not under rootAbs) is ErrOutside.
func resolveIn(src Source, rootAbs, name string) (string, error) {
	hops := 0
	for {
		real, rest, err := resolveStep(src, rootAbs, name, &hops)
		if err != nil || rest == "" {
			return real, err
		}
		name = rest
	}
}

// resolveStep resolves name up to its first link: it returns the link-free name when there is
// none, or the name to resolve next (the link's target joined with what followed it).
func resolveStep(src Source, rootAbs, name string, hops *int) (real, next string, err error) {
	if name == "." {
		return ".", "", nil
	}
	parts := strings.Split(name, "/")
	cur := "."
	for i, p := range parts {
		here := path.Join(cur, p)
		fi, err := src.Lstat(here)
		if err != nil {
			return "", "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = here
			continue
		}
		if *hops++; *hops > maxLinkHops {
			return "", "", &fs.PathError{Op: "open", Path: name, Err: errTooManyLinks}
		}
		target, err := src.ReadLink(here)
		if err != nil {
			return "", "", err
		}
		var t string
		if filepath.IsAbs(target) {
			r, err := filepath.Rel(rootAbs, target)
			if err != nil || escapes(filepath.ToSlash(r)) {
				return "", "", linkError(here, target)
			}
			t = filepath.ToSlash(r)
		} else {
			t = path.Join(cur, filepath.ToSlash(target))
			if escapes(t) {
				return "", "", linkError(here, target)
			}
		}
		return "", path.Join(append([]string{t}, parts[i+1:]...)...), nil
	}
	return cur, "", nil
}

// escapes reports whether a clean relative name leads above the root.
func escapes(name string) bool {
	return name == ".." || strings.HasPrefix(name, "../") || path.IsAbs(name)
}

// DirSource is the working tree at root (absolute, its own links resolved) as a Source.
func DirSource(root string) Source { return &dirSource{root: root, plain: map[string]*dirListing{}} }

// dirSource reads the working tree. Besides the io/fs methods it has a fast path for the common
// case, a plain file in a directory that holds no link on the way (see readPlain).
type dirSource struct {
	root  string
	mu    sync.Mutex
	plain map[string]*dirListing // per directory name: its plain files, from one directory read
}

func (d *dirSource) osPath(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return filepath.Join(d.root, filepath.FromSlash(name)), nil
}

func (d *dirSource) Open(name string) (fs.File, error) {
	p, err := d.osPath("open", name)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

func (d *dirSource) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := d.osPath("readdir", name)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(p)
}

func (d *dirSource) Lstat(name string) (fs.FileInfo, error) {
	p, err := d.osPath("lstat", name)
	if err != nil {
		return nil, err
	}
	return os.Lstat(p)
}

func (d *dirSource) ReadLink(name string) (string, error) {
	p, err := d.osPath("readlink", name)
	if err != nil {
		return "", err
	}
	return os.Readlink(p)
}

// readFile reads at most limit bytes of the regular file name, expecting about size bytes,
// through the system calls directly (see readPath).
func (d *dirSource) readFile(name string, size, limit int64) ([]byte, error) {
	p, err := d.osPath("open", name)
	if err != nil {
		return nil, err
	}
	return readPath(p, size, limit)
}

// dirListing is one directory read by readPlain: the names of its plain files.
type dirListing struct {
	once  sync.Once
	names map[string]bool
}

// readPlain reads a file its directory listed as a regular file, not a link (the caller has
// resolved the directory's own links): open refusing a link, read and close, without the stat
// of the careful way (two of the four system calls per file, and most of their time). ok is
// false for anything else, and for a file over limit: the caller then takes the careful way,
// which says why. With use, the bytes are handed to it in a reused buffer and not returned.
func (d *dirSource) readPlain(name string, limit int, use func([]byte)) ([]byte, bool) {
	dir, base := path.Split(name)
	dir = path.Clean(dir)
	l := entryFor(&d.mu, d.plain, dir)
	l.once.Do(func() { l.names = d.listPlain(dir) })
	if !l.names[base] {
		return nil, false
	}
	p, err := d.osPath("open", name)
	if err != nil {
		return nil, false
	}
	return readNoFollow(p, limit, use)
}

// listPlain lists the regular files (links excluded) of a directory; nothing when it can't.
func (d *dirSource) listPlain(dir string) map[string]bool {
	ents, err := d.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		if e.Type().IsRegular() {
			names[e.Name()] = true
		}
	}
	return names
}

// readLimited reads at most limit bytes of the regular file name of src (links resolved),
// expecting about size bytes.
func readLimited(src Source, name string, size, limit int64) ([]byte, error) {
	if pr, ok := src.(plainReader); ok {
		return pr.readFile(name, size, limit)
	}
	f, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, size, limit)
}

// sourceFS presents a Source with its links followed inside the repository, for a glob: a link
// leading out of it is an error, not a way out, and the walk reads at most budget directory
// entries (links can make a tree of any depth out of one directory).
type sourceFS struct {
	src     Source
	rootAbs string
	budget  int
}

// errGlobBudget stops a glob that reads too many directory entries.
var errGlobBudget = errors.New("the glob reads too many directory entries (a symbolic link loop?)")

func (s *sourceFS) resolve(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return resolveIn(s.src, s.rootAbs, name)
}

func (s *sourceFS) Open(name string) (fs.File, error) {
	real, err := s.resolve("open", name)
	if err != nil {
		return nil, err
	}
	return s.src.Open(real)
}

func (s *sourceFS) Stat(name string) (fs.FileInfo, error) {
	real, err := s.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	return s.src.Lstat(real)
}

func (s *sourceFS) ReadDir(name string) ([]fs.DirEntry, error) {
	real, err := s.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	ents, err := s.src.ReadDir(real)
	if s.budget -= len(ents) + 1; s.budget < 0 {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errGlobBudget}
	}
	return ents, err
}

// globBudget bounds the directory entries one glob reads: far above a real lib/ (thousands of
// files), far below what a loop of links makes of one directory (2^depth paths).
const globBudget = 200_000

// glob expands an absolute pattern as fleetctl does (doublestar, the library it uses, with
// links followed), but only inside the repository: a pattern outside it is refused before
// anything is read, a link leading out of it or a directory that can't be read fails the glob
// (fleetctl would read through it, tollgate can't check it), and the walk has a budget. It
// returns the files matched (directories left out), sorted, as absolute paths.
func (s *fileSet) glob(absPattern string) ([]string, error) {
	rel, err := s.rel(absPattern)
	if err != nil {
		return nil, err
	}
	if _, err := doublestar.Match(rel, ""); err != nil {
		return nil, err
	}
	fsys := &sourceFS{src: s.src, rootAbs: s.root, budget: globBudget}
	var out []string
	err = doublestar.GlobWalk(fsys, rel, func(p string, d fs.DirEntry) error {
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := fsys.Stat(p)
			if err != nil {
				return err
			}
			if fi.IsDir() {
				return nil
			}
		}
		out = append(out, filepath.Join(s.root, filepath.FromSlash(p)))
		return nil
	}, doublestar.WithFailOnIOErrors())
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}
