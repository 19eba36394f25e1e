import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ActionsCacheStore } from './cache/actions-store.ts';
import type { CacheContext } from './cache/layer-cache.ts';
import { loadConfig, SECRET_INPUTS, type Config } from './config/config.ts';
import type { RunEvent } from './deploy/railway/gate.ts';
import { serviceLookup } from './deploy/railway/settings.ts';
import { ConfigError } from './config/errors.ts';
import { connectDocker, ensureEngine } from './host/docker.ts';
import { redactDeep, type Annotation, type Log } from './host/log.ts';
import type { CheckReport } from './report/model.ts';
import { renderMarkdown } from './report/markdown.ts';
import { runPipeline } from './pipeline.ts';
import { ActionsCacheBaselineStore, type BaselineScope } from './size/baseline-store.ts';

export const STATE_RUN_ID = 'run-id';
/** The buildx builder main created for the run, removed by the post step. */
export const STATE_BUILDER = 'builder';

/** GitHub's log commands; secrets were registered with setSecret, so the runner masks them. */
export const actionLog: Log = {
  info: (m) => core.info(m),
  warning: (m, where) => core.warning(m, properties(where)),
  error: (m, where) => core.error(m, properties(where)),
  debug: (m) => core.debug(m),
  group: (title, fn) => core.group(title, fn),
};

function properties(where: Annotation | undefined): core.AnnotationProperties | undefined {
  if (!where) return undefined;
  return { file: path.relative(process.cwd(), where.file) || where.file, startLine: where.line, title: where.title };
}

/** The action's main step. */
export async function runAction(): Promise<void> {
  // Masked before anything else runs: reading the configuration already talks to Railway with the token.
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (value.trim() !== '') core.setSecret(value.trim());
  }
  let config: Config;
  try {
    config = await loadConfig((name) => core.getInput(name), { railwayLookup: serviceLookup((m) => core.info(m)) });
  } catch (err) {
    core.setFailed(err instanceof ConfigError ? err.message : `deploy-check could not start: ${(err as Error).message}`);
    return;
  }
  for (const secret of config.secrets) core.setSecret(secret);
  core.saveState(STATE_RUN_ID, config.runId);

  const docker = connectDocker();
  const secrets = [...config.secrets];
  const maskSecret = (value: string): void => {
    if (value.length < 3 || secrets.includes(value)) return;
    core.setSecret(value);
    secrets.push(value);
  };
  try {
    await ensureEngine(docker);
    const server = process.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
    const repo = process.env['GITHUB_REPOSITORY'];
    const runId = process.env['GITHUB_RUN_ID'];
    const event = runEvent();
    const report = await runPipeline(config, {
      docker,
      log: actionLog,
      maskSecret,
      source: {
        commit: process.env['GITHUB_SHA'] ?? null,
        ref: process.env['GITHUB_HEAD_REF'] || process.env['GITHUB_REF'] || null,
        runUrl: repo && runId ? `${server}/${repo}/actions/runs/${runId}` : null,
      },
      cache: actionCacheContext(config, event),
      event,
      baselines: actionBaselineScope(process.env),
    });
    await publish(redactDeep(report, secrets));
  } catch (err) {
    core.setFailed(`deploy-check failed unexpectedly: ${(err as Error).message}`);
  }
}

/** The Actions cache service when the job has one; the commit and the branch decide the key and whether to save. */
function actionCacheContext(config: Config, event: RunEvent | null): CacheContext {
  const available = ActionsCacheStore.available();
  const ref = event?.ref ?? (process.env['GITHUB_REF'] || null);
  const defaultBranch = event?.defaultBranch ?? null;
  return {
    store: available ? new ActionsCacheStore({ timeoutMs: config.cache.timeoutMs }) : null,
    missingStore: available ? null : { reason: 'this job has no Actions cache service (ACTIONS_RESULTS_URL is not set)', warn: true },
    revision: process.env['GITHUB_SHA'] || null,
    onDefaultBranch: defaultBranch === null || ref === null ? null : ref === `refs/heads/${defaultBranch}`,
    ref,
    root: process.env['GITHUB_WORKSPACE'] || process.cwd(),
    rememberBuilder: (name) => core.saveState(STATE_BUILDER, name),
  };
}

/** The event as @actions/github reads it (GITHUB_EVENT_NAME, GITHUB_REF and the event payload file). */
function runEvent(): RunEvent | null {
  if (!context.eventName) return null;
  const payload = context.payload as { action?: unknown; repository?: { default_branch?: unknown } };
  return {
    name: context.eventName,
    ref: context.ref || null,
    defaultBranch: typeof payload.repository?.default_branch === 'string' ? payload.repository.default_branch : null,
    action: typeof payload.action === 'string' ? payload.action : null,
  };
}

async function publish(report: CheckReport): Promise<void> {
  const file = path.join(process.env['RUNNER_TEMP'] ?? os.tmpdir(), `deploy-check-report-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
  core.setOutput('report', file);
  core.setOutput('verdict', report.verdict);
  core.setOutput('image-id', report.image.id ?? '');
  core.setOutput('healthy', String(report.health.status === 'healthy'));
  core.setOutput('time-to-healthy-ms', report.health.timeToHealthyMs === null ? '' : String(report.health.timeToHealthyMs));
  core.setOutput('image-size', report.size.bytes === null ? '' : String(report.size.bytes));
  core.setOutput('image-size-compressed', report.size.compressedBytes === null ? '' : String(report.size.compressedBytes));
  core.setOutput('hygiene-findings', String(report.hygiene.findings.length));
  core.setOutput('hygiene-errors', String(report.hygiene.findings.filter((f) => f.severity === 'error').length));
  core.setOutput('cache-hit', String(report.build.cache.restored));
  core.setOutput('cache-key', report.build.cache.key ?? '');
  const delta = report.size.delta;
  const sizeDelta = delta === null ? null : delta.metric === 'compressed' ? delta.compressedBytes : delta.bytes;
  const sizeDeltaPercent = delta === null ? null : delta.metric === 'compressed' ? delta.compressedPercent : delta.percent;
  core.setOutput('size-delta', sizeDelta === null ? '' : String(sizeDelta));
  core.setOutput('size-delta-percent', sizeDeltaPercent === null ? '' : String(sizeDeltaPercent));
  const deploy = report.deploy;
  core.setOutput('deployment-id', deploy?.deploymentId ?? '');
  core.setOutput('deployment-url', deploy?.url ?? '');
  // Railway's own status when a deployment exists (SUCCESS, CRASHED, ...), else deploy-check's (skipped, error).
  core.setOutput('deployment-status', deploy ? (deploy.railwayStatus ?? deploy.status) : '');
  if (process.env['GITHUB_STEP_SUMMARY']) {
    await core.summary.addRaw(renderMarkdown(report)).write();
  }
  if (report.verdict === 'fail') core.setFailed(report.reasons.join('\n'));
  else core.info(`deploy-check passed: ${report.image.ref}`);
}

/**
 * The `auto` baseline's scope: a pull request compares with its base branch, any other run with
 * the default branch; only runs on the default branch store a new baseline (after passing).
 */
export function actionBaselineScope(env: NodeJS.ProcessEnv): BaselineScope {
  const runKey = `${env['GITHUB_RUN_ID'] ?? Date.now()}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`;
  let payload: { repository?: { default_branch?: unknown }; pull_request?: { base?: { ref?: unknown } }; merge_group?: { base_ref?: unknown } } = {};
  try {
    if (env['GITHUB_EVENT_PATH']) payload = JSON.parse(readFileSync(env['GITHUB_EVENT_PATH'], 'utf8')) as typeof payload;
  } catch {
    // No readable event payload: the default branch stays unknown.
  }
  const defaultBranch = typeof payload.repository?.default_branch === 'string' ? payload.repository.default_branch : undefined;
  const event = env['GITHUB_EVENT_NAME'] ?? '';
  const ref = env['GITHUB_REF'] ?? '';
  const currentBranch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  let branch: string | undefined;
  if (event.startsWith('pull_request')) {
    branch = env['GITHUB_BASE_REF'] || (typeof payload.pull_request?.base?.ref === 'string' ? payload.pull_request.base.ref : undefined);
  } else if (event === 'merge_group' && typeof payload.merge_group?.base_ref === 'string') {
    branch = payload.merge_group.base_ref.replace(/^refs\/heads\//, '');
  } else {
    branch = defaultBranch;
  }
  if (!branch) {
    return { store: null, unavailable: 'the base branch is unknown (the event payload names no default branch)', branch: null, save: false, runKey };
  }
  const save = !event.startsWith('pull_request') && event !== 'merge_group' && currentBranch !== undefined && currentBranch === defaultBranch;
  if (!cache.isFeatureAvailable()) {
    return { store: null, unavailable: 'the Actions cache service is not available to this job', branch, save: false, runKey };
  }
  return { store: new ActionsCacheBaselineStore(cache), unavailable: null, branch, save, runKey };
}
