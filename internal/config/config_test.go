package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const example = `
rules:
  passcode-min-length:
    severity: error
    params: {min_length: 14}
  os-update-deadline: {enabled: false}
policies: [policy]
schemas: [cue]
ignore: ["lib/experimental/**"]
secrets: [FLEET_GLOBAL_ENROLL_SECRET]
fail_level: warning
apply:
  command: [fleetctl, gitops]
  delete_other: true
  lock_wait: 5m
`

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile("tollgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("tollgate.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("tollgate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func yamlToJSONValue(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The editor schema accepts what Load accepts and rejects what it rejects.
func TestSchemaAgreesWithLoad(t *testing.T) {
	s := compileSchema(t)
	if err := s.Validate(yamlToJSONValue(t, example)); err != nil {
		t.Errorf("schema rejects the example: %v", err)
	}
	p := filepath.Join(t.TempDir(), ".tollgate.yaml")
	os.WriteFile(p, []byte(example), 0o644)
	if _, err := Load(p); err != nil {
		t.Errorf("Load rejects the example: %v", err)
	}
	for _, bad := range []string{"rule: {}\n", "fail_level: loud\n", "rules: {x: {severity: loud}}\n", "apply: {comand: [x]}\n"} {
		if err := s.Validate(yamlToJSONValue(t, bad)); err == nil {
			t.Errorf("schema accepts %q", bad)
		}
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := Load(p); err == nil {
			t.Errorf("Load accepts %q", bad)
		} else if !strings.Contains(err.Error(), ".tollgate.yaml") {
			t.Errorf("error %q does not name the file", err)
		}
	}
}

// Every key of the Go structs is in the schema, and the reverse.
func TestSchemaCoversConfig(t *testing.T) {
	data, _ := os.ReadFile("tollgate.schema.json")
	var sch struct {
		Properties map[string]struct {
			Properties           map[string]any  `json:"properties"`
			AdditionalProperties json.RawMessage `json:"additionalProperties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &sch); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	top := map[string]any{}
	for k := range sch.Properties {
		top[k] = nil
	}
	compare(t, "top level", yamlKeys(reflect.TypeFor[Config]()), keys(top))
	compare(t, "apply", yamlKeys(reflect.TypeFor[ApplyConfig]()), keys(sch.Properties["apply"].Properties))
	compare(t, "capabilities", yamlKeys(reflect.TypeFor[CapabilitiesConfig]()), keys(sch.Properties["capabilities"].Properties))
	var rule struct {
		Properties map[string]any `json:"properties"`
	}
	json.Unmarshal(sch.Properties["rules"].AdditionalProperties, &rule)
	compare(t, "rules.<id>", yamlKeys(reflect.TypeFor[RuleConfig]()), keys(rule.Properties))
}

func yamlKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	slices.Sort(out)
	return out
}

func compare(t *testing.T, where string, goKeys, schemaKeys []string) {
	t.Helper()
	if !slices.Equal(goKeys, schemaKeys) {
		t.Errorf("%s: Go struct has %v, schema has %v", where, goKeys, schemaKeys)
	}
}
