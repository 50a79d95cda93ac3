package benchgen

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// WriteLike writes a repository shaped like the real one at src: its global file, lib/ and
// every other file as they are, and n team files that cycle through src's own (teams/ or
// fleets/), each renamed ("<name> 0042") and with its enroll secret variables suffixed, so
// the copies are distinct teams. Includes, profiles and packages keep pointing at src's
// files, which is what makes it unlike the synthetic repository: teams that share lib/
// files, many profiles per team. Output is deterministic. only, when not empty, names the
// team files to copy (e.g. "workstations.yml": every team a copy of one real team file).
func WriteLike(dir, src string, n int, only ...string) error {
	dirName, teams, err := teamFiles(src)
	if err != nil {
		return err
	}
	if len(only) > 0 {
		for _, o := range only {
			if !slices.Contains(teams, o) {
				return fmt.Errorf("%s has no team file %s in %s/", src, o, dirName)
			}
		}
		teams = slices.Clone(only)
	}
	if len(teams) == 0 {
		return fmt.Errorf("%s has no team files in teams/ or fleets/", src)
	}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if filepath.Dir(rel) == dirName && !slices.Contains([]string{"no-team.yml", "unassigned.yml"}, d.Name()) {
			return nil // replaced by the copies below
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		return err
	}
	for i := range n {
		name := teams[i%len(teams)]
		data, err := os.ReadFile(filepath.Join(src, dirName, name))
		if err != nil {
			return err
		}
		out := renameTeam(string(data), i)
		file := filepath.Join(dir, dirName, fmt.Sprintf("%05d-%s", i, name))
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// teamFiles lists src's team files (not no-team.yml or unassigned.yml), sorted.
func teamFiles(src string) (string, []string, error) {
	for _, d := range []string{"fleets", "teams"} {
		entries, err := os.ReadDir(filepath.Join(src, d))
		if err != nil {
			continue
		}
		var names []string
		for _, e := range entries {
			if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".yml") && n != "no-team.yml" && n != "unassigned.yml" {
				names = append(names, n)
			}
		}
		return d, names, nil
	}
	return "", nil, nil
}

var (
	topName   = regexp.MustCompile(`(?m)^name:[ \t]*(.*?)[ \t]*$`)
	secretVar = regexp.MustCompile(`(secret:[ \t]*["']?\$\{?)([A-Za-z_][A-Za-z0-9_]*)`)
)

// renameTeam gives copy i its own team name and enroll secret variables.
func renameTeam(src string, i int) string {
	src = topName.ReplaceAllStringFunc(src, func(line string) string {
		v := strings.Trim(topName.FindStringSubmatch(line)[1], `"'`)
		return fmt.Sprintf("name: %q", fmt.Sprintf("%s %05d", v, i))
	})
	return secretVar.ReplaceAllString(src, fmt.Sprintf("${1}${2}_%05d", i))
}
