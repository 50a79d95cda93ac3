package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// kubeDeployment, kubeService, kubeApplication and kubeKustomization are the four shapes of
// WriteKube's manifests, one object a file, as in a repository of many small applications.
const kubeDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: team-%[2]d
  labels:
    app: %[1]s
    team: team-%[2]d
spec:
  replicas: %[3]d
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      serviceAccountName: %[1]s
      securityContext:
        runAsNonRoot: true
      containers:
        - name: app
          image: registry.example.com/team-%[2]d/%[1]s:1.%[3]d.0
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_FORMAT
              value: json
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: "1"
              memory: 512Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
`

const kubeService = `apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: team-%[2]d
spec:
  type: ClusterIP
  selector:
    app: %[1]s
  ports:
    - name: http
      port: 80
      targetPort: http
`

const kubeApplication = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: %[1]s
  namespace: argocd
spec:
  project: team-%[2]d
  source:
    repoURL: https://git.example.com/team-%[2]d/deploy.git
    targetRevision: v1.%[3]d.0
    path: apps/%[1]s
  destination:
    server: https://kubernetes.default.svc
    namespace: team-%[2]d
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`

const kubeKustomization = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %[1]s
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/%[1]s
  prune: true
  sourceRef:
    kind: GitRepository
    name: team-%[2]d
  targetNamespace: team-%[2]d
`

// KubeManifest is manifest i of WriteKube's repository: a Deployment, a Service, an Argo CD
// Application or a Flux Kustomization in turn; every tenth of each kind has a policy mistake
// (an image tagged :latest, an Application in the default project, a Kustomization with
// prune: false) or, for Services, a structural one (a port written as a string).
func KubeManifest(i int) string {
	name := fmt.Sprintf("app-%05d", i)
	shapes := []string{kubeDeployment, kubeService, kubeApplication, kubeKustomization}
	s := fmt.Sprintf(shapes[i%4], name, i%40, 1+i%5)
	if (i/4)%10 == 9 {
		switch i % 4 {
		case 0:
			s = strings.Replace(s, fmt.Sprintf(":1.%d.0", 1+i%5), ":latest", 1)
		case 1:
			s = strings.Replace(s, "port: 80", `port: "80"`, 1)
		case 2:
			s = strings.Replace(s, fmt.Sprintf("project: team-%d", i%40), "project: default", 1)
		case 3:
			s = strings.Replace(s, "prune: true", "prune: false", 1)
		}
	}
	return s
}

// WriteKube writes n manifests (KubeManifest), one a file, under dir/apps/team-<t>/.
func WriteKube(dir string, n int) error {
	for i := range n {
		p := filepath.Join(dir, "apps", fmt.Sprintf("team-%02d", i%40), fmt.Sprintf("app-%05d.yaml", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(KubeManifest(i)), 0o644); err != nil {
			return err
		}
	}
	return nil
}
