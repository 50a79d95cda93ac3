package kube

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/load"
)

// maxWalkEntries bounds the directory entries one walk reads: far above a real GitOps
// repository, far below what would make a run hang.
const maxWalkEntries = 500_000

// candidate is a file the walk found that may hold manifests.
type candidate struct {
	name  string // repository-relative
	chart string // the Helm chart directory it lies in ("" when none)
}

// walk lists the YAML and JSON files under dir (an io/fs name), skipping .git and the
// directories of other tools' state, and marks the files that lie in a Helm chart.
func walk(src load.Source, dir string) (files []candidate, charts []string, err error) {
	budget := maxWalkEntries
	var visit func(d, chart string) error
	visit = func(d, chart string) error {
		ents, err := src.ReadDir(d)
		if err != nil {
			return fmt.Errorf("cannot read directory %s: %w", d, unwrap(err))
		}
		if budget -= len(ents); budget < 0 {
			return fmt.Errorf("the repository has more than %d files and directories: tollgate stops rather than guess what it did not read", maxWalkEntries)
		}
		if chart == "" && slices.ContainsFunc(ents, func(e fs.DirEntry) bool { return e.Name() == "Chart.yaml" && !e.IsDir() }) {
			chart = d
			charts = append(charts, d)
		}
		for _, e := range ents {
			name := path.Join(d, e.Name())
			switch {
			case e.IsDir():
				if skipDir(e.Name()) {
					continue
				}
				if err := visit(name, chart); err != nil {
					return err
				}
			case manifestName(e.Name()):
				files = append(files, candidate{name: name, chart: chart})
			}
		}
		return nil
	}
	if err := visit(dir, ""); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(files, func(a, b candidate) int { return strings.Compare(a.name, b.name) })
	return files, charts, nil
}

// skipDir: directories that hold no configuration of the repository (git's, dependencies,
// caches).
func skipDir(name string) bool {
	switch name {
	case ".git", "node_modules", "vendor", ".terraform", ".tollgate":
		return true
	}
	return false
}

// manifestName: a file Kubernetes tools read as manifests by its name.
func manifestName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// kustomizationName: the names kustomize looks for in a directory.
func kustomizationName(name string) bool {
	switch path.Base(name) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// ciFile: configuration of CI services and repository tooling, never applied to a cluster.
func ciFile(name string) bool {
	base := path.Base(name)
	switch {
	case strings.HasPrefix(name, ".github/"), strings.HasPrefix(name, ".gitlab/"), strings.HasPrefix(name, ".circleci/"),
		strings.HasPrefix(name, ".buildkite/"), strings.Contains(name, "/.github/"):
		return true
	}
	switch base {
	case ".gitlab-ci.yml", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".travis.yml", "azure-pipelines.yml",
		"bitbucket-pipelines.yml", ".goreleaser.yaml", ".goreleaser.yml", "renovate.json", ".yamllint", ".yamllint.yaml",
		"codecov.yml", ".codecov.yml", "mkdocs.yml", "package.json", "package-lock.json", "tsconfig.json",
		"action.yml", "action.yaml", ".markdownlint.yaml", ".markdownlint.json":
		return true
	}
	return false
}

// ownConfig: tollgate's own configuration file.
func ownConfig(name string) bool {
	base := path.Base(name)
	return base == ".tollgate.yaml" || base == ".tollgate.yml"
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
