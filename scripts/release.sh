#!/usr/bin/env bash
# Builds tollgate's release files into OUTDIR: one archive per target with the binary, README.md
# and CHANGELOG.md; a CycloneDX SBOM per binary; and a SHA-256 checksums file over all of them.
# The release workflow (.github/workflows/release.yml) runs it on a tag, then attests the files
# and publishes them; .ci/run runs it as a snapshot for one target, so a broken release build
# fails CI long before a tag.
#
#   scripts/release.sh [--snapshot] [--targets "linux/amd64 darwin/arm64 …"] VERSION OUTDIR
#
# VERSION is the tag (v1.2.3). It must have its own section in CHANGELOG.md, unless --snapshot
# (then any v-version will do, e.g. v0.1.0-snapshot). The files are reproducible: -trimpath, no
# cgo, the commit's time as every timestamp, archives with sorted names and fixed owners.
#
# Why plain `go build` and not GoReleaser: the release is six `go build`s, two archive
# commands and sha256sum; provenance is GitHub's own actions/attest-build-provenance; the SBOM
# comes from CycloneDX's Go tool reading each binary's embedded build information. A GoReleaser
# configuration would be as long as this script, and pulls a far larger tool into the trust
# chain of every release.
set -euo pipefail

snapshot=false
targets="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --snapshot) snapshot=true; shift ;;
    --targets) targets=$2; shift 2 ;;
    *) echo "release.sh: unknown flag $1" >&2; exit 2 ;;
  esac
done
if [[ $# -ne 2 ]]; then
  echo "usage: scripts/release.sh [--snapshot] [--targets \"OS/ARCH …\"] VERSION OUTDIR" >&2
  exit 2
fi
version=$1
out=$2
# The CycloneDX tool, pinned; a Go module like the others (go run fetches it through the proxy).
cyclonedx=github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release.sh: version $version is not v MAJOR.MINOR.PATCH[-PRERELEASE]" >&2
  exit 2
fi
if ! $snapshot && ! grep -q "^## \[${version#v}\]" CHANGELOG.md; then
  echo "release.sh: CHANGELOG.md has no section \"## [${version#v}]\"; write the release notes first" >&2
  exit 1
fi

commit=$(git rev-parse HEAD)
epoch=$(git log -1 --format=%ct HEAD)
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w -buildid=
  -X github.com/tollgate-dev/tollgate/internal/buildinfo.version=$version
  -X github.com/tollgate-dev/tollgate/internal/buildinfo.commit=$commit
  -X github.com/tollgate-dev/tollgate/internal/buildinfo.date=$date"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

names=()
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  name="tollgate_${version#v}_${goos}_${goarch}"
  exe=tollgate
  [[ $goos == windows ]] && exe=tollgate.exe
  mkdir -p "$work/$name"
  echo "building $name"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$work/$name/$exe" ./cmd/tollgate
  cp README.md CHANGELOG.md "$work/$name/"
  touch -d "@$epoch" "$work/$name" "$work/$name"/*
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=ustar \
    -C "$work" -cf - "$name" | gzip -9n > "$out/$name.tar.gz"
  go run "$cyclonedx" bin -json -noserial -notimestamp -version "$version" -output "$out/$name.sbom.cdx.json" "$work/$name/$exe"
  names+=("$name.tar.gz" "$name.sbom.cdx.json")
done

(cd "$out" && sha256sum "${names[@]}" | LC_ALL=C sort -k2 > "tollgate_${version#v}_checksums.txt")
echo "wrote $out:"
(cd "$out" && cat "tollgate_${version#v}_checksums.txt")
