package kubeschema

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine, wall time per document
// says more about the neighbours than about the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerDoc adds µs/doc (wall) and cpu-µs/doc metrics for n documents per op.
func reportPerDoc(b *testing.B, start time.Duration, n int) {
	ops := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/ops, "µs/doc")
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/ops, "cpu-µs/doc")
}

// Benchmarks (see docs/kubernetes-schemas.md for the figures and how to run them):
//
//	go test -run '^$' -bench . -benchmem ./internal/kubeschema/

// mixedManifests writes n manifests cycling through a Deployment, a Service, an Argo CD
// Application and a Flux Kustomization, with names, images and numbers varying as in a real
// repository; every tenth of each kind has a mistake (a misspelt key, a quoted number, a wrong enum value).
func mixedManifests(n int) []string {
	out := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("app-%05d", i)
		var s string
		switch i % 4 {
		case 0:
			s = fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: team-%[2]d
  labels: {app: %[1]s, team: team-%[2]d}
spec:
  replicas: %[3]d
  selector:
    matchLabels: {app: %[1]s}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%%, maxUnavailable: 0}}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      serviceAccountName: %[1]s
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: registry.example.com/team-%[2]d/%[1]s:1.%[3]d.0
        imagePullPolicy: IfNotPresent
        args: ["--port=8080", "--log-level=info"]
        ports: [{name: http, containerPort: 8080, protocol: TCP}]
        env:
        - {name: LOG_FORMAT, value: json}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: %[1]s-db, key: password}}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 512Mi}
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
        livenessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 5}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`, name, i%40, 1+i%5)
		case 1:
			s = fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: team-%[2]d
  labels: {app: %[1]s}
spec:
  type: ClusterIP
  selector: {app: %[1]s}
  ports:
  - {name: http, port: 80, targetPort: http, protocol: TCP}
  - {name: metrics, port: 9090, targetPort: 9090}
`, name, i%40)
		case 2:
			s = fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: %[1]s
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: team-%[2]d
  source:
    repoURL: https://git.example.com/team-%[2]d/deploy.git
    targetRevision: v1.%[3]d.0
    path: apps/%[1]s/overlays/production
  destination:
    server: https://kubernetes.default.svc
    namespace: team-%[2]d
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true, ServerSideApply=true]
    retry: {limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 3m}}
`, name, i%40, i%9)
		case 3:
			s = fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %[1]s
  namespace: flux-system
spec:
  interval: 10m0s
  retryInterval: 1m
  timeout: 5m
  path: ./apps/%[1]s/production
  prune: true
  wait: true
  sourceRef: {kind: GitRepository, name: team-%[2]d}
  targetNamespace: team-%[2]d
  serviceAccountName: team-%[2]d-reconciler
  decryption: {provider: sops, secretRef: {name: sops-age}}
  postBuild:
    substitute: {cluster_env: production, replicas: "2"}
`, name, i%40)
		}
		if (i/4)%10 == 9 { // every tenth document of each kind
			switch i % 4 {
			case 0:
				s = strings.Replace(s, "imagePullPolicy: IfNotPresent", "imagePullPolicy: ifNotPresent", 1)
			case 1:
				s = strings.Replace(s, "port: 80,", `port: "80",`, 1)
			case 2:
				s = strings.Replace(s, "targetRevision:", "targetRevison:", 1)
			case 3:
				s = strings.Replace(s, "prune: true", "prune: yes please", 1)
			}
		}
		out[i] = s
	}
	return out
}

func mixedDocs(b *testing.B, n int) []any {
	var out []any
	for _, s := range mixedManifests(n) {
		out = append(out, docs(b, []byte(s))...)
	}
	return out
}

// BenchmarkLoadKind is the cost of compiling one kind's schema, paid once per kind (and per
// extra copy for parallel use) in a run.
func BenchmarkLoadKind(b *testing.B) {
	v := bundledValidator(b)
	for _, g := range []GVK{{"v1", "Service"}, {"apps/v1", "Deployment"}, {"v1", "ConfigMap"},
		{"argoproj.io/v1alpha1", "Application"}, {"argoproj.io/v1alpha1", "ApplicationSet"}, {"argoproj.io/v1alpha1", "Rollout"},
		{"kustomize.toolkit.fluxcd.io/v1", "Kustomization"}, {"helm.toolkit.fluxcd.io/v2", "HelmRelease"}} {
		b.Run(g.Kind, func(b *testing.B) {
			start := cpuTime()
			for b.Loop() {
				c, err := v.compile(g)
				if err != nil {
					b.Fatal(err)
				}
				// The first document of a kind evaluates the parts of the schema it reaches.
				c.fullCheck(map[string]any{"apiVersion": g.APIVersion, "kind": g.Kind})
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkValidate is the cost of one valid document of each kind, schema compiled.
func BenchmarkValidate(b *testing.B) {
	v := bundledValidator(b)
	ds := mixedDocs(b, 4)
	for _, d := range ds {
		m := d.(map[string]any)
		b.Run(fmt.Sprint(m["kind"]), func(b *testing.B) {
			if is := v.Validate(d); len(is) > 0 {
				b.Fatalf("not valid: %v", is)
			}
			start := cpuTime()
			for b.Loop() {
				v.Validate(d)
			}
			reportPerDoc(b, start, 1)
		})
	}
}

// BenchmarkMixed10k validates 10,000 mixed manifests (one op = all of them) on one goroutine
// and on GOMAXPROCS goroutines, from a fresh Validator each time: the schema compilation of the
// four kinds is included, YAML parsing is not.
func BenchmarkMixed10k(b *testing.B) {
	ds := mixedDocs(b, 10_000)
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			issues := 0
			runtime.GC() // the parse's garbage is not the validator's
			start := cpuTime()
			for b.Loop() {
				v, err := New(nil)
				if err != nil {
					b.Fatal(err)
				}
				var wg sync.WaitGroup
				var mu sync.Mutex
				issues = 0
				next := make(chan any, 256)
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						n := 0
						for d := range next {
							n += len(v.Validate(d))
						}
						mu.Lock()
						issues += n
						mu.Unlock()
					}()
				}
				for _, d := range ds {
					next <- d
				}
				close(next)
				wg.Wait()
			}
			if issues != 1000 {
				b.Fatalf("%d issues, want one per tenth document", issues)
			}
			reportPerDoc(b, start, len(ds))
		})
	}
}

// BenchmarkCorpora validates every document of ../shared/corpora-kubernetes (one op = all).
func BenchmarkCorpora(b *testing.B) {
	_, files, byFile := corpusDocs(b)
	v := bundledValidator(b)
	var all []map[string]any
	for _, f := range files {
		all = append(all, byFile[f]...)
	}
	start := cpuTime()
	for b.Loop() {
		for _, d := range all {
			v.Validate(d)
		}
	}
	reportPerDoc(b, start, len(all))
}
