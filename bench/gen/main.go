// Command gen writes the synthetic Fleet GitOps repository of internal/benchgen: a default.yml
// and N team files of about 1.7 KB each, 10 % with a policy mistake and 10 % with a structural
// one; or, with -like, N copies of a real repository's team files beside its own lib/ files
// (benchgen.WriteLike). Output is deterministic.
//
//	go run ./bench/gen -n 10000 -o /tmp/tollgate-bench
//	go run ./bench/gen -n 2000 -like ../shared/corpora/fleet-it-and-security -o /tmp/tollgate-like
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
	flag.Parse()
	var err error
	if *like != "" {
		err = benchgen.WriteLike(*out, *like, *n)
	} else {
		err = benchgen.Write(*out, *n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
