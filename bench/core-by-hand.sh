#!/usr/bin/env bash
# The hand-written check deploy-check replaces, as teams write it in CI: build, run, curl in a
# sleep loop, clean up. Used by bench/core.ts as the baseline.
# Usage: core-by-hand.sh CONTEXT TAG PORT HEALTH_PATH TIMEOUT_SECONDS [PRE_DEPLOY_COMMAND...]
# With a pre-deploy command (e.g. the migrations of railway.json), it runs first in a one-off
# container, as Railway does, and the app starts only if it passed.
# Prints key=value lines (milliseconds) on stdout.
set -euo pipefail
context=$1 tag=$2 port=$3 path=$4 timeout=$5
shift 5
ms() { echo $(( $(date +%s%N) / 1000000 )); }

t0=$(ms)
docker buildx build --quiet --load --tag "$tag" "$context" >/dev/null
t1=$(ms)
# (Named only so that bench/core.ts tells it from the app.)
if [ "$#" -gt 0 ]; then docker run --rm --name "$(printf %s "$tag" | tr -c 'a-zA-Z0-9_.-' -)-predeploy-1" "$tag" "$@" >/dev/null; fi
cid=$(docker run --detach --publish "127.0.0.1::$port" "$tag")
trap 'docker rm --force "$cid" >/dev/null' EXIT
host_port=$(docker port "$cid" "$port/tcp" | head -n 1 | sed 's/.*://')
healthy=0
for _ in $(seq "$timeout"); do
  if curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port$path" >/dev/null; then healthy=1; break; fi
  sleep 1
done
t2=$(ms)
started=$(docker inspect --format '{{.State.StartedAt}}' "$cid")
echo "build_ms=$((t1 - t0))"
echo "healthy=$healthy"
echo "healthy_at_ms=$t2"
echo "started_at=$started"
[ "$healthy" = 1 ]
