#!/bin/sh
# System packages the test suite needs, installed only when missing (idempotent; run by `npm test`).
# - redis-server (Debian): test/experiment-redis.test.ts starts a private server on 127.0.0.1;
# - python3-networkx: the max-flow / min-cost-flow oracle of test/graph-flow.test.ts (/usr/bin/python3).
set -eu
missing=""
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing="$missing redis-server"
/usr/bin/python3 -c "import networkx" >/dev/null 2>&1 || missing="$missing python3-networkx"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing:$missing (install them with your package manager)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "test-deps: installing$missing with apt-get" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2 ||
  { $SUDO apt-get update >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2; }
