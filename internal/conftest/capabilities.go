package conftest

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// unsafeBuiltins are left out of DefaultCapabilities: they reach the network or the file
// system (a schema's $ref can read file:// URLs), or answer differently from one run to the
// next. It is the list internal/policy's sandbox leaves out, so a caller that passes nothing
// gets the same sandbox; callers inside tollgate pass the sandbox's own capabilities.
var unsafeBuiltins = []string{
	"http.send",
	"net.lookup_ip_addr",
	"json.match_schema",
	"json.verify_schema",
	"rand.intn",
	"uuid.rfc4122",
	"io.jwt.encode_sign",
	"io.jwt.encode_sign_raw",
	"crypto.x509.parse_and_verify_certificates",
	"crypto.x509.parse_and_verify_certificates_with_options",
	// opa.runtime exposes the process environment under conftest (its env key); tollgate
	// gives policies no environment, so the builtin is left out rather than answering {}.
	"opa.runtime",
}

// DefaultCapabilities are this OPA's capabilities without the unsafe builtins, and with no
// host allowed for the network builtins (an empty allow_net; a missing one means any host).
func DefaultCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(caps.Builtins))
	for _, b := range caps.Builtins {
		if !slices.Contains(unsafeBuiltins, b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}
