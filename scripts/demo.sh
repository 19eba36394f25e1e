#!/usr/bin/env bash
# Runs deploy-check on the bundled example app (examples/fastapi) with the committed bundle.
# When no Docker engine answers, sets one up first (Debian/Ubuntu as root: see scripts/testbed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
  bash scripts/testbed.sh
elif ! docker image inspect debian:bookworm-slim >/dev/null 2>&1 && ! docker pull -q debian:bookworm-slim >/dev/null 2>&1; then
  # No registry reachable: build the base image locally.
  bash scripts/testbed.sh
fi
exec node dist/cli.js --context examples/fastapi --report .tmp/demo-report.json "$@"
