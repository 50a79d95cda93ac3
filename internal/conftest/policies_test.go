package conftest

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestPoliciesReadPlainOnly(t *testing.T) {
	fsys := fstest.MapFS{
		"main.rego":        {Data: []byte("package main\n\ndeny contains \"x\" if { input.a }\n")},
		"old.rego":         {Data: []byte("package old\n\nwarn_old[msg] { msg := \"y\" }\n")}, // Rego v0
		"main_test.rego":   {Data: []byte("package main\n\ntest_x if { true }\n")},
		"contract.rego":    {Data: []byte("package tollgate.rules.x\n\ndeny contains \"z\" if { true }\n")},
		"importer.rego":    {Data: []byte("package helper\n\nimport data.tollgate.lib\n\nf := 1\n")},
		"notes.txt":        {Data: []byte("not rego")},
		"sub/helpers.rego": {Data: []byte("package lib\n\nf(x) := x\n")},
	}
	var p Policies
	if err := p.Read("pol", fsys); err != nil {
		t.Fatal(err)
	}
	var got []string
	for name := range p.modules {
		got = append(got, name)
	}
	slices.Sort(got)
	if want := []string{"pol/main.rego", "pol/old.rego", "pol/sub/helpers.rego"}; !slices.Equal(got, want) {
		t.Errorf("plain policies: got %v, want %v", got, want)
	}
	if !p.HasRules() {
		t.Error("HasRules: false with a deny rule")
	}

	var helpers Policies
	if err := helpers.Read("pol", fstest.MapFS{"lib.rego": {Data: []byte("package lib\n\nf(x) := x\n")}}); err != nil {
		t.Fatal(err)
	}
	if helpers.HasRules() {
		t.Error("HasRules: true with no deny, warn or violation rule")
	}
	if err := helpers.Read("pol", fstest.MapFS{"bad.rego": {Data: []byte("package\n")}}); err == nil {
		t.Error("a module that parses as neither Rego v1 nor v0: no error")
	}
}
