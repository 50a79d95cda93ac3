package cli

import (
	"github.com/spf13/cobra"

	"github.com/tollgate-dev/tollgate/internal/lint"
)

// kubeFlags are lint's flags for Kubernetes repositories: the kind, --render, and conftest's
// own flags for plain conftest policies (docs/kubernetes.md, docs/conftest.md).
type kubeFlags struct {
	kind string
	lint.KubeOptions
}

func (k *kubeFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.kind, "kind", "", "repository kind: fleet or kubernetes (default: what the directory holds; both when it holds both)")
	f.BoolVar(&k.Render, "render", false, "build each Kustomize overlay and check the resources it renders too")
	f.StringArrayVar(&k.Namespaces, "namespace", nil, "conftest: policy package whose rules run (repeatable; default main)")
	f.BoolVar(&k.AllNamespaces, "all-namespaces", false, "conftest: run the rules of every policy package")
	f.BoolVar(&k.Combine, "combine", false, "conftest: evaluate all manifests as one input, an array of {path, contents}")
	f.StringArrayVar(&k.Data, "data", nil, "conftest: file or directory of .json/.yaml data for the policies (repeatable)")
}

// apply reads what the flags set into the lint options.
func (k *kubeFlags) apply(opts *lint.Options) {
	opts.Kind = k.kind
	opts.Kube = k.KubeOptions
}
