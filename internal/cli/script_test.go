package cli

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

// TestMain lets the test binary act as the tollgate command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tollgate": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scenarios in testdata/script/*.txtar: exit codes, formats,
// configuration errors, user rules, suppressions, apply.
func TestScripts(t *testing.T) {
	corpora, _ := sharedtest.Dir() // "" without ../shared: scripts that need it skip (see apply_template.txtar)
	if corpora != "" {
		corpora = filepath.Join(corpora, "corpora")
	} else if sharedtest.Required() {
		t.Fatal("TOLLGATE_REQUIRE_SHARED=1 but ../shared is missing")
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CORPORA", corpora)
			env.Setenv("NO_COLOR", "")
			env.Setenv("SOURCE_DATE_EPOCH", "1795564800") // 2026-11-25, so date rules are stable
			env.Values[listenerKey{}] = new(listener)
			return nil
		},
		// [shared]: the corpora beside the checkout are present.
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				return corpora != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"listen":   cmdListen,
			"requests": cmdRequests,
			"expand":   cmdExpand,
		},
		RequireExplicitExec: false,
	})
}

// listener is an HTTP server on 127.0.0.1 that a script starts (listen) to see whether
// anything tollgate runs reaches the network: it counts the requests it gets (requests).
type listener struct {
	hits atomic.Int64
}

type listenerKey struct{}

// listen starts the script's listener and sets LISTEN_ADDR to its host:port.
func cmdListen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: listen")
	}
	l := ts.Value(listenerKey{}).(*listener)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		l.hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	})}
	go srv.Serve(ln)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("LISTEN_ADDR", ln.Addr().String())
}

// requests N checks that the listener got exactly N requests so far.
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: requests N")
	}
	want, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	if got := ts.Value(listenerKey{}).(*listener).hits.Load(); got != want {
		ts.Fatalf("the listener got %d requests, want %d", got, want)
	}
}

// expand FILE... replaces ${NAME} in the files with the script's environment variables.
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, f := range args {
		data, err := os.ReadFile(ts.MkAbs(f))
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(f), []byte(os.Expand(string(data), ts.Getenv)), 0o644))
	}
}
