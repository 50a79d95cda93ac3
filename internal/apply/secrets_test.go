package apply

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/load"
)

func TestRequiredEnv(t *testing.T) {
	refs := []load.EnvRef{
		{File: "default.yml", Line: 9, Col: 17, Name: "FLEET_URL", Kind: "env"},
		{File: "default.yml", Line: 2, Col: 3, Name: "IN_COMMENT", Kind: "env", InComment: true},
		{File: "default.yml", Line: 3, Col: 3, Name: "ESCAPED", Kind: "env", InLiteral: true},
		{File: "lib/p.mobileconfig", Line: 4, Col: 5, Name: "FLEET_SECRET_WIFI", Kind: "fleet_secret"},
		{File: "lib/p.mobileconfig", Line: 5, Col: 5, Name: "FLEET_VAR_NDES_SCEP_CHALLENGE", Kind: "fleet_var"},
		{File: "teams/a.yml", Line: 1, Col: 1, Name: "IN_COMMENT", Kind: "env"},
	}
	// An escaped reference before the one that counts, and later references again (lint keeps
	// only the first of each variable, kind and escaping: load.FirstEnvRefs).
	refs = append(refs,
		load.EnvRef{File: "a.yml", Line: 1, Col: 1, Name: "FLEET_URL", Kind: "env", InLiteral: true},
		load.EnvRef{File: "teams/b.yml", Line: 7, Col: 2, Name: "FLEET_URL", Kind: "env"},
		load.EnvRef{File: "lib/q.mobileconfig", Line: 1, Col: 9, Name: "FLEET_SECRET_WIFI", Kind: "fleet_secret"})
	got := RequiredEnv(refs, true, []string{"EXTRA", " FLEET_URL "})
	want := []Need{
		{"EXTRA", "apply.env"},
		{"FLEET_API_TOKEN", "fleetctl"},
		{"FLEET_SECRET_WIFI", "lib/p.mobileconfig:4:5"},
		{"FLEET_URL", "default.yml:9:17"},
		{"IN_COMMENT", "default.yml:2:3"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RequiredEnv:\n got %v\nwant %v", got, want)
	}
	if first := RequiredEnv(load.FirstEnvRefs(slices.Clone(refs)), true, []string{"EXTRA", " FLEET_URL "}); !reflect.DeepEqual(first, want) {
		t.Errorf("RequiredEnv of the first references:\n got %v\nwant %v", first, want)
	}
	if n := len(load.FirstEnvRefs(slices.Clone(refs))); n != len(refs)-3 {
		t.Errorf("FirstEnvRefs kept %d of %d references, want all but the three later ones (IN_COMMENT, FLEET_URL, FLEET_SECRET_WIFI)", n, len(refs))
	}
	// A custom applier does not need Fleet's variables.
	if got := Names(RequiredEnv(nil, false, nil)); len(got) != 0 {
		t.Errorf("custom applier needs %v", got)
	}
}

func TestMissingEnv(t *testing.T) {
	env := map[string]string{"SET": "s3cr3t-value", "EMPTY": ""}
	needs := []Need{{"EMPTY", "a"}, {"SET", "b"}, {"UNSET", "c"}}
	missing := MissingEnv(needs, func(k string) string { return env[k] })
	if got := Names(missing); !reflect.DeepEqual(got, []string{"EMPTY", "UNSET"}) {
		t.Errorf("missing %v", got)
	}
	for _, m := range missing {
		if strings.Contains(m.String(), "s3cr3t") {
			t.Errorf("a value leaked: %s", m)
		}
	}
}

// TestRequiredEnvFromRepo checks the loader's references end to end: a reference in a YAML
// comment is needed (fleetctl expands comments), an escaped one is not.
func TestRequiredEnvFromRepo(t *testing.T) {
	dir := writeRepo(t, map[string]string{
		"default.yml": "# rotate $ROTATION_NOTE yearly\n" + globalYAML + "  org_info:\n    org_name: \\$NOT_A_VAR\n",
	})
	repo, err := load.Load(t.Context(), load.Options{Root: dir, Entries: []string{dir + "/default.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	got := Names(RequiredEnv(repo.EnvRefs, false, nil))
	if want := []string{"GLOBAL_SECRET", "ROTATION_NOTE"}; !reflect.DeepEqual(got, want) {
		t.Errorf("needs %v, want %v", got, want)
	}
}
