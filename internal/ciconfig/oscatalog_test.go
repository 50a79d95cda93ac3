package ciconfig

import (
	"strings"
	"testing"
)

// TestActionOSCatalog: the action refreshes the OS catalog before linting and says in the step
// summary which catalog date was used. Here the network is closed (as on a runner that is
// offline): the refresh fails, the run goes on with the embedded catalog, a warning annotation
// says so, and lint gets no --os-catalog. The restore and save steps are uses: steps (not run
// here); their wiring is checked from the file.
func TestActionOSCatalog(t *testing.T) {
	a := loadAction(t)
	if in, ok := a.Inputs["update-os-catalog"]; !ok || in.Default == nil || *in.Default != "true" {
		t.Fatal(`input update-os-catalog must default to "true"`)
	}
	lint := findStep(t, a.Runs.Steps, func(s step) bool { return s.ID == "lint" })
	if lint.Env["TOLLGATE_OS_CATALOG"] != "${{ steps.os-catalog.outputs.path }}" ||
		!strings.Contains(lint.Run, `args+=(--os-catalog "$TOLLGATE_OS_CATALOG")`) {
		t.Errorf("the lint step does not pass the refreshed catalog: %+v", lint.Env)
	}
	restore := findStep(t, a.Runs.Steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/cache/restore@") })
	save := findStep(t, a.Runs.Steps, func(s step) bool { return strings.HasPrefix(s.Uses, "actions/cache/save@") })
	if restore.With["key"] != save.With["key"] || restore.With["path"] != save.With["path"] ||
		!strings.Contains(restore.With["key"], "os-catalog-day") || restore.With["restore-keys"] == "" {
		t.Errorf("restore and save must share the day's key and path (older days as restore-keys): %+v / %+v", restore.With, save.With)
	}
	if save.If != "${{ steps.os-catalog.outputs.save == 'true' }}" {
		t.Errorf("the catalog is saved only when it was fetched: if: %q", save.If)
	}

	t.Run("offline", func(t *testing.T) {
		r := runAction(t, a, "testdata/examples/clean", nil)
		refresh := r.result("os-catalog")
		if !refresh.ran || refresh.exitCode != 0 {
			t.Fatalf("refresh step: ran %v, exit %d; an offline runner must not fail the job", refresh.ran, refresh.exitCode)
		}
		if !strings.Contains(refresh.stdout, "::warning title=tollgate OS catalog::could not refresh the OS catalog") {
			t.Errorf("no warning annotation:\n%s", refresh.stdout)
		}
		if !strings.HasPrefix(refresh.summary, "OS catalog: 20") || !strings.Contains(refresh.summary, "(embedded: the refresh failed)") {
			t.Errorf("step summary: %q", refresh.summary)
		}
		if p := r.steps["os-catalog"]["path"]; p != "" {
			t.Errorf("path output %q: no catalog file to pass", p)
		}
		if r.steps["os-catalog"]["save"] == "true" {
			t.Error("nothing fetched, yet saved")
		}
		if out := r.actionOutputs(); out["exit-code"] != "0" {
			t.Errorf("exit-code %q: the lint still runs, on the embedded catalog", out["exit-code"])
		}
	})

	t.Run("off", func(t *testing.T) {
		r := runAction(t, a, "testdata/examples/clean", map[string]string{"update-os-catalog": "false"})
		refresh := r.result("os-catalog")
		if strings.Contains(refresh.stdout, "::warning") || strings.Contains(refresh.stderr, "catalog update") {
			t.Errorf("update-os-catalog: false still tried to refresh:\n%s%s", refresh.stdout, refresh.stderr)
		}
		if !strings.Contains(refresh.summary, "not refreshed (update-os-catalog is off)") {
			t.Errorf("step summary: %q", refresh.summary)
		}
	})
}
