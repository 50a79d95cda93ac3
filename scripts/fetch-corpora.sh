#!/usr/bin/env bash
# Fetches the public repositories the tests read from ../shared (beside this checkout), at the
# commits CI uses, for anyone with network access who doesn't have the shared directory:
#
#   bash scripts/fetch-corpora.sh            # writes ../shared/{corpora,corpora-kubernetes,schemas/crds,data}
#   bash scripts/fetch-corpora.sh DIR        # writes DIR/corpora ...; then TOLLGATE_SHARED=DIR go test ./...
#
# It downloads GitHub's archive of each commit (no git history, no token needed) and, as in CI's
# copy, elides script bodies (.sh, .ps1, .py, and extension-less files under scripts/) to their
# first line. Tests that need these files skip without them (and fail under
# TOLLGATE_REQUIRE_SHARED=1, as .ci/run sets).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$here/../shared}
mkdir -p "$dest/corpora" "$dest/corpora-kubernetes" "$dest/schemas/crds" "$dest/data"
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
# The custom resource definitions the Kubernetes schemas are generated from
# (internal/kubeschema/gen's tests regenerate them and compare).
# folder  owner/repo  commit  directory in the archive  files...
crds=(
  "argo-cd-v3.6.0 argoproj/argo-cd 37ee009 manifests/crds application-crd.yaml applicationset-crd.yaml appproject-crd.yaml"
  "flux fluxcd/kustomize-controller 186fb3b config/crd/bases kustomize.toolkit.fluxcd.io_kustomizations.yaml"
  "flux fluxcd/helm-controller 0f61a86 config/crd/bases helm.toolkit.fluxcd.io_helmreleases.yaml"
  "flux fluxcd/source-controller 39b711b config/crd/bases source.toolkit.fluxcd.io_buckets.yaml source.toolkit.fluxcd.io_externalartifacts.yaml source.toolkit.fluxcd.io_gitrepositories.yaml source.toolkit.fluxcd.io_helmcharts.yaml source.toolkit.fluxcd.io_helmrepositories.yaml source.toolkit.fluxcd.io_ocirepositories.yaml"
  "flux fluxcd/image-automation-controller d36e2ea config/crd/bases image.toolkit.fluxcd.io_imageupdateautomations.yaml"
  "flux fluxcd/image-reflector-controller debe2aa config/crd/bases image.toolkit.fluxcd.io_imagepolicies.yaml image.toolkit.fluxcd.io_imagerepositories.yaml"
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

fetch_files() { # folder repo commit dir file...
  local folder=$1 repo=$2 commit=$3 dir=$4; shift 4
  local into="$dest/schemas/crds/$folder" missing=()
  for f in "$@"; do [ -f "$into/$f" ] || missing+=("$f"); done
  if [ ${#missing[@]} -eq 0 ]; then echo "$into: $repo's files exist, kept"; return; fi
  local tmp; tmp=$(mktemp -d)
  echo "fetching $repo@$commit ($dir/)"
  curl -fsSL "https://codeload.github.com/$repo/tar.gz/$commit" | tar -xz -C "$tmp"
  local top; top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  mkdir -p "$into"
  for f in "${missing[@]}"; do cp "$top/$dir/$f" "$into/$f"; done
  rm -rf "$tmp"
}

for row in "${fleet[@]}"; do fetch "$dest/corpora" $row; done
for row in "${kubernetes[@]}"; do fetch "$dest/corpora-kubernetes" $row; done
for row in "${crds[@]}"; do fetch_files $row; done
# The files the Kubernetes schemas were generated from must be the ones recorded with them.
sums=$(tr -d '\n' <"$here/cue/kubernetes/index.json" | grep -o '"input": "[^"]*",[[:space:]]*"sha256": "[0-9a-f]*"' |
  sed 's/"input": "\([^"]*\)",[[:space:]]*"sha256": "\([0-9a-f]*\)"/\2  \1/')
(cd "$dest" && sha256sum --quiet -c - <<<"$sums") || { echo "the fetched files differ from cue/kubernetes/index.json" >&2; exit 1; }
# The OS-version snapshot: the catalog embedded in the binary is that snapshot (a test says so).
cp "$here/internal/oscatalog/os-versions.json" "$dest/data/os-versions.json"
echo "done: $dest"
