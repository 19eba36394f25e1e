/** The user and readiness rules, from fabricated config and account facts: rows of facts → findings. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parseImageUser } from '../../src/hygiene/rules.ts';
import { healthcheckFindings, type HealthcheckFacts } from '../../src/hygiene/rules/healthcheck.ts';
import { hasUidZero, userFindings, type UserFacts } from '../../src/hygiene/rules/user.ts';

const PASSWD = 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\nadmin:x:0:0::/admin:/bin/sh\n';
const GROUP = 'root:x:0:\napp:x:1000:\n';

function facts(configured: string | undefined, accounts: UserFacts['accounts'] = { passwd: PASSWD, group: GROUP }): UserFacts {
  return { user: parseImageUser(configured), configured: configured?.trim(), accounts, line: 7 };
}

const rows: { name: string; facts: UserFacts; uidZero: boolean; expected: object[] }[] = [
  { name: 'a known non-root user and group', facts: facts('app:app'), uidZero: false, expected: [] },
  { name: 'a numeric uid and gid need no account', facts: facts('1000:1000', { passwd: undefined, group: undefined }), uidZero: false, expected: [] },
  {
    name: 'no USER at all',
    facts: facts(undefined),
    uidZero: false,
    expected: [
      { id: 'root-user', message: 'The image runs as root: no USER instruction; add a non-root user and switch to it with USER', line: 7, path: null },
    ],
  },
  {
    name: 'USER 0:0',
    facts: facts('0:0'),
    uidZero: false,
    expected: [{ id: 'root-user', message: 'The image runs as root (USER 0:0); add a non-root user and switch to it with USER', line: 7, path: null }],
  },
  {
    name: 'a named user with uid 0',
    facts: facts('admin'),
    uidZero: true,
    expected: [
      {
        id: 'root-user',
        message:
          "The image runs as root: USER admin has uid 0 in the image's /etc/passwd; give that account its own uid (useradd without -o -u 0) or switch to another user",
        line: 7,
        path: '/etc/passwd',
      },
    ],
  },
  {
    name: 'a user and a group the image does not have',
    facts: facts('ghost:staff'),
    uidZero: false,
    expected: [
      {
        id: 'unknown-user',
        message: "USER ghost: no such user in the image's /etc/passwd; create it (useradd/adduser) before USER, or use a numeric uid",
        line: 7,
        path: '/etc/passwd',
      },
      {
        id: 'unknown-user',
        message: "USER ghost:staff: no such group in the image's /etc/group; create it before USER, or use a numeric gid",
        line: 7,
        path: '/etc/group',
      },
    ],
  },
  {
    name: 'an image without /etc/passwd',
    facts: facts('app', { passwd: undefined, group: undefined }),
    uidZero: false,
    expected: [
      {
        id: 'unknown-user',
        message:
          "USER app: no such user in the image's /etc/passwd (the image has no /etc/passwd); create it (useradd/adduser) before USER, or use a numeric uid",
        line: 7,
        path: '/etc/passwd',
      },
    ],
  },
  { name: 'layers not read: accounts are not judged', facts: { ...facts('ghost:staff'), accounts: undefined }, uidZero: false, expected: [] },
];

for (const row of rows) {
  test(`user rules: ${row.name}`, () => {
    assert.deepEqual(userFindings(row.facts), row.expected);
    assert.equal(hasUidZero(row.facts), row.uidZero);
  });
}

const NO_HEALTH = {
  id: 'no-healthcheck',
  message:
    "The image has no HEALTHCHECK and no health path is configured (health-path, healthcheck in .railway/railway.ts, deploy.healthcheckPath in railway.json/toml, or the Railway service's health check path): nothing tells the platform when the app is ready",
  line: 3,
};
const healthRows: { name: string; facts: HealthcheckFacts; expected: object[] }[] = [
  { name: 'no HEALTHCHECK, no health path', facts: { test: undefined, healthPath: false, line: 3 }, expected: [NO_HEALTH] },
  { name: 'HEALTHCHECK NONE counts as none', facts: { test: ['NONE'], healthPath: false, line: 3 }, expected: [NO_HEALTH] },
  { name: 'an empty test counts as none', facts: { test: [], healthPath: false, line: 3 }, expected: [NO_HEALTH] },
  { name: 'a HEALTHCHECK', facts: { test: ['CMD', 'true'], healthPath: false, line: 3 }, expected: [] },
  { name: 'a health path', facts: { test: undefined, healthPath: true, line: 3 }, expected: [] },
];

for (const row of healthRows) {
  test(`readiness rule: ${row.name}`, () => {
    assert.deepEqual(healthcheckFindings(row.facts), row.expected);
  });
}
