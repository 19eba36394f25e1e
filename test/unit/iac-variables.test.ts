/**
 * The variables of .railway/railway.ts that live only in Railway (shared variables, preserve()):
 * which ones the file needs, and how they resolve once Railway answered, refused, or was not asked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { IacService, IacVariable } from '../../src/config/iac/graph.ts';
import { remoteNeeds, resolveVariables, type RemoteValues } from '../../src/config/iac/variables.ts';

function service(variables: Record<string, IacVariable>): IacService {
  return {
    name: 'web',
    address: 'service.web',
    kind: 'github',
    source: undefined,
    builder: undefined,
    dockerfilePath: undefined,
    startCommand: undefined,
    preDeployCommand: undefined,
    healthcheckPath: undefined,
    healthcheckTimeout: undefined,
    cronSchedule: undefined,
    deploy: {},
    variables,
    volumes: [],
    tcpProxies: [],
  };
}

const WEB = service({
  SECRET_KEY: { type: 'sharedReference', name: 'SECRET_KEY' },
  API_TOKEN: { type: 'preserve' },
  DSN: { type: 'literal', value: 'https://${{shared.SENTRY_KEY}}@sentry.example/1' },
  MODE: { type: 'literal', value: 'fast' },
});

function resolve(remote: RemoteValues | undefined, of = WEB): ReturnType<typeof resolveVariables> {
  return resolveVariables(of, { databases: [], provided: {}, remote, otherServices: [] });
}

describe('values that live only in Railway', () => {
  test('the file needs the shared variables it references or templates, and its preserved names; nothing else', () => {
    assert.deepEqual(remoteNeeds(WEB), { shared: ['SECRET_KEY', 'SENTRY_KEY'], preserved: ['API_TOKEN'] });
    assert.deepEqual(remoteNeeds(service({ MODE: { type: 'literal', value: '${{MODE2}} ${{db.URL}}' } })), { shared: [], preserved: [] });
    const twice = service({ A: { type: 'sharedReference', name: 'K' }, B: { type: 'literal', value: '${{ shared.K }}' } });
    assert.deepEqual(remoteNeeds(twice).shared, ['K']);
  });

  test('read values are set, named by source only, and every one is a secret to mask', () => {
    const r = resolve({ shared: { SECRET_KEY: 'shared-secret-1', SENTRY_KEY: 'k9' }, service: { API_TOKEN: 'kept-token-2' } });
    const env = Object.fromEntries(r.env.map((e) => [e.key, e.value]));
    assert.deepEqual(env, { SECRET_KEY: 'shared-secret-1', API_TOKEN: 'kept-token-2', DSN: 'https://k9@sentry.example/1', MODE: 'fast' });
    assert.deepEqual(r.sources, [
      { name: 'SECRET_KEY', source: 'shared SECRET_KEY' },
      { name: 'API_TOKEN', source: 'preserve()' },
      { name: 'DSN', source: 'literal with shared.SENTRY_KEY' },
      { name: 'MODE', source: 'literal' },
    ]);
    assert.deepEqual(r.unavailable, []);
    assert.deepEqual([...r.secrets].sort(), ['k9', 'kept-token-2', 'shared-secret-1']);
    // Each with its name, so that a short one is named (never shown) as weak.
    assert.deepEqual(r.fromRailway, [
      { key: 'shared.SECRET_KEY', value: 'shared-secret-1' },
      { key: 'API_TOKEN', value: 'kept-token-2' },
      { key: 'shared.SENTRY_KEY', value: 'k9' },
    ]);
  });

  test('without a token each is named as not available, with the token as the way to read it', () => {
    const r = resolve(undefined);
    assert.deepEqual(
      r.unavailable.map((u) => u.name),
      ['SECRET_KEY', 'API_TOKEN', 'DSN'],
    );
    for (const u of r.unavailable) assert.match(u.source, /lives only in Railway \(give railway-token to read it, or set it with env\)/, u.name);
    assert.deepEqual(r.fromRailway, []);
  });

  test('a refused read names why for each, and does not ask for a token that was given', () => {
    const r = resolve({ shared: {}, service: {}, unreadable: 'Railway refused Variables: "Not Authorized"' });
    assert.deepEqual(
      r.unavailable.map((u) => u.name),
      ['SECRET_KEY', 'API_TOKEN', 'DSN'],
    );
    for (const u of r.unavailable) {
      assert.match(u.source, /could not be read \(Railway refused Variables: "Not Authorized"\); set it with env$/, u.name);
      assert.doesNotMatch(u.source, /give railway-token/);
    }
  });

  test('a value Railway does not have is named as missing there (inherited names are not values)', () => {
    const r = resolve(
      { shared: { SENTRY_KEY: 'k9' }, service: {} },
      service({
        SECRET_KEY: { type: 'sharedReference', name: 'SECRET_KEY' },
        API_TOKEN: { type: 'preserve' },
        PROTO: { type: 'sharedReference', name: 'constructor' },
      }),
    );
    assert.deepEqual(r.unavailable, [
      { name: 'SECRET_KEY', source: 'Railway has no shared variable SECRET_KEY in this environment; set it with env' },
      { name: 'API_TOKEN', source: "preserve() keeps the service's value in Railway, and the service has no API_TOKEN there; set it with env" },
      { name: 'PROTO', source: 'Railway has no shared variable constructor in this environment; set it with env' },
    ]);
  });
});
