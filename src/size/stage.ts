import type Docker from 'dockerode';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { redactDeep, type Log } from '../host/log.ts';
import type { CheckReport, SizeReport } from '../model/report.ts';
import { SKIPPED_SIZE } from '../model/skipped.ts';
import { saveKey, type ImageScope } from '../cache/key.ts';
import { baselineKeyPrefix, imageRepository, type BaselineScope } from './baseline-store.ts';
import { resolveBaseline } from './baseline.ts';
import { stateDirectory } from '../host/state.ts';
import { BlobDiffIdMemo, BlobSizeMemo } from './blob-memo.ts';
import { evaluateBudgets } from './budget.ts';
import { compareSizes } from './compare.ts';
import { measureImage, type LayerTap } from './measure.ts';

export interface SizeStageDeps {
  /** The built image's ID (config.image is its tag, which names the baseline's repository). */
  readonly image: string;
  readonly docker: Docker;
  readonly log: Log;
  readonly baselines: BaselineScope;
  /** The workspace, against which the Dockerfile's path is keyed. */
  readonly cwd?: string;
  /** Another reader of the layers (hygiene), fed by the same push. */
  readonly tap?: LayerTap;
}

/**
 * measure → baseline → compare → budgets. Budget breaches are annotated on the Dockerfile line
 * most responsible. An image that cannot be measured is reported as such: the size is one
 * check among others and does not take the run down.
 */
export async function sizeStage(config: Config, deps: SizeStageDeps): Promise<SizeReport> {
  try {
    return await measureAndCompare(config, deps);
  } catch (err) {
    const message = `the image could not be measured: ${(err as Error).message}`;
    deps.log.warning(`Image size: ${message}`);
    return {
      ...SKIPPED_SIZE,
      layers: [],
      notes: [message],
      budget: { metric: config.size.metric, status: config.size.maxSize || config.size.maxIncrease ? 'unchecked' : 'none', checks: [] },
    };
  }
}

// Measure, attribute, compare and budget: the size stage's story, each step a call, in order.
// eslint-disable-next-line max-lines-per-function
async function measureAndCompare(config: Config, deps: SizeStageDeps): Promise<SizeReport> {
  const { log } = deps;
  const variables = buildVariables(config);
  const memo = await BlobSizeMemo.load(path.join(stateDirectory(), 'layer-sizes.json'));
  const diffIdMemo = await BlobDiffIdMemo.load(path.join(stateDirectory(), 'layer-diff-ids.json'));
  const current = await measureImage(deps.docker, deps.image, {
    facts: config.dockerfileFacts,
    variables,
    memo,
    diffIdMemo,
    log,
    ...(deps.tap ? { tap: deps.tap } : {}),
  });
  log.info(
    `Image size: ${describeFigure(current.bytes)} uncompressed, ${describeFigure(current.compressedBytes)} compressed (${current.layers.length} layers, measured in ${current.durationMs} ms)`,
  );

  const inspect = (await deps.docker.getImage(deps.image).inspect()) as { Os?: string; Architecture?: string };
  const keyPrefix = deps.baselines.branch ? baselineKeyPrefix(baselineImageKey(config, deps.cwd), deps.baselines.branch) : null;
  const { baseline, note } = await resolveBaseline(config.size.baseline, {
    facts: config.dockerfileFacts,
    variables,
    credentials: config.size.registryCredentials,
    scope: deps.baselines,
    keyPrefix,
    platform: { os: inspect.Os ?? 'linux', architecture: inspect.Architecture ?? 'amd64' },
  });
  if (note && config.size.baseline.kind !== 'auto' && config.size.baseline.kind !== 'none') log.warning(`Image size: ${note}`);
  else if (note) log.info(`Image size: ${note}`);

  const metric = config.size.metric;
  const delta = baseline ? compareSizes(current, baseline, metric) : null;
  const baselineFigure = baseline ? (metric === 'compressed' ? baseline.compressedBytes : baseline.bytes) : null;
  const budget = evaluateBudgets(config.size, { current, baselineFigure, delta, baselineSource: baseline?.source ?? null, baselineNote: note });
  for (const check of budget.checks) {
    if (check.status === 'exceeded')
      log.error(check.message, { file: config.dockerfile, line: check.layer?.line ?? undefined, title: `Image size budget ${check.name}` });
    else if (check.status === 'unchecked') log.warning(check.message);
    else log.info(check.message);
  }

  const threshold = config.size.commentThreshold;
  const change = delta ? (metric === 'compressed' ? delta.compressedBytes : delta.bytes) : null;
  const changePercent = delta ? (metric === 'compressed' ? delta.compressedPercent : delta.percent) : null;
  const reached =
    change === null
      ? null
      : threshold.kind === 'bytes'
        ? Math.abs(change) >= threshold.bytes
        : changePercent !== null && Math.abs(changePercent) >= threshold.percent;

  return {
    status: 'measured',
    bytes: current.bytes,
    compressedBytes: current.compressedBytes,
    uncompressedSource: current.uncompressedSource,
    compressedSource: current.compressedSource,
    store: current.store,
    measureMs: current.durationMs,
    baseImage: current.baseImage,
    layers: [...current.layers],
    baseline,
    baselineNote: note,
    delta,
    budget,
    commentThreshold: {
      limit: threshold.raw,
      bytes: threshold.kind === 'bytes' ? threshold.bytes : null,
      percent: threshold.kind === 'percent' ? threshold.percent : null,
      reached,
    },
    baselineSaved: null,
    notes: [...current.notes, ...(delta?.notes ?? [])],
  };
}

/**
 * After the verdict: a passing run on the default branch becomes the newest `auto` baseline.
 * A failure to store is a warning; it never changes the verdict.
 */
export async function saveBaseline(config: Config, report: CheckReport, scope: BaselineScope, log: Log, cwd?: string): Promise<void> {
  if (!scope.save || !scope.store || !scope.branch || report.verdict !== 'pass' || report.size.status !== 'measured') return;
  if (config.size.baseline.kind !== 'auto') return;
  const key = saveKey(baselineKeyPrefix(baselineImageKey(config, cwd), scope.branch), scope.runKey);
  try {
    // Stored without its own baseline and delta: the next run compares with this image alone.
    const stored: CheckReport = { ...report, size: { ...report.size, baseline: null, delta: null, baselineSaved: null } };
    await scope.store.save(key, JSON.stringify(redactDeep(stored, config.secrets)));
    report.size.baselineSaved = { key };
    log.info(`Image size: stored as the baseline of ${scope.branch} in ${scope.store.description} (${key})`);
  } catch (err) {
    log.warning(`Image size: could not store the baseline in ${scope.store.description}: ${(err as Error).message}`);
  }
}

function baselineImageKey(config: Config, cwd = process.cwd()): ImageScope {
  return { dockerfile: config.dockerfile, target: config.target, imageRepository: imageRepository(config.image), cwd };
}

/** What FROM ${VAR} resolves with: the global ARG defaults, overridden by build arguments. */
function buildVariables(config: Config): Map<string, string> {
  const vars = new Map<string, string>();
  for (const arg of config.dockerfileFacts.globalArgs) if (arg.value !== undefined) vars.set(arg.name, arg.value);
  for (const { key, value } of config.buildArgs) vars.set(key, value);
  return vars;
}

function describeFigure(bytes: number | null): string {
  return bytes === null ? 'unknown' : `${bytes} bytes`;
}
