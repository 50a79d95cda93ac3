# METADATA
# title: Software package downloaded by URL without a SHA-256 hash
# description: |
#   A package given by `url` alone installs whatever that URL serves on the day Fleet fetches
#   it: a vendor's "latest" link changes version under you, and a compromised download host
#   changes the bits. `hash_sha256` pins the exact file, and Fleet refuses a download that does
#   not match. Fix: add `hash_sha256:` with the installer's lower-case hex SHA-256
#   (`shasum -a 256 <file>`), and update it with the URL.
# custom:
#   id: software-hash-missing
#   severity: warning
#   category: software
#   tags: [software, supply-chain]
package tollgate.rules.software_hash_missing

import data.tollgate.lib

report contains lib.with_hint(lib.fail(file, array.concat(path, ["url"]), msg), hint) if {
	some [file, path, p, _] in lib.software_packages
	is_string(p.url)
	p.url != ""
	not pinned(p)
	msg := sprintf("software package %s has no hash_sha256, so any file the URL serves is installed", [p.url])
	hint := "add hash_sha256: <lower-case hex SHA-256 of the installer> next to url"
}

pinned(p) if {
	is_string(p.hash_sha256)
	p.hash_sha256 != ""
}
