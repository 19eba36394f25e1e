/**
 * The plan of what a pull request changes in Railway's configuration: the base commit's
 * .railway/railway.ts read with git (fetched when the checkout is shallow), evaluated like the
 * head's, compared, and shown in the comment the bundled action posts to the local GitHub server.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, test } from 'vitest';
import { planAgainstBase } from '../../src/config/iac/base.ts';
import { readRailwayIac } from '../../src/config/iac/railway-iac.ts';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, engineUsable, leftovers } from '../support/docker.ts';
import { pullRequestEvent, startGitHubServer } from '../support/github-server.ts';
import { fixture } from '../support/local-runner.ts';

const owner = 'acme';
const repo = 'shop';
/** As in comment-action.test.ts: the comment does not depend on the image store. */
const ENGINE = engineUsable(CLASSIC_ENGINE) ? CLASSIC_ENGINE : MAIN_ENGINE;
/** A value the head gives a new variable: it must appear nowhere. */
const FLAG_VALUE = 'orders-export-v2-rollout';

const dirs: string[] = [];
const images = new Set<string>();
afterAll(async () => {
  for (const image of images) {
    await promisify(execFile)('docker', ['image', 'rm', '--force', image], { env: { ...process.env, DOCKER_HOST: ENGINE } }).catch(() => undefined);
  }
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const railwayTs = (body: string): string => `import { defineRailway, project, service, redis } from 'railway/iac';
export default defineRailway(() => {
${body}
});
`;

const BASE = railwayTs(`  return project('shop', { resources: [service('web', { healthcheck: '/health', env: { MODE: 'fast' } })] });`);
const HEAD = railwayTs(`  const cache = redis('cache');
  return project('shop', { resources: [cache, service('web', { healthcheck: '/ready', replicas: 2, env: { MODE: 'fast', FEATURE_FLAGS: '${FLAG_VALUE}' } })] });`);

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=deploy-check', '-c', 'user.email=ci@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

interface Repo {
  readonly dir: string;
  readonly base: string;
  readonly head: string;
}

/** A repository with the healthy busybox app: a base commit, then a head commit with the given files written over it. */
async function repository(base: Record<string, string>, head: Record<string, string>): Promise<Repo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-plan-'));
  dirs.push(dir);
  await cp(fixture('healthy'), dir, { recursive: true });
  // Content of its own: the image is this test's, whatever other suites build.
  await writeFile(path.join(dir, 'www', 'ready'), `ready ${path.basename(dir)}\n`);
  const commit = async (files: Record<string, string>, message: string): Promise<string> => {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', message);
    return git(dir, 'rev-parse', 'HEAD');
  };
  git(dir, 'init', '-q', '-b', 'main');
  const baseSha = await commit(base, 'base');
  return { dir, base: baseSha, head: await commit(head, 'head') };
}

async function runPullRequest(r: Repo): Promise<{ run: ActionRun; comment: string }> {
  const server = await startGitHubServer({ pulls: [{ owner, repo, number: 12, headRef: 'feature/cache', headSha: r.head, baseRef: 'main', baseSha: r.base }] });
  try {
    const run = await runActionSteps({
      cwd: r.dir,
      inputs: { context: r.dir, hygiene: 'off', 'github-token': 'ghs_installation_token' },
      eventName: 'pull_request',
      eventPayload: pullRequestEvent({
        owner,
        repo,
        number: 12,
        headRef: 'feature/cache',
        headSha: r.head,
        baseRef: 'main',
        baseSha: r.base,
        action: 'synchronize',
      }),
      env: {
        DOCKER_HOST: ENGINE,
        GITHUB_API_URL: server.url,
        GITHUB_HEAD_REF: 'feature/cache',
        GITHUB_BASE_REF: 'main',
        GITHUB_REF: 'refs/pull/12/merge',
        GITHUB_SHA: r.head,
      },
    });
    const ref = (run.report?.['image'] as { ref?: unknown } | undefined)?.ref;
    if (typeof ref === 'string') images.add(ref);
    const runId = run.state['run-id'];
    if (runId) assert.deepEqual(leftovers(runId, ENGINE), { containers: [], networks: [] });
    assert.deepEqual(server.violations, [], "every request conforms to GitHub's description");
    const comments = server.comments(owner, repo, 12);
    assert.equal(comments.length, 1, `${run.main.stdout.slice(-3000)}\n${run.main.stderr.slice(-2000)}`);
    return { run, comment: comments[0]?.body ?? '' };
  } finally {
    await server.close();
  }
}

function planOf(
  run: ActionRun,
):
  { base: string | null; status: string; changes: { field: string; before: string | null; after: string | null }[]; reason: string | null } | null | undefined {
  return (run.report?.['railway'] as { plan?: ReturnType<typeof planOf> } | undefined)?.plan;
}

describe("the plan in the pull request's comment (the bundled action)", { concurrent: true }, () => {
  test('health path, replicas, a variable and a Redis database added: the comment lists them, the variable by name only', async () => {
    const r = await repository({ '.railway/railway.ts': BASE }, { '.railway/railway.ts': HEAD });
    const { run, comment } = await runPullRequest(r);
    assert.equal(run.main.exitCode, 0, run.main.stdout.slice(-3000));
    assert.deepEqual(planOf(run), {
      base: r.base,
      status: 'changed',
      changes: [
        { field: 'deploy.healthcheckPath', before: '/health', after: '/ready' },
        { field: 'deploy.numReplicas', before: null, after: '2' },
        { field: 'variables.FEATURE_FLAGS', before: null, after: 'literal' },
        { field: 'databases.cache', before: null, after: 'redis (railwayapp/redis:8.2)' },
      ],
      reason: null,
    });
    assert.match(
      comment,
      new RegExp(`#### Railway configuration changes\\n\\nAgainst the base commit <code>${r.base.slice(0, 7)}</code> of <code>web</code>\\.`),
    );
    assert.match(comment, /\| <code>deploy\.healthcheckPath<\/code> \| <code>\/health<\/code> \| <code>\/ready<\/code> \|/);
    assert.match(comment, /\| <code>deploy\.numReplicas<\/code> \| — \| <code>2<\/code> \|/);
    assert.match(comment, /\| <code>variables\.FEATURE&#95;FLAGS<\/code> \| — \| <code>literal<\/code> \|/);
    assert.match(comment, /\| <code>databases\.cache<\/code> \| — \| <code>redis \(railwayapp\/redis:8\.2\)<\/code> \|/);
    assert.match(run.main.stdout, /Railway configuration changes against [0-9a-f]{12}:\n {2}deploy\.healthcheckPath: \/health → \/ready/);
    // The run itself followed the head: the health check asked for /ready.
    assert.match(JSON.stringify(run.report?.['health']), /\/ready/);
    assert.ok(!comment.includes(FLAG_VALUE) && !JSON.stringify(run.report).includes(FLAG_VALUE), "the new variable's value is not shown");
  });

  test('a pull request that does not touch railway.ts: no plan block', async () => {
    const r = await repository({ '.railway/railway.ts': BASE }, { 'www/about': 'about\n' });
    const { run, comment } = await runPullRequest(r);
    assert.equal(run.main.exitCode, 0, run.main.stdout.slice(-3000));
    assert.deepEqual(planOf(run), { base: r.base, status: 'unchanged', changes: [], reason: null });
    assert.doesNotMatch(comment, /Railway configuration changes/);
    assert.doesNotMatch(run.main.stdout, /Railway configuration changes/);
  });
});

/** The head's configuration as the run reads it, then the plan against `base`. */
async function planAt(dir: string, base: string | null) {
  const head = await readRailwayIac(path.join(dir, '.railway', 'railway.ts'), {
    cwd: dir,
    context: dir,
    fileInput: undefined,
    serviceInput: 'web',
    environment: 'production',
    repository: undefined,
    git: {},
  });
  return planAgainstBase(head, base);
}

describe('the base configuration (git and the evaluation, no build)', { concurrent: true }, () => {
  test('a shallow checkout without the base commit fetches it from origin once', async () => {
    const r = await repository({ '.railway/railway.ts': BASE }, { '.railway/railway.ts': HEAD });
    const clone = await mkdtemp(path.join(os.tmpdir(), 'dc-plan-clone-'));
    dirs.push(clone);
    git(os.tmpdir(), 'clone', '-q', '--depth=1', `file://${r.dir}`, clone);
    assert.throws(() => git(clone, 'cat-file', '-e', `${r.base}^{commit}`), 'the clone starts without the base commit');
    const plan = await planAt(clone, r.base);
    assert.equal(plan.status, 'changed', plan.reason ?? '');
    assert.equal(plan.changes.length, 4);
  });

  test('a base commit git cannot get: unavailable, saying why; no base commit in the event: unavailable', async () => {
    const r = await repository({ '.railway/railway.ts': BASE }, { '.railway/railway.ts': HEAD });
    const missing = await planAt(r.dir, 'f'.repeat(40));
    assert.equal(missing.status, 'unavailable');
    assert.match(
      missing.reason ?? '',
      /^base configuration not available: git cannot read the base commit ffffffffffff: it is not in the checkout and fetching it from origin failed \(.*origin/,
    );
    assert.deepEqual(await planAt(r.dir, null), {
      base: null,
      status: 'unavailable',
      changes: [],
      reason: "base configuration not available: the pull request's event names no base commit",
    });
    assert.equal(
      (await planAt(r.dir, '--upload-pack=touch /tmp/x')).reason,
      'base configuration not available: the base commit "--upload-pack=touch /tmp/x" is not a commit id',
    );
  });

  test('a base without the file, or without the service: a new service, every setting listed', async () => {
    const noFile = await repository({}, { '.railway/railway.ts': HEAD });
    const added = await planAt(noFile.dir, noFile.base);
    assert.equal(added.status, 'new-service');
    assert.equal(added.reason, 'the base commit has no .railway/railway.ts');
    assert.ok(added.changes.some((c) => c.field === 'deploy.healthcheckPath' && c.before === null && c.after === '/ready'));
    const renamed = await repository({ '.railway/railway.ts': BASE.replace("service('web'", "service('api'") }, { '.railway/railway.ts': HEAD });
    const created = await planAt(renamed.dir, renamed.base);
    assert.equal(created.status, 'new-service');
    assert.equal(created.reason, 'the base\'s .railway/railway.ts has no service "web"');
  });

  test("the base's file imports a sibling module of .railway/; a base file that throws is unavailable, named by its path in the repository", async () => {
    const split = await repository(
      {
        '.railway/railway.ts':
          "import { defineRailway, project, service } from 'railway/iac';\nimport { PATH } from './health.ts';\nexport default defineRailway(() => project('shop', { resources: [service('web', { healthcheck: PATH })] }));\n",
        '.railway/health.ts': "export const PATH: string = '/health';\n",
      },
      { '.railway/railway.ts': HEAD },
    );
    const plan = await planAt(split.dir, split.base);
    assert.equal(plan.status, 'changed', plan.reason ?? '');
    assert.deepEqual(
      plan.changes.find((c) => c.field === 'deploy.healthcheckPath'),
      { field: 'deploy.healthcheckPath', before: '/health', after: '/ready' },
    );
    const broken = await repository(
      { '.railway/railway.ts': "export default () => {\n  throw new Error('base is broken');\n};\n" },
      { '.railway/railway.ts': HEAD },
    );
    const failed = await planAt(broken.dir, broken.base);
    assert.equal(failed.status, 'unavailable');
    assert.equal(failed.reason, "base configuration not available: the base's .railway/railway.ts threw at line 2: base is broken");
  });
});
