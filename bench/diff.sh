#!/usr/bin/env bash
# The change review's cost against a plain lint, same machine, same run (issue #12's targets:
# `tollgate diff` in proportion to what changed, under a quarter of a full lint; `lint --base`
# under 1.5× a plain lint), and what leaving out known findings costs: `lint --base --new-only`
# (a second lint, of the base) and `lint --baseline` (the fingerprints of the findings). The repository is bench/run.sh's synthetic one (N team files) with a
# lib/ policies file that five teams include, committed; the change edits three team files and
# that lib file. Wall time and peak RSS from /usr/bin/time, median of RUNS.
#
#   bash bench/diff.sh            # N=10000 RUNS=3
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-10000}
RUNS=${RUNS:-3}
work=${WORK_DIR:-$(mktemp -d)}
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"

go run "$here/bench/gen" -n "$N" -o "$work/repo"
(cd "$here" && go build -trimpath -o "$work/tollgate" ./cmd/tollgate)
cd "$work/repo"
mkdir -p lib
printf -- '- name: Shared policy\n  query: SELECT 1;\n  platform: darwin\n' > lib/shared.yml
for f in $(ls teams | head -n 5); do
  sed -i 's#^policies:#policies:\n  - path: ../lib/shared.yml#' "teams/$f"
done
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main && git add -A && git commit -q -m base
sed -i 's/SELECT 1;/SELECT 2;/' lib/shared.yml
for f in $(ls teams | sed -n '100p;5000p;9000p'); do
  sed -i 's/interval: 3600/interval: 7200/' "teams/$f"
done

. "$here/bench/lib.sh"

echo "$N team files; the change: 3 team files and 1 lib file included by 5 teams"
measure "tollgate lint" "$work/tollgate" lint . --format json -o "$work/lint.json"
lint=$last
measure "tollgate diff --base main" "$work/tollgate" diff . --base main --format json -o "$work/plan.json"
diff=$last
measure "tollgate lint --base main" "$work/tollgate" lint . --base main --format json -o "$work/out.json"
review=$last
measure "tollgate lint --base main --new-only" "$work/tollgate" lint . --base main --new-only --format json -o "$work/out.json"
newonly=$last
echo "  it reports $(grep -c '"rule"' "$work/out.json") findings (the plain lint: $(grep -c '"rule"' "$work/lint.json"))"
"$work/tollgate" lint . --write-baseline "$work/baseline.json" --format json -o "$work/out.json" 2>/dev/null || true
measure "tollgate lint --baseline FILE" "$work/tollgate" lint . --baseline "$work/baseline.json" --format json -o "$work/out.json"
baseline=$last
echo "findings: $(grep -c '"rule"' "$work/baseline.json") kinds in the baseline"
awk -v l="$lint" -v d="$diff" -v r="$review" 'BEGIN { printf "diff = %.2f× a lint, lint --base = %.2f× a lint\n", d / l, r / l }'
awk -v l="$lint" -v n="$newonly" -v b="$baseline" 'BEGIN { printf "lint --base --new-only = %.2f× a lint, lint --baseline = %.2f× a lint\n", n / l, b / l }'
