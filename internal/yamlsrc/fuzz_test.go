package yamlsrc

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var seeds = []string{
	"a: 1\n",
	"controls:\n  macos_updates:\n    minimum_version: 15.10\n    deadline: \"2025-01-31\"\n",
	"base: &b {x: 1}\nuse:\n  <<: *b\n  y: [1, 2]\n",
	"- path: x.yml\n- name: \"é\"\n  query: 'it''s'\n",
	"a: !!binary aGk=\nb: 2025-01-31\nc: 0x1F\nd: .inf\ne: 123456789012345678901234567890\n",
	"k: |\n  block\n  text\n",
	"{a: [b, {c: d}]}",
	"---\na: 1\n---\nb: 2\n",
}

// Parse, ToAny and Lookup never panic or hang, whatever the input; positions stay in range.
func FuzzParseConvertLookup(f *testing.F) {
	for _, s := range seeds {
		f.Add(s, "controls.macos_updates.minimum_version")
	}
	f.Fuzz(func(t *testing.T, src, dotted string) {
		node, _ := Parse([]byte(src), Limits{MaxBytes: 1 << 20, MaxNodes: 100_000, MaxDepth: 100})
		if node == nil {
			return
		}
		if _, err := ToAny(node, 100_000); err != nil {
			return
		}
		var path []any
		for _, p := range strings.Split(dotted, ".") {
			path = append(path, p)
		}
		hit := Lookup(node, path)
		lines := NewLines([]byte(src))
		if hit.Value != nil && hit.Value.Line > 0 {
			if hit.Value.Line > lines.Count()+1 { // yaml.v3 may place an implicit null at the end of the stream
				t.Fatalf("line %d beyond %d lines", hit.Value.Line, lines.Count())
			}
			if end := lines.End(hit.Value); end < hit.Value.Column {
				t.Fatalf("end column %d before start %d", end, hit.Value.Column)
			}
		}
	})
}

// Hostile inputs are refused or handled in bounded time, each with a position.
func TestHostileInputs(t *testing.T) {
	bomb := "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	for i := 'b'; i <= 'k'; i++ {
		bomb += string(i) + ": &" + string(i) + " [*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + ",*" + string(i-1) + "]\n"
	}
	cases := []struct {
		name, src string
		want      string // substring of the problem, or "" for "converts fine"
	}{
		{"binary", "a: 1\x00\x01\x02", "binary"},
		{"latin-1", "name: caf\xe9\n", "not valid UTF-8"},
		{"utf-16", "\xff\xfea\x00", "UTF-16"},
		{"deep", strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "deeper"},
		{"huge", "a: " + strings.Repeat("x", 2<<20), "limit"},
		{"bad indent", "a:\n  b: 1\n c: 2\n", "starts on line 2"},
	}
	lim := Limits{MaxBytes: 1 << 20, MaxNodes: 100_000, MaxDepth: 200}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			node, probs := Parse([]byte(c.src), lim)
			if node != nil && len(probs) == 0 {
				t.Fatalf("no problem reported")
			}
			found := false
			for _, p := range probs {
				if strings.Contains(p.Message, c.want) || strings.Contains(p.Error(), c.want) {
					found = true
				}
				if p.Line < 1 || p.Column < 1 {
					t.Errorf("problem without a position: %+v", p)
				}
			}
			if !found {
				t.Errorf("problems %v do not mention %q", probs, c.want)
			}
			if c.name == "bad indent" && (probs[0].Line != 3 || probs[0].Column != 2) {
				t.Errorf("bad indentation reported at %d:%d, want 3:2", probs[0].Line, probs[0].Column)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("alias bomb", func(t *testing.T) {
		node, probs := Parse([]byte(bomb), lim)
		if node == nil {
			t.Fatalf("bomb did not parse: %v", probs)
		}
		_, err := ToAny(node, lim.MaxNodes)
		if err == nil {
			t.Fatal("alias bomb expanded without error")
		}
		if _, ok := err.(*ErrAliasBomb); !ok {
			t.Fatalf("error %T %v, want *ErrAliasBomb", err, err)
		}
	})
}

// Values keep what was written: timestamps stay strings, big integers stay exact; a whole
// float is the integer fleetctl's JSON step makes of it.
func TestScalarsAsWritten(t *testing.T) {
	m := mustValue(t, "d: 2025-01-31\nv: 15.10\nbig: 123456789012345678901234567890\nn: ~\nb: yes\nw: 60.0\ne: 6e1\nh: 1e300\n")
	if m["d"] != "2025-01-31" {
		t.Errorf("timestamp became %T %v", m["d"], m["d"])
	}
	if m["v"] != 15.1 {
		t.Errorf("15.10 is %v (YAML reads it as the number 15.1)", m["v"])
	}
	if s := m["big"].(interface{ String() string }).String(); s != "123456789012345678901234567890" {
		t.Errorf("big int is %s", s)
	}
	if m["w"] != int64(60) || m["e"] != int64(60) || m["h"] != 1e300 {
		t.Errorf("w=%#v e=%#v h=%#v: whole floats below 2^63 are integers to fleetctl", m["w"], m["e"], m["h"])
	}
	if m["n"] != nil || m["b"] != true {
		t.Errorf("n=%v b=%v (fleetctl's YAML 1.1 parser reads yes as true)", m["n"], m["b"])
	}
}

// fleetctl converts YAML to JSON with ghodss/yaml over yaml.v2, a YAML 1.1 parser: unquoted,
// untagged y, yes, on, n, no, off (lower case, capitalised or upper case) are booleans; any
// other spelling, or a quoted or !!str-tagged one, is a string. (Checked against ghodss/yaml
// v1.0.0's YAMLToJSON.)
func TestYAML11Booleans(t *testing.T) {
	src := "a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: N\ng: 'yes'\nh: !!str yes\ni: True\no: yEs\np: \"off\"\nq: |\n  no\n"
	m := mustValue(t, src)
	want := map[string]any{"a": true, "b": false, "c": true, "d": false, "e": true, "f": false,
		"g": "yes", "h": "yes", "i": true, "o": "yEs", "p": "off", "q": "no\n"}
	for k, w := range want {
		if got := m[k]; got != w {
			t.Errorf("%s: got %#v, want %#v", k, got, w)
		}
	}
}

func TestDuplicateKeysAndMultiDoc(t *testing.T) {
	_, probs := Parse([]byte("a: 1\nb: 2\na: 3\n---\nc: 4\n"), DefaultLimits)
	var kinds []string
	for _, p := range probs {
		kinds = append(kinds, p.Kind+"@"+string(rune('0'+p.Line)))
	}
	want := "duplicate-key@3 multi-document@4"
	if strings.Join(kinds, " ") != want {
		t.Errorf("got %v, want %s", kinds, want)
	}
}

// A value that contains itself would recurse without end; fleetctl refuses it ("anchor 'a'
// value contains itself"), and so does Parse, at the alias.
func TestAliasInsideItsOwnAnchor(t *testing.T) {
	for _, src := range []string{
		"a: &a [*a]\n",
		"a: &a\n  b: *a\n",
		"base: &b\n  x: 1\n  <<: *b\n",
		"list:\n  - &x\n    items:\n      - *x\n",
	} {
		node, probs := Parse([]byte(src), DefaultLimits)
		if node != nil || len(probs) != 1 || probs[0].Kind != "invalid" || !strings.Contains(probs[0].Message, "contains itself") {
			t.Errorf("%q: node=%v probs=%v", src, node != nil, probs)
		}
	}
	// A node converted directly (not through Parse) is refused by ToAny too.
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: &a [*a]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := ToAny(&doc, DefaultLimits.MaxNodes); err == nil {
		t.Fatal("ToAny converted a value that contains itself")
	} else if _, ok := err.(*ErrAliasCycle); !ok {
		t.Fatalf("error %T %v, want *ErrAliasCycle", err, err)
	}
}

// `<<` merges as fleetctl's yaml.v2 applies them: in document order the later write wins (a
// merge after a key overrides it), in a merged list the earlier mapping wins; a merge of
// anything but mappings fails the file. (No key `y` here: to fleetctl that is the key "true".)
func TestMergeLikeFleetctl(t *testing.T) {
	src := "base: &b\n  name: from-merge\n  x: 1\nother: &o\n  x: 2\n  z: 2\n" +
		"after:\n  name: explicit\n  <<: *b\n" +
		"before:\n  <<: *b\n  name: explicit\n" +
		"list:\n  <<: [*b, *o]\n"
	m := mustValue(t, src)
	node, _ := Parse([]byte(src), DefaultLimits)
	if got := m["after"].(map[string]any)["name"]; got != "from-merge" {
		t.Errorf("merge after the key: name=%v, want from-merge (yaml.v2 lets the later write win)", got)
	}
	if got := m["before"].(map[string]any)["name"]; got != "explicit" {
		t.Errorf("merge before the key: name=%v, want explicit", got)
	}
	if l := m["list"].(map[string]any); l["x"] != int64(1) || l["z"] != int64(2) {
		t.Errorf("merged list: %v, want x from the first mapping, z from the second", l)
	}
	// The source index agrees with the value: each path points where its value came from.
	for path, line := range map[string]int{"after.name": 2, "before.name": 12, "list.x": 3, "list.z": 6} {
		var p []any
		for _, s := range strings.Split(path, ".") {
			p = append(p, s)
		}
		if h := Lookup(node, p); !h.Exact(p) || h.Value.Line != line {
			t.Errorf("%s: found at line %d, want %d", path, h.Value.Line, line)
		}
	}
	for _, bad := range []string{"x: &x 5\nteam:\n  <<: *x\n", "team:\n  <<: ~\n", "team:\n  <<: [text]\n"} {
		node, probs := Parse([]byte(bad), DefaultLimits)
		if node != nil || len(probs) != 1 || !strings.Contains(probs[0].Message, "map merge requires map") {
			t.Errorf("%q: node=%v probs=%v", bad, node != nil, probs)
		}
	}
}

// fleetctl reads only the first document: a later one that does not parse is a warning about
// the extra document, not a syntax error of the file.
func TestBrokenSecondDocument(t *testing.T) {
	node, probs := Parse([]byte("a: 1\n---\nb: [\n"), DefaultLimits)
	if node == nil || len(probs) != 1 || probs[0].Kind != "multi-document" || !strings.Contains(probs[0].Message, "does not parse") {
		t.Fatalf("node=%v probs=%v", node != nil, probs)
	}
}

// .inf and .nan are numbers JSON cannot hold: fleetctl fails on the file; quoted, they are text.
func TestInfinityFailsFleetctl(t *testing.T) {
	node, probs := Parse([]byte("a: .inf\nb: -.Inf\nc: .NaN\nd: '.inf'\ne: 1.5\n"), DefaultLimits)
	if node == nil {
		t.Fatal(probs)
	}
	var lines []int
	for _, p := range probs {
		if p.Kind == "not-json" {
			lines = append(lines, p.Line)
		}
	}
	if len(lines) != 3 || lines[0] != 1 || lines[1] != 2 || lines[2] != 3 {
		t.Fatalf("not-json problems at lines %v, want 1, 2, 3", lines)
	}
}

// mustValue parses src and converts it, failing the test on any problem that stops it.
func mustValue(t *testing.T, src string) map[string]any {
	t.Helper()
	node, probs := Parse([]byte(src), DefaultLimits)
	if node == nil {
		t.Fatal(probs)
	}
	v, err := ToAny(node, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

// A first line indented more than the rest ends the document after it: fleetctl silently
// reads only that line. The mistake is reported where the rest begins, not as a second document.
func TestIndentedFirstLine(t *testing.T) {
	node, probs := Parse([]byte("# team\n name: W\npolicies:\nqueries:\n"), DefaultLimits)
	if node != nil || len(probs) != 1 || probs[0].Kind != "syntax" || probs[0].Line != 3 || probs[0].Column != 1 ||
		!strings.Contains(probs[0].Message, "top level starts at column 2") {
		t.Fatalf("node=%v probs=%v", node != nil, probs)
	}
}

// Keys are the text fleetctl's JSON step writes for them: plain keys resolve like values (on,
// y, 0x10, 1.0), quoted or !!str-tagged ones stay as written.
func TestKeyStringAsFleetctl(t *testing.T) {
	src := "on: 1\ny: 1\nNo: 1\n'yes': 1\n!!str off: 1\n0x10: 1\n1.0: 1\n1.5: 1\nname: 1\n\"name2\": 1\n2025-01-31: 1\n"
	want := []string{"true", "true", "false", "yes", "off", "16", "1", "1.5", "name", "name2", "2025-01-31"}
	node, probs := Parse([]byte(src), DefaultLimits)
	if len(probs) > 0 {
		t.Fatalf("parse: %v", probs)
	}
	m := node
	if m.Kind == yaml.DocumentNode {
		m = m.Content[0]
	}
	var got []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		got = append(got, KeyString(m.Content[i]))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("keys read as %q, want %q", got, want)
	}
}
