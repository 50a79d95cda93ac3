package yamlsrc

import (
	"fmt"
	"strings"
	"testing"
)

// Syntax errors are reported where the mistake is, not where yaml.v3 gave up.
func TestRefinedPositions(t *testing.T) {
	for _, c := range []struct {
		name, text string
		line, col  int
		msg        string
	}{
		{"tab reported on the line before", "name: T\nagent_options:\n  config:\n\toptions: 1\n", 4, 1, "a tab character in the indentation"},
		{"tab after a block scalar", "a:\n  - name: x\n    description: >-\n      text\n      more\n  - name: y\n\tquery: 1\n", 7, 1, "a tab character in the indentation"},
		{"another mistake before a tab is not the tab's", "a: 1\nb: @x\nc:\n\td: 1\n", 2, 1, "cannot start any token"},
		{"tab in a block scalar is text", "a: |\n  x\n  \ty\nb:\n\tc: 1\n", 5, 1, "a tab character in the indentation"},
		{"quote left open, read on to the next one", "name: T\nautomations_enabled: \"true\nquery: x\nother: 1\nlast: \"y\"\nmore: 2\n", 2, 22, "the quoted value opened here is not closed"},
		{"quote left open to the end", "name: T\na: \"x\nb: 1\n", 2, 4, "the quoted value opened here is not closed"},
		{"single quote in a list", "name: T\nlist:\n  - 'it''s\n  - b\nc: 1\n", 3, 5, "the quoted value opened here is not closed"},
		{"a string over two lines is not the mistake", "name: T\ndesc: \"a long\n  text over lines\"\nb:\n   - x\n  - y\n", 6, 3, "did not find expected key"},
	} {
		_, probs := Parse([]byte(c.text), DefaultLimits)
		if len(probs) != 1 {
			t.Errorf("%s: %d problems %v", c.name, len(probs), probs)
			continue
		}
		p := probs[0]
		if p.Line != c.line || p.Column != c.col || !strings.Contains(p.Message, c.msg) {
			t.Errorf("%s: %d:%d %s; want %d:%d %s", c.name, p.Line, p.Column, p.Message, c.line, c.col, c.msg)
		}
	}
}

// A repeated key is reported at each repetition, naming the first, in small and large mappings.
func TestDuplicateKeys(t *testing.T) {
	var large strings.Builder
	for i := range 40 {
		fmt.Fprintf(&large, "k%d: %d\n", i, i)
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"a: 1\nb: 2\na: 3\na: 4\n", []string{"3: \"a\" first 1", "4: \"a\" first 1"}},
		{large.String() + "k3: x\nk39: y\n", []string{"41: \"k3\" first 4", "42: \"k39\" first 40"}},
		{"a: 1\nb:\n  a: 2\n", nil},
	} {
		_, probs := Parse([]byte(c.text), DefaultLimits)
		var got []string
		for _, p := range probs {
			var name string
			var first int
			fmt.Sscanf(p.Message, "key %q is already defined at line %d", &name, &first)
			got = append(got, fmt.Sprintf("%d: %q first %d", p.Line, name, first))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("got %v, want %v", got, c.want)
		}
	}
}
