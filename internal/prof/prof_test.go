package prof

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A nil profile measures nothing and costs nothing to call.
func TestNilProfile(t *testing.T) {
	var p *Profile
	m := p.Mark()
	p.Stage("load", m)
	p.Rule("r", m)
	if allocs := testing.AllocsPerRun(100, func() { p.Stage("load", p.Mark()) }); allocs != 0 {
		t.Errorf("a nil profile allocates %v times per stage", allocs)
	}
}

// Stages and rules add up over calls and print slowest first, with their allocations.
func TestProfileSums(t *testing.T) {
	p := New()
	for range 3 {
		m := p.Mark()
		sink = make([]byte, 1<<20)
		time.Sleep(2 * time.Millisecond)
		p.Stage("slow", m)
	}
	p.Stage("fast", p.Mark())
	m := p.Mark()
	time.Sleep(time.Millisecond)
	p.Rule("rule-a", m)
	st := p.Stages()
	if len(st) != 2 || st[0].Name != "slow" || st[0].Calls != 3 || st[0].Time < 6*time.Millisecond || st[0].Bytes < 3<<20 {
		t.Fatalf("stages %+v", st)
	}
	if st[1].Name != "fast" || st[1].Calls != 1 {
		t.Errorf("stages %+v", st)
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`(?m)^ *total +[0-9.]+ s`, `(?m)^ *slow +0\.0[0-9]+ s +3 +[0-9.]+ MB`, `(?m)^ *rule-a +[0-9.]+ s +1 `} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	if strings.Index(out, "slow") > strings.Index(out, "fast") {
		t.Errorf("not slowest first:\n%s", out)
	}
}

var sink []byte
