package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The capabilities section loads, the editor schema agrees on what it accepts, and the
// report's note can point at its key.
func TestCapabilitiesSection(t *testing.T) {
	const src = "fail_level: error\n\ncapabilities:\n  allow_builtins: [http.send]\n  allow_net: [api.example.com]\n"
	p := filepath.Join(t.TempDir(), ".tollgate.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Capabilities.AllowBuiltins, []string{"http.send"}) || !slices.Equal(c.Capabilities.AllowNet, []string{"api.example.com"}) {
		t.Errorf("capabilities = %+v", c.Capabilities)
	}
	if line, col := c.KeyPosition("capabilities"); line != 3 || col != 1 {
		t.Errorf("KeyPosition(capabilities) = %d:%d, want 3:1", line, col)
	}
	if line, col := c.KeyPosition("rules"); line != 0 || col != 0 {
		t.Errorf("KeyPosition(rules) = %d:%d for a key that is not there, want 0:0", line, col)
	}

	s := compileSchema(t)
	if err := s.Validate(yamlToJSONValue(t, src)); err != nil {
		t.Errorf("schema rejects %q: %v", src, err)
	}
	for _, bad := range []string{
		"capabilities: {allow_builtin: [http.send]}\n",           // misspelt key
		"capabilities: {allow_net: [\"https://example.com\"]}\n", // a URL, not a host
		"capabilities: {allow_net: [\"example.com:443\"]}\n",     // a port
	} {
		if err := s.Validate(yamlToJSONValue(t, bad)); err == nil {
			t.Errorf("schema accepts %q", bad)
		}
	}
	if err := os.WriteFile(p, []byte("capabilities: {allow_builtin: [http.send]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil {
		t.Error("Load accepts capabilities.allow_builtin (misspelt)")
	}
}
