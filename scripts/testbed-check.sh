#!/usr/bin/env bash
# Checks that the test bed made by scripts/testbed.sh behaves as the tests expect:
#   - the main engine exports a BuildKit cache with the default driver;
#   - the classic-store engine refuses it ("Cache export is not supported for the docker driver");
#   - both local registries take a push (the second one only with its credentials);
#   - every fixture under test/fixtures builds (build-error fails at its second RUN);
#   - Compose v2 resolves a file, and the pgvector/pgvector:pg17 stand-in starts Postgres with the
#     vector extension behind a pg_isready healthcheck.
# Leaves nothing behind: its images are removed, its registry pushes deleted.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

CLASSIC_HOST=unix:///run/docker-classic.sock
ok=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DOCKER_CONFIG=$tmp/docker-config # keeps registry logins out of the user's config
mkdir -p "$DOCKER_CONFIG"
# The caller's docker config may hold a context; the CLI plugins are found without it.
if [ -d "${HOME:-/root}/.docker/cli-plugins" ]; then
  ln -s "${HOME:-/root}/.docker/cli-plugins" "$DOCKER_CONFIG/cli-plugins"
fi

check() { # NAME COMMAND...
  local name=$1; shift
  if "$@" >"$tmp/out" 2>&1; then
    ok=$((ok + 1)); printf 'ok      %s\n' "$name"
  else
    failed=$((failed + 1)); printf 'FAILED  %s\n' "$name"; tail -n 15 "$tmp/out" | sed 's/^/        /'
  fi
}

tag=deploy-check-testbed-check/probe:$$
mkdir -p "$tmp/ctx"
printf 'FROM deploy-check-test/busybox:latest\nRUN echo %s > /probe\n' "$$" >"$tmp/ctx/Dockerfile"

cache_export_works() {
  docker buildx build --cache-to "type=local,dest=$tmp/cache,mode=max" -t "$tag" "$tmp/ctx" \
    && [ -f "$tmp/cache/index.json" ]
}
cache_export_refused_on_classic() {
  local out
  out=$(DOCKER_HOST=$CLASSIC_HOST docker buildx build --cache-to "type=local,dest=$tmp/cache2" \
    -t "$tag" "$tmp/ctx" 2>&1) && { echo "cache export unexpectedly worked"; return 1; }
  grep -q 'Cache export is not supported for the docker driver' <<<"$out" || { echo "$out"; return 1; }
}
classic_build_works() {
  DOCKER_HOST=$CLASSIC_HOST docker buildx build -t "$tag" "$tmp/ctx"
}
push_plain() {
  docker tag "$tag" "127.0.0.1:5000/$tag" && docker push -q "127.0.0.1:5000/$tag"
}
push_auth() {
  docker tag "$tag" "127.0.0.1:5001/$tag" || return 1
  if docker push -q "127.0.0.1:5001/$tag" 2>/dev/null; then echo "push without login worked"; return 1; fi
  echo dcpass | docker login -u dcuser --password-stdin 127.0.0.1:5001 && docker push -q "127.0.0.1:5001/$tag"
}
delete_pushed() { # REGISTRY [CURL AUTH ARGS...]
  local registry=$1; shift
  local repo=${tag%:*} ref=${tag##*:} digest
  digest=$(curl -fsS "$@" -I -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    "http://$registry/v2/$repo/manifests/$ref" | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }')
  [ -n "$digest" ] && curl -fsS "$@" -X DELETE "http://$registry/v2/$repo/manifests/$digest" >/dev/null
}
build_fixture() { # DIR
  docker buildx build -q -t "deploy-check-testbed-check/$(basename "$1"):$$" "$1"
}
build_error_fails_at_second_run() {
  local out
  out=$(docker buildx build -t "deploy-check-testbed-check/build-error:$$" test/fixtures/build-error 2>&1) \
    && { echo "build-error built"; return 1; }
  grep -q 'exit code: 7' <<<"$out" || { echo "$out"; return 1; }
}

check "main engine: buildx cache export (type=local, mode=max)" cache_export_works
if DOCKER_HOST=$CLASSIC_HOST docker info >/dev/null 2>&1; then
  check "classic engine: storage driver overlay2" \
    bash -c "[ \"\$(DOCKER_HOST=$CLASSIC_HOST docker info --format '{{.Driver}}')\" = overlay2 ]"
  check "classic engine: cache export refused" cache_export_refused_on_classic
  check "classic engine: plain build" classic_build_works
else
  failed=$((failed + 1)); echo "FAILED  classic engine: $CLASSIC_HOST does not answer"
fi
check "registry 127.0.0.1:5000: push" push_plain
check "registry 127.0.0.1:5001: push refused without login, accepted with dcuser" push_auth
delete_pushed 127.0.0.1:5000 || true
delete_pushed 127.0.0.1:5001 -u dcuser:dcpass || true
# The registry keeps an emptied repository in its catalog; drop it where its storage is ours.
for store in /var/lib/deploy-check-registry/plain /var/lib/deploy-check-registry/auth; do
  [ -w "$store" ] && rm -rf "$store/docker/registry/v2/repositories/deploy-check-testbed-check"
done
for dir in test/fixtures/*/; do
  name=$(basename "$dir")
  if [ "$name" = build-error ]; then
    check "fixture build-error: fails with exit code 7" build_error_fails_at_second_run
  else
    check "fixture $name: builds" build_fixture "$dir"
  fi
done

compose_v2() {
  docker compose version --short | grep -Eq '^v?2\.'
}
pgvector_starts() {
  local project=deploy-check-testbed-check-$$
  mkdir -p "$tmp/compose"
  cat >"$tmp/compose/docker-compose.yml" <<'YAML'
services:
  db:
    image: pgvector/pgvector:pg17
    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: app-pw, POSTGRES_DB: app }
    healthcheck: { test: ["CMD-SHELL", "pg_isready -U app -d app"], interval: 1s, retries: 60 }
YAML
  local rc=0
  docker compose -p "$project" -f "$tmp/compose/docker-compose.yml" up -d --wait db \
    && docker compose -p "$project" -f "$tmp/compose/docker-compose.yml" exec -T db \
      psql -U app -d app -v ON_ERROR_STOP=1 -qtAc "CREATE EXTENSION vector; SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector" \
    || rc=1
  docker compose -p "$project" -f "$tmp/compose/docker-compose.yml" down -v -t 0 >/dev/null 2>&1
  return $rc
}
check "compose: docker compose is Compose v2" compose_v2
check "compose: pgvector/pgvector:pg17 stand-in starts, turns healthy, has the vector extension" pgvector_starts

docker image ls --format '{{.Repository}}:{{.Tag}}' \
  | grep -E "^(127\.0\.0\.1:500[01]/)?deploy-check-testbed-check/" \
  | xargs -r docker rmi -f >/dev/null 2>&1
DOCKER_HOST=$CLASSIC_HOST docker rmi -f "$tag" >/dev/null 2>&1
echo "testbed checks: $ok ok, $failed failed"
[ "$failed" = 0 ]
