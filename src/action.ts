import * as core from '@actions/core';
import type Docker from 'dockerode';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { actionsBaselineStore, actionsCacheAvailable, actionsLayerStore, actionsStateStore } from './cache/actions-store.ts';
import { StateCache, stateKeyPrefix } from './cache/state-cache.ts';
import type { CacheContext } from './cache/layer-cache.ts';
import { loadConfig, SECRET_INPUTS, type Config } from './config/config.ts';
import { ConfigError, type InputReader } from './inputs/inputs.ts';
import { serviceLookup } from './config/railway-settings.ts';
import { connectDocker, ensureEngine, ensureNetwork } from './host/docker.ts';
import { commandFree, oneLine, visible, type Annotation, type Log } from './host/log.ts';
import type { CheckReport } from './model/report.ts';
import { renderMarkdownWithin, SHORTENING, SUMMARY_LIMITS, SUMMARY_MAX_CHARS } from './report/markdown.ts';
import { runPipeline } from './pipeline/pipeline.ts';
import { readPublishConfig, type PublishConfig } from './config/publish.ts';
import { commitUrl, isPullRequestEvent, readRunContext, runEventOf, runUrl, type RunContext, type RunEvent } from './github/context.ts';
import {
  checkRunTarget,
  commentExpected,
  octokitFor,
  postComment,
  postRunError,
  resolveCommentKey,
  runErrorSource,
  workflowRunTarget,
  type CommentResult,
} from './publish/publish.ts';
import { renderRunError } from './report/comment.ts';
import { readReportFile, reportFilesAt } from './publish/report-file.ts';
import { BaselineStore, imageRepository, type BaselineScope } from './size/baseline-store.ts';
import { stateDirectory } from './host/state.ts';
import { STATE_BUILDER, STATE_IMAGE, STATE_RUN_ID } from './action-state.ts';
import { openSession, Secrets, type SessionEntry } from './session.ts';

/**
 * Every secret value this run knows. They are registered with the runner (setSecret), and the
 * log masks them itself too: the log does not depend on the runner's masking of short values.
 */
const runSecrets = new Secrets((value) => core.setSecret(value));

/**
 * GitHub's log commands, masked, and the only way the main step writes to its log: whatever a
 * message quotes (an app's log line, a response body, a file name, a health path) cannot start
 * a workflow command or send control characters to the reader. Plain lines go through
 * commandFree; @actions/core escapes line breaks in annotations, group titles and debug lines itself.
 */
export const actionLog: Log = {
  info: (m) => core.info(commandFree(runSecrets.mask(m))),
  warning: (m, where) => core.warning(visible(runSecrets.mask(m)), properties(where)),
  error: (m, where) => core.error(visible(runSecrets.mask(m)), properties(where)),
  debug: (m) => core.debug(visible(runSecrets.mask(m))),
  group: (title, fn) => core.group(oneLine(runSecrets.mask(title)), fn),
};

/** Fails the step with an annotation that says why, on the same terms as actionLog. */
function fail(message: string): void {
  core.setFailed(visible(runSecrets.mask(message)));
}

function properties(where: Annotation | undefined): core.AnnotationProperties | undefined {
  if (!where) return undefined;
  const title = where.title === undefined ? undefined : oneLine(where.title);
  return { file: path.relative(process.cwd(), where.file) || where.file, startLine: where.line, endLine: where.endLine, title };
}

/** The action's main step. */
// The action's main step in its order (mask, configure, session, pipeline, publish) inside one try/finally; its parts are helpers already.
// eslint-disable-next-line max-lines-per-function
export async function runAction(): Promise<void> {
  // Masked before anything else runs: reading the configuration already talks to Railway with the token.
  for (const name of SECRET_INPUTS) runSecrets.add(core.getInput(name).trim());
  const read: InputReader = (name) => core.getInput(name);
  let publishConfig: PublishConfig;
  try {
    publishConfig = readPublishConfig(read);
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : `deploy-check could not start: ${(err as Error).message}`);
    return;
  }
  const context = readRunContext();
  if (publishConfig.mode === 'comment') {
    await runCommentMode(publishConfig, context);
    return;
  }

  let config: Config;
  try {
    // beside: .railway/railway.ts is evaluated while the image builds (the pipeline waits for it).
    config = await loadConfig(read, { railwayLookup: serviceLookup((m) => actionLog.info(m)), beside: true, runContext: context });
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : `deploy-check could not start: ${(err as Error).message}`;
    await publishRunError(publishConfig, context, message);
    fail(message);
    return;
  }
  for (const secret of config.secrets) runSecrets.add(secret);
  core.saveState(STATE_RUN_ID, config.runId);
  if (core.getInput('image').trim() === '') core.saveState(STATE_IMAGE, config.image);

  let docker: Docker;
  try {
    docker = connectDocker();
  } catch (err) {
    fail(`deploy-check could not start: ${(err as Error).message}`);
    return;
  }
  const pr = context.pullRequest;
  const sha = pr?.headSha ?? context.sha;
  const source = { commit: sha, ref: context.headRef || context.ref, runUrl: runUrl(context) };
  // A cancelled job: the runner sends SIGINT (then SIGTERM): the run stops where it is, says
  // "cancelled" in its report and summary, and removes what it started; the post step runs after.
  const session = openSession(config, docker, source, actionEntry(config, context));
  try {
    await ensureEngine(docker);
    await ensureNetwork(docker, config.network);
    const event = runEventOf(context);
    const cacheContext = actionCacheContext(config, event);
    const state = actionStateCache(config, cacheContext);
    const report = await runPipeline(config, {
      docker,
      log: actionLog,
      // Grows when a stage finds a secret value (e.g. in the image config): later output masks it too.
      maskSecret: (value) => runSecrets.add(value),
      source: {
        ...source,
        commitUrl: commitUrl(context, sha),
        pullRequest: pr?.number ?? null,
        commentKey: resolveCommentKey(config.publish.commentKey, null),
      },
      cache: cacheContext,
      event,
      baselines: actionBaselineScope(context, process.env),
      cancel: session.cancel,
      ...(state ? { stateRestored: state.restore() } : {}),
      ...(isPullRequestEvent(context) ? { railwayBase: pr?.baseSha ?? null } : {}),
    });
    await session.report(report);
    // Bytes of layers read this run; unknown without the hygiene scan, which reads them for both checks.
    await state?.save(report.hygiene.scan ? report.hygiene.scan.bytesRead : null);
  } catch (err) {
    const message = runSecrets.mask(err instanceof ConfigError ? err.message : `deploy-check failed unexpectedly: ${(err as Error).message}`);
    await publishRunError(config.publish, context, message);
    fail(message);
  } finally {
    await session.close();
  }
}

/**
 * The action's side of a run: its report is the outputs, the summary and the comment; a second
 * signal (the runner's SIGTERM 7.5 s after SIGINT) leaves at once, and the post step cleans up.
 */
function actionEntry(config: Config, context: RunContext): SessionEntry {
  return {
    log: actionLog,
    secrets: runSecrets,
    cancelling: (signal) => `${signal}: cancelling the run`,
    unexpected: (message) => actionLog.warning(message),
    signalGrace: false,
    cleanUpOnSecondSignal: false,
    signalExitCode: () => core.ExitCode.Failure,
    writeReport: (report) => publish(report, config.publish, context),
    reportFailed: (report) => fail(report.reasons.join('\n')),
    cleanUp: () => Promise.resolve(),
  };
}

/** A run that checked nothing still leaves a summary, and its pull request's comment says so. */
async function publishRunError(publishConfig: PublishConfig, context: RunContext, message: string): Promise<void> {
  if (process.env['GITHUB_STEP_SUMMARY']) {
    try {
      await core.summary.addRaw(renderRunError(message, runErrorSource(context))).write();
    } catch {
      // The failure itself is reported by setFailed.
    }
  }
  const result = await postRunError(publishConfig, context, message);
  if (result) await tellCommentResult(result);
}

/** The Actions cache service when the job has one; the commit and the branch decide the key and whether to save. */
function actionCacheContext(config: Config, event: RunEvent | null): CacheContext {
  const available = actionsCacheAvailable();
  const ref = event?.ref ?? (process.env['GITHUB_REF'] || null);
  const defaultBranch = event?.defaultBranch ?? null;
  return {
    store: available ? actionsLayerStore(config.cache.timeoutMs) : null,
    missingStore: available ? null : { reason: 'this job has no Actions cache service (ACTIONS_RESULTS_URL is not set)', warn: true },
    revision: process.env['GITHUB_SHA'] || null,
    onDefaultBranch: defaultBranch === null || ref === null ? null : ref === `refs/heads/${defaultBranch}`,
    ref,
    root: process.env['GITHUB_WORKSPACE'] || process.cwd(),
    rememberBuilder: (name) => core.saveState(STATE_BUILDER, name),
  };
}

/** The image checks wait for the state's restore: a stuck cache service must not hold them for cache-timeout's 10 minutes. */
const STATE_TIMEOUT_MS = 30_000;

/**
 * The per-layer facts and sizes the image checks remember, carried in the Actions cache for a
 * runner whose state directory starts empty (GitHub's own); with the layer cache, under its
 * cache-save policy and cache-timeout.
 */
function actionStateCache(config: Config, ctx: CacheContext): StateCache | null {
  if (!config.cache.enabled || !ctx.store) return null;
  const policy = config.cache.save;
  const save = ctx.store.writable && (policy === 'always' || (policy === 'default-branch' && ctx.onDefaultBranch === true));
  const prefix = stateKeyPrefix({ dockerfile: config.dockerfile, target: config.target, imageRepository: imageRepository(config.image), cwd: ctx.root });
  return new StateCache({
    store: actionsStateStore(Math.min(config.cache.timeoutMs, STATE_TIMEOUT_MS)),
    stateDir: stateDirectory(),
    prefix,
    runKey: cacheRunKey(process.env),
    save,
    log: (m) => actionLog.info(m),
  });
}

async function publish(report: CheckReport, publishConfig: PublishConfig, context: RunContext): Promise<void> {
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
  core.setOutput('preview-url', deploy?.preview?.url ?? '');
  await writeSummary(report);

  let result: CommentResult | null = null;
  if (publishConfig.comment !== 'never') {
    if (!publishConfig.token) {
      // Only worth a warning where a comment was due.
      if (commentExpected(publishConfig, context, report)) {
        result = { id: null, url: null, sentence: 'No comment: the github-token input is empty', level: 'warning' };
      }
    } else {
      const octokit = octokitFor(publishConfig.token);
      const key = resolveCommentKey(publishConfig.commentKey, report);
      const target = await checkRunTarget(octokit, publishConfig, context, report);
      result = 'none' in target ? { id: null, url: null, sentence: target.none, level: 'info' } : await postComment(octokit, context, report, key, target);
    }
  }
  await tellCommentResult(result);

  if (report.verdict === 'fail' && report.build.status === 'failure') {
    // One annotation, on the Dockerfile (on the failing instruction's lines when BuildKit named
    // them): setFailed would add a second with the same words.
    core.error(visible(report.reasons.join('\n')), buildFailureAnnotation(report));
    process.exitCode = core.ExitCode.Failure;
  } else if (report.verdict === 'fail') fail(report.reasons.join('\n'));
  else actionLog.info(`deploy-check passed: ${report.image.ref}`);
}

/** Where the build-failure annotation goes: the Dockerfile, and the failing lines in it when known. */
export function buildFailureAnnotation(report: CheckReport): core.AnnotationProperties {
  const dockerfile = report.source.dockerfile;
  const source = report.build.failure?.source;
  const lines = source && source.file === dockerfile ? { startLine: source.line, endLine: source.endLine } : {};
  return { file: path.relative(process.cwd(), dockerfile) || dockerfile, title: 'deploy-check', ...lines };
}

/**
 * mode comment: no build; the comment of each report file, for the pull request GitHub vouches
 * for. A directory of reports (a matrix's artifacts) posts each under its own comment-key.
 */
async function runCommentMode(publishConfig: PublishConfig, context: RunContext): Promise<void> {
  let files: string[];
  try {
    files = await reportFilesAt(publishConfig.reportFile ?? '');
  } catch (err) {
    fail((err as Error).message);
    return;
  }
  const octokit = publishConfig.token ? octokitFor(publishConfig.token) : null;
  const verdicts: string[] = [];
  for (const file of files) {
    let report: CheckReport;
    try {
      report = await readReportFile(file);
    } catch (err) {
      // One unreadable file among several is reported; a single bad file fails the step.
      if (files.length === 1) {
        fail((err as Error).message);
        return;
      }
      actionLog.warning((err as Error).message);
      continue;
    }
    verdicts.push(report.verdict);
    const key = resolveCommentKey(files.length === 1 ? publishConfig.commentKey : undefined, report);
    let shown = report;
    let result: CommentResult | null = null;
    try {
      if (publishConfig.comment !== 'never') {
        if (!octokit) {
          result = { id: null, url: null, sentence: 'No comment: the github-token input is empty', level: 'warning' };
        } else {
          const found = await workflowRunTarget(octokit, publishConfig, context, report);
          if ('none' in found) {
            result = { id: null, url: null, sentence: found.none, level: 'warning' };
          } else {
            shown = found.report;
            result = await postComment(octokit, context, found.report, key, found.target);
          }
        }
      }
    } catch (err) {
      result = { id: null, url: null, sentence: `No comment: ${(err as Error).message.split('\n')[0]}`, level: 'warning' };
    }
    await writeSummary(shown);
    await tellCommentResult(result);
  }
  core.setOutput('verdict', verdicts.includes('fail') ? 'fail' : verdicts.length ? 'pass' : '');
}

/** The job summary is written on every run, before and whatever happens to the comment. */
async function writeSummary(report: CheckReport): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    const { text } = renderMarkdownWithin(report, SUMMARY_MAX_CHARS, { ladder: [SUMMARY_LIMITS, ...SHORTENING] });
    await core.summary.addRaw(text).write();
  } catch (err) {
    actionLog.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
}

async function tellCommentResult(result: CommentResult | null): Promise<void> {
  core.setOutput('comment-id', result?.id === null || result?.id === undefined ? '' : String(result.id));
  core.setOutput('comment-url', result?.url ?? '');
  if (!result) return;
  if (result.level === 'warning') actionLog.warning(result.sentence);
  else if (result.level === 'notice') core.notice(visible(runSecrets.mask(result.sentence)));
  else actionLog.info(result.sentence);
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  try {
    const icon = result.url ? '💬' : result.level === 'info' ? 'ℹ️' : '⚠️';
    // The sentence holds only our own words, numbers and URLs GitHub returned; still no raw HTML.
    const line = result.sentence.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/#(\d)/g, '#\u200b$1');
    await core.summary.addRaw(`\n<sub>${icon} ${line}</sub>\n`).write();
  } catch {
    // The summary itself was already written; this line is a courtesy.
  }
}

/**
 * This run's part of a cache key. Keys are immutable: a job may check the same image twice (a
 * retried step, two services sharing a Dockerfile), so it carries the moment too, not only the
 * run and attempt.
 */
function cacheRunKey(env: NodeJS.ProcessEnv): string {
  return `${env['GITHUB_RUN_ID'] ?? 'local'}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}-${Date.now().toString(36)}`;
}

/**
 * The `auto` baseline's scope: a pull request compares with its base branch, any other run with
 * the default branch; only runs on the default branch store a new baseline (after passing).
 */
export function actionBaselineScope(context: RunContext, env: NodeJS.ProcessEnv): BaselineScope {
  const runKey = cacheRunKey(env);
  // The event payload as the run context read it; without one, the default branch stays unknown.
  const payload = context.payload as { pull_request?: { base?: { ref?: unknown } }; merge_group?: { base_ref?: unknown } };
  const defaultBranch = context.defaultBranch ?? undefined;
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
  if (!actionsCacheAvailable()) {
    return { store: null, unavailable: 'the Actions cache service is not available to this job', branch, save: false, runKey };
  }
  return { store: new BaselineStore(actionsBaselineStore()), unavailable: null, branch, save, runKey };
}
