#!/usr/bin/env bash
# The steps a team writes by hand to check an app that needs Postgres at start: build, a network,
# the database, a pg_isready loop, the migrations, the app, a curl loop, clean up. Used by
# bench/services.ts as the baseline for the examples/fastapi-postgres app.
# Usage: services-by-hand.sh CONTEXT TAG TIMEOUT_SECONDS
# Prints key=value lines (milliseconds since the epoch, or durations) on stdout.
set -euo pipefail
context=$1 tag=$2 timeout=$3
ms() { echo $(( $(date +%s%N) / 1000000 )); }
suffix=$$-$RANDOM
net=bench-services-net-$suffix db=bench-services-db-$suffix app=bench-services-app-$suffix

t0=$(ms)
cleanup() {
  docker rm --force --volumes "$app" "$db" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
}
trap cleanup EXIT
docker buildx build --quiet --load --tag "$tag" "$context" >/dev/null
tb=$(ms)
docker network create "$net" >/dev/null
# The image Railway's SDK names for postgres(...), as the example's .railway/railway.ts declares.
docker run --detach --name "$db" --network "$net" --network-alias postgres.railway.internal \
  -e POSTGRES_USER=postgres -e POSTGRES_PASSWORD=bench-db-password -e POSTGRES_DB=railway \
  ghcr.io/railwayapp-templates/postgres-ssl:18 >/dev/null
for _ in $(seq "$timeout"); do
  docker exec "$db" pg_isready -q -h 127.0.0.1 -U postgres -d railway && break
  sleep 1
done
url=postgresql://postgres:bench-db-password@postgres.railway.internal:5432/railway
docker run --rm --network "$net" -e DATABASE_URL=$url "$tag" python3 -m alembic upgrade head >/dev/null 2>&1
docker run --detach --name "$app" --network "$net" -e DATABASE_URL=$url --publish 127.0.0.1::8000 "$tag" >/dev/null
host_port=$(docker port "$app" 8000/tcp | head -n 1 | sed 's/.*://')
healthy=0
for _ in $(seq "$timeout"); do
  if curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port/api/v1/health/ready" >/dev/null; then healthy=1; break; fi
  sleep 1
done
t1=$(ms)
cleanup
t2=$(ms)
echo "healthy=$healthy"
echo "healthy_ms=$((t1 - t0))"
echo "after_build_ms=$((t1 - tb))"
echo "total_ms=$((t2 - t0))"
[ "$healthy" = 1 ]
