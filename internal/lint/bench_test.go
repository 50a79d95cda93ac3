package lint

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/benchgen"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// BenchmarkLintGenerated lints the synthetic repository of internal/benchgen (2,000 team files:
// large enough that loading and checking dominate the set-up) with every stage on, for CPU and
// allocation profiles (-cpuprofile, -memprofile); the wall time and memory of a whole tollgate
// process against conftest are bench/run.sh's.
//
//	go test -run '^$' -bench LintGenerated -benchmem ./internal/lint
func BenchmarkLintGenerated(b *testing.B) {
	dir := b.TempDir()
	if err := benchgen.Write(dir, 2000); err != nil {
		b.Fatal(err)
	}
	opts := Options{Targets: []string{dir}, Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		res, err := Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 400 {
			b.Fatalf("%d findings, want 400 (200 unreleased versions, 200 misspelt keys)", len(res.Findings))
		}
	}
}

// BenchmarkLintKubeGenerated is the same for the Kubernetes kind: 2,000 manifests of
// benchgen.WriteKube (bench/kube.sh compares whole processes with conftest and kubeconform).
//
//	go test -run '^$' -bench LintKubeGenerated -benchmem ./internal/lint
func BenchmarkLintKubeGenerated(b *testing.B) {
	dir := b.TempDir()
	if err := benchgen.WriteKube(dir, 2000); err != nil {
		b.Fatal(err)
	}
	opts := Options{Targets: []string{dir}, Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		res, err := Run(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 200 {
			b.Fatalf("%d findings, want 200 (50 of each kind with a mistake)", len(res.Findings))
		}
	}
}

// BenchmarkLintRealShaped lints 1,000 copies of the team file of Fleet's own configuration
// (../shared/corpora/fleet-it-and-security/teams/workstations.yml: 40 includes of its lib/)
// beside that lib/, the shape of issue 16 (bench/run.sh's scaling table runs it as whole
// processes from 1,000 to 20,000 teams).
//
//	go test -run '^$' -bench LintRealShaped -benchmem -cpuprofile cpu.out ./internal/lint
func BenchmarkLintRealShaped(b *testing.B) {
	src := filepath.Join(sharedtest.Corpora(b), "fleet-it-and-security")
	dir := b.TempDir()
	if err := benchgen.WriteLike(dir, src, 1000, "workstations.yml"); err != nil {
		b.Fatal(err)
	}
	opts := Options{Targets: []string{dir}, Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		if _, err := Run(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
