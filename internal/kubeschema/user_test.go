package kubeschema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSchemas(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestUserSchemas(t *testing.T) {
	dir := writeSchemas(t, map[string]string{
		"widget.cue": `package org

#Widget: {
	apiVersion: "example.com/v1"
	kind:       "Widget"
	spec!: {
		size!: int & >0
		colour?: "red" | "blue"
	}
}
`,
		"deployments.cue": `package org

// At most three replicas in this organisation; everything else is the bundled schema's.
#SmallDeployment: {
	apiVersion: "apps/v1"
	kind:       "Deployment"
	spec?: replicas?: int & <=3
}
`,
		"fleet-hooks.cue": "team: {name: string}\n", // the Fleet stage's; not a kind
	})
	v, err := New([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Has(GVK{"example.com/v1", "Widget"}) {
		t.Fatal("the organisation's Widget is not known")
	}
	widget := "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, lables: {}}\nspec: {size: 0, colour: green, extra: 1}\n"
	checkIssues(t, v.Validate(docs(t, []byte(widget))[0]), []want{
		{path: "metadata.lables", rule: RuleUnknownKey, hint: `"labels"`, atKey: true},
		{path: "spec.colour", rule: RuleValue, msg: `colour "green" is not one of "blue", "red"`},
		{path: "spec.extra", rule: RuleUnknownKey, atKey: true},
		{path: "spec.size", rule: RuleValue, msg: "size 0 is out of range: it must be more than 0"},
	})
	checkIssues(t, v.Validate(docs(t, []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))[0]), []want{
		{path: "spec", rule: RuleRequired, missing: true},
	})
	// A constraint on a bundled kind: its own rule, and the bundled schema's keys stay allowed.
	big := strings.Replace(deployment, "replicas: 2", "replicas: 5", 1)
	checkIssues(t, v.Validate(docs(t, []byte(big))[0]), []want{
		{path: "spec.replicas", rule: RuleCustom, msg: "replicas 5 is out of range: it must be at most 3 (organisation schema)"},
	})
	checkIssues(t, v.Validate(docs(t, []byte(deployment))[0]), nil)
	typo := strings.Replace(deployment, "replicas: 2", "replicas: 2\n  replica: 1", 1)
	checkIssues(t, v.Validate(docs(t, []byte(typo))[0]), []want{
		{path: "spec.replica", rule: RuleUnknownKey, hint: `"replicas"`, atKey: true},
	})
}

func TestUserSchemaErrors(t *testing.T) {
	dir := writeSchemas(t, map[string]string{"bad.cue": "#W: {\n\tapiVersion: \"x/v1\"\n\tkind: \"W\"\n\tspec: {a: int &&}\n}\n"})
	if _, err := New([]string{dir}); err == nil || !strings.Contains(err.Error(), "bad.cue:4:") {
		t.Errorf("a schema that does not parse: got %v, want an error at bad.cue:4", err)
	}
	if _, err := New([]string{filepath.Join(dir, "absent")}); err == nil {
		t.Error("a missing schema directory is no error")
	}
	conflict := writeSchemas(t, map[string]string{"c.cue": "#D: {apiVersion: \"apps/v1\", kind: \"Deployment\", spec: replicas: \"two\"}\n"})
	v, err := New([]string{conflict})
	if err != nil {
		t.Fatal(err)
	}
	is := v.Validate(docs(t, []byte(deployment))[0])
	if len(is) != 1 || is[0].RuleID != "internal-error" || !strings.Contains(is[0].Message, "conflicts with the bundled") {
		t.Errorf("a schema that contradicts the bundled one: got %v", is)
	}
}

// A schema file that is a symbolic link out of its directory is not read, as in the Fleet
// stage (a pull request could otherwise have any file of the runner shown in the compile
// error); one inside it is.
func TestUserSchemaSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "secret.txt")
	schemas := filepath.Join(dir, "cue")
	if err := os.MkdirAll(schemas, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("secret first line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	widget := "#W: {apiVersion: \"example.com/v1\", kind: \"W\"}\n"
	if err := os.WriteFile(filepath.Join(schemas, "real.txt"), []byte(widget), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.txt", filepath.Join(schemas, "inside.cue")); err != nil {
		t.Fatal(err)
	}
	if v, err := New([]string{schemas}); err != nil || !v.Has(GVK{"example.com/v1", "W"}) {
		t.Errorf("a link inside the directory: %v", err)
	}
	if err := os.Symlink(outside, filepath.Join(schemas, "leak.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := New([]string{schemas})
	if err == nil || !strings.Contains(err.Error(), "leak.cue is a symbolic link leading out of its directory") || strings.Contains(err.Error(), "secret") {
		t.Errorf("a link out of the directory: %v", err)
	}
}
