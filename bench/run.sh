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
# Last, the scaling table: SCALE (default 1,000 / 5,000 / 10,000 / 20,000) copies of one real
# team file (TEAM, default Fleet's workstations.yml: 101 lines, 40 includes of the shared lib/)
# with unique names and secrets, each size linted once, with the yaml.v3 floor and conftest on
# the same files: wall, user CPU, peak RSS, time per team, and the ratios. SCALE= skips it.
#
#   bash bench/run.sh            # N=10000 RUNS=3 N_LIKE=2000
#   N=1000 RUNS=5 bash bench/run.sh
#   N=1000 RUNS=1 N_LIKE=0 SCALE="1000 2000" bash bench/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
RUNS=${RUNS:-3}
work=${WORK_DIR:-$(mktemp -d)}
N_LIKE=${N_LIKE:-2000}
LIKE=${LIKE:-$here/../shared/corpora/fleet-it-and-security}
TEAM=${TEAM:-workstations.yml}
SCALE=${SCALE-1000 5000 10000 20000}
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"

go run "$here/bench/gen" -n "$N" -o "$work/repo"
if [ -d "$LIKE" ] && [ "$N_LIKE" -gt 0 ]; then
  rm -rf "$work/like"
  go run "$here/bench/gen" -n "$N_LIKE" -like "$LIKE" -o "$work/like"
fi
sync # see the scaling table below
(cd "$here" && go build -trimpath -o "$work/tollgate" ./cmd/tollgate && go build -trimpath -o "$work/yamlfloor" ./bench/yamlfloor && go build -o "$work/gen" ./bench/gen)
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

# The scaling table: one run of each command per size, one size after the other.
once() { # once CMD...: "wall user rss_kb" of one run
  /usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time"
}
if [ -d "$LIKE" ] && [ -n "$SCALE" ]; then
  echo
  echo "scaling: N copies of $(basename "$LIKE")/teams/$TEAM beside its lib/, one run each, load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%7s | %8s %8s %7s %9s | %8s %8s | %8s %7s %8s\n' teams wall user RSS "ms/team" floor "×floor" conftest RSS "×faster"
  rows=()
  for n in $SCALE; do
    rm -rf "$work/scale"
    ./gen -n "$n" -like "$LIKE" -team "$TEAM" -o "$work/scale" >/dev/null
    # The files just written are still being written back to disk: measured at once, the
    # first command paid for it (1,000 teams: 1.29 s against 1.02 s for the same files synced).
    sync
    read -r tw tu tm < <(once ./tollgate lint scale --format json -o out.json)
    read -r fw _ _ < <(once ./yamlfloor scale)
    read -r cw _ cm < <(once "$conftest" test --no-color -o json --policy "$here/bench/conftest" \
      --data "$here/bench/conftest/data.json" scale/default.yml scale/teams/)
    awk -v n="$n" -v tw="$tw" -v tu="$tu" -v tm="$tm" -v fw="$fw" -v cw="$cw" -v cm="$cm" 'BEGIN {
      printf "%7d | %7.2fs %7.2fs %5dMB %9.3f | %7.2fs %8.2f | %7.2fs %5dMB %8.2f\n",
        n, tw, tu, tm / 1024, 1000 * tw / n, fw, tw / fw, cw, cm / 1024, cw / tw }'
    rows+=("$n $tw $tm")
  done
  rm -rf "$work/scale"
  # Flat means: time per team and peak memory within 25 % from the smallest size to the largest.
  printf '%s\n' "${rows[@]}" | awk '{ t = $2 / $1; m = $3
    if (NR == 1 || t < tmin) tmin = t; if (NR == 1 || t > tmax) tmax = t
    if (NR == 1 || m < mmin) mmin = m; if (NR == 1 || m > mmax) mmax = m }
    END { printf "variation over the sizes: time per team %.0f %%, peak RSS %.0f %%\n", 100 * (tmax - tmin) / tmin, 100 * (mmax - mmin) / mmin }'
fi
