// Package benchgen writes a synthetic Fleet GitOps repository for benchmarks: a default.yml
// and n team files of about 1.7 KB each (teams era), 10 % with a policy mistake (an unreleased
// macOS version) and 10 % with a structural mistake (a misspelt key). Output is deterministic.
// bench/gen (the command behind bench/run.sh) and the Go benchmarks share it.
package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
)

const global = `policies:
  - name: Disk encryption enabled
    query: SELECT 1 FROM disk_encryption WHERE encrypted = 1;
    platform: darwin
    description: FileVault protects data at rest.
    resolution: Turn on FileVault.
queries:
agent_options:
  config:
    options:
      distributed_interval: 10
controls:
org_settings:
  server_settings:
    server_url: $FLEET_URL
  org_info:
    org_name: Bench Corp
  secrets:
    - secret: $FLEET_GLOBAL_ENROLL_SECRET
`

const team = `name: Team %05d
policies:
  - name: Team %05d firewall enabled
    query: SELECT 1 FROM alf WHERE global_state >= 1;
    platform: darwin
    critical: false
    description: The application firewall blocks unsolicited inbound connections.
    resolution: Turn on the firewall in System Settings > Network > Firewall.
  - name: Team %05d screen lock
    query: SELECT 1 FROM screenlock WHERE enabled = 1 AND grace_period <= 60;
    platform: darwin
    description: The screen locks within a minute of the screensaver starting.
    resolution: Set "Require password after screen saver begins" to immediately.
  - name: Team %05d gatekeeper
    query: SELECT 1 FROM gatekeeper WHERE assessments_enabled = 1;
    platform: darwin
    description: Gatekeeper only allows signed applications.
    resolution: Run spctl --master-enable.
queries:
  - name: Team %05d USB devices
    query: SELECT * FROM usb_devices;
    interval: 3600
    platform: darwin,linux
    logging: snapshot
  - name: Team %05d listening ports
    query: SELECT pid, port, protocol FROM listening_ports;
    interval: 86400
    platform: darwin,windows,linux
    logging: differential
agent_options:
  config:
    options:
      pack_delimiter: /
      logger_tls_period: 10
  update_channels:
    osqueryd: stable
    orbit: stable
controls:
  macos_updates:
    minimum_version: "%s"
    deadline: "2027-03-%02d"
  windows_updates:
    deadline_days: 5
    grace_period_days: 2
  enable_disk_encryption: true
software:
team_settings:
  secrets:
    - secret: $FLEET_TEAM_%05d_ENROLL_SECRET
  features:
    enable_host_users: true
    %s: true
  host_expiry_settings:
    host_expiry_enabled: true
    host_expiry_window: 30
`

// Write writes the repository into dir (created if needed).
func Write(dir string, n int) error {
	if err := os.MkdirAll(filepath.Join(dir, "teams"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "default.yml"), []byte(global), 0o644); err != nil {
		return err
	}
	for i := range n {
		version, key := "26.6.2", "enable_software_inventory"
		if i%10 == 3 {
			version = "26.12" // never released: a policy finding
		}
		if i%10 == 7 {
			key = "enable_sofware_inventory" // a typo: a schema finding
		}
		body := fmt.Sprintf(team, i, i, i, i, i, i, version, 1+i%28, i, key)
		name := filepath.Join(dir, "teams", fmt.Sprintf("team-%05d.yml", i))
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
