// Package ciconfig holds only tests: they check the CI integration files at the repository root
// (action.yml, .github/workflows, docs/examples, .pre-commit-hooks.yaml) under go test, so CI
// can't skip them. actionlint checks the workflows; it reads composite action steps only through
// a workflow that uses them and skips checks such as a missing shell:, so action.yml is also
// checked here in Go.
package ciconfig
