package policy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// The bundled rules and library compile with the default capabilities alone, and those leave
// out every builtin of the list (each of which OPA has: a renamed builtin would silently
// stay allowed otherwise).
func TestBundledRulesCompileWithDefaultCapabilities(t *testing.T) {
	caps := DefaultCapabilities()
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("default allow_net = %#v, want empty (no host), not nil (any host)", caps.AllowNet)
	}
	for _, u := range unavailableBuiltins {
		if _, ok := ast.BuiltinMap[u.name]; !ok {
			t.Errorf("%s is not an OPA builtin", u.name)
		}
		if hasBuiltin(caps, u.name) {
			t.Errorf("%s is in the default capabilities", u.name)
		}
	}
	for _, n := range netBuiltins {
		if unavailableWhy(n) == "" {
			t.Errorf("network builtin %s is not in the unavailable list", n)
		}
	}
	mods, err := Bundled(true)
	if err != nil {
		t.Fatal(err)
	}
	modMap := map[string]*ast.Module{}
	for _, m := range mods {
		modMap[m.name] = m.ast
	}
	decls, _ := builtins(nil, time.Now())
	c := ast.NewCompiler().WithBuiltins(decls).WithCapabilities(caps)
	c.Compile(modMap)
	if c.Failed() {
		t.Fatalf("bundled rules do not compile with the default capabilities:\n%v", compileError(c.Errors, caps, "", false))
	}
}

// docs/security.md lists exactly the builtins left out, each once.
func TestUnavailableBuiltinsDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9_.]+)` \\| (out|kept) \\|")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		if m[2] == "out" {
			documented = append(documented, m[1])
		}
	}
	var want []string
	for _, u := range unavailableBuiltins {
		want = append(want, u.name)
	}
	slices.Sort(documented)
	slices.Sort(want)
	if !slices.Equal(documented, want) {
		t.Errorf("docs/security.md lists %v as out, the code %v", documented, want)
	}
}

func TestSandboxCapabilities(t *testing.T) {
	full := filepath.Join(t.TempDir(), "full.json")
	data, err := json.Marshal(ast.CapabilitiesForThisVersion()) // OPA's own: every builtin, no allow_net
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var allOut []string
	for _, u := range unavailableBuiltins {
		allOut = append(allOut, u.name)
	}
	slices.Sort(allOut)

	for _, c := range []struct {
		name       string
		sandbox    Sandbox
		allowed    []string // builtins that must be in the capabilities
		allowNet   []string // nil: any host
		config     []string // Widening.Config
		file       []string // Widening.File
		err        string
		configErr  bool
		notAllowed []string
	}{
		{name: "default", allowNet: []string{}, notAllowed: allOut},
		{name: "http.send for one host", sandbox: Sandbox{AllowBuiltins: []string{"http.send"}, AllowNet: []string{"api.example.com"}},
			allowed: []string{"http.send"}, allowNet: []string{"api.example.com"},
			config: []string{"builtin http.send", "host api.example.com"}, notAllowed: []string{"net.lookup_ip_addr"}},
		{name: "a builtin allowed anyway is no widening", sandbox: Sandbox{AllowBuiltins: []string{"concat", "rand.intn"}},
			allowed: []string{"concat", "rand.intn"}, allowNet: []string{}, config: []string{"builtin rand.intn"}},
		{name: "OPA's own capabilities file", sandbox: Sandbox{File: full},
			allowed: allOut, allowNet: nil, file: []string{"builtins " + strings.Join(allOut, ", "), "any host"}},
		{name: "hosts added to a file's any host", sandbox: Sandbox{File: full, AllowNet: []string{"a.example"}},
			allowed: allOut, allowNet: nil, file: []string{"builtins " + strings.Join(allOut, ", "), "any host"}},
		{name: "unknown builtin", sandbox: Sandbox{AllowBuiltins: []string{"http.sned"}},
			err: `capabilities.allow_builtins: "http.sned" is not an OPA builtin (did you mean "http.send"?)`, configErr: true},
		{name: "network builtin without hosts", sandbox: Sandbox{AllowBuiltins: []string{"net.lookup_ip_addr"}},
			err: "capabilities.allow_builtins allows net.lookup_ip_addr, but capabilities.allow_net lists no host", configErr: true},
		{name: "hosts without a network builtin", sandbox: Sandbox{AllowNet: []string{"api.example.com"}},
			err: "capabilities.allow_net lists hosts, but no builtin that reaches them is allowed", configErr: true},
		{name: "a URL for a host", sandbox: Sandbox{AllowBuiltins: []string{"http.send"}, AllowNet: []string{"https://api.example.com"}},
			err: `capabilities.allow_net: "https://api.example.com" is not a host name or IPv4 address`, configErr: true},
		{name: "a port", sandbox: Sandbox{AllowBuiltins: []string{"http.send"}, AllowNet: []string{"api.example.com:443"}},
			err: `is not a host name or IPv4 address`, configErr: true},
		{name: "a missing file", sandbox: Sandbox{File: filepath.Join(t.TempDir(), "none.json")}, err: "--capabilities "},
	} {
		t.Run(c.name, func(t *testing.T) {
			caps, w, err := c.sandbox.capabilities()
			if c.err != "" {
				var ce *ConfigError
				if err == nil || !strings.Contains(err.Error(), c.err) || errors.As(err, &ce) != c.configErr {
					t.Fatalf("error = %v, want one containing %q (a ConfigError: %v)", err, c.err, c.configErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range c.allowed {
				if !hasBuiltin(caps, b) {
					t.Errorf("%s is not allowed", b)
				}
			}
			for _, b := range c.notAllowed {
				if hasBuiltin(caps, b) {
					t.Errorf("%s is allowed", b)
				}
			}
			if (caps.AllowNet == nil) != (c.allowNet == nil) || !slices.Equal(caps.AllowNet, c.allowNet) {
				t.Errorf("allow_net = %#v, want %#v", caps.AllowNet, c.allowNet)
			}
			if !slices.Equal(w.Config, c.config) || !slices.Equal(w.File, c.file) {
				t.Errorf("widening = %q / %q, want %q / %q", w.Config, w.File, c.config, c.file)
			}
		})
	}
}

// The notes name what was widened, where; nothing widened, no note.
func TestWideningNotes(t *testing.T) {
	at := finding.Location{File: ".tollgate.yaml", Start: finding.Position{Line: 3, Column: 1}, End: finding.Position{Line: 3, Column: 13}}
	if n := (Widening{}).Notes(".tollgate.yaml", at, finding.Location{}); len(n) != 0 {
		t.Errorf("notes without widening: %v", n)
	}
	w := Widening{Config: []string{"builtin http.send", "host api.example.com"}, File: []string{"any host"}, FileName: "/etc/caps.json"}
	notes := w.Notes(".tollgate.yaml", at, finding.Location{})
	if len(notes) != 2 {
		t.Fatalf("%d notes, want 2", len(notes))
	}
	if n := notes[0]; n.RuleID != catalog.PolicyCapabilities || n.Severity != finding.Note || n.Location != at ||
		n.Message != "the capabilities section lets policies reach beyond tollgate's default capabilities: builtin http.send; host api.example.com" {
		t.Errorf("config note = %+v", n)
	}
	if n := notes[1]; n.Location.File != "" || !strings.HasPrefix(n.Message, "--capabilities /etc/caps.json lets policies reach beyond") {
		t.Errorf("file note = %+v", n)
	}
	w.File = nil
	if n := w.Notes("/tmp/base/.tollgate.yaml", finding.Location{}, finding.Location{}); len(n) != 1 ||
		!strings.HasPrefix(n[0].Message, "the capabilities section of /tmp/base/.tollgate.yaml lets policies reach beyond") {
		t.Errorf("note for a configuration outside the repository: %+v", n)
	}
	if r, ok := catalog.New().Get(catalog.PolicyCapabilities); !ok || !r.NotSuppressible {
		t.Errorf("catalog entry %+v: want a rule that can't be suppressed", r)
	}
}

// engineFor compiles conftest policies (package main) from sources, without the bundled rules.
func engineFor(t *testing.T, opts Options, srcs ...string) (*Engine, error) {
	t.Helper()
	var mods []module
	for i, src := range srcs {
		name := "policy/p" + string(rune('0'+i)) + ".rego"
		m, err := parseModule(name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, module{name: name, origin: "policy", ast: m})
	}
	return newEngine(context.Background(), opts, mods)
}

// evalConftest evaluates every loaded policy on one document and returns the messages of
// findings and of policy errors.
func evalConftest(t *testing.T, ctx context.Context, e *Engine, doc string) (msgs, errs []string) {
	t.Helper()
	rs, fs := e.eval(ctx, evalInputs{conftest: []conftestInput{{file: "t.yml", input: ast.MustParseTerm(doc).Value}}})
	for _, r := range rs {
		msgs = append(msgs, r.Message)
	}
	for _, f := range fs {
		errs = append(errs, f.Message)
	}
	return msgs, errs
}

// A call of a left-out builtin is a load error at the call, with the reason and the way to
// allow it; mocking it in a test is refused the same way by tollgate test.
func TestUnavailableBuiltinError(t *testing.T) {
	_, err := engineFor(t, Options{}, "package main\n\ndeny contains \"x\" if {\n\tr := net.lookup_ip_addr(\"example.com\")\n\tcount(r) > 0\n}\n")
	want := "policy/p0.rego:4:7: net.lookup_ip_addr is not available to policies: it sends DNS queries; to allow it, list it under capabilities.allow_builtins in .tollgate.yaml, and the hosts it may reach under capabilities.allow_net, or pass --capabilities FILE (docs/security.md)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want %q", err, want)
	}
	_, err = engineFor(t, Options{}, "package main\n\ndeny contains x if { x := rand.intn(\"k\", 10) }\n")
	if err == nil || !strings.Contains(err.Error(), "policy/p0.rego:3:27: rand.intn is not available to policies: its result is random") {
		t.Errorf("error = %v", err)
	}
	// A rule of the package's own that happens to be called like a builtin is not one.
	if _, err := engineFor(t, Options{}, "package main\n\nhttp.send(x) := x\n\ndeny contains m if { m := http.send(\"x\") }\n"); err != nil {
		t.Errorf("a user function named http.send: %v", err)
	}

	mods := []module{{name: "policy/p_test.rego", ast: ast.MustParseModuleWithOpts("package p_test\n\nf := http.send({})\n\ntest_f if {\n\tf with http.send as {\"status_code\": 200}\n}\n", ast.ParserOptions{RegoVersion: ast.RegoV1})}}
	_, err = RunTests(context.Background(), mods, time.Now(), false, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "http.send is not available to policies: it sends HTTP requests; tollgate test always runs policies with the default capabilities") {
		t.Errorf("tollgate test: error = %v", err)
	}
}

// opa.runtime() gives policies nothing of the process: no environment, no configuration.
func TestOPARuntimeIsEmpty(t *testing.T) {
	t.Setenv("TOLLGATE_TEST_SECRET", "s3cret")
	e, err := engineFor(t, Options{}, "package main\n\ndeny contains sprintf(\"%v\", [opa.runtime()]) if { true }\n")
	if err != nil {
		t.Fatal(err)
	}
	msgs, errs := evalConftest(t, context.Background(), e, `{}`)
	if len(errs) != 0 || !slices.Equal(msgs, []string{"{}"}) {
		t.Errorf("opa.runtime() = %q (errors %q), want {}", msgs, errs)
	}
}

// Allowed, http.send reaches only hosts in allow_net; a unix:// URL naming an allowed host
// goes to that host over TCP, never to the socket it names.
func TestHTTPSendAllowed(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	sock := filepath.Join(t.TempDir(), "daemon.sock") // nothing listens: reaching it would fail
	policy := `package main

deny contains sprintf("%v %v", [u, r.status_code]) if {
	some u in input.urls
	r := http.send({"method": "GET", "url": u})
}
`
	e, err := engineFor(t, Options{Sandbox: Sandbox{AllowBuiltins: []string{"http.send"}, AllowNet: []string{"127.0.0.1"}}}, policy)
	if err != nil {
		t.Fatal(err)
	}
	direct, socket := "http://"+addr+"/a", "unix://"+addr+"/b?socket="+sock
	msgs, errs := evalConftest(t, context.Background(), e, `{"urls": [`+strings.Join([]string{`"` + direct + `"`, `"` + socket + `"`}, ",")+`]}`)
	if len(errs) != 0 {
		t.Fatalf("errors: %q", errs)
	}
	slices.Sort(msgs)
	if want := []string{direct + " 418", socket + " 418"}; !slices.Equal(msgs, want) || hits.Load() != 2 {
		t.Errorf("findings %q after %d requests, want %q after 2", msgs, hits.Load(), want)
	}

	// Not in allow_net: refused before anything leaves.
	e, err = engineFor(t, Options{Sandbox: Sandbox{AllowBuiltins: []string{"http.send"}, AllowNet: []string{"192.0.2.1"}}}, policy)
	if err != nil {
		t.Fatal(err)
	}
	_, errs = evalConftest(t, context.Background(), e, `{"urls": ["`+direct+`"]}`)
	if len(errs) != 1 || !strings.Contains(errs[0], "disallowed host: 127.0.0.1") || hits.Load() != 2 {
		t.Errorf("errors %q after %d requests, want a disallowed host and still 2", errs, hits.Load())
	}
}

// The host check of the transport holds on its own, for every request (redirects too).
func TestHostCheck(t *testing.T) {
	rt := roundTripper([]string{"allowed.example"})(nil)
	for _, u := range []string{"http://other.example/", "file:///etc/passwd"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := rt.RoundTrip(req); err == nil {
			t.Errorf("%s: no error", u)
		}
	}
}

// Plain conftest policies never get the builtins that reach a host: internal/conftest has no
// host check, so a sandbox that allows http.send for tollgate's rules must not pass it on.
func TestConftestCapabilitiesLeaveOutHostBuiltins(t *testing.T) {
	caps, err := Sandbox{AllowBuiltins: []string{"http.send", "net.lookup_ip_addr"}, AllowNet: []string{"api.example.com"}}.ConftestCapabilities()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range caps.Builtins {
		if slices.Contains(hostBuiltins, b.Name) {
			t.Errorf("conftest capabilities allow %s", b.Name)
		}
	}
	if !hasBuiltin(caps, "sprintf") {
		t.Error("conftest capabilities lost sprintf")
	}
}
