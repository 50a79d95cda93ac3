// Command gen writes the synthetic Fleet GitOps repository of internal/benchgen: a default.yml
// and N team files of about 1.7 KB each, 10 % with a policy mistake and 10 % with a structural
// one; or, with -like, N copies of a real repository's team files beside its own lib/ files
// (benchgen.WriteLike), with -team only copies of that one (the shape of a large organisation
// whose teams share one library). Output is deterministic.
//
//	go run ./bench/gen -n 10000 -o /tmp/tollgate-bench
//	go run ./bench/gen -n 2000 -like ../shared/corpora/fleet-it-and-security -o /tmp/tollgate-like
//	go run ./bench/gen -n 10000 -like ../shared/corpora/fleet-it-and-security -team workstations.yml -o /tmp/tollgate-ws
//	go run ./bench/gen -n 10000 -kube -o /tmp/tollgate-kube
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tollgate-dev/tollgate/internal/benchgen"
)

func main() {
	n := flag.Int("n", 10000, "number of team files")
	out := flag.String("o", "bench-repo", "output directory")
	like := flag.String("like", "", "a real repository whose team files to copy (default: synthetic teams)")
	team := flag.String("team", "", "with -like: copy only this team file (e.g. workstations.yml)")
	kube := flag.Bool("kube", false, "write n Kubernetes manifests instead (Deployments, Services, Argo CD Applications, Flux Kustomizations)")
	flag.Parse()
	var err error
	switch {
	case *kube:
		err = benchgen.WriteKube(*out, *n)
	case *like != "":
		var only []string
		if *team != "" {
			only = []string{*team}
		}
		err = benchgen.WriteLike(*out, *like, *n, only...)
	default:
		err = benchgen.Write(*out, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
