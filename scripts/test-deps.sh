#!/usr/bin/env bash
# System packages the tests need, installed only when missing (idempotent; Debian's apt-get).
# `npm test` runs this before the tests (the `pretest` script), so the README's test command works on
# a fresh machine. (The max-flow oracle's networkx answers are committed as
# fixtures, see test/oracle/regenerate.sh); add a need as "COMMAND|DEBIAN-PACKAGE", e.g.
# "redis-server|redis-server": the package is installed when COMMAND is not found.
set -euo pipefail

NEEDS=(
  "redis-server|redis-server"  # test/experiment-redis.test.ts starts a private server on 127.0.0.1
  "chromium|chromium"          # test/browser.test.ts drives Debian's Chromium with playwright-core
)

missing=()
for need in "${NEEDS[@]}"; do
  command -v "${need%%|*}" >/dev/null 2>&1 || missing+=("${need##*|}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "test-deps: the tests need ${missing[*]}; install with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
