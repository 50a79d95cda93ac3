#!/usr/bin/env bash
# One team file of 8 MB (66,666 inline policies, just under the 8 MiB file limit): issue #18's
# bound on a single document ("lints in seconds"). Prints the full lint, each stage alone and
# the yaml.v3 floor of the same bytes (median wall time and peak RSS of RUNS), and tollgate's
# --profile of one run.
#
#   bash bench/bigteam.sh            # RUNS=3
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
work=${WORK_DIR:-$(mktemp -d)}
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$work/repo/teams"
printf 'org_settings:\n  secrets:\n    - secret: $FLEET_GLOBAL_ENROLL_SECRET\n' > "$work/repo/default.yml"
awk 'BEGIN {
  print "name: Big"; print "policies:"
  for (i = 0; i < 66666; i++) {
    printf "  - name: Policy %06d\n    query: SELECT 1 FROM os_version WHERE major >= 13;\n    platform: darwin\n    critical: false\n", i
  }
}' > "$work/repo/teams/big.yml"
echo "team file: $(wc -c < "$work/repo/teams/big.yml") bytes"
(cd "$here" && go build -trimpath -o "$work/tollgate" ./cmd/tollgate && go build -o "$work/yamlfloor" ./bench/yamlfloor)

cd "$work/repo"
measure "tollgate lint" "$work/tollgate" lint --format json -o "$work/out.json" .
measure "tollgate lint --checks schema" "$work/tollgate" lint --format json -o /dev/null --checks schema .
measure "tollgate lint --checks policy" "$work/tollgate" lint --format json -o /dev/null --checks policy .
measure "yaml.v3 parse only (the floor)" "$work/yamlfloor" .
"$work/tollgate" lint --format json -o /dev/null --profile="$work/profile.txt" . || true
head -n 12 "$work/profile.txt"
