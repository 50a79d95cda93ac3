package fleet

// Era is the generation of Fleet's GitOps format, decided by the loader.
type Era int

const (
	// EraTeams is Fleet ≤ 4.81: teams/*.yml, team_settings, queries, macos_settings.custom_settings.
	EraTeams Era = iota
	// EraFleets is Fleet 4.82+: fleets/*.yml, settings, reports, apple_settings.configuration_profiles, paths: globs.
	EraFleets
)

func (e Era) String() string {
	if e == EraFleets {
		return "fleets"
	}
	return "teams"
}

// Kind is what a GitOps file configures: the three kinds of entry file, and the software
// package files they point at (validated on their own).
type Kind int

const (
	KindGlobal      Kind = iota // default.yml: org_settings
	KindTeam                    // teams/*.yml or fleets/*.yml
	KindUnassigned              // no-team.yml / unassigned.yml: hosts without a team
	KindPackageFile             // the target of software.packages[].path
)

// String is the kind as policies see it in input (input.teams[_].kind).
func (k Kind) String() string {
	switch k {
	case KindGlobal:
		return "global"
	case KindUnassigned:
		return "unassigned"
	case KindPackageFile:
		return "package"
	}
	return "team"
}
