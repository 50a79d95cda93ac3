package kubelint

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/policy"
	"github.com/tollgate-dev/tollgate/internal/workpool"
)

// batchSize is how many documents one evaluation reads: enough that a batch costs far more
// than its set-up, few enough that two cores share the work of a large repository.
const batchSize = 500

// evalRules evaluates the kind's rules on docs, in batches on workers goroutines. Every batch
// carries the whole repository's graph (appliers, shared identities, kustomizations),
// converted once.
func evalRules(ctx context.Context, eng *policy.Engine, repo *kube.Repo, docs []*kube.Doc, workers int, progress func()) ([]finding.Finding, error) {
	shared, appliers := repo.RepoInput()
	input, err := eng.NewDocumentsInput(kube.InputKind, shared)
	if err != nil {
		return nil, fmt.Errorf("the repository's graph cannot be converted for Rego: %w", err)
	}
	var batches [][]*kube.Doc
	for i := 0; i < len(docs); i += batchSize {
		batches = append(batches, docs[i:min(i+batchSize, len(docs))])
	}
	if len(batches) == 0 {
		batches = [][]*kube.Doc{nil} // the rules still see the (empty) repository
	}
	evalCtx, cancel := eng.WithLimits(ctx, len(docs))
	defer cancel()
	out := make([][]finding.Finding, len(batches))
	workpool.Run(len(batches), workers, func(i int) {
		out[i] = evalBatch(evalCtx, eng, repo, batches[i], input, appliers)
		if progress != nil {
			progress()
		}
	})
	var fs []finding.Finding
	for _, f := range out {
		fs = append(fs, f...)
	}
	return fs, nil
}

func evalBatch(ctx context.Context, eng *policy.Engine, repo *kube.Repo, docs []*kube.Doc, input *policy.DocumentsInput, appliers map[*kube.Doc][]any) []finding.Finding {
	ins := make([]map[string]any, len(docs))
	for i, d := range docs {
		ins[i] = repo.DocumentInput(d, appliers)
	}
	results, errs, bad := eng.EvaluateDocuments(ctx, input, ins)
	var fs []finding.Finding
	for _, b := range bad {
		fs = append(fs, finding.Finding{RuleID: "internal-error", Severity: finding.Error, Source: "rego",
			Message: fmt.Sprintf("the document cannot be converted for the policies: %v", b.Err), Location: docs[b.Index].Locate(nil, false)})
	}
	fs = append(fs, errs...)
	for _, r := range results {
		fs = append(fs, locate(repo, r))
	}
	return fs
}

// locate places a rule's result: {file, document, path} on the document's line (a rendered
// resource on the source document it came from, its overlay named), {file, line, col} as
// given, anything else at the file's first line.
func locate(repo *kube.Repo, r policy.Result) finding.Finding {
	f := finding.Finding{RuleID: r.Rule.ID, Severity: r.Severity, Source: "rego", Message: r.Message, Hint: r.Hint}
	if r.Rule.Source != "bundled" {
		f.Source = r.Rule.Source
	}
	if r.Overlay != "" {
		f.Message += fmt.Sprintf(" (as overlay %s renders it)", r.Overlay)
	}
	d := repo.Doc(r.File, r.Document)
	switch {
	case d != nil:
		f.Location = d.Locate(r.Path, r.AtKey)
	case r.Line > 0:
		line, col := r.Line, max(r.Col, 1)
		f.Location = finding.Location{File: r.File, Start: finding.Position{Line: line, Column: col}, End: finding.Position{Line: line, Column: col + 1}}
	default:
		f.Location = finding.Location{File: r.File, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}
	}
	return f
}
