#!/usr/bin/env bash
# End-to-end check of .pre-commit-hooks.yaml with a real `pre-commit run` (Debian's pre-commit):
# the hooks must fail on a repository with mistakes and pass on a clean one, for both the
# `tollgate` (language: golang, built by pre-commit from this repository at HEAD) and the
# `tollgate-system` (tollgate on PATH) hooks. Needs git, go and pre-commit; run from anywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v pre-commit >/dev/null || { echo "pre-commit is not installed (apt-get install pre-commit)"; exit 1; }
rev=$(git -C "$here" rev-parse HEAD)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" # a fresh hook environment, never the user's
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.invalid GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.invalid

# tollgate-system needs tollgate on PATH.
mkdir -p "$work/bin"
(cd "$here" && go build -o "$work/bin/tollgate" ./cmd/tollgate)
export PATH="$work/bin:$PATH"

make_repo() { # make_repo NAME EXAMPLE HOOK
  local dir="$work/$1"
  cp -r "$here/testdata/examples/$2" "$dir"
  cat > "$dir/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $here
    rev: $rev
    hooks:
      - id: $3
YAML
  git -C "$dir" init -q
  git -C "$dir" add -A
  git -C "$dir" commit -qm init --no-verify
  echo "$dir"
}

fail=0
for hook in tollgate-system tollgate; do
  good=$(make_repo "good-$hook" clean "$hook")
  bad=$(make_repo "bad-$hook" mistakes "$hook")
  if (cd "$good" && pre-commit run --all-files >"$work/good.log" 2>&1); then
    echo "ok: $hook passes on a clean repository"
  else
    echo "FAIL: $hook fails on a clean repository"; cat "$work/good.log"; fail=1
  fi
  if (cd "$bad" && pre-commit run --all-files >"$work/bad.log" 2>&1); then
    echo "FAIL: $hook passes on a repository with mistakes"; cat "$work/bad.log"; fail=1
  elif grep -q 'os-version-unreleased' "$work/bad.log"; then
    echo "ok: $hook fails on a repository with mistakes, naming them"
  else
    echo "FAIL: $hook failed without tollgate's findings"; cat "$work/bad.log"; fail=1
  fi
done
if [ $fail -eq 0 ]; then echo "2 passed, 0 failed"; else echo "pre-commit end-to-end failed"; fi
exit $fail
