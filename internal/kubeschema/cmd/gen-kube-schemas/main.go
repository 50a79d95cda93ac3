// Command gen-kube-schemas regenerates cue/kubernetes; scripts/gen-kube-schemas.sh runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/internal/kubeschema/gen"
)

func main() {
	k8s := flag.String("kubernetes", "", "release of k8s.io/kubernetes whose OpenAPI spec to read, e.g. v1.37.2")
	api := flag.String("api", "", "release of k8s.io/api to read the +enum types from, e.g. v0.37.2 (the same release)")
	shared := flag.String("shared", "../shared", "directory holding schemas/crds and corpora-kubernetes")
	out := flag.String("out", "cue/kubernetes", "directory to write the schemas to")
	kubeconform := flag.String("kubeconform", "", "write the same kinds as kubeconform's strict JSON Schemas to this directory instead (for benchmarks)")
	flag.Parse()
	if err := run(*k8s, *api, *shared, *out, *kubeconform); err != nil {
		fmt.Fprintln(os.Stderr, "gen-kube-schemas:", err)
		os.Exit(1)
	}
}

func run(k8s, api, shared, out, kubeconform string) error {
	if k8s == "" || api == "" {
		return fmt.Errorf("-kubernetes and -api are required")
	}
	in := gen.Inputs{Shared: shared}
	var err error
	if in.Kubernetes, err = gen.Download("k8s.io/kubernetes", k8s); err != nil {
		return err
	}
	if in.API, err = gen.Download("k8s.io/api", api); err != nil {
		return err
	}
	if kubeconform != "" {
		files, err := gen.KubeconformSchemas(in)
		if err != nil {
			return err
		}
		for name, b := range files {
			p := filepath.Join(kubeconform, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	files, err := gen.Generate(in)
	if err != nil {
		return err
	}
	return gen.Write(out, files)
}
