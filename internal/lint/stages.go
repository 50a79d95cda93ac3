package lint

import (
	"context"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/config"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/load"
)

// stages holds the prepared checkers: compiled once per run, then applied to every document.
type stages struct{}

func newStages(ctx context.Context, opts Options, cfg *config.Config, cat *catalog.Catalog) (*stages, error) {
	return &stages{}, nil
}

func (s *stages) run(ctx context.Context, repo *load.Repo) ([]finding.Finding, error) {
	return nil, nil
}
