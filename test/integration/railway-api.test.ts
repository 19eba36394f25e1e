/**
 * The deploy stage against the local Railway API server (validated against Railway's schema):
 * the gate, every deployment outcome, rate limits, server errors and refused tokens. No engine
 * is needed: the checks' verdict is given, the deploy source is a commit.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { InputName } from '../../src/inputs/inputs.ts';
import { RailwayClient } from '../../src/railway/client.ts';
import { deployStage, announceRailwaySettings } from '../../src/deploy/railway/deploy.ts';
import type { RailwayAccess } from '../../src/railway/access.ts';
import type { RunEvent } from '../../src/github/context.ts';
import { lookupRailwayService } from '../../src/config/railway-settings.ts';
import { announceRailwayConfig } from '../../src/pipeline/railway-config.ts';
import type { Log } from '../../src/host/log.ts';
import { emptyReport } from '../../src/pipeline/pipeline.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { RAILWAY_FIXTURE as F, startRailwayServer, type RailwayServer, type RailwayServerOptions } from '../support/railway-server.ts';

const SHA = '3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
const PUSH_MAIN: RunEvent = { name: 'push', ref: 'refs/heads/main', defaultBranch: 'main', action: null };

interface StageRun {
  report: CheckReport;
  lines: string[];
  client: RailwayClient;
}

function captureLog(lines: string[]): Log {
  return {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    debug: () => undefined,
    group: (_t, fn) => fn(),
  };
}

/** Loads the config as the action does (the settings lookup included), then runs the deploy stage. */
async function runStage(
  server: RailwayServer,
  inputs: Partial<Record<InputName, string>>,
  options: { event?: RunEvent | null; commit?: string | null; checksFailed?: string; files?: Record<string, string>; beforeDeploy?: () => void } = {},
): Promise<StageRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-railway-api-'));
  try {
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 8000\n');
    for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(path.join(dir, name), text);
    const all: Partial<Record<InputName, string>> = {
      context: dir,
      'railway-token': F.projectToken,
      'deploy-timeout': '20s',
      'railway-config-file': 'true',
      ...inputs,
    };
    const lines: string[] = [];
    const log = captureLog(lines);
    const clientFor = (access: RailwayAccess): RailwayClient =>
      new RailwayClient({
        endpoint: server.url,
        token: access.token,
        tokenType: access.tokenType,
        tokenTypeGuessed: access.tokenTypeGuessed,
        onRetry: (m) => lines.push(`retry: ${m}`),
      });
    let client: RailwayClient | undefined;
    const config = await loadConfig((n) => all[n] ?? '', {
      cwd: dir,
      railwayLookup: (access, needs) => {
        client = clientFor(access);
        return lookupRailwayService(access, client, needs);
      },
    });
    announceRailwaySettings(config, log);
    const report = emptyReport(config, { commit: options.commit === undefined ? SHA : options.commit, ref: null, runUrl: null }, Date.now());
    report.build.status = 'success';
    report.health.status = 'healthy';
    if (options.checksFailed) report.health = { ...report.health, status: 'unhealthy', reason: options.checksFailed };
    decideVerdict(report);
    options.beforeDeploy?.();
    // As in the action: the settings lookup and the deploy each have their own client.
    assert.ok(config.deploy.railway, 'a token is configured');
    const deployClient = clientFor(config.deploy.railway);
    report.deploy = await deployStage(config, report, {
      log,
      event: options.event === undefined ? PUSH_MAIN : options.event,
      commit: options.commit === undefined ? SHA : options.commit,
      client: deployClient,
    });
    decideVerdict(report);
    return { report, lines, client: deployClient };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withServer(options: RailwayServerOptions, fn: (server: RailwayServer) => Promise<void>): Promise<void> {
  const server = await startRailwayServer(options);
  if (!server.schemaValidated) console.log(`note: operations are not validated: ${server.schemaProblem ?? ''}`);
  try {
    await fn(server);
    assert.deepEqual(server.violations, [], "every operation is valid against Railway's schema");
  } finally {
    await server.close();
  }
}

test('a push to the default branch deploys the commit once and reports SUCCESS and the URL', async () => {
  await withServer({}, async (server) => {
    const { report, lines } = await runStage(server, {});
    const d = report.deploy;
    assert.ok(d);
    assert.equal(d.status, 'success', d.reason ?? '');
    assert.equal(d.railwayStatus, 'SUCCESS');
    assert.equal(d.url, 'https://web-production.up.railway.app');
    assert.equal(d.commit, SHA);
    assert.equal(d.source, 'commit');
    assert.deepEqual(d.target, {
      projectId: F.projectId,
      projectName: 'shop',
      environmentId: F.environmentId,
      environmentName: 'production',
      serviceId: F.serviceId,
      serviceName: 'web',
    });
    assert.equal(report.verdict, 'pass');
    assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 1);
    assert.equal(server.deployments.length, 1);
    assert.equal(server.deployments[0]?.commitSha, SHA);
    assert.deepEqual(server.deployments[0].seenStatuses, ['QUEUED', 'BUILDING', 'DEPLOYING', 'SUCCESS']);
    assert.ok(
      server.calls.every((c) => c.auth === 'project'),
      'a project token goes in Project-Access-Token',
    );
    assert.equal(d.apiRequests, server.calls.length);
    assert.ok(lines.some((l) => l.includes(`of commit ${SHA.slice(0, 12)}`)));
    assert.ok(
      lines.some((l) => /health check path \/health \(from railway service\), timeout 5 min 0 s \(from railway service\)/.test(l)),
      lines.join('\n'),
    );
  });
});

test('no deploy mutation when a check failed, on a pull request, or with deploy: never', async () => {
  await withServer({}, async (server) => {
    const failed = await runStage(server, {}, { checksFailed: 'the container exited with code 3' });
    assert.equal(failed.report.deploy?.status, 'skipped');
    assert.match(failed.report.deploy.reason ?? '', /a check failed \(Health check failed: the container exited with code 3\)/);
    assert.equal(failed.report.verdict, 'fail');

    const pr = await runStage(server, {}, { event: { name: 'pull_request', ref: 'refs/pull/7/merge', defaultBranch: 'main', action: 'opened' } });
    assert.equal(pr.report.deploy?.status, 'skipped');
    assert.match(pr.report.deploy.reason ?? '', /pull request never deploys/);
    assert.equal(pr.report.verdict, 'pass');

    const never = await runStage(server, { deploy: 'never' });
    assert.equal(never.report.deploy?.reason, 'deploy is "never"');

    const local = await runStage(server, {}, { event: null });
    assert.match(local.report.deploy?.reason ?? '', /local run/);

    assert.equal(server.mutationCounts['serviceInstanceDeployV2'] ?? 0, 0);
    assert.equal(server.deployments.length, 0);
  });
});

test('a failed build fails with the last lines of the build log', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'build-fails');
    const { report } = await runStage(server, {});
    const d = report.deploy;
    assert.equal(d?.status, 'failed');
    assert.equal(d.railwayStatus, 'FAILED');
    assert.match(d.reason ?? '', /ended FAILED: the build or deploy failed at Railway; last log line: ERROR: failed to solve/);
    assert.ok(d.logs?.build.some((l) => l.includes('fastapi==99.0')));
    assert.equal(report.verdict, 'fail');
    assert.match(report.reasons[0] ?? '', /^Deploy to Railway failed: Railway deployment .* ended FAILED/);
  });
});

test('a crash fails with the last line the app printed', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'crashes');
    const { report } = await runStage(server, {});
    assert.equal(report.deploy?.status, 'failed');
    assert.match(
      report.deploy.reason ?? '',
      /ended CRASHED: the service started and then crashed at Railway; last log line: ModuleNotFoundError: No module named 'app.settings'/,
    );
    assert.ok(report.deploy.logs?.deploy.some((l) => l.startsWith('Traceback')));
  });
});

test('a removed deployment ends the wait at once instead of hanging', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'removed');
    const { report } = await runStage(server, { 'deploy-timeout': '10m' });
    assert.equal(report.deploy?.status, 'failed');
    assert.match(report.deploy.reason ?? '', /ended REMOVED: the deployment was removed before it went live/);
    assert.equal(server.deployments[0]?.seenStatuses.at(-1), 'REMOVED');
  });
});

test('a deployment waiting for approval fails by default and passes with deploy-wait-approval: pass', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'needs-approval');
    const blocked = await runStage(server, {});
    assert.equal(blocked.report.deploy?.status, 'waiting');
    assert.equal(blocked.report.deploy.railwayStatus, 'NEEDS_APPROVAL');
    assert.match(blocked.report.deploy.reason ?? '', /waits for a person to approve it in Railway; deploy-wait-approval is fail/);
    assert.equal(blocked.report.verdict, 'fail');
    assert.match(blocked.report.reasons[0] ?? '', /is waiting for approval/);

    const allowed = await runStage(server, { 'deploy-wait-approval': 'pass' });
    assert.equal(allowed.report.deploy?.status, 'waiting');
    assert.equal(allowed.report.verdict, 'pass');
  });
});

test('a deployment that never finishes times out, saying where it stood and for how long', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'never-finishes');
    const started = Date.now();
    const { report } = await runStage(server, { 'deploy-timeout': '2s' });
    const elapsed = Date.now() - started;
    assert.equal(report.deploy?.status, 'timeout');
    assert.equal(report.deploy.railwayStatus, 'DEPLOYING');
    assert.match(
      report.deploy.reason ?? '',
      /had no verdict within 2\.0 s \(deploy-timeout\): it was still DEPLOYING, for \d+(\.\d)? m?s; deploy-check cancelled it \(deploymentCancel\)/,
    );
    assert.equal(report.deploy.cancelled, true);
    assert.equal(server.mutationCounts['deploymentCancel'], 1);
    assert.match(report.reasons[0] ?? '', /^Deploy to Railway timed out/);
    // Bounded by the timeout, not by Railway: a generous bound for a shared machine.
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
  });
});

test('429 with Retry-After is honoured, the deployment is made once and succeeds', async () => {
  await withServer({}, async (server) => {
    const { report, lines } = await runStage(server, { 'deploy-trigger': 'api' }, { beforeDeploy: () => server.rateLimitNext(2, 1) });
    assert.equal(report.deploy?.status, 'success', report.deploy?.reason ?? '');
    assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 1);
    assert.equal(server.calls.filter((c) => c.status === 429).length, 2);
    assert.ok(
      lines.some((l) => /rate limit was reached \(Deploy\); trying again in 1\.0 s as its Retry-After asks/.test(l)),
      lines.join('\n'),
    );
  });
});

test('a rate limit beyond the time left gives up with a message about the limit', async () => {
  await withServer({}, async (server) => {
    const { report } = await runStage(server, { 'deploy-trigger': 'api' }, { beforeDeploy: () => server.rateLimitNext(5, 3600) });
    assert.equal(report.deploy?.status, 'error');
    assert.match(report.deploy.reason ?? '', /rate limit refused Deploy \(HTTP 429, Retry-After 3600 s\).*100 requests an hour on the free plan/);
    assert.equal(server.mutationCounts['serviceInstanceDeployV2'] ?? 0, 0);
  });
});

test('server errors: queries are retried, a deploy mutation that may have run is not repeated', async () => {
  await withServer({}, async (server) => {
    server.failNext(2, 502);
    const ok = await runStage(server, {});
    assert.equal(ok.report.deploy?.status, 'success');
    assert.ok(
      ok.lines.some((l) => /retry: Railway ProjectToken: HTTP 502; trying again/.test(l)),
      ok.lines.join('\n'),
    );

    const broken = await runStage(server, { 'deploy-trigger': 'api' }, { beforeDeploy: () => server.failNext(1, 500) });
    assert.equal(broken.report.deploy?.status, 'error');
    assert.match(broken.report.deploy.reason ?? '', /did not answer Deploy \(HTTP 500\); a mutation that may have reached Railway is not repeated/);
    assert.equal(broken.client.sent.filter((n) => n === 'Deploy').length, 1);
  });
});

test('Not Authorized explains which token kind was sent and which inputs to change', async () => {
  await withServer({}, async (server) => {
    const project = await runStage(server, { 'railway-token': 'not-a-real-project-token' });
    assert.equal(project.report.deploy?.status, 'error');
    assert.match(
      project.report.deploy.reason ?? '',
      /Railway refused ProjectToken: "Not Authorized"\. railway-token was sent as a project token \(railway-token-type: auto chose project because railway-project is not set\)/,
    );
    assert.ok(project.lines.some((l) => l.startsWith("warning: Could not read the Railway service's settings") && l.includes('Not Authorized')));

    const account = await runStage(server, { 'railway-token': 'not-a-real-account-token', 'railway-project': F.projectId });
    assert.match(
      account.report.deploy?.reason ?? '',
      /"Not Authorized"\. railway-token was sent as an account or workspace token \(railway-token-type: auto chose account because railway-project is set\)/,
    );

    // An account token sent as a project token: the advice names the other kind.
    const swapped = await runStage(server, { 'railway-token': F.accountToken, 'railway-token-type': 'project' });
    assert.match(
      swapped.report.deploy?.reason ?? '',
      /sent as a project token.*use an account or workspace token with railway-token-type: account and railway-project/,
    );
    assert.equal(server.deployments.length, 0);
  });
});

test('an account token reaches the project, environment and service by name', async () => {
  await withServer({}, async (server) => {
    const { report } = await runStage(server, {
      'railway-token': F.accountToken,
      'railway-project': 'shop',
      'railway-environment': 'staging',
      'railway-service': 'WEB',
    });
    assert.equal(report.deploy?.status, 'success', report.deploy?.reason ?? '');
    assert.equal(report.deploy.target?.environmentId, F.stagingEnvironmentId);
    assert.equal(server.deployments[0]?.environmentId, F.stagingEnvironmentId);
    assert.ok(
      server.calls.every((c) => c.auth === 'account'),
      'an account token goes in Authorization: Bearer',
    );
  });
});

test('names that match nothing, or a project token used for another environment, name the input', async () => {
  await withServer({}, async (server) => {
    const service = await runStage(server, { 'railway-service': 'worker' });
    assert.match(service.report.deploy?.reason ?? '', /^Input "railway-service": no service "worker" in shop; services: web \(/);
    const env = await runStage(server, { 'railway-environment': 'staging' });
    assert.match(env.report.deploy?.reason ?? '', /^Input "railway-environment": "staging" is not the environment of this project token \(production\)/);
    assert.equal(server.deployments.length, 0);
  });
});

test('railway.json that disagrees with the service is reported as drift, and the service wins', async () => {
  await withServer({}, async (server) => {
    const { report, lines } = await runStage(
      server,
      { deploy: 'never' },
      { files: { 'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/healthz', healthcheckTimeout: 300 } }) } },
    );
    const drift = report.deploy?.configDrift ?? [];
    assert.equal(drift.length, 1);
    assert.deepEqual(
      { ...drift[0], fileName: path.basename(drift[0]?.fileName ?? '') },
      { setting: 'healthcheckPath', service: '/health', file: '/healthz', fileName: 'railway.json' },
    );
    assert.ok(
      lines.some((l) =>
        /^warning: \S*railway\.json sets healthcheckPath to "\/healthz" but the Railway service has "\/health"; Railway follows the service's settings, and so does deploy-check$/.test(
          l,
        ),
      ),
      lines.join('\n'),
    );
    // The timeout agrees (300 s both): no drift for it.
    assert.ok(!drift.some((x) => x.setting === 'healthcheckTimeout'));
  });
});

test('deploy-wait: false starts the deployment and reports it without waiting', async () => {
  await withServer({}, async (server) => {
    const { report } = await runStage(server, { 'deploy-wait': 'false' });
    assert.equal(report.deploy?.status, 'triggered');
    assert.equal(report.deploy.railwayStatus, 'QUEUED');
    assert.ok(report.deploy.deploymentId);
    assert.equal(report.verdict, 'pass');
    assert.equal(server.calls.filter((c) => c.operationName === 'Deployment').length, 1);
  });
});

test('the smoke check asks the public URL until it answers, and fails when it never does', async () => {
  let answers = [503, 503, 200];
  const app = createServer((req, res) => {
    res.writeHead(req.url === '/ping' ? (answers.shift() ?? 500) : 404).end('x');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const port = (app.address() as AddressInfo).port;
  try {
    await withServer({}, async (server) => {
      server.setDeploymentUrl(F.serviceId, `http://127.0.0.1:${port}`);
      const ok = await runStage(server, { 'smoke-path': '/ping', 'smoke-timeout': '10s' });
      assert.equal(ok.report.deploy?.status, 'success', ok.report.deploy?.reason ?? '');
      assert.equal(ok.report.deploy.smoke?.status, 'passed');
      assert.equal(ok.report.deploy.smoke.attempts, 3);
      assert.equal(ok.report.deploy.smoke.url, `http://127.0.0.1:${port}/ping`);

      answers = [];
      const bad = await runStage(server, { 'smoke-path': '/ping', 'smoke-timeout': '1s' });
      assert.equal(bad.report.deploy?.status, 'failed');
      assert.equal(bad.report.deploy.railwayStatus, 'SUCCESS');
      assert.match(
        bad.report.deploy.reason ?? '',
        /is live but the smoke check GET http:\/\/127\.0\.0\.1:\d+\/ping got it answered 500 within 1\.0 s \(smoke-timeout\)/,
      );
      assert.equal(bad.report.verdict, 'fail');
    });
  } finally {
    await new Promise<void>((resolve) => app.close(() => resolve()));
  }
});

describe('values that live only in Railway, read in the settings lookup', () => {
  const SHARED = 'shared-secret-value-7f3a';
  const KEPT = 'preserved-token-value-9c1e';
  const REMOTE_TS = `import { defineRailway, project, service, preserve } from 'railway/iac';
export default defineRailway((ctx) => project('shop', { resources: [service('web', { healthcheck: '/health', env: { SECRET_KEY: ctx.shared.SECRET_KEY, API_TOKEN: preserve(), MODE: 'fast' } })] }));
`;

  /** The config as the entries load it, for an app whose .railway/railway.ts is the given text. */
  async function loadWith(server: RailwayServer, railwayTs: string, inputs: Partial<Record<InputName, string>> = {}): Promise<Config> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-railway-vars-'));
    try {
      await mkdir(path.join(dir, '.railway'));
      await writeFile(path.join(dir, '.railway/railway.ts'), railwayTs);
      await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 8000\n');
      const all: Partial<Record<InputName, string>> = { context: dir, 'railway-token': F.projectToken, ...inputs };
      return await loadConfig((n) => all[n] ?? '', {
        cwd: dir,
        railwayLookup: (access, needs) =>
          lookupRailwayService(access, new RailwayClient({ endpoint: server.url, token: access.token, tokenType: access.tokenType }), needs),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const seeded = (server: RailwayServer): void => {
    server.setSharedVariables(F.environmentId, { SECRET_KEY: SHARED, UNRELATED: 'not-asked-for-value' });
    server.service(F.serviceId).variables = { [F.environmentId]: { API_TOKEN: KEPT, OTHER: 'not-asked-for-either' } };
  };

  test('with railway-token they are read in one more request, set for the app, and masked; the rest of the answer is dropped', async () => {
    await withServer({}, async (server) => {
      seeded(server);
      const config = await loadWith(server, REMOTE_TS);
      const iac = config.railwayIac;
      assert.ok(iac && config.railwayService?.ok);
      const env = Object.fromEntries(iac.variables.env.map((e) => [e.key, e.value]));
      assert.equal(env['SECRET_KEY'], SHARED);
      assert.equal(env['API_TOKEN'], KEPT);
      assert.deepEqual(iac.variables.unavailable, []);
      assert.deepEqual(
        iac.variables.sources.filter((v) => v.name === 'SECRET_KEY' || v.name === 'API_TOKEN'),
        [
          { name: 'SECRET_KEY', source: 'shared SECRET_KEY' },
          { name: 'API_TOKEN', source: 'preserve()' },
        ],
      );
      assert.ok(config.secrets.includes(SHARED) && config.secrets.includes(KEPT), 'both are masked');
      assert.ok(!JSON.stringify(config).includes('not-asked-for'), 'what the file does not refer to is not kept');
      const reads = server.calls.filter((c) => c.operationName === 'Variables');
      assert.equal(reads.length, 1);
      assert.deepEqual(reads[0]?.variables, {
        projectId: F.projectId,
        environmentId: F.environmentId,
        serviceId: F.serviceId,
        withShared: true,
        withService: true,
      });
      assert.equal(config.railwayService.requests, server.calls.length);
    });
  });

  test('a short value read from Railway is masked all the same, and named (never shown) as weak', async () => {
    await withServer({}, async (server) => {
      server.setSharedVariables(F.environmentId, { SECRET_KEY: 'k3' });
      server.service(F.serviceId).variables = { [F.environmentId]: { API_TOKEN: 'z' } };
      const config = await loadWith(server, REMOTE_TS);
      assert.ok(config.secrets.includes('k3') && config.secrets.includes('z'), config.secrets.join(' '));
      assert.deepEqual(
        config.shortSecrets.filter((n) => n.startsWith('Railway')),
        ['Railway variable "shared.SECRET_KEY"', 'Railway variable "API_TOKEN"'],
      );
    });
  });

  test('only what the file refers to is asked for: nothing for literals, shared variables alone for a template', async () => {
    await withServer({}, async (server) => {
      seeded(server);
      await loadWith(server, REMOTE_TS.replace('SECRET_KEY: ctx.shared.SECRET_KEY, API_TOKEN: preserve(), ', ''));
      assert.deepEqual(
        server.calls.map((c) => c.operationName),
        ['ProjectToken', 'Project', 'ServiceInstance'],
      );
      const templated = await loadWith(
        server,
        REMOTE_TS.replace('SECRET_KEY: ctx.shared.SECRET_KEY, API_TOKEN: preserve(), ', 'URL: "https://${{shared.SECRET_KEY}}@x.example", '),
      );
      assert.deepEqual(
        server.calls.filter((c) => c.operationName === 'Variables').map((c) => [c.variables['withShared'], c.variables['withService']]),
        [[true, false]],
      );
      assert.equal(templated.railwayIac?.variables.env.find((e) => e.key === 'URL')?.value, `https://${SHARED}@x.example`);
      assert.ok(templated.secrets.includes(SHARED));
    });
  });

  test('a refused read warns, naming each variable that stays unavailable and why; the settings still apply', async () => {
    await withServer({}, async (server) => {
      seeded(server);
      server.refusedFields.add('variables');
      const config = await loadWith(server, REMOTE_TS);
      assert.equal(config.railwayService?.ok, true, 'the service settings were read');
      assert.equal(config.health.pathSource, '.railway/railway.ts');
      const unavailable = config.railwayIac?.variables.unavailable ?? [];
      assert.deepEqual(
        unavailable.map((u) => u.name),
        ['SECRET_KEY', 'API_TOKEN'],
      );
      for (const u of unavailable) assert.match(u.source, /lives only in Railway and could not be read \(Railway refused Variables: "Not Authorized"/);
      const lines: string[] = [];
      announceRailwayConfig(config, captureLog(lines));
      for (const name of ['SECRET_KEY', 'API_TOKEN']) {
        assert.ok(
          lines.some((l) => l.startsWith(`warning: Railway variable ${name} is not set here`) && l.includes('could not be read')),
          lines.join('\n'),
        );
      }
    });
  });

  test('a lookup that fails as a whole names them as not read, not as needing a token', async () => {
    await withServer({}, async (server) => {
      seeded(server);
      const config = await loadWith(server, REMOTE_TS, { 'railway-token': 'railway-token-nobody-knows' });
      assert.equal(config.railwayService?.ok, false);
      const unavailable = config.railwayIac?.variables.unavailable ?? [];
      assert.deepEqual(
        unavailable.map((u) => u.name),
        ['SECRET_KEY', 'API_TOKEN'],
      );
      for (const u of unavailable) {
        assert.match(u.source, /could not be read \(the Railway service could not be read: Railway refused ProjectToken/);
        assert.doesNotMatch(u.source, /give railway-token/);
      }
      assert.ok(!server.calls.some((c) => c.operationName === 'Variables'));
    });
  });
});
