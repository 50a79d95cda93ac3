package kubeschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/cueissue"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// want is one expected issue: where it is, its rule, and text its message and hint contain.
type want struct {
	path, rule, msg, hint string
	severity              finding.Severity // error when zero
	missing, atKey        bool
}

func (w want) matches(is Issue) bool {
	sev := w.severity
	if sev == finding.SeverityNone {
		sev = finding.Error
	}
	return cueissue.Where(is.Path) == w.path && is.RuleID == w.rule && is.Severity == sev &&
		strings.Contains(is.Message, w.msg) && strings.Contains(is.Hint, w.hint) &&
		is.Missing == w.missing && is.AtKey == w.atKey
}

func show1(is Issue) string {
	return fmt.Sprintf("%s %s %s %q hint=%q missing=%v atKey=%v", cueissue.Where(is.Path), is.Severity, is.RuleID, is.Message, is.Hint, is.Missing, is.AtKey)
}

// checkIssues fails unless issues are exactly wants, in order.
func checkIssues(t *testing.T, issues []Issue, wants []want) {
	t.Helper()
	for i := 0; i < max(len(issues), len(wants)); i++ {
		switch {
		case i >= len(issues):
			t.Errorf("missing issue %+v", wants[i])
		case i >= len(wants):
			t.Errorf("unexpected issue %s", show1(issues[i]))
		case !wants[i].matches(issues[i]):
			t.Errorf("issue %d:\n got  %s\n want %+v", i, show1(issues[i]), wants[i])
		}
	}
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 8080, name: http}]
        resources: {limits: {memory: 512Mi, cpu: 0.5}, requests: {cpu: 100m}}
`

func TestValidate(t *testing.T) {
	v := bundledValidator(t)
	for _, c := range []struct {
		name string
		src  string
		want []want
	}{
		{"valid deployment", deployment, nil},
		{"unknown keys at any depth, with did-you-mean", strings.NewReplacer("labels: {app: web}}\nspec", "lables: {app: web}}\nspec",
			"- name: web", "- name: web\n        imagePullPolicyy: Always\n        foo: 1").Replace(deployment), []want{
			{path: "metadata.lables", rule: RuleUnknownKey, msg: `unknown key "lables" in metadata`, hint: `did you mean "labels"?`, atKey: true},
			{path: "spec.template.spec.containers[0].foo", rule: RuleUnknownKey, msg: `unknown key "foo" in spec.template.spec.containers[0]`, atKey: true},
			{path: "spec.template.spec.containers[0].imagePullPolicyy", rule: RuleUnknownKey, hint: `did you mean "imagePullPolicy"?`, atKey: true},
		}},
		{"wrong types", `apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports: [{port: "80", targetPort: 1.5}, {port: 81, targetPort: true}, {port: 82, targetPort: http}]
  selector: [a]
`, []want{
			{path: "spec.ports[0].port", rule: RuleType, msg: `port: expected a whole number, got a string ("80")`, hint: "without quotes"},
			{path: "spec.ports[0].targetPort", rule: RuleType, msg: "expected a whole number or a string, got a number (1.5)"},
			{path: "spec.ports[1].targetPort", rule: RuleType, msg: "got a boolean (true)", hint: "YAML 1.1"},
			{path: "spec.selector", rule: RuleType, msg: "selector: expected a mapping, got a list"},
		}},
		{"YAML 1.1 booleans and numbers in string maps", `apiVersion: v1
kind: ConfigMap
metadata: {name: c, annotations: {a: 1}}
data: {enabled: on, num: 3, ok: "yes"}
`, []want{
			{path: "data.enabled", rule: RuleType, msg: "expected a string, got a boolean (true)", hint: "YAML 1.1"},
			{path: "data.num", rule: RuleType, msg: "expected a string, got a number (3)", hint: "quote the value"},
			{path: "metadata.annotations.a", rule: RuleType, msg: "expected a string, got a number (1)"},
		}},
		{"required keys, missing and null", `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: null
  template:
    spec:
      containers: [{image: x}]
`, []want{
			{path: "spec.selector", rule: RuleRequired, msg: `"selector" is null, but it is required`, atKey: true},
			{path: "spec.template.spec.containers[0].name", rule: RuleRequired, msg: `missing required key "name" in spec.template.spec.containers[0]`, missing: true},
		}},
		{"metadata.name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n", []want{
			{path: "metadata.name", rule: RuleRequired, msg: `missing required key "name" in metadata`, hint: "generateName", missing: true},
		}},
		{"enums, with did-you-mean", `apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "* * * * *"
  concurrencyPolicy: forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Sometimes
          containers: [{name: a, image: b, imagePullPolicy: always}]
`, []want{
			{path: "spec.concurrencyPolicy", rule: RuleValue, msg: `concurrencyPolicy "forbid" is not one of "Allow", "Forbid", "Replace"`, hint: `did you mean "Forbid"?`},
			{path: "spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy", rule: RuleValue, msg: `"always" is not one of "Always", "IfNotPresent", "Never"`, hint: `"Always"`},
			{path: "spec.jobTemplate.spec.template.spec.restartPolicy", rule: RuleValue, msg: `restartPolicy "Sometimes" is not one of "Always", "Never", "OnFailure"`},
		}},
		{"quantities, ranges, date-times", `apiVersion: v1
kind: Pod
metadata: {name: p, creationTimestamp: yesterday}
spec:
  containers:
  - name: a
    image: b
    ports: [{containerPort: 99999999999}]
    resources: {limits: {memory: 512 Mi, cpu: 1}}
`, []want{
			{path: "metadata.creationTimestamp", rule: RuleValue, msg: "RFC 3339"},
			{path: "spec.containers[0].ports[0].containerPort", rule: RuleValue, msg: "containerPort 99999999999 is out of range: it must be at most 2147483647"},
			{path: "spec.containers[0].resources.limits.memory", rule: RuleValue, msg: `memory "512 Mi" is not a Kubernetes quantity`, hint: "no space"},
		}},
		{"custom resource: Flux Kustomization", `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: k, namespace: flux-system, nme: x}
spec:
  prune: "false"
  sourceRef: {kind: GitRepo, name: x}
  patches: [{patch: "x", target: {kind: Deployment, nme: y}}]
`, []want{
			{path: "metadata.nme", rule: RuleUnknownKey, hint: `did you mean "name"?`, atKey: true},
			{path: "spec.interval", rule: RuleRequired, missing: true},
			{path: "spec.patches[0].target.nme", rule: RuleUnknownKey, hint: `did you mean "name"?`, atKey: true},
			{path: "spec.prune", rule: RuleType, msg: `prune: expected true or false, got a string ("false")`, hint: "without quotes"},
			{path: "spec.sourceRef.kind", rule: RuleValue, msg: `"GitRepo" is not one of "Bucket", "ExternalArtifact", "GitRepository", "OCIRepository"`},
		}},
		{"custom resource: Argo CD Application, free-form values", `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: a, namespace: argocd}
spec:
  project: default
  source: {repoURL: "https://x", path: ".", targetRevision: HEAD, helm: {valuesObject: {any: {thing: [1]}}}}
  destination: {server: "https://kubernetes.default.svc", namespace: x}
  syncPolicy: {automated: {prune: true, selfHeal: true}, syncOptions: [CreateNamespace=true]}
`, nil},
		{"no schema: a note naming the versions that exist", "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n", []want{
			{path: "apiVersion", rule: RuleNoSchema, severity: finding.Note, msg: "no schema for extensions/v1beta1 Ingress", hint: `"networking.k8s.io/v1"`},
		}},
		{"no schema: an unknown kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n", []want{
			{path: "kind", rule: RuleNoSchema, severity: finding.Note, msg: "no schema for example.com/v1 Widget", hint: "--schema"},
		}},
		{"apiVersion and kind missing or not strings", "kind: 3\nmetadata: {name: x}\n", []want{
			{path: "apiVersion", rule: RuleRequired, msg: `missing required key "apiVersion"`, missing: true},
			{path: "kind", rule: RuleType, msg: "kind: expected a non-empty string, got a number (3)"},
		}},
		{"a null key is still checked against the schema", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, creationTimestamp: null, lables: null}\n", []want{
			{path: "metadata.lables", rule: RuleUnknownKey, hint: `"labels"`, atKey: true},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := docs(t, []byte(c.src))
			if len(ds) != 1 {
				t.Fatalf("%d documents", len(ds))
			}
			checkIssues(t, v.Validate(ds[0]), c.want)
		})
	}
}

func TestNotAMapping(t *testing.T) {
	checkIssues(t, bundledValidator(t).Validate([]any{"a"}), []want{{path: "the top level", rule: RuleType, msg: "must be a mapping"}})
}

func TestOptions(t *testing.T) {
	v := bundledValidator(t)
	patch := docs(t, []byte("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {path: ./prod, prun: true}\n"))[0]
	checkIssues(t, v.ValidateWith(patch, Options{Patch: true}), []want{
		{path: "spec.prun", rule: RuleUnknownKey, hint: `"prune"`, atKey: true},
	})
	// As a resource, the same document lacks required keys.
	checkIssues(t, v.Validate(patch), []want{
		{path: "spec.interval", rule: RuleRequired, missing: true},
		{path: "spec.prun", rule: RuleUnknownKey, hint: `"prune"`, atKey: true},
		{path: "spec.prune", rule: RuleRequired, missing: true},
		{path: "spec.sourceRef", rule: RuleRequired, missing: true},
	})
	noSelector := docs(t, []byte(strings.Replace(deployment, "  selector: {matchLabels: {app: web}}\n", "", 1)))[0]
	checkIssues(t, v.Validate(noSelector), []want{{path: "spec.selector", rule: RuleRequired, missing: true}})
	checkIssues(t, v.ValidateWith(noSelector, Options{SelectorFromLabels: true}), nil)
}

// TestDeprecatedVersion: a CRD version marked deprecated gives its warning. No bundled CRD
// serves a deprecated version today, so the index entry is marked here.
func TestDeprecatedVersion(t *testing.T) {
	v, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := GVK{"kustomize.toolkit.fluxcd.io/v1", "Kustomization"}
	e := v.index[g]
	e.Deprecated = "kustomize.toolkit.fluxcd.io/v1 Kustomization is deprecated, upgrade to v2"
	v.index[g] = e
	doc := docs(t, []byte("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k}\nspec: {interval: 5m, prune: true, sourceRef: {kind: GitRepository, name: x}}\n"))[0]
	checkIssues(t, v.Validate(doc), []want{
		{path: "apiVersion", rule: RuleDeprecated, severity: finding.Warning, msg: "upgrade to v2"},
	})
}
