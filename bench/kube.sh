#!/usr/bin/env bash
# The Kubernetes kind's figures: N manifests (Deployments, Services, Argo CD Applications,
# Flux Kustomizations; one a file; 10 % of each kind with a mistake) checked
#   - in full by tollgate (structure + the bundled rules) against conftest v0.71.1 running the
#     same per-document rules as a plain conftest policy (bench/kube-conftest) on the same files;
#   - for structure alone (tollgate --checks schema) against kubeconform v0.8.0 given local
#     JSON Schemas generated from the same definitions (gen-kube-schemas -kubeconform, offline
#     once k8s.io/kubernetes is in the module cache).
# Same machine, same run; wall time and peak RSS are the median of RUNS runs (bench/lib.sh).
#
#   bash bench/kube.sh            # N=10000 RUNS=3
#   N=1000 RUNS=5 bash bench/kube.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
RUNS=${RUNS:-3}
work=${WORK_DIR:-$(mktemp -d)}
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$work/kube"
go run "$here/bench/gen" -kube -n "$N" -o "$work/kube"
: > "$work/kube/.tollgate.yaml" # the repository's root, as in a checkout
(cd "$here" && go build -trimpath -o "$work/tollgate" ./cmd/tollgate)
bin=${BIN_DIR:-$work/bin}
[ -x "$bin/conftest" ] || GOBIN="$bin" go install github.com/open-policy-agent/conftest@v0.71.1
[ -x "$bin/kubeconform" ] || GOBIN="$bin" go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0
if [ ! -d "$work/kcschemas" ]; then
  (cd "$here" && go run ./internal/kubeschema/cmd/gen-kube-schemas -kubernetes v1.37.2 -api v0.37.2 \
    -shared "$here/../shared" -kubeconform "$work/kcschemas")
fi

. "$here/bench/lib.sh"
cd "$work"
echo "$N manifests"
measure "tollgate lint (structure + rules)" ./tollgate lint kube --format json -o out.json
full=$last
# GOGC set turns off tollgate's memory budget (internal/lint/memory.go): the trade it makes.
measure "tollgate lint, GOGC=100 (no memory budget)" env GOGC=100 ./tollgate lint kube --format json -o out.json
measure "conftest test (the same rules)" "$bin/conftest" test --no-color -o json --policy "$here/bench/kube-conftest" kube
conf=$last
measure "tollgate lint --checks schema" ./tollgate lint kube --checks schema --format json -o out.json
structure=$last
measure "kubeconform (local schemas, -n 2)" "$bin/kubeconform" -strict -summary -output json -n 2 \
  -schema-location "$work/kcschemas/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" kube
kc=$last
awk -v f="$full" -v c="$conf" -v s="$structure" -v k="$kc" \
  'BEGIN { printf "full lint: %.1f× faster than conftest; structure: %.2f× kubeconform'"'"'s time\n", c / f, s / k }'
# Both must have found the mistakes: tollgate the N/40 of each kind (N/10 findings, one of them
# structural), conftest the N/40 of the three kinds its per-document policy can see (3N/40).
./tollgate lint kube --format json -o out.json || true
printf 'tollgate findings: %s (want %s)\n' "$(grep -c '"rule":' out.json)" "$((N / 10))"
"$bin/conftest" test --no-color -o json --policy "$here/bench/kube-conftest" kube > conftest-out.json || true
printf 'conftest failures+warnings: %s (want %s)\n' "$(grep -c '"msg":' conftest-out.json)" "$((3 * N / 40))"
