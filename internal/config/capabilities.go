package config

import (
	"os"

	"go.yaml.in/yaml/v3"
)

// CapabilitiesConfig widens the capabilities policies run with beyond tollgate's default
// (docs/security.md). internal/policy checks the names and hosts.
type CapabilitiesConfig struct {
	// AllowBuiltins names OPA builtins left out by default that policies may call.
	AllowBuiltins []string `yaml:"allow_builtins"`
	// AllowNet lists the hosts (exact names or IPv4 addresses) the network builtins may reach.
	AllowNet []string `yaml:"allow_net"`
}

// KeyPosition returns the line and column of a top-level key in the file the configuration
// was read from; 0, 0 when the key (or the file) is not there.
func (c *Config) KeyPosition(key string) (line, col int) {
	if c.Path == "" {
		return 0, 0
	}
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return 0, 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return 0, 0
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return 0, 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Value == key {
			return k.Line, k.Column
		}
	}
	return 0, 0
}
