package model

import "hash/fnv"

// minShardTeams is the team count below which sharding costs more than it saves.
const minShardTeams = 64

// Shard is one evaluation unit: a slice of the teams with everything that belongs to them,
// the global entry, and the repository-wide facts (so cross-file rules still see every team).
type Shard struct {
	Input    map[string]any
	Conftest []Doc // entry documents for plain conftest policies
}

// Doc is one document for conftest-style evaluation.
type Doc struct {
	File string
	Doc  any
}

// Shards splits the model into at most n shards. Teams, with their profiles and references,
// are dealt round-robin; environment references and package files go by file, so each is in
// exactly one shard. The global entry is in every shard (its findings are deduplicated); its
// own profiles and references only in the first.
func Shards(m *Model, n int) []Shard {
	if n < 1 || len(m.Teams) < minShardTeams {
		n = 1
	}
	teamShard := map[string]int{}
	type parts struct {
		teams, profiles, refs, envs, pkgs []any
		secrets                           []any
		conftest                          []Doc
	}
	ps := make([]parts, n)
	if m.Global != nil {
		ps[0].conftest = append(ps[0].conftest, Doc{File: m.Global["file"].(string), Doc: m.Global["doc"]})
	}
	for i, t := range m.Teams {
		s := i % n
		file := t["file"].(string)
		teamShard[file] = s
		ps[s].teams = append(ps[s].teams, t)
		ps[s].conftest = append(ps[s].conftest, Doc{File: file, Doc: t["doc"]})
	}
	byEntry := func(obj map[string]any) int { return teamShard[obj["entry"].(string)] } // global → 0
	for _, p := range m.Profiles {
		s := byEntry(p)
		ps[s].profiles = append(ps[s].profiles, p)
	}
	for _, r := range m.Refs {
		s := byEntry(r)
		ps[s].refs = append(ps[s].refs, r)
	}
	for _, e := range m.EnvRefs {
		s := byFile(e["file"].(string), n)
		ps[s].envs = append(ps[s].envs, e)
	}
	for _, sf := range m.SecretsFound {
		s := byFile(sf["file"].(string), n)
		ps[s].secrets = append(ps[s].secrets, sf)
	}
	for _, p := range m.Packages {
		s := byFile(p["file"].(string), n)
		ps[s].pkgs = append(ps[s].pkgs, p)
	}
	out := make([]Shard, n)
	for i, p := range ps {
		var global any
		if m.Global != nil {
			global = m.Global
		}
		out[i] = Shard{Input: map[string]any{
			"era":           m.Era,
			"global":        global,
			"teams":         orEmpty(p.teams),
			"packages":      orEmpty(p.pkgs),
			"profiles":      orEmpty(p.profiles),
			"refs":          orEmpty(p.refs),
			"env_refs":      orEmpty(p.envs),
			"secrets_found": orEmpty(p.secrets),
			"repo":          m.Repo,
		}, Conftest: p.conftest}
	}
	return out
}

func byFile(file string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(file))
	return int(h.Sum32() % uint32(n))
}

func orEmpty(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}
