// Command gen writes the synthetic Fleet GitOps repository of internal/benchgen: a default.yml
// and N team files of about 1.7 KB each, 10 % with a policy mistake and 10 % with a structural
// one. Output is deterministic.
//
//	go run ./bench/gen -n 10000 -o /tmp/tollgate-bench
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
	flag.Parse()
	if err := benchgen.Write(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
