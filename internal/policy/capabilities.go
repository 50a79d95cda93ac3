package policy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/editdist"
	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Policies come from the repository, so in CI whoever opens a pull request chooses Rego that
// runs on the runner. They are compiled with OPA capabilities that leave out every builtin
// reaching outside the process or answering differently from one run to the next; a policy
// calling one does not load. docs/security.md is the user-facing account of all of this.

// unavailableBuiltins are the OPA v1.22 builtins left out by default, and why (shown in the
// load error; docs/security.md has the same table, and a test keeps the two in step). The
// bundled rules use none of them.
var unavailableBuiltins = []struct{ name, why string }{
	{"http.send", "it sends HTTP requests"},
	{"net.lookup_ip_addr", "it sends DNS queries"},
	{"json.match_schema", "a schema's $ref can read local files (file://) and fetch URLs"},
	{"json.verify_schema", "a schema's $ref can read local files (file://) and fetch URLs"},
	{"rand.intn", "its result is random, so the same repository could give another report"},
	{"uuid.rfc4122", "its result is random, so the same repository could give another report"},
	{"io.jwt.encode_sign", "its ES* and PS* signatures are random, so the same repository could give another report"},
	{"io.jwt.encode_sign_raw", "its ES* and PS* signatures are random, so the same repository could give another report"},
	{"crypto.x509.parse_and_verify_certificates", "it checks validity against the machine's clock, not --now"},
	{"crypto.x509.parse_and_verify_certificates_with_options", "without CurrentTime it checks validity against the machine's clock, not --now"},
}

// netBuiltins reach the hosts in allow_net: OPA checks the list in http.send and
// net.lookup_ip_addr (hostBuiltins, of no use without a host), and for the remote $refs of
// the two schema builtins.
var (
	hostBuiltins = []string{"http.send", "net.lookup_ip_addr"}
	netBuiltins  = append(slices.Clone(hostBuiltins), "json.match_schema", "json.verify_schema")
)

// unavailableWhy returns why name is left out by default, or "".
func unavailableWhy(name string) string {
	for _, u := range unavailableBuiltins {
		if u.name == name {
			return u.why
		}
	}
	return ""
}

// DefaultCapabilities are the capabilities policies compile with when nothing widens them:
// OPA v1.22's, without the unavailable builtins, and no host for allow_net (OPA reads a
// missing allow_net as "any host", an empty one as "none").
func DefaultCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(caps.Builtins))
	for _, b := range caps.Builtins {
		if unavailableWhy(b.Name) == "" {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// Sandbox is what policies may use beyond the default capabilities.
type Sandbox struct {
	// File is an OPA capabilities JSON file (--capabilities FILE). Its builtins replace the
	// default set (names this OPA does not know are skipped; features and keywords are this
	// OPA's) and its allow_net the default "no host": a file without allow_net allows any
	// host, as in OPA.
	File string
	// AllowBuiltins and AllowNet are .tollgate.yaml's capabilities.allow_builtins and
	// capabilities.allow_net: builtins added to the set, and the hosts (exact names or IPv4
	// addresses) the network builtins may reach.
	AllowBuiltins []string
	AllowNet      []string
}

// Widening says how the capabilities in force go beyond the default, per source, in words
// for the report ("builtin http.send", "host api.example.com"). Empty lists: not at all.
type Widening struct {
	Config []string // .tollgate.yaml's capabilities section
	File   []string // the --capabilities file
	// FileName is the --capabilities file, as given.
	FileName string
}

// capabilities builds the capabilities in force and says how they widen the default.
func (s Sandbox) capabilities() (*ast.Capabilities, Widening, error) {
	caps := DefaultCapabilities()
	w := Widening{FileName: s.File}
	if s.File != "" {
		fc, err := ast.LoadCapabilitiesFile(s.File)
		if err != nil {
			return nil, w, fmt.Errorf("--capabilities %s: %w", s.File, err)
		}
		caps.Builtins = caps.Builtins[:0]
		for _, b := range fc.Builtins {
			if known, ok := ast.BuiltinMap[b.Name]; ok && !hasBuiltin(caps, b.Name) {
				caps.Builtins = append(caps.Builtins, known) // this OPA's declaration, not the file's
			}
		}
		caps.AllowNet = fc.AllowNet
		w.File = describeWidening(DefaultCapabilities(), caps)
	}
	before := &ast.Capabilities{Builtins: slices.Clone(caps.Builtins), AllowNet: slices.Clone(caps.AllowNet)} // Clone keeps nil apart from empty
	for _, name := range s.AllowBuiltins {
		known, ok := ast.BuiltinMap[name]
		if !ok {
			return nil, w, configErrorf("capabilities.allow_builtins: %q is not an OPA builtin%s", name, closestBuiltin(name))
		}
		if !hasBuiltin(caps, name) {
			caps.Builtins = append(caps.Builtins, known)
		}
	}
	for _, host := range s.AllowNet {
		if err := checkHost(host); err != nil {
			return nil, w, configErrorf("capabilities.allow_net: %w", err)
		}
		if caps.AllowNet != nil && !slices.Contains(caps.AllowNet, host) {
			caps.AllowNet = append(caps.AllowNet, host)
		}
	}
	reachesNet := slices.ContainsFunc(netBuiltins, func(n string) bool { return hasBuiltin(caps, n) })
	switch {
	case len(s.AllowNet) > 0 && !reachesNet:
		return nil, w, configErrorf("capabilities.allow_net lists hosts, but no builtin that reaches them is allowed (%s): add one to capabilities.allow_builtins, or remove allow_net", strings.Join(netBuiltins, ", "))
	case caps.AllowNet != nil && len(caps.AllowNet) == 0:
		for _, name := range s.AllowBuiltins {
			if slices.Contains(hostBuiltins, name) {
				return nil, w, configErrorf("capabilities.allow_builtins allows %s, but capabilities.allow_net lists no host: name the hosts it may reach", name)
			}
		}
	}
	slices.SortFunc(caps.Builtins, func(a, b *ast.Builtin) int { return strings.Compare(a.Name, b.Name) })
	w.Config = describeWidening(before, caps)
	return caps, w, nil
}

// ConfigError is a capabilities section of .tollgate.yaml that can't be used.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErrorf(format string, args ...any) error {
	return &ConfigError{fmt.Errorf(format, args...)}
}

func hasBuiltin(caps *ast.Capabilities, name string) bool {
	return slices.ContainsFunc(caps.Builtins, func(b *ast.Builtin) bool { return b.Name == name })
}

// describeWidening lists what after allows that before did not, in words.
func describeWidening(before, after *ast.Capabilities) []string {
	var added []string
	for _, b := range after.Builtins {
		if !hasBuiltin(before, b.Name) {
			added = append(added, b.Name)
		}
	}
	slices.Sort(added)
	var out []string
	if len(added) > 0 {
		out = append(out, plural(len(added), "builtin", "builtins")+" "+strings.Join(added, ", "))
	}
	switch {
	case after.AllowNet == nil && before.AllowNet != nil:
		out = append(out, "any host")
	case after.AllowNet != nil:
		var hosts []string
		for _, h := range after.AllowNet {
			if !slices.Contains(before.AllowNet, h) {
				hosts = append(hosts, h)
			}
		}
		slices.Sort(hosts)
		if len(hosts) > 0 {
			out = append(out, plural(len(hosts), "host", "hosts")+" "+strings.Join(hosts, ", "))
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkHost accepts what OPA compares allow_net entries with: a URL's host name without its
// port. OPA cuts the host at its first colon, so an IPv6 address can't be matched.
func checkHost(host string) error {
	switch {
	case host == "":
		return errors.New("an empty host name")
	case strings.ContainsAny(host, "/:@?#* \t"):
		return fmt.Errorf("%q is not a host name or IPv4 address: write the host alone (api.example.com), without scheme, port, path or wildcard", host)
	case net.ParseIP(host) == nil && strings.Trim(host, ".") != host:
		return fmt.Errorf("%q is not a host name", host)
	}
	return nil
}

// closestBuiltin suggests the OPA builtin nearest to a misspelt name.
func closestBuiltin(name string) string {
	best, bestDist := "", len(name)/3+1
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if d := editdist.Levenshtein(name, b.Name); d < bestDist {
			best, bestDist = b.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// compileError explains why the policies do not compile. A builtin OPA has but the
// capabilities leave out is named with where it is called, why it is out and how to allow
// it, instead of the compiler's "undefined function".
// In `tollgate test` (inTests) nothing widens them: see RunTests.
func compileError(errs ast.Errors, caps *ast.Capabilities, file string, inTests bool) error {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		name, ok := unavailableCall(e, caps)
		if !ok {
			lines = append(lines, e.Error())
			continue
		}
		where := "policy"
		if e.Location != nil {
			where = fmt.Sprintf("%s:%d:%d", e.Location.File, e.Location.Row, e.Location.Col)
		}
		lines = append(lines, where+": "+unavailableMessage(name, file, inTests))
	}
	return fmt.Errorf("policies do not compile:\n%s", strings.Join(lines, "\n"))
}

// unavailableCall reports whether e is the compiler refusing a builtin that OPA has but caps
// leave out: a call ("undefined function http.send") or a mock in a test
// ("with keyword target must reference ..." at the builtin's name).
func unavailableCall(e *ast.Error, caps *ast.Capabilities) (string, bool) {
	if e.Code != ast.TypeErr {
		return "", false
	}
	var name string
	switch {
	case strings.HasPrefix(e.Message, "undefined function "):
		name = strings.TrimPrefix(e.Message, "undefined function ")
	case strings.HasPrefix(e.Message, "with keyword target") && e.Location != nil:
		name = string(e.Location.Text)
	default:
		return "", false
	}
	if _, known := ast.BuiltinMap[name]; !known || hasBuiltin(caps, name) {
		return "", false
	}
	return name, true
}

// unavailableMessage says that name can't be called, why, and how to allow it.
func unavailableMessage(name, file string, inTests bool) string {
	why := unavailableWhy(name)
	switch {
	case why == "" && file != "":
		why = "the capabilities file " + file + " leaves it out"
	case why == "":
		why = "it is not in the capabilities in force"
	}
	if inTests {
		return fmt.Sprintf("%s is not available to policies: %s; tollgate test always runs policies with the default capabilities (OPA's test runner can't hold a builtin to allow_net), so test this policy with opa test (docs/security.md)", name, why)
	}
	how := "list it under capabilities.allow_builtins in .tollgate.yaml"
	if slices.Contains(hostBuiltins, name) {
		how += ", and the hosts it may reach under capabilities.allow_net"
	}
	return fmt.Sprintf("%s is not available to policies: %s; to allow it, %s, or pass --capabilities FILE (docs/security.md)", name, why, how)
}

// Notes are the report's notes for capabilities wider than the default, one per source that
// widened them, at configAt (the capabilities key of the configuration file configName) and
// fileAt: a reviewer sees in the report itself that a change lets policies reach further. A
// source outside the repository has no location, and the message names it.
func (w Widening) Notes(configName string, configAt, fileAt finding.Location) []finding.Finding {
	var out []finding.Finding
	note := func(who string, what []string, at finding.Location) {
		out = append(out, finding.Finding{RuleID: catalog.PolicyCapabilities, Severity: finding.Note, Source: "builtin",
			Message:  fmt.Sprintf("%s lets policies reach beyond tollgate's default capabilities: %s", who, strings.Join(what, "; ")),
			Hint:     "each builtin and host is one more way for a policy to reach outside the process: check that each is needed (docs/security.md)",
			Location: at})
	}
	if len(w.Config) > 0 {
		who := "the capabilities section"
		if configAt.File == "" {
			who = "the capabilities section of " + configName
		}
		note(who, w.Config, configAt)
	}
	if len(w.File) > 0 {
		note("--capabilities "+w.FileName, w.File, fileAt)
	}
	return out
}

// roundTripper is what http.send's requests go through when it is allowed: plain TCP to a
// host in allow, whatever transport OPA built. OPA checks allow_net on the URL it is given,
// but a unix:// URL names a host and then connects to a socket (the Docker daemon's, say);
// here the request goes to the named host over TCP instead, and the host is checked again
// on every request, redirects included. allow nil means any host.
func roundTripper(allow []string) func(*http.Transport) http.RoundTripper {
	return func(t *http.Transport) http.RoundTripper {
		if t == nil {
			t = http.DefaultTransport.(*http.Transport)
		}
		t = t.Clone()
		t.DialContext = (&net.Dialer{}).DialContext
		return hostCheck{next: t, allow: allow}
	}
}

type hostCheck struct {
	next  http.RoundTripper
	allow []string
}

func (h hostCheck) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("http.send: scheme %q is not allowed (http and https only)", req.URL.Scheme)
	}
	if h.allow != nil && !slices.Contains(h.allow, req.URL.Hostname()) {
		return nil, fmt.Errorf("http.send: host %q is not in capabilities.allow_net", req.URL.Hostname())
	}
	return h.next.RoundTrip(req)
}
