#!/usr/bin/env bash
# Rebuild test/oracle/flow-oracle-answers.json: networkx's answers for the random graphs of
# test/graph-flow.test.ts. Needs a Python with networkx: Debian's /usr/bin/python3 with
# python3-networkx by default, or another one named by CROSSROADS_PYTHON. The test itself only reads
# the committed answers, so `npm test` needs no Python.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CROSSROADS_PYTHON="${CROSSROADS_PYTHON:-/usr/bin/python3}"
"$CROSSROADS_PYTHON" -c 'import networkx' 2>/dev/null || {
  echo "regenerate.sh: $CROSSROADS_PYTHON has no networkx (apt-get install python3-networkx, or set CROSSROADS_PYTHON)" >&2
  exit 2
}
CROSSROADS_REGENERATE_ORACLE=1 npx vitest run test/graph-flow.test.ts -t 'oracle: networkx'
echo "wrote test/oracle/flow-oracle-answers.json"
