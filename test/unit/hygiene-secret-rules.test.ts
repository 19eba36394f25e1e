/**
 * The rules on what the image records beside its files (config, history, provenance), from
 * fabricated records: rows of facts → findings and the values to mask.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readDockerfileFacts } from '../../src/config/dockerfile.ts';
import type { HygieneLayerRef } from '../../src/model/report.ts';
import { stageChain, type HistoryEntry, type Origin } from '../../src/hygiene/history.ts';
import { BASE_SECRET_FIX, type Draft } from '../../src/hygiene/rules/draft.ts';
import { secretRecordFindings, type SecretRecordFacts } from '../../src/hygiene/rules/secrets.ts';

// Built from parts, so that no token literal sits in the repository.
const GH = ['ghp', 'q7Zk2LmN9pR4sT1vW3xY5aB8cD0eF6gH2jK4'].join('_');
const RANDOM = 'Zq8vN3kLp0Rt7wXy';
const URL = 'postgres://app:Wq7dLx2Rk9Pz4Tn8Vb3Hc6Mf@db.prod.internal/app';
const GIVEN = 'np-given-Value-12345';

const CHAIN = stageChain(
  readDockerfileFacts(`FROM node:20
ARG NPM_TOKEN
ENV DB_URL=${URL}
RUN npm ci
`),
);
const BASE_TOP: HygieneLayerRef = { index: 0, digest: null, instruction: 'FROM node:20', line: 1, fromBase: true };
const RUN_LAYER: HygieneLayerRef = { index: 1, digest: null, instruction: 'RUN npm ci', line: 4, fromBase: false };
const own = (line: number): Origin => ({ instruction: 'from the Dockerfile', line, fromBase: false });
const base: Origin = { instruction: 'FROM node:20', line: 1, fromBase: true };

function facts(over: Partial<SecretRecordFacts>): SecretRecordFacts {
  return { env: [], history: [], origins: [], chain: CHAIN, attestations: [], given: [], historyLayers: [], baseTop: BASE_TOP, ...over };
}
const history = (...entries: [string, Origin, HygieneLayerRef | null][]): Partial<SecretRecordFacts> => ({
  history: entries.map(([by, , layer]): HistoryEntry => (layer ? { created_by: by } : { created_by: by, empty_layer: true })),
  origins: entries.map(([, origin]) => origin),
  historyLayers: entries.map(([, , layer]) => layer),
});

const ENV_FIX = (name: string): string => `remove ENV ${name} from the Dockerfile and set it at run time (Railway service variables); rotate the exposed value`;
const ARG_FIX = (name: string): string =>
  `give ARG/ENV ${name} no secret default; pass secrets with RUN --mount=type=secret (build-secrets) and rotate the exposed value`;
const BUILD_ARG_FIX = (name: string): string =>
  `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`;
const COMMAND_FIX =
  'never write a secret into a RUN line: mount it with RUN --mount=type=secret (build-secrets) and read it from /run/secrets; rotate the exposed value';

const rows: { name: string; facts: SecretRecordFacts; expected: object[]; masks: string[] }[] = [
  {
    name: 'plain values, flags, references and names public by design',
    facts: facts({ env: ['NODE_ENV=production', 'PATH=/usr/bin', 'API_KEY=${API_KEY}', 'DEBUG=true'], ...history(['ENV NODE_ENV=production', own(3), null]) }),
    expected: [],
    masks: [],
  },
  {
    name: 'a URL with a password in an ENV of the Dockerfile, found once (config, not again from the history)',
    facts: facts({ env: [`DB_URL=${URL}`], ...history([`ENV DB_URL=${URL}`, own(3), null]) }),
    expected: [
      {
        id: 'secret-env',
        message: 'ENV DB_URL carries a URL with a password baked into the image config',
        line: 3,
        layer: null,
        evidence: ['the value is readable by anyone who pulls the image (docker inspect)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: ENV_FIX('DB_URL'),
      },
    ],
    masks: [URL],
  },
  {
    name: "a token in an ENV of the base image points at the base image's top layer",
    facts: facts({ env: [`GH_TOKEN=${GH}`] }),
    expected: [
      {
        id: 'secret-env',
        message: 'ENV GH_TOKEN carries a GitHub token baked into the image config (inherited from the base image)',
        line: null,
        layer: BASE_TOP,
        evidence: ['the value is readable by anyone who pulls the image (docker inspect)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: BASE_SECRET_FIX,
      },
    ],
    masks: [GH],
  },
  {
    name: "a given secret's value in the config",
    facts: facts({ env: [`X=${GIVEN}`], given: [{ label: 'build secret NPM_TOKEN', value: GIVEN }] }),
    expected: [
      {
        id: 'secret-env',
        message: 'ENV X carries the value of build secret NPM_TOKEN baked into the image config (inherited from the base image)',
        line: null,
        layer: BASE_TOP,
        evidence: ['the value is readable by anyone who pulls the image (docker inspect)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: BASE_SECRET_FIX,
      },
    ],
    masks: [GIVEN],
  },
  {
    name: 'an ARG default in the history, reported once however many stages declare it',
    facts: facts(history([`ARG NPM_TOKEN=${GH}`, own(2), null], [`ARG NPM_TOKEN=${GH}`, own(6), null])),
    expected: [
      {
        id: 'secret-env',
        message: 'ARG NPM_TOKEN has a default value that is a GitHub token, recorded in the image history',
        line: 2,
        layer: null,
        evidence: ['readable with docker history --no-trunc', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: ARG_FIX('NPM_TOKEN'),
      },
    ],
    masks: [GH, GH],
  },
  {
    name: 'an ENV value overridden later is still in the history',
    facts: facts({ env: ['PASSWORD='], ...history([`ENV PASSWORD=${RANDOM}`, own(3), null], ['ENV PASSWORD=', own(5), null]) }),
    expected: [
      {
        id: 'secret-env',
        message: 'ENV PASSWORD once carried a secret-looking value: it was overridden, but the image history still records it',
        line: 3,
        layer: null,
        evidence: ['readable with docker history --no-trunc', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: ARG_FIX('PASSWORD'),
      },
    ],
    masks: [RANDOM],
  },
  {
    name: 'a build argument a RUN recorded, and a token pasted into its command',
    facts: facts(history([`RUN |1 API_KEY=${RANDOM} /bin/sh -c curl -H "Authorization: token ${GH}" https://x`, own(4), RUN_LAYER])),
    expected: [
      {
        id: 'secret-build-arg',
        message: 'Build argument API_KEY leaked into the image history through the RUN that uses it (a secret-looking value)',
        line: 4,
        layer: RUN_LAYER,
        evidence: ['history entry 1 of 1 records API_KEY=<value> (docker history --no-trunc shows it)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: BUILD_ARG_FIX('API_KEY'),
      },
      {
        id: 'secret-in-history',
        message: 'A command recorded in the image history holds a GitHub token',
        line: 4,
        layer: RUN_LAYER,
        evidence: ['history entry 1 of 1 (docker history --no-trunc shows it)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: COMMAND_FIX,
      },
    ],
    masks: [RANDOM, GH],
  },
  {
    name: 'a token in a command of the base image',
    facts: facts(history([`/bin/sh -c echo ${GH} > /root/.token`, base, null])),
    expected: [
      {
        id: 'secret-in-history',
        message: 'A command recorded in the image history holds a GitHub token (in the base image)',
        line: 1,
        layer: BASE_TOP,
        evidence: ['history entry 1 of 1 (docker history --no-trunc shows it)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: BASE_SECRET_FIX,
      },
    ],
    masks: [GH],
  },
  {
    name: 'build arguments in the provenance attestation (only build-arg: keys, only strings)',
    facts: facts({
      attestations: [
        { predicate: { invocation: { parameters: { args: { 'build-arg:NPM_TOKEN': GH, 'build-arg:LEVEL': 'debug', 'build-arg:N': 5, target: GH } } } } },
        { predicate: {} },
        'not a statement',
      ],
    }),
    expected: [
      {
        id: 'secret-build-arg',
        message: "Build argument NPM_TOKEN (a GitHub token) is recorded in the image's provenance attestation",
        line: 2,
        evidence: ['stored next to the image as an in-toto provenance statement (invocation.parameters.args)', 'fingerprint <fp>'],
        fingerprint: '<fp>',
        fix: BUILD_ARG_FIX('NPM_TOKEN'),
      },
    ],
    masks: [GH],
  },
];

/** Fingerprints are values.ts's to define: here, that there is one, without the value, in the evidence too. */
function withoutFingerprints(drafts: readonly Draft[], masks: readonly string[]): Draft[] {
  return drafts.map((d) => {
    assert.ok(d.fingerprint, `${d.message}: a fingerprint`);
    for (const value of masks) assert.ok(!d.fingerprint.includes(value) && !d.message.includes(value), `${d.message}: no value shown`);
    const fp = d.fingerprint;
    return { ...d, fingerprint: '<fp>', evidence: d.evidence?.map((e) => e.replace(fp, '<fp>')) };
  });
}

for (const row of rows) {
  test(`secret record rules: ${row.name}`, () => {
    const found = secretRecordFindings(row.facts);
    assert.deepEqual(found.masks, row.masks);
    assert.deepEqual(withoutFingerprints(found.drafts, found.masks), row.expected);
  });
}

test('secret record rules: findings come config first, then the history in order, then the provenance', () => {
  const found = secretRecordFindings(
    facts({
      env: [`DB_URL=${URL}`],
      ...history([`ARG NPM_TOKEN=${GH}`, own(2), null], [`RUN |1 API_KEY=${RANDOM} /bin/sh -c npm ci`, own(4), RUN_LAYER]),
      attestations: [{ predicate: { invocation: { parameters: { args: { 'build-arg:NPM_TOKEN': GH } } } } }],
    }),
  );
  assert.deepEqual(
    found.drafts.map((d) => `${d.id} ${d.line}`),
    ['secret-env 3', 'secret-env 2', 'secret-build-arg 4', 'secret-build-arg 2'],
  );
});
