#!/usr/bin/env bash
# Fetches the public repositories the tests read from ../shared (beside this checkout), at the
# commits CI uses, for anyone with network access who doesn't have the shared directory:
#
#   bash scripts/fetch-corpora.sh            # writes ../shared/corpora and ../shared/data
#   bash scripts/fetch-corpora.sh DIR        # writes DIR/corpora ...; then TOLLGATE_SHARED=DIR go test ./...
#
# It downloads GitHub's archive of each commit (no git history, no token needed) and, as in CI's
# copy, elides script bodies (.sh, .ps1, .py, and extension-less files under scripts/) to their
# first line. Tests that need these files skip without them (and fail under
# TOLLGATE_REQUIRE_SHARED=1, as .ci/run sets).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/../shared}
mkdir -p "$dest/corpora" "$dest/corpora-kubernetes" "$dest/data"
dest=$(cd "$dest" && pwd)

# folder  owner/repo  commit  [subdirectory of the archive to keep]
fleet=(
  "fleet-gitops fleetdm/fleet-gitops 91a5b08"
  "fleet-it-and-security fleetdm/fleet 4953f7f it-and-security"
  "kitzy-fleet-gitops kitzy/fleet-gitops 743ec54"
  "AnywhereOps-fleet-gitops AnywhereOps/fleet-gitops 597c247"
  "Helios-IT-Management-helios-fleet-gitops Helios-IT-Management/helios-fleet-gitops 86cb184"
  "AdamBaali-fleet-gitops AdamBaali/fleet-gitops 72913a8"
)
kubernetes=(
  "flux2-multi-tenancy fluxcd/flux2-multi-tenancy 192da05"
  "gitops-certification-examples codefresh-contrib/gitops-certification-examples b2212aa"
)

fetch() { # into folder repo commit [sub]
  local into=$1 folder=$2 repo=$3 commit=$4 sub=${5:-}
  if [ -d "$into/$folder" ]; then echo "$into/$folder exists, kept"; return; fi
  local tmp; tmp=$(mktemp -d)
  echo "fetching $repo@$commit${sub:+ ($sub/)}"
  curl -fsSL "https://codeload.github.com/$repo/tar.gz/$commit" | tar -xz -C "$tmp"
  local top; top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  mv "$top${sub:+/$sub}" "$into/$folder"
  rm -rf "$tmp"
  # Script bodies elided to their first line, as in CI's copy.
  find "$into/$folder" -type f \( -name '*.sh' -o -name '*.ps1' -o -name '*.py' -o -path '*/scripts/*' ! -name '*.*' \) |
    while IFS= read -r f; do head -n 1 "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done
}

for row in "${fleet[@]}"; do fetch "$dest/corpora" $row; done
for row in "${kubernetes[@]}"; do fetch "$dest/corpora-kubernetes" $row; done
# The OS-version snapshot: the catalog embedded in the binary is that snapshot (a test says so).
cp "$here/internal/oscatalog/os-versions.json" "$dest/data/os-versions.json"
echo "done: $dest"
