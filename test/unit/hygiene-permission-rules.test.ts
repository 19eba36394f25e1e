/** The permission rules, from fabricated layer facts: rows of facts → findings. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { HygieneLayerRef } from '../../src/model/report.ts';
import { emptyFacts, type LayerFacts } from '../../src/hygiene/layer.ts';
import { permissionFindings } from '../../src/hygiene/rules/permissions.ts';

const REFS: HygieneLayerRef[] = [
  { index: 0, digest: null, instruction: 'FROM debian:12', line: 1, fromBase: true },
  { index: 1, digest: null, instruction: 'RUN apt-get install -y sudo', line: 2, fromBase: false },
  { index: 2, digest: null, instruction: 'RUN chmod 644 /app/log.txt', line: 4, fromBase: false },
];
const [BASE, OWN] = REFS as [HygieneLayerRef, HygieneLayerRef];
const IN_BASE = 'layer 1 of 3 (base image debian:12, line 1)';
const IN_OWN = 'layer 2 of 3 (RUN apt-get install -y sudo, line 2)';

function image(fill: (base: LayerFacts, own: LayerFacts, top: LayerFacts) => void): LayerFacts[] {
  const layers = [emptyFacts(), emptyFacts(), emptyFacts()] as [LayerFacts, LayerFacts, LayerFacts];
  fill(...layers);
  return layers;
}

const OWN_SETUID_FIX = 'remove the bits in the same RUN that installs them (chmod u-s,g-s FILE), or do not install the tool in the final stage';

const rows: { name: string; layers: LayerFacts[]; nonRoot: boolean; expected: object[] }[] = [
  { name: 'nothing', layers: image(() => undefined), nonRoot: true, expected: [] },
  {
    name: 'setuid files the Dockerfile adds, for a non-root user: a way up; only the first three named',
    layers: image((_, own) => {
      for (const p of ['/usr/bin/sudo', '/usr/bin/su', '/usr/bin/newgrp', '/usr/bin/chsh']) own.privileged.push({ path: p, mode: 0o104755, type: 'file' });
    }),
    nonRoot: true,
    expected: [
      {
        id: 'setuid-file',
        message:
          "4 setuid/setgid files added by the Dockerfile (/usr/bin/sudo, /usr/bin/su, /usr/bin/newgrp, ...): a process running as the image's non-root user can use them to become root or another user",
        line: 2,
        layer: OWN,
        path: '/usr/bin/sudo',
        evidence: ['/usr/bin/sudo', '/usr/bin/su', '/usr/bin/newgrp', '/usr/bin/chsh'].map((p) => `${p} (mode 4755) in ${IN_OWN}`),
        fix: OWN_SETUID_FIX,
      },
    ],
  },
  {
    name: 'a setuid file for a root image, one the base image ships (info), one a later chmod clears',
    layers: image((base, own, top) => {
      own.privileged.push({ path: '/usr/bin/sudo', mode: 0o4755, type: 'file' }, { path: '/app/tool', mode: 0o2755, type: 'file' });
      top.sizes['/app/tool'] = 100;
      base.privileged.push({ path: '/bin/mount', mode: 0o4755, type: 'file' });
    }),
    nonRoot: false,
    expected: [
      {
        id: 'setuid-file',
        message: '1 setuid/setgid file added by the Dockerfile (/usr/bin/sudo): they matter once the image runs as a non-root user',
        line: 2,
        layer: OWN,
        path: '/usr/bin/sudo',
        evidence: [`/usr/bin/sudo (mode 4755) in ${IN_OWN}`],
        fix: OWN_SETUID_FIX,
      },
      {
        id: 'setuid-file',
        severity: 'info',
        message: 'The base image ships 1 setuid/setgid file (/bin/mount), as most distribution images do',
        line: 1,
        layer: BASE,
        path: '/bin/mount',
        evidence: [`/bin/mount (mode 4755) in ${IN_BASE}`],
        fix: 'if the app never needs them: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + in the final stage, or use a distroless base image',
      },
    ],
  },
  {
    name: "world-writable paths: the Dockerfile's (warning) before the base image's (info); a directory stays even when rewritten",
    layers: image((base, own, top) => {
      own.worldWritable.push({ path: '/app/data', mode: 0o40777, type: 'directory' }, { path: '/app/log.txt', mode: 0o666, type: 'file' });
      top.sizes['/app/log.txt'] = 5;
      base.worldWritable.push({ path: '/var/spool', mode: 0o777, type: 'directory' }, { path: '/var/mail', mode: 0o777, type: 'directory' });
    }),
    nonRoot: true,
    expected: [
      {
        id: 'world-writable',
        severity: undefined,
        message: '1 world-writable path outside /tmp added by the Dockerfile (/app/data): any process in the container can change it',
        line: 2,
        layer: OWN,
        path: '/app/data',
        evidence: [`/app/data (mode 0777) in ${IN_OWN}`],
        fix: "give the files to the app's user (COPY --chown=app, chmod 755/644) instead of chmod 777",
      },
      {
        id: 'world-writable',
        severity: 'info',
        message: '2 world-writable paths outside /tmp in the base image (/var/spool, /var/mail): any process in the container can change them',
        line: 1,
        layer: BASE,
        path: '/var/spool',
        evidence: [`/var/spool (mode 0777) in ${IN_BASE}`, `/var/mail (mode 0777) in ${IN_BASE}`],
        fix: 'chmod o-w the paths in the final stage, or use another base image',
      },
    ],
  },
  {
    name: 'empty passwords in the final /etc/shadow',
    layers: image((_, own) => {
      own.shadowEmpty = ['root', 'guest'];
    }),
    nonRoot: true,
    expected: [
      {
        id: 'empty-password',
        message: `root, guest have an empty password in /etc/shadow (from ${IN_OWN}): anyone in the container can log in as them, e.g. with su`,
        line: 2,
        layer: OWN,
        path: '/etc/shadow',
        evidence: ['accounts: root, guest'],
        fix: "lock the account instead of clearing its password: passwd -l NAME (or usermod -p '*' NAME)",
      },
    ],
  },
  {
    name: 'a later /etc/shadow without empty passwords fixes it',
    layers: image((base, own) => {
      base.shadowEmpty = ['root'];
      own.shadowEmpty = [];
    }),
    nonRoot: true,
    expected: [],
  },
];

for (const row of rows) {
  test(`permission rules: ${row.name}`, () => {
    assert.deepEqual(permissionFindings({ layers: row.layers, refs: REFS, nonRoot: row.nonRoot }), row.expected);
  });
}
