#!/usr/bin/env bash
# Keeps ONE comment on the pull request with the change review's plan, updated on every push
# instead of a new one each time. Run by action.yml's "Comment the plan on the pull request" step
# (comment: true); its inputs come through the environment:
#
#   TOLLGATE_PLAN        the Markdown plan (tollgate diff --format markdown: it starts with
#                        <!-- tollgate-plan --> and is cut before GitHub's 65,536-character limit)
#   TOLLGATE_CHANGES     true when the plan has changes, false when it has none
#   TOLLGATE_PR_NUMBER   github.event.pull_request.number (empty outside pull requests)
#   TOLLGATE_REPOSITORY  github.repository (owner/name)
#   TOLLGATE_API_URL     github.api_url (GitHub Enterprise Server has its own)
#   TOLLGATE_TOKEN       the token input: needs pull-requests: write (issues: write also works)
#   TOLLGATE_CATEGORY    the category input: one comment per category, so two tollgate jobs on
#                        one pull request (two GitOps directories) keep a comment each
#
# The comment is found by the plan's marker, a line naming the category, and its author: the
# token's user when the API says who that is (a personal or fine-grained token), otherwise a bot
# (github.token and GitHub App tokens): a comment someone pasted the marker into is never edited.
# It is updated in place (PATCH); without one it is created (POST), except when the plan has no
# changes (no comment is added just to say nothing changes; an earlier one is updated to say so).
# Copies left by two runs that commented at once are deleted, the oldest kept.
#
# Commenting is best effort, like the SARIF upload: the plan is in the job summary whatever
# happens here. A token that may not write (pull requests from forks get a read-only token, and
# so does Dependabot) is a notice; another failure of the API a warning. This script fails only
# on a mistake in its own inputs. It writes comment-url=<URL> to GITHUB_OUTPUT.
#
# It uses curl and jq (both on GitHub's runners); the token goes to curl in a header file, never
# on its command line.
set -euo pipefail

out=${GITHUB_OUTPUT:-/dev/stdout}
summary="the plan is in the job summary"

pr=${TOLLGATE_PR_NUMBER:-}
if [[ -z $pr ]]; then
  echo "::notice title=tollgate::comment: true: a ${GITHUB_EVENT_NAME:-non-pull-request} event has no pull request to comment on; $summary"
  exit 0
fi
[[ $pr =~ ^[0-9]+$ ]] || { echo "::error title=tollgate::comment: the pull request number \"$pr\" is not a number"; exit 2; }
repo=${TOLLGATE_REPOSITORY:-}
[[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || { echo "::error title=tollgate::comment: the repository \"$repo\" is not owner/name"; exit 2; }
[[ -s ${TOLLGATE_PLAN:-} ]] || { echo "::error title=tollgate::comment: no plan to comment (${TOLLGATE_PLAN:-none})"; exit 2; }
if [[ -z ${TOLLGATE_TOKEN:-} ]]; then
  echo "::notice title=tollgate::comment: true but the token input is empty; $summary"
  exit 0
fi
for tool in curl jq; do
  if ! command -v "$tool" > /dev/null; then
    echo "::warning title=tollgate::comment: $tool is not installed on this runner, so the pull request gets no comment; $summary"
    exit 0
  fi
done
api=${TOLLGATE_API_URL:-https://api.github.com}
api=${api%/}

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tollgate-comment.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(
  umask 077
  printf 'Authorization: Bearer %s\n' "$TOLLGATE_TOKEN" > "$tmp/auth"
)

# request METHOD URL [JSON-FILE]: prints the HTTP status (000 when there was no answer); the
# response's body is left in $tmp/response.
request() {
  local args=(--silent --show-error --max-time 30 -X "$1" -o "$tmp/response" -w '%{http_code}'
    -H @"$tmp/auth" -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28")
  if [[ $# -ge 3 ]]; then
    args+=(-H "Content-Type: application/json" --data-binary @"$3")
  fi
  : > "$tmp/response"
  curl "${args[@]}" "$2" 2> "$tmp/curl-error" || true
}

# refused CODE WHAT: the notice or warning for a request that failed.
refused() {
  local message
  message=$(jq -r '.message? // empty' "$tmp/response" 2> /dev/null || true)
  message=${message:-$(head -c 200 "$tmp/curl-error" 2> /dev/null || true)}
  case $1 in
    401 | 403 | 404)
      echo "::notice title=tollgate::cannot $2 on pull request #$pr (HTTP $1${message:+: $message}): the token can't write to pull requests, as on pull requests from forks and Dependabot, or without permissions: pull-requests: write; $summary"
      ;;
    *)
      echo "::warning title=tollgate::cannot $2 on pull request #$pr (HTTP $1${message:+: $message}); $summary"
      ;;
  esac
  exit 0
}

marker='<!-- tollgate-plan -->'
category_id=$(printf '%s' "${TOLLGATE_CATEGORY:-}" | { sha256sum 2> /dev/null || shasum -a 256; } | cut -c1-16)
tag="<!-- tollgate-comment: category $category_id -->"

# Who the comment's author must be.
login=""
if [[ $(request GET "$api/user") == 200 ]]; then
  login=$(jq -r '.login // empty' "$tmp/response")
fi

# The plan's comments, oldest first (pages of 100, at most 100 pages). Two runs that started
# together may each have added one: the oldest is kept up to date, the others are deleted.
ids=()
for ((page = 1; page <= 100; page++)); do
  code=$(request GET "$api/repos/$repo/issues/$pr/comments?per_page=100&page=$page")
  [[ $code == 200 ]] || refused "$code" "read the comments"
  while read -r id; do
    ids+=("$id")
  done < <(jq -r --arg marker "$marker" --arg tag "$tag" --arg login "$login" '
    .[] | select((.body // "") | startswith($marker) and contains($tag))
        | select(if $login != "" then .user.login == $login else .user.type == "Bot" end)
        | .id' "$tmp/response")
  if [[ $(jq length "$tmp/response") -lt 100 ]]; then
    break
  fi
done

{
  cat "$TOLLGATE_PLAN"
  printf '\n%s\n' "$tag"
} | jq -Rs '{body: .}' > "$tmp/body.json"

if [[ ${#ids[@]} -gt 0 ]]; then
  code=$(request PATCH "$api/repos/$repo/issues/comments/${ids[0]}" "$tmp/body.json")
  [[ $code == 200 ]] || refused "$code" "update the plan's comment"
  url=$(jq -r '.html_url // empty' "$tmp/response")
  echo "tollgate: updated the plan's comment on pull request #$pr: $url"
  for id in "${ids[@]:1}"; do
    code=$(request DELETE "$api/repos/$repo/issues/comments/$id")
    [[ $code == 204 ]] || echo "::warning title=tollgate::cannot delete an older copy of the plan's comment ($id) on pull request #$pr (HTTP $code)"
  done
elif [[ ${TOLLGATE_CHANGES:-true} == false ]]; then
  echo "tollgate: the merge changes nothing in the fleet and pull request #$pr has no plan comment yet: none added"
  exit 0
else
  code=$(request POST "$api/repos/$repo/issues/$pr/comments" "$tmp/body.json")
  [[ $code == 201 ]] || refused "$code" "comment"
  url=$(jq -r '.html_url // empty' "$tmp/response")
  echo "tollgate: commented the plan on pull request #$pr: $url"
fi
echo "comment-url=$url" >> "$out"
