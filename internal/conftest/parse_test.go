package conftest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	ghodss "github.com/ghodss/yaml"
)

// conftestValue is conftest's view of one YAML document: its parser converts YAML to JSON
// with sigs.k8s.io/yaml (the maintained fork of ghodss/yaml, the same conversion over
// yaml.v2) and decodes the JSON with encoding/json.
func conftestValue(t *testing.T, src string) any {
	t.Helper()
	j, err := ghodss.YAMLToJSON([]byte(src))
	if err != nil {
		t.Fatalf("ghodss: %v", err)
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseYAMLValuesAsConftest(t *testing.T) {
	for _, src := range []string{
		"a: 1\nb: 1.5\nc: 1e3\nd: 0x1F\ne: 0o17\nf: 1_000\ng: -0\nh: 12345678901234567890\n",
		"a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: true\ng: 'yes'\nh: \"on\"\n",
		"a: 2025-01-31\nb: 2001-12-14t21:59:43.10-05:00\nc: 15.10\nd: 1.0\n",
		"a: ~\nb: null\nc:\nd: ''\n",
		"base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n",
		"nested:\n  - name: a\n    ports: [80, 443]\n  - {name: b, env: [{name: X, value: '1'}]}\n",
		"s: |\n  line one\n  line two\nf: >\n  folded\n  text\n",
		"- 1\n- two\n- {three: 3}\n",
		"just a string\n",
		"y: 1\non: 2\n1: a\n1.5: b\n'yes': c\n0x10: d\n2.0: e\n",
		"",
	} {
		want := conftestValue(t, src)
		docs, _, err := ParseYAML("f.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		var got any
		if list, ok := want.([]any); ok { // conftest checks each item of a top-level list
			items := make([]any, len(docs))
			for i, d := range docs {
				items[i] = d.Value
			}
			got, want = items, list
		} else {
			if len(docs) != 1 {
				t.Fatalf("%q: %d documents", src, len(docs))
			}
			got = docs[0].Value
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %#v\nwant %#v", src, got, want)
		}
	}
}

func TestParseYAMLSplitsAsConftest(t *testing.T) {
	cases := []struct {
		name, src string
		values    []any
		lines     []int // each document's first line as located
		notes     int
	}{
		{"two documents", "a: 1\n---\nb: 2\n", []any{map[string]any{"a": 1.0}, map[string]any{"b": 2.0}}, []int{1, 3}, 0},
		{"a leading separator is not a split", "---\na: 1\n", []any{map[string]any{"a": 1.0}}, []int{2}, 0},
		{"a trailing separator is a null document", "a: 1\n---\n", []any{map[string]any{"a": 1.0}, nil}, []int{1, 3}, 0},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", []any{map[string]any{"a": 1.0}, map[string]any{"b": 2.0}}, []int{1, 3}, 0},
		{"a separator with a comment is not a split, and the document behind it is noted",
			"a: 1\n--- # second\nb: 2\n", []any{map[string]any{"a": 1.0}}, []int{1}, 1},
		{"a list in a multi-document file is one input", "- 1\n- 2\n---\nb: 2\n",
			[]any{[]any{1.0, 2.0}, map[string]any{"b": 2.0}}, []int{1, 4}, 0},
		{"a directive stays with the first document", "%YAML 1.1\n---\na: 1\n---\nb: 2\n",
			[]any{map[string]any{"a": 1.0}, map[string]any{"b": 2.0}}, []int{3, 5}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, notes, err := ParseYAML("f.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []any
			var lines []int
			for _, d := range docs {
				got = append(got, d.Value)
				lines = append(lines, d.Locate(nil).Start.Line)
			}
			if !reflect.DeepEqual(got, tc.values) {
				t.Errorf("values %#v, want %#v", got, tc.values)
			}
			if !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("first lines %v, want %v", lines, tc.lines)
			}
			if len(notes) != tc.notes {
				t.Errorf("notes %+v, want %d", notes, tc.notes)
			}
		})
	}
}

func TestParseYAMLErrorHasPosition(t *testing.T) {
	_, _, err := ParseYAML("f.yaml", []byte("a: 1\n---\nb: [1, 2\nc: 3\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "f.yaml:3:") {
		t.Fatalf("error %v, want one at f.yaml:3", err)
	}
}

func TestParseJSON(t *testing.T) {
	docs, err := ParseJSON("f.json", []byte("\xef\xbb\xbf[{\"a\": 1},\n {\"b\": {\"c\": true}}]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || !reflect.DeepEqual(docs[1].Value, map[string]any{"b": map[string]any{"c": true}}) {
		t.Fatalf("docs %+v", docs)
	}
	if l := docs[1].Locate([]any{"b", "c"}); l.Start.Line != 2 || l.Start.Column != 14 {
		t.Errorf("b.c at %+v, want 2:14", l.Start)
	}
	if _, err := ParseJSON("bad.json", []byte("{")); err == nil {
		t.Error("a broken JSON file parsed")
	}
}
