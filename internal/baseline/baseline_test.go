package baseline

import (
	"strings"
	"testing"
)

func TestMarshalIsStableAndReadsBack(t *testing.T) {
	fp := func(c byte) string { return strings.Repeat(string(c), 32) }
	var a, b File
	a.Add("r2", "teams/b.yml", fp('b'))
	a.Add("r1", "teams/b.yml", fp('a'))
	a.Add("r1", "default.yml", fp('c'))
	a.Add("r1", "teams/b.yml", fp('a'))
	b.Add("r1", "default.yml", fp('c'))
	b.Add("r1", "teams/b.yml", fp('a'))
	b.Add("r1", "teams/b.yml", fp('a'))
	b.Add("r2", "teams/b.yml", fp('b'))
	da, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	db, _ := b.Marshal()
	if string(da) != string(db) {
		t.Fatalf("the order findings came in changed the file:\n%s\n%s", da, db)
	}
	want := `{
  "version": 1,
  "findings": [
    {
      "rule": "r1",
      "file": "default.yml",
      "fingerprint": "cccccccccccccccccccccccccccccccc",
      "count": 1
    },
    {
      "rule": "r1",
      "file": "teams/b.yml",
      "fingerprint": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "count": 2
    },
    {
      "rule": "r2",
      "file": "teams/b.yml",
      "fingerprint": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "count": 1
    }
  ]
}
`
	if string(da) != want {
		t.Errorf("got\n%s\nwant\n%s", da, want)
	}
	back, err := Parse(da)
	if err != nil {
		t.Fatal(err)
	}
	if c := back.Counts(); c[fp('a')] != 2 || c[fp('b')] != 1 || c[fp('c')] != 1 || len(c) != 3 {
		t.Errorf("counts %v", c)
	}
	back.Add("r1", "default.yml", fp('c'))
	if len(back.Findings) != 3 || back.Findings[0].Count != 2 {
		t.Errorf("Add on a parsed baseline made a second entry: %+v", back.Findings)
	}
	empty, _ := (&File{}).Marshal()
	if string(empty) != "{\n  \"version\": 1,\n  \"findings\": []\n}\n" {
		t.Errorf("empty baseline: %s", empty)
	}
}

func TestParseIsStrict(t *testing.T) {
	good := `{"rule": "r", "file": "f.yml", "fingerprint": "` + strings.Repeat("0", 32) + `", "count": 1}`
	for name, c := range map[string]struct{ in, err string }{
		"empty":         {``, "empty file"},
		"syntax":        {"{\n  \"version\": 1,\n  \"findings\": [,]\n}", "line 3, column 16"},
		"unknown field": {`{"version": 1, "findings": [], "extra": true}`, `unknown field "extra"`},
		"version":       {`{"version": 2, "findings": []}`, "version 2"},
		"no version":    {`{"findings": []}`, "version 0"},
		"fingerprint":   {`{"version": 1, "findings": [{"rule": "r", "file": "f", "fingerprint": "ABC", "count": 1}]}`, `fingerprint "ABC"`},
		"count":         {`{"version": 1, "findings": [{"rule": "r", "file": "f", "fingerprint": "` + strings.Repeat("0", 32) + `", "count": 0}]}`, "count 0"},
		"no rule":       {`{"version": 1, "findings": [{"file": "f", "fingerprint": "` + strings.Repeat("0", 32) + `", "count": 1}]}`, "rule is required"},
		"type":          {`{"version": "1", "findings": []}`, "line 1, column"},
		"two values":    {`{"version": 1, "findings": []} {}`, "more than one JSON value"},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one with %q", name, err, c.err)
		}
	}
	fileless := strings.Replace(good, `"f.yml"`, `""`, 1) // a finding that belongs to no file
	if _, err := Parse([]byte(`{"version": 1, "findings": [` + good + `, ` + fileless + `]}`)); err != nil {
		t.Errorf("a good baseline: %v", err)
	}
}
