package kubelint

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/conftest"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/kube"
	"github.com/tollgate-dev/tollgate/internal/policy"
)

// ConftestOptions are conftest's flags, from .tollgate.yaml's conftest section and the
// command line (docs/conftest.md).
type ConftestOptions struct {
	// PolicyDirs are the user policy directories: their plain conftest policies (packages
	// outside tollgate.*, with no import of data.tollgate) run here.
	PolicyDirs []string
	// Namespaces is --namespace (default main); AllNamespaces --all-namespaces; Combine
	// --combine.
	Namespaces    []string
	AllNamespaces bool
	Combine       bool
	// Data are --data paths (absolute): .json/.yaml/.yml files merged into data.
	Data []string
	// Sandbox is the run's policy sandbox: conftest policies may call what tollgate's rules
	// may, never the network.
	Sandbox policy.Sandbox
}

// conftestPolicies reads the plain conftest policies of the policy directories.
func conftestPolicies(dirs []string) (*conftest.Policies, error) {
	pols := &conftest.Policies{}
	for _, dir := range dirs {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, fmt.Errorf("policy directory: %w", err)
		}
		err = pols.Read(filepath.ToSlash(dir), root.FS())
		root.Close()
		if err != nil {
			return nil, fmt.Errorf("policy %v", err)
		}
	}
	return pols, nil
}

// runConftest checks every manifest and kustomization file with the conftest policies: each
// document alone, or all of them combined.
func runConftest(ctx context.Context, repo *kube.Repo, co ConftestOptions, opts Options) ([]finding.Finding, []catalog.Rule, error) {
	pols, err := conftestPolicies(co.PolicyDirs)
	if err != nil || !pols.HasRules() {
		return nil, nil, err
	}
	caps, err := co.Sandbox.ConftestCapabilities()
	if err != nil {
		return nil, nil, err
	}
	data := map[string]any{}
	if len(co.Data) > 0 {
		if data, err = conftest.LoadData(os.DirFS("/"), trimRoot(co.Data)); err != nil {
			return nil, nil, err
		}
	}
	eng, err := pols.Compile(ctx, conftest.Options{Namespaces: co.Namespaces, AllNamespaces: co.AllNamespaces,
		Combine: co.Combine, Data: data, Capabilities: caps, Now: opts.Now, Root: opts.Root})
	if err != nil {
		return nil, nil, fmt.Errorf("conftest policies: %w", err)
	}
	source := strings.Join(co.PolicyDirs, ",")
	var fs []finding.Finding
	var perFile [][]conftest.Document
	for _, f := range repo.Files {
		docs, notes, err := parseForConftest(f)
		if err != nil {
			fs = append(fs, finding.Finding{RuleID: catalog.YAMLSyntax, Severity: finding.Error, Source: "conftest",
				Message: "conftest cannot read the file: " + err.Error(), Location: firstLine(f.Path)})
			continue
		}
		for _, n := range notes {
			fs = append(fs, finding.Finding{RuleID: catalog.YAMLMultiDocument, Severity: finding.Warning, Source: "conftest",
				Message: n.Message, Location: finding.Location{File: f.Path, Start: finding.Position{Line: n.Line, Column: n.Column},
					End: finding.Position{Line: n.Line, Column: n.Column + 3}}})
		}
		perFile = append(perFile, docs)
	}
	var reports []*conftest.Report
	var inputs [][]conftest.Document
	if co.Combine {
		all := slices.Concat(perFile...)
		rep, err := eng.Check(ctx, all)
		if err != nil {
			return nil, nil, err
		}
		reports, inputs = append(reports, rep), append(inputs, all)
	} else {
		reports = make([]*conftest.Report, len(perFile))
		errs := make([]error, len(perFile))
		var wg sync.WaitGroup
		next := make(chan int)
		for range opts.Workers {
			wg.Go(func() {
				for i := range next {
					reports[i], errs[i] = eng.Check(ctx, perFile[i])
				}
			})
		}
		for i := range perFile {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, nil, err
			}
		}
		inputs = perFile
	}
	rules := map[string]catalog.Rule{}
	for i, rep := range reports {
		for _, r := range rep.Results {
			if r.Kind != conftest.Failure && r.Kind != conftest.Warning {
				continue
			}
			id := policy.ConftestID(r.Namespace, r.Rule)
			rules[id] = catalog.Rule{ID: id, Title: "conftest policy " + r.Namespace + "." + r.Rule, Severity: r.Kind.Severity(),
				Category: "user", Source: source,
				Description: fmt.Sprintf("The %s rule of the conftest policy package %s.", r.Rule, r.Namespace)}
			fs = append(fs, finding.Finding{RuleID: id, Severity: r.Kind.Severity(), Message: r.Message, Source: source, Location: r.Location})
		}
		for _, e := range rep.Errors {
			loc := firstLine("")
			if e.Document >= 0 && e.Document < len(inputs[i]) {
				loc = inputs[i][e.Document].Locate(nil)
			} else if len(inputs[i]) > 0 {
				loc = firstLine(inputs[i][0].File)
			}
			fs = append(fs, finding.Finding{RuleID: catalog.PolicyError, Severity: finding.Error, Source: source,
				Message: fmt.Sprintf("conftest rule %s did not finish, so its checks did not run: %v", e.Namespace+"."+e.Rule, e.Err),
				Hint:    "fix the policy, or the value it choked on", Location: loc})
		}
	}
	var out []catalog.Rule
	for _, r := range rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b catalog.Rule) int { return strings.Compare(a.ID, b.ID) })
	return fs, out, nil
}

// parseForConftest reads a file as conftest's parsers do (one input per document, split where
// conftest splits), with positions.
func parseForConftest(f *kube.File) ([]conftest.Document, []conftest.Note, error) {
	if strings.EqualFold(path.Ext(f.Path), ".json") {
		docs, err := conftest.ParseJSON(f.Path, f.Data)
		return docs, nil, err
	}
	return conftest.ParseYAML(f.Path, f.Data)
}

func firstLine(file string) finding.Location {
	return finding.Location{File: file, Start: finding.Position{Line: 1, Column: 1}, End: finding.Position{Line: 1, Column: 1}}
}

// trimRoot makes absolute paths relative to the file system root, for os.DirFS("/").
func trimRoot(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		out[i] = strings.TrimPrefix(filepath.ToSlash(abs), "/")
	}
	return out
}
