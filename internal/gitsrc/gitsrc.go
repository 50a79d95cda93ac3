// Package gitsrc reads one commit of a git repository from its objects, as the file system the
// loader reads a repository from (load.Source): the change review loads the base of a pull
// request without a checkout, without touching the working tree or the index. It shells out
// to the git binary (what CI has, and what works on shallow clones, where go-git fails), with
// one `git ls-tree` for the names and one long-running `git cat-file --batch` for the contents.
package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MissingCommitError is a revision the clone does not hold (a shallow CI checkout, typically).
type MissingCommitError struct {
	Rev     string
	Shallow bool
}

func (e *MissingCommitError) Error() string {
	msg := fmt.Sprintf("commit %q is not in this clone", e.Rev)
	if e.Shallow {
		msg += " (it is a shallow clone)"
	}
	return msg + "; fetch it with: " + e.FetchCommand()
}

// FetchCommand is the command that brings the revision into the clone.
func (e *MissingCommitError) FetchCommand() string {
	rev := strings.TrimPrefix(e.Rev, "origin/")
	return "git fetch --depth=1 origin " + rev
}

// Tree is one commit's tree, rooted at a directory of the work tree (the repository tollgate
// checks may be a subdirectory of the git repository). It implements fs.ReadDirFS and
// fs.ReadLinkFS; names are relative to that directory. Close stops the git process.
type Tree struct {
	Commit string // the full commit id
	nodes  map[string]*node
	cat    *catFile
}

type node struct {
	name string // base name
	mode fs.FileMode
	oid  string
	size int64
	kids []string // a directory's entries, sorted (base names)
}

// Open reads the tree of rev (a commit, branch or tag) at the directory dir of the work tree
// that holds it. A directory that did not exist in that commit is an empty tree.
func Open(ctx context.Context, dir, rev string) (*Tree, error) {
	top, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%s is not in a git repository: %w", dir, err)
	}
	top = strings.TrimSpace(top)
	prefix, err := git(ctx, dir, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	prefix = strings.TrimSuffix(strings.TrimSpace(prefix), "/")
	sha, err := git(ctx, top, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		shallow, _ := git(ctx, top, nil, "rev-parse", "--is-shallow-repository")
		return nil, &MissingCommitError{Rev: rev, Shallow: strings.TrimSpace(shallow) == "true"}
	}
	t := &Tree{Commit: strings.TrimSpace(sha), nodes: map[string]*node{".": {name: ".", mode: fs.ModeDir | 0o555}}}
	treeish := t.Commit
	if prefix != "" {
		treeish += ":" + prefix
		if _, err := git(ctx, top, nil, "cat-file", "-e", treeish); err != nil {
			return t, nil // the directory did not exist then
		}
	}
	out, err := git(ctx, top, nil, "ls-tree", "-r", "-t", "-l", "-z", "--full-tree", treeish)
	if err != nil {
		return nil, err
	}
	if err := t.index(out); err != nil {
		return nil, err
	}
	t.cat = &catFile{dir: top}
	return t, nil
}

// index records `git ls-tree -r -t -l -z` output: "<mode> <type> <oid> <size>\t<name>\0".
func (t *Tree) index(out string) error {
	for _, rec := range strings.Split(out, "\x00") {
		if rec == "" {
			continue
		}
		meta, name, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return fmt.Errorf("unexpected git ls-tree output %q", rec)
		}
		n := &node{name: path.Base(name), oid: f[2]}
		switch f[0] {
		case "040000":
			n.mode = fs.ModeDir | 0o555
		case "120000":
			n.mode = fs.ModeSymlink | 0o777
		case "160000":
			n.mode = fs.ModeDir | 0o555 // a submodule: its files are not in this repository's objects
			n.oid = ""
		case "100755":
			n.mode = 0o755
		default:
			n.mode = 0o644
		}
		if f[3] != "-" {
			n.size, _ = strconv.ParseInt(f[3], 10, 64)
		}
		t.nodes[name] = n
		parent := path.Dir(name)
		if p := t.nodes[parent]; p != nil {
			p.kids = append(p.kids, n.name)
		}
	}
	for _, n := range t.nodes {
		slices.Sort(n.kids)
	}
	return nil
}

// Close stops the git process that reads contents.
func (t *Tree) Close() error {
	if t.cat != nil {
		t.cat.close()
	}
	return nil
}

func (t *Tree) lookup(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, ok := t.nodes[name]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return n, nil
}

// Lstat describes name without following a link.
func (t *Tree) Lstat(name string) (fs.FileInfo, error) {
	n, err := t.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	return info{n}, nil
}

// ReadLink returns a link's target as written.
func (t *Tree) ReadLink(name string) (string, error) {
	n, err := t.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	data, err := t.cat.read(n.oid)
	return string(data), err
}

// ReadDir lists a directory (a link is not followed: the loader resolves names first).
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	if n.oid == "" && name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("a git submodule: its files are not in this repository")}
	}
	out := make([]fs.DirEntry, 0, len(n.kids))
	for _, k := range n.kids {
		out = append(out, fs.FileInfoToDirEntry(info{t.nodes[path.Join(name, k)]}))
	}
	return out, nil
}

// Open opens a file or directory, following links inside the tree.
func (t *Tree) Open(name string) (fs.File, error) {
	for hops := 0; ; hops++ {
		n, err := t.lookup("open", name)
		if err != nil {
			return nil, err
		}
		if n.mode&fs.ModeSymlink == 0 {
			if n.mode.IsDir() {
				ents, err := t.ReadDir(name)
				if err != nil {
					return nil, err
				}
				return &dir{info: info{n}, ents: ents}, nil
			}
			data, err := t.cat.read(n.oid)
			if err != nil {
				return nil, &fs.PathError{Op: "open", Path: name, Err: err}
			}
			return &file{info: info{n}, Reader: bytes.NewReader(data)}, nil
		}
		if hops == 40 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("too many levels of symbolic links")}
		}
		target, err := t.ReadLink(name)
		if err != nil {
			return nil, err
		}
		next := path.Join(path.Dir(name), target)
		if path.IsAbs(target) || next == ".." || strings.HasPrefix(next, "../") {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("a symbolic link to %s, outside the repository", target)}
		}
		name = next
	}
}

var errNotDir = errors.New("not a directory")

type info struct{ n *node }

func (i info) Name() string       { return i.n.name }
func (i info) Size() int64        { return i.n.size }
func (i info) Mode() fs.FileMode  { return i.n.mode }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.n.mode.IsDir() }
func (i info) Sys() any           { return nil }

type file struct {
	info
	*bytes.Reader
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

type dir struct {
	info
	ents []fs.DirEntry
	off  int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errors.New("is a directory")}
}
func (d *dir) Close() error { return nil }
func (d *dir) ReadDir(count int) ([]fs.DirEntry, error) {
	rest := d.ents[d.off:]
	if count <= 0 {
		d.off = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(count, len(rest))]
	d.off += len(rest)
	return rest, nil
}

// catFile is one `git cat-file --batch` process, started on the first read, shared by every
// reader (a request and its answer under one lock).
type catFile struct {
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	err  error
	done bool
}

func (c *catFile) read(oid string) ([]byte, error) {
	if oid == "" {
		return nil, errors.New("no object")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil && c.err == nil {
		c.start()
	}
	if c.err != nil {
		return nil, c.err
	}
	if _, err := io.WriteString(c.in, oid+"\n"); err != nil {
		c.err = fmt.Errorf("git cat-file: %w", err)
		return nil, c.err
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		c.err = fmt.Errorf("git cat-file: %w", err)
		return nil, c.err
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return nil, fmt.Errorf("git cat-file: object %s: %s", oid, strings.TrimSpace(header))
	}
	size, err := strconv.Atoi(f[2])
	if err != nil {
		c.err = fmt.Errorf("git cat-file: unexpected header %q", header)
		return nil, c.err
	}
	data := make([]byte, size+1) // the content and its newline
	if _, err := io.ReadFull(c.out, data); err != nil {
		c.err = fmt.Errorf("git cat-file: %w", err)
		return nil, c.err
	}
	return data[:size], nil
}

func (c *catFile) start() {
	c.cmd = exec.Command("git", "-C", c.dir, "cat-file", "--batch")
	in, err := c.cmd.StdinPipe()
	if err != nil {
		c.err = err
		return
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		c.err = err
		return
	}
	if err := c.cmd.Start(); err != nil {
		c.err = fmt.Errorf("starting git cat-file: %w", err)
		return
	}
	c.in, c.out = in, bufio.NewReaderSize(out, 64<<10)
}

func (c *catFile) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil && !c.done {
		c.done = true
		c.in.Close()
		c.cmd.Wait()
	}
	if c.err == nil {
		c.err = errors.New("closed")
	}
}

// git runs a git command in dir and returns its standard output.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return out.String(), nil
}

// ChangedFiles lists the files that differ between rev and the working tree (head "") or
// another revision, relative to the directory dir, with renames as a removal and an addition.
func ChangedFiles(ctx context.Context, dir, rev, head string) ([]string, error) {
	args := []string{"diff", "--name-only", "--no-renames", "-z", "--relative", rev}
	if head != "" {
		args = append(args, head)
	}
	out, err := git(ctx, dir, nil, args...)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	if head == "" {
		// Files git does not track yet are part of the working tree too.
		more, err := git(ctx, dir, nil, "ls-files", "--others", "--exclude-standard", "-z")
		if err != nil {
			return nil, err
		}
		for _, f := range strings.Split(more, "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
