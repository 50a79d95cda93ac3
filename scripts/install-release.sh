#!/usr/bin/env bash
# Installs a released tollgate binary for this machine, verified, at DEST (DEST.exe on Windows):
#
#   scripts/install-release.sh VERSION DEST
#
# It downloads the release's checksums file and the archive for this OS and architecture, checks
# the archive's SHA-256 against the checksums file, and, when the GitHub CLI is on PATH, checks
# the archive's build provenance with `gh attestation verify` (the attestation the release
# workflow made: proof that this repository's workflow built the file from the tagged commit;
# the checksums alone come from the same place as the archive, so they catch a broken download,
# not a forged release). The action's `version` input runs it; it works anywhere with bash, curl,
# tar and sha256sum (or shasum).
#
# Exit codes: 0 installed; 1 a check failed (nothing installed, never fall back: a file that
# does not match is a broken or forged release); 2 usage; 3 the release has no file for this
# machine or could not be downloaded (the action then builds tollgate from source).
#
# TOLLGATE_RELEASE_URL overrides where releases are downloaded from (default GitHub's release
# downloads of tollgate-dev/tollgate), for a mirror or a test.
set -euo pipefail

if [[ $# -ne 2 || -z $1 || -z $2 ]]; then
  echo "usage: install-release.sh VERSION DEST" >&2
  exit 2
fi
version=$1
dest=$2
[[ $version == v* ]] || version=v$version
if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "::error::tollgate version \"$version\" is not a release version such as v0.1.0" >&2
  exit 2
fi
repo=tollgate-dev/tollgate
base=${TOLLGATE_RELEASE_URL:-https://github.com/$repo/releases/download}

case "${RUNNER_OS:-$(uname -s)}" in
  Linux | linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) echo "::warning::no tollgate release for the OS ${RUNNER_OS:-$(uname -s)}"; exit 3 ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | arm64 | aarch64) arch=arm64 ;;
  *) echo "::warning::no tollgate release for the architecture ${RUNNER_ARCH:-$(uname -m)}"; exit 3 ;;
esac

name=tollgate_${version#v}_${os}_${arch}
archive=$name.tar.gz
sums=tollgate_${version#v}_checksums.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {
  if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$1" "$base/$version/$1"; then
    echo "::warning::could not download $base/$version/$1"
    exit 3
  fi
}
fetch "$sums"
fetch "$archive"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f {print $1}' "$work/$sums")
if [[ ! $want =~ ^[0-9a-f]{64}$ ]]; then
  echo "::error::$sums of tollgate $version does not list $archive once" >&2
  exit 1
fi
if command -v sha256sum >/dev/null; then
  got=$(sha256sum "$work/$archive" | cut -c1-64)
else
  got=$(shasum -a 256 "$work/$archive" | cut -c1-64)
fi
if [[ $got != "$want" ]]; then
  echo "::error::$archive of tollgate $version has SHA-256 $got, but $sums says $want: not installed" >&2
  exit 1
fi
echo "$archive: SHA-256 matches $sums"

if command -v gh >/dev/null; then
  if ! gh attestation verify "$work/$archive" --repo "$repo"; then
    echo "::error::$archive of tollgate $version has no valid build provenance from $repo: not installed" >&2
    exit 1
  fi
  echo "$archive: build provenance verified (gh attestation verify --repo $repo)"
else
  echo "::notice::gh is not installed, so the build provenance of $archive was not verified (its checksum was)"
fi

tar -xzf "$work/$archive" -C "$work"
exe=tollgate
if [[ $os == windows ]]; then
  exe=tollgate.exe
  dest=$dest.exe
fi
if [[ ! -f $work/$name/$exe ]]; then
  echo "::error::$archive holds no $name/$exe" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
cp "$work/$name/$exe" "$dest"
chmod +x "$dest"
"$dest" --version
