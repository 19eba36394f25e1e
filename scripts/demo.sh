#!/usr/bin/env bash
# Runs deploy-check on a bundled example app with the committed bundle:
#   npm run demo                                  examples/fastapi
#   npm run demo -- examples/fastapi-postgres     FastAPI + Postgres: its docker-compose.yml starts the database
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
if [ -f "$example/docker-compose.yml" ]; then
  args+=(--compose-file "$example/docker-compose.yml")
fi
if ! docker info >/dev/null 2>&1; then
  bash scripts/testbed.sh
elif ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 && ! docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  # No registry reachable: build the base image locally.
  bash scripts/testbed.sh
elif [ -f "$example/docker-compose.yml" ] && ! docker compose version >/dev/null 2>&1; then
  bash scripts/testbed.sh
elif grep -q 'pgvector/pgvector:pg17' "$example/docker-compose.yml" 2>/dev/null \
    && ! docker image inspect pgvector/pgvector:pg17 >/dev/null 2>&1 && ! docker pull -q pgvector/pgvector:pg17 >/dev/null 2>&1; then
  # No registry reachable: the test bed builds a stand-in from Debian's packages.
  bash scripts/testbed.sh
fi
exec node dist/cli.js "${args[@]}" "$@"
