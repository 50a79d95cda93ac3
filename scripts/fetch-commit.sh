#!/usr/bin/env bash
# Makes sure the git repository at TOP holds the commit SHA, fetching that commit alone from
# origin when it does not (a CI checkout is shallow and lacks the pull request's base):
#
#   scripts/fetch-commit.sh TOP SHA
#
# The action's change review and trusted-config: base run it. The fetch goes first with what the
# checkout left (its credentials when it persisted them). When that fails and TOLLGATE_FETCH_TOKEN
# is set (the action's token input: the job's github.token by default) and origin is on
# TOLLGATE_SERVER_URL (github.server_url), it is tried again with the token, as actions/checkout
# passes it: an HTTP header for that server only, handed to this one git process through its
# environment (never on a command line, never written to .git/config), its encoded form masked
# in the log. So a private repository checked out with persist-credentials: false still gets its
# base commit, and no later step finds the token in the checkout.
#
# A full clone (not shallow) fetches without --depth, so it stays complete and merge bases can
# still be found.
#
# Exit codes: 0 the commit is there; 1 it could not be fetched (the reason on stderr); 2 usage.
set -euo pipefail

if [[ $# -ne 2 || -z $1 || ! $2 =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]; then
  echo "usage: fetch-commit.sh TOP SHA (a full commit ID)" >&2
  exit 2
fi
top=$1
sha=$2

if git -C "$top" cat-file -e "$sha^{commit}" 2>/dev/null; then
  exit 0
fi

depth=()
if [[ $(git -C "$top" rev-parse --is-shallow-repository) == true ]]; then
  depth=(--depth=1)
fi
export GIT_TERMINAL_PROMPT=0 # never wait for a password nobody will type
fetch() {
  git -C "$top" fetch --quiet --no-tags "${depth[@]}" origin "$sha"
}

err=$(fetch 2>&1) && exit 0

origin=$(git -C "$top" remote get-url origin 2>/dev/null || true)
server=${TOLLGATE_SERVER_URL:-}
server=${server%/}
if [[ -n ${TOLLGATE_FETCH_TOKEN:-} && -n $server && $origin == "$server/"* ]]; then
  credential=$(printf 'x-access-token:%s' "$TOLLGATE_FETCH_TOKEN" | base64 | tr -d '\n')
  echo "::add-mask::$credential"
  if err=$(GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$server/.extraheader" \
    GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $credential" fetch 2>&1); then
    exit 0
  fi
fi
err=${err%$'\n'}
echo "cannot fetch commit $sha from origin: ${err##*$'\n'}" >&2 # git's last line says why
exit 1
