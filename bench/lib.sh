# Shared by the bench scripts: measure NAME CMD... runs CMD RUNS times and prints the median
# wall seconds and peak RSS (from /usr/bin/time); the median's seconds are left in $last.
# Needs $RUNS and $work set.
measure() {
  local name=$1; shift
  local times=() mems=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$work/time")
    times+=("$t"); mems+=("$m")
  done
  local mt mm
  mt=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  mm=$(printf '%s\n' "${mems[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-44s %8.2f s %8d MB\n' "$name" "$mt" "$((mm / 1024))"
  last=$mt
}
