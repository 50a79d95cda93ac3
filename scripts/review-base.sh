#!/usr/bin/env bash
# Decides the commit the action's change review compares the checkout with, and makes sure the
# clone holds it. Run by action.yml's "Find the base of the change review" step; its inputs come
# through the environment:
#
#   TOLLGATE_BASE          the base input: auto, none (or empty), a commit ID, or a ref
#   TOLLGATE_PATH          the path input (the GitOps directory, in the checkout)
#   TOLLGATE_PR_BASE_SHA   github.event.pull_request.base.sha (empty outside pull requests)
#   TOLLGATE_PR_HEAD_SHA   github.event.pull_request.head.sha
#   TOLLGATE_FETCH_TOKEN, TOLLGATE_SERVER_URL   for scripts/fetch-commit.sh
#
# It writes sha=<commit> to GITHUB_OUTPUT, or sha= when there is nothing to review.
#
# base: auto on a pull request (pull_request, pull_request_target: any event with a pull request)
# compares with what the merge starts from:
#   - the checkout is GitHub's merge commit (refs/pull/N/merge, what actions/checkout takes on
#     pull_request): its first parent, the base branch it was merged into, so the plan is exactly
#     what merging does;
#   - the checkout is the pull request's head (as pull_request_target workflows check it out):
#     its merge base with the base branch, when the clone has the history to find it (fetch-depth:
#     0); otherwise the base branch's commit, with a warning that changes made on the base branch
#     since the pull request branched off show reversed;
#   - anything else: the pull request's base commit.
# base: auto on any other event (a push) reviews nothing. A commit ID or a ref reviews against it
# on any event (a push can give github.event.before); an all-zero ID (a new branch) reviews
# nothing.
#
# Exit codes: 0 decided (maybe nothing); 2 the input is wrong or the commit can't be had.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${GITHUB_OUTPUT:-/dev/stdout}
base=${TOLLGATE_BASE:-}
pr_base=${TOLLGATE_PR_BASE_SHA:-}
pr_head=${TOLLGATE_PR_HEAD_SHA:-}
full_sha='^[0-9a-f]{40}([0-9a-f]{24})?$'

fail() {
  echo "::error title=tollgate change review::$1"
  exit 2
}
none() {
  echo "sha=" >> "$out"
  exit 0
}

case $base in
  "" | none) none ;;
  auto)
    if [[ -z $pr_base ]]; then
      echo "tollgate: base: auto: a ${GITHUB_EVENT_NAME:-non-pull-request} event has no pull request, so there is no change to review"
      none
    fi
    [[ $pr_base =~ $full_sha ]] || fail "base: auto: the pull request's base is not a commit ID"
    ;;
  -*) fail "base: \"$base\" is not a commit or a ref" ;;
  *)
    if [[ $base =~ ^0+$ ]]; then
      echo "tollgate: base: $base: no earlier commit (a new branch), so there is no change to review"
      none
    fi
    ;;
esac

top=$(git -C "${TOLLGATE_PATH:-.}" rev-parse --show-toplevel 2>/dev/null) ||
  fail "base: $base: the path input is not in a git checkout; check the repository out with actions/checkout, or set base: none"

fetch() {
  local err
  if ! err=$(bash "$here/fetch-commit.sh" "$top" "$1" 2>&1); then
    fail "base: $base: ${err##*$'\n'}; check out with fetch-depth: 0, or give the action a token that can read the repository"
  fi
}

if [[ $base != auto ]]; then
  if [[ $base =~ $full_sha ]]; then
    fetch "$base"
    sha=$base
  elif ! sha=$(git -C "$top" rev-parse --verify --quiet --end-of-options "$base^{commit}"); then
    fail "base: \"$base\" is not a commit of this checkout; give a commit ID (fetched when missing) or check out with fetch-depth: 0"
  fi
  echo "tollgate: change review against $sha (base: $base)"
  echo "sha=$sha" >> "$out"
  exit 0
fi

head=$(git -C "$top" rev-parse HEAD)
# The commit's own parent lines: a shallow clone hides the parents from rev-parse, not from the
# commit object.
parents=()
while read -r parent; do
  parents+=("$parent")
done < <(git -C "$top" cat-file commit HEAD | sed -n '/^$/q; s/^parent //p')
if [[ ${#parents[@]} -eq 2 && ${parents[1]} == "$pr_head" ]]; then
  sha=${parents[0]}
  fetch "$sha"
  echo "tollgate: change review against $sha, the base branch this pull request's merge commit merges into"
elif [[ $head == "$pr_head" ]]; then
  fetch "$pr_base"
  if sha=$(git -C "$top" merge-base "$pr_base" HEAD 2>/dev/null); then
    echo "tollgate: change review against $sha, where the pull request's head branched off the base branch"
  else
    sha=$pr_base
    echo "::warning title=tollgate change review::the pull request's head is checked out and the clone lacks the history to find where it branched off; comparing with the base branch's commit $pr_base, so changes made on the base branch since then show reversed. Check out with fetch-depth: 0, or check out the merge commit (the default of actions/checkout on pull_request)"
  fi
else
  sha=$pr_base
  fetch "$sha"
  echo "tollgate: change review against the pull request's base commit $sha"
fi
echo "sha=$sha" >> "$out"
