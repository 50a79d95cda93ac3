package memo

import (
	"io/fs"
	"sync"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/parser"

	bundled "github.com/tollgate-dev/tollgate/cue"
)

// bundledMemo analyses the bundled schemas, with the teams-era team definition as root 0.
func bundledMemo(t *testing.T) *Memo[string] {
	t.Helper()
	names, err := fs.Glob(bundled.FS, "*.cue")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := ReadSources(bundled.FS, names)
	if err != nil {
		t.Fatal(err)
	}
	insts := load.Instances([]string{"."}, &load.Config{FS: bundled.FS, Dir: "/"})
	if insts[0].Err != nil {
		t.Fatal(insts[0].Err)
	}
	root := cuecontext.New().BuildInstance(insts[0])
	team := root.LookupPath(cue.ParsePath("#TeamA"))
	if !team.Exists() {
		t.Fatal("no #TeamA in the bundled schemas")
	}
	m, err := New(Config[string]{Defs: []cue.Value{team}, Sources: sources, Lock: &sync.Mutex{}, Size: func(s string) int { return len(s) }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTaintAnalysis checks what the analysis keeps verbatim, on schemas that would make a
// replaced value unsafe.
func TestTaintAnalysis(t *testing.T) {
	m := bundledMemo(t)
	for _, name := range []string{"label_membership_type", "paths"} {
		if !m.an.tainted[name] {
			t.Errorf("bundled schema: %q must be kept verbatim", name)
		}
	}
	for _, name := range []string{"name", "query", "description", "secret", "platform", "path", "url", "hash_sha256", "deadline_days", "type", "minimum_version", "deadline", "labels_include_any"} {
		if m.an.tainted[name] {
			t.Errorf("bundled schema: %q could be replaced", name)
		}
	}
	// Names tested by comprehension conditions carry the tests' results.
	for name, want := range map[string]int{"type": 1, "minimum_version": 0, "deadline": 1, "path": 0, "deadline_days": 0} {
		if got := len(m.an.probes[name]); got != want {
			t.Errorf("bundled schema: %q has %d probes, want %d", name, got, want)
		}
	}
	if !m.an.abstract {
		t.Error("bundled schema: replacement switched off")
	}
	cases := []struct {
		src     string
		tainted []string
		opaque  bool
		clean   []string // neither tainted nor probed
		probed  []string
	}{
		{src: "team: {a?: string, if a == \"x\" {b: =~\"y\"}}", tainted: []string{"b"}, probed: []string{"a"}},
		{src: "team: {a?: string, if a != _|_ {b!: string}}", clean: []string{"a", "b"}},
		{src: "#X: {c: =~\"z\"}\nteam: {a?: string, if a != _|_ {#X}}", tainted: []string{"c"}, clean: []string{"a"}},
		{src: "team: {a?: string, b?: int, if (a & !=\"\") != _|_ && !((b & >=3) == _|_) {c!: string}}", probed: []string{"a", "b"}},
		{src: "team: {a?: string, b?: int, if (\"x\" & a) != _|_ || b != 0 {c!: string}}", probed: []string{"a", "b"}},
		{src: "team: {a?: string, if a + \"x\" == \"y\" {c!: string}}", tainted: []string{"a"}},
		{src: "team: {a?: string, b?: string, if a == b {c!: string}}", tainted: []string{"a", "b"}},
		{src: "team: {a?: string, if (a & =~\"^x\" & !=\"xy\") != _|_ {c!: string}}", tainted: []string{"a"}},
		{src: "team: {a?: string, if (a & <\"m\") != _|_ {c!: string}}", tainted: []string{"a"}},
		{src: "team: {a?: string, x: a != _|_, if x {c!: string}}", tainted: []string{"a", "x"}},
		{src: "team: {a?: [...string], _n: (a & [_, ...]) != _|_, if _n {c!: string}}", clean: []string{"a"}},
		{src: "team: {a?: [...string], _n: a[0] == \"x\", if _n {c!: string}}", tainted: []string{"a"}},
		{src: "team: {a?: [...string], _n: (a & [\"x\", ...]) != _|_, if _n {c!: string}}", tainted: []string{"a"}},
		{src: "team: {a?: string, _n: a == \"x\", if _n {c!: string}}", probed: []string{"a"}},
		// A field whose constraint reads another field (directly or through a definition)
		// depends on the document, whatever its leaf says without it.
		{src: "team: {m: *\"a\" | string, u?: =~\"^\\(m)\"}", tainted: []string{"u", "m"}},
		{src: "team: {m: *\"a\" | string, #U: =~\"^\\(m)\", u?: #U, w?: [...#U]}", tainted: []string{"u", "w"}},
		{src: "import \"strings\"\n#D: strings.MinRunes(2)\nteam: {u?: #D & string, v?: int & >=0}", clean: []string{"u", "v"}},
		{src: "team: {f?: _, for k, v in f if v == true {g!: _}}", opaque: true},
		{src: "team: {m: *\"a\" | string, #D: {f: m}, u?: #D.f}", tainted: []string{"u"}},
		{src: "team: {a?: {k: =~\"x\", j: int} | {k: string}}", tainted: []string{"k"}},
		{src: "import \"list\"\nteam: {a?: [...string] & list.UniqueItems()}", opaque: true},
		{src: "team: {for k, x in a {(k): string}}", tainted: []string{"a"}, opaque: true},
		{src: "team: {X=a?: string, b: X}", opaque: true},
	}
	for _, tc := range cases {
		ta := newTaintAnalysis()
		ta.run([]*ast.File{mustParse(t, tc.src)})
		if ta.opaque != tc.opaque {
			t.Errorf("%q: opaque %v, want %v", tc.src, ta.opaque, tc.opaque)
		}
		for _, n := range tc.tainted {
			if !ta.tainted[n] {
				t.Errorf("%q: %q not tainted", tc.src, n)
			}
		}
		for _, n := range tc.clean {
			if ta.tainted[n] || len(ta.probes[n]) > 0 {
				t.Errorf("%q: %q tainted or probed", tc.src, n)
			}
		}
		for _, n := range tc.probed {
			if ta.tainted[n] || len(ta.probes[n]) == 0 {
				t.Errorf("%q: %q not probed (tainted: %v)", tc.src, n, ta.tainted[n])
			}
		}
	}
}

func mustParse(t *testing.T, src string) *ast.File {
	t.Helper()
	f, err := parser.ParseFile("test.cue", src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLeafClassify: the constraints of fields teams set to their own values are decided in
// Go, so those values are replaced by tokens (a date, a version, a number of days).
func TestLeafClassify(t *testing.T) {
	m := bundledMemo(t)
	team := m.roots[0]
	updates := team.child("controls").child("macos_updates")
	cases := []struct {
		node     *snode
		accepted []any
		refused  []any
	}{
		{updates.child("deadline"), []any{"2025-06-30", "", "2028-02-29"}, []any{"2025-02-30", "2025-6-30", "30/06/2025", " ", "2025-06-30T00:00:00Z"}},
		{updates.child("minimum_version"), []any{"15.1", "15.0.1", "26", "", "latest"}, []any{"15.1 (24B83)", "Latest", "Sequoia"}},
		{team.child("controls").child("windows_updates").child("deadline_days"), []any{int64(0), int64(30)}, []any{int64(-1), int64(31)}},
	}
	for _, c := range cases {
		l := c.node.leafCheck()
		if l.kind == 0 {
			t.Errorf("%s: not decided in Go", c.node.name)
			continue
		}
		check := func(x any) bool {
			switch x := x.(type) {
			case string:
				return l.string(x)
			case int64:
				return l.int(x)
			}
			return false
		}
		for _, x := range c.accepted {
			if !check(x) {
				t.Errorf("%s: %v refused", c.node.name, x)
			}
		}
		for _, x := range c.refused {
			if check(x) {
				t.Errorf("%s: %v accepted", c.node.name, x)
			}
		}
	}
}
