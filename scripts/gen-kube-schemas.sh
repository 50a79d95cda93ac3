#!/usr/bin/env bash
# Regenerates cue/kubernetes: the CUE schemas of the built-in Kubernetes kinds and of the GitOps
# custom resources that internal/kubeschema validates manifests with.
#
#   scripts/gen-kube-schemas.sh [KUBERNETES_RELEASE]     e.g. scripts/gen-kube-schemas.sh v1.38.0
#
# The built-in kinds come from the OpenAPI v3 spec that the k8s.io/kubernetes module publishes
# (api/openapi-spec/v3) plus the +enum types of the k8s.io/api module of the same release
# (v1.X.Y ↔ v0.X.Y), both fetched with `go mod download` through the Go module proxy; the
# custom resources from the CRDs in ../shared (or $TOLLGATE_SHARED): see the list in
# internal/kubeschema/gen/gen.go (CRDFiles). Afterwards `go test ./internal/kubeschema/...`
# checks the result, and the tests fail until the regenerated files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
release="${1:-$(sed -n 's/.*"k8s.io\/kubernetes@\(v[0-9.]*\) .*/\1/p' cue/kubernetes/index.json)}"
api="v0.${release#v1.}"
shared="${TOLLGATE_SHARED:-../shared}"
echo "generating the schemas of Kubernetes $release (k8s.io/api $api) and the CRDs in $shared"
go run ./internal/kubeschema/cmd/gen-kube-schemas -kubernetes "$release" -api "$api" -shared "$shared" -out cue/kubernetes
git status --short cue/kubernetes
