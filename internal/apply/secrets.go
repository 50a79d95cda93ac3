package apply

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/load"
)

// FleetEnv are the variables the default fleetctl applier needs to reach the server.
var FleetEnv = []string{"FLEET_URL", "FLEET_API_TOKEN"}

// Need is an environment variable the hand-off needs, with the first place that needs it.
type Need struct {
	Name  string
	Where string // "default.yml:9:17", "apply.env" or "fleetctl"
}

func (n Need) String() string { return n.Name + " (" + n.Where + ")" }

// RequiredEnv lists, by name and once each, the variables that must be set before the
// hand-off: every reference fleetctl expands ($NAME and ${NAME}, in YAML comments too) or
// uploads ($FLEET_SECRET_* in profiles and scripts), but not escaped ones (\$NAME) nor
// $FLEET_VAR_* (expanded by the server); then FleetEnv when fleet is set; then extra
// (apply.env). The result is sorted by name.
func RequiredEnv(refs []load.EnvRef, fleet bool, extra []string) []Need {
	seen := map[string]bool{}
	var out []Need
	add := func(name, where string) {
		if name == "" || seen[name] {
			return
		}
		seen[name] = true
		out = append(out, Need{Name: name, Where: where})
	}
	for _, r := range refs {
		if r.InLiteral || (r.Kind != "env" && r.Kind != "fleet_secret") {
			continue
		}
		add(r.Name, fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Col))
	}
	if fleet {
		for _, n := range FleetEnv {
			add(n, "fleetctl")
		}
	}
	for _, n := range extra {
		add(strings.TrimSpace(n), "apply.env")
	}
	slices.SortFunc(out, func(a, b Need) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// MissingEnv returns the needs whose variable is unset or empty. It reads values only to test
// them for emptiness; they are never returned, printed or recorded.
func MissingEnv(needs []Need, getenv func(string) string) []Need {
	var out []Need
	for _, n := range needs {
		if getenv(n.Name) == "" {
			out = append(out, n)
		}
	}
	return out
}

// Names returns the variables' names.
func Names(needs []Need) []string {
	out := make([]string, len(needs))
	for i, n := range needs {
		out[i] = n.Name
	}
	return out
}
