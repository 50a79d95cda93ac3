package kube

import (
	"maps"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/kubeschema"
	"github.com/tollgate-dev/tollgate/internal/workpool"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

// Structure checks every document against its schema (internal/kubeschema) on workers
// goroutines, and locates each issue at its line. A patch is checked as a patch (nothing is
// required of it), a document under commonLabels without spec.selector as kustomize builds
// it; in a SOPS-encrypted document the sops metadata and the encrypted values are left out
// (their types are the ciphertext's).
func (r *Repo) Structure(v *kubeschema.Validator, workers int) []finding.Finding {
	out := make([][]finding.Finding, len(r.Docs))
	workpool.Run(len(r.Docs), workers, func(i int) {
		out[i] = r.structure(v, r.Docs[i])
	})
	var fs []finding.Finding
	for _, f := range out {
		fs = append(fs, f...)
	}
	return fs
}

func (r *Repo) structure(v *kubeschema.Validator, d *Doc) []finding.Finding {
	val := d.Value
	if d.Encrypted {
		m := maps.Clone(d.Object())
		delete(m, "sops")
		val = m
	}
	var fs []finding.Finding
	for _, is := range v.ValidateWith(val, kubeschema.Options{Patch: d.Patch, SelectorFromLabels: d.SelectorFromLabels}) {
		if d.Encrypted && encryptedAt(d, is.Path) {
			continue
		}
		f := finding.Finding{RuleID: is.RuleID, Severity: is.Severity, Message: is.Message, Hint: is.Hint,
			Source: "cue", Location: d.Locate(is.Path, is.AtKey || is.Missing)}
		fs = append(fs, f)
	}
	return fs
}

// encryptedAt: the value at path, or one below it, is SOPS ciphertext (ENC[…]).
func encryptedAt(d *Doc, path []any) bool {
	hit := yamlsrc.Lookup(d.RootNode(), append(append([]any{}, d.Base...), path...))
	var enc func(n *yaml.Node) bool
	enc = func(n *yaml.Node) bool {
		if n == nil {
			return false
		}
		if n.Kind == yaml.ScalarNode {
			return strings.HasPrefix(n.Value, "ENC[")
		}
		for _, c := range n.Content {
			if enc(c) {
				return true
			}
		}
		return false
	}
	return enc(hit.Value)
}
