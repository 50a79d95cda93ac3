// Command yamlfloor reads and parses every YAML file of a directory's teams/ (or fleets/) with
// yaml.v3 into nodes, on every core, and nothing else: the floor under any linter that parses
// the same files with the same library. bench/run.sh times it beside tollgate, so the two are
// compared on the same machine in the same minute.
//
//	go run ./bench/yamlfloor /tmp/tollgate-bench
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlfloor DIR")
		os.Exit(2)
	}
	var files []string
	for _, sub := range []string{"teams", "fleets"} {
		m, _ := filepath.Glob(filepath.Join(os.Args[1], sub, "*.yml"))
		files = append(files, m...)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				data, err := os.ReadFile(files[i])
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				var doc yaml.Node
				if err := yaml.Unmarshal(data, &doc); err != nil {
					fmt.Fprintf(os.Stderr, "%s: %v\n", files[i], err)
					os.Exit(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%d files parsed\n", len(files))
}
