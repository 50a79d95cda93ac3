#!/usr/bin/env bash
# Reproduces the README's performance figures: tollgate against conftest v0.71.1 on the same
# generated repository (N team files of ~1.7 KB, 10 % with an unreleased macOS version, 10 %
# with a misspelt key), same machine, same run, with the floor under both (reading and parsing
# the same files with yaml.v3, nothing else). Wall time and peak RSS from /usr/bin/time;
# each command runs RUNS times and the median is printed.
#
# Then the same lint on a repository shaped like a real one (LIKE, default Fleet's own
# it-and-security configuration from ../shared/corpora): N_LIKE copies of its team files, which
# share its lib/ includes, profiles and packages, 15 to 40 profiles a team. Quadratic rules and
# per-team conversions of shared files show there, not in the synthetic teams.
#
#   bash bench/run.sh            # N=10000 RUNS=3 N_LIKE=2000
#   N=1000 RUNS=5 bash bench/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
RUNS=${RUNS:-3}
work=${WORK_DIR:-$(mktemp -d)}
N_LIKE=${N_LIKE:-2000}
LIKE=${LIKE:-$here/../shared/corpora/fleet-it-and-security}
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"

go run "$here/bench/gen" -n "$N" -o "$work/repo"
if [ -d "$LIKE" ]; then
  rm -rf "$work/like"
  go run "$here/bench/gen" -n "$N_LIKE" -like "$LIKE" -o "$work/like"
fi
(cd "$here" && go build -trimpath -o "$work/tollgate" ./cmd/tollgate && go build -trimpath -o "$work/yamlfloor" ./bench/yamlfloor)
conftest=${CONFTEST:-}
if [ -z "$conftest" ]; then
  GOBIN="$work/bin" go install github.com/open-policy-agent/conftest@v0.71.1
  conftest="$work/bin/conftest"
fi

. "$here/bench/lib.sh"

cd "$work"
measure "tollgate lint (schema + policy)" ./tollgate lint repo --format json -o out.json
full=$last
measure "tollgate lint --checks policy" ./tollgate lint repo --checks policy --format json -o out.json
measure "tollgate lint --checks schema" ./tollgate lint repo --checks schema --format json -o out.json
measure "yaml.v3 parse only (the floor)" ./yamlfloor repo
floor=$last
measure "conftest test (equivalent Rego)" "$conftest" test --no-color -o json --policy "$here/bench/conftest" \
  --data "$here/bench/conftest/data.json" repo/default.yml repo/teams/
# The machine's speed drifts; the ratios within one run do not.
awk -v f="$full" -v y="$floor" -v c="$last" 'BEGIN { printf "full lint = %.2f× the floor, %.2f× conftest\n", f / y, f / c }'
if [ -d "$work/like" ]; then
  echo "shaped like $(basename "$LIKE"): $N_LIKE team files"
  measure "tollgate lint (schema + policy)" ./tollgate lint like --format json -o out.json
  measure "yaml.v3 parse only (the floor)" ./yamlfloor like
fi
