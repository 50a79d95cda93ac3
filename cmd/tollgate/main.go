// Command tollgate is the policy gate for Fleet GitOps repositories. See README.md.
package main

import (
	"os"

	"github.com/tollgate-dev/tollgate/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
