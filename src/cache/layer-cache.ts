import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import { formatBytes, formatDuration } from '../model/format.ts';
import type { BuildReport, CacheReport } from '../model/report.ts';
import { cacheReportOff } from '../model/skipped.ts';
import { cacheKeys, contextRevision, defaultKeyPrefix, fingerprint, type CacheKeys } from './key.ts';
import { decideSave } from './save-decision.ts';
import { mergeStepTimes, readStepTimes, timeSaved, writeStepTimes, type StepTimes } from './step-times.ts';
import { CacheStoreError, directoryBytes, isUsableCache, type CacheStore, type RestoredCache } from './store.ts';

export { cacheReportOff };

/** What the entry (action or local command) knows about where caches live and about the run. */
export interface CacheContext {
  /** null: no store for this run (see missingStore). */
  readonly store: CacheStore | null;
  /** Why there is no store, and whether that deserves a warning (the action without a cache service) or not (the local command without --cache-dir). */
  readonly missingStore: { readonly reason: string; readonly warn: boolean } | null;
  /** The commit (GITHUB_SHA) in the action; null locally, where the context's files stand for it. */
  readonly revision: string | null;
  readonly onDefaultBranch: boolean | null;
  readonly ref: string | null;
  /** The workspace root the default key prefix names the Dockerfile from. */
  readonly root: string;
  /** Called before a builder is created, so that cleanup removes it even if the run is cut short. */
  readonly rememberBuilder: (name: string) => void;
}

/** The builder the build runs on, as build/ chose it (chooseBuilder) for a run that exports the cache. */
export interface CacheBuilder {
  readonly name: string | undefined;
  /** Why this builder cannot export the cache (the report's note, the warning); null when it can. */
  readonly cannotExport: { readonly note: string; readonly warning: string } | null;
}

export interface PreparedCache {
  /** --cache-from / --cache-to for the build. */
  readonly plan: { readonly from: string | undefined; readonly to: string | undefined };
  /** The builder to build with: the user's, one created for this run, or undefined (the default). */
  readonly builder: string | undefined;
  readonly report: CacheReport;
  readonly keys: CacheKeys | null;
  readonly exportDir: string | undefined;
  readonly restored: RestoredCache | null;
  readonly stepTimes: StepTimes;
  readonly storeFailed: boolean;
}

/** Whether this run uses a layer cache at all: only then does the build need a builder that can export one. */
export function layerCacheWanted(config: Config, ctx: CacheContext): boolean {
  return config.cache.enabled && ctx.store !== null;
}

/**
 * Before the build: restores the newest cache of this image, and plans --cache-from/--cache-to
 * for the builder chosen to build with. Caching never fails the check: every problem turns into
 * one warning and a build without the cache.
 */
export async function prepareLayerCache(config: Config, builder: CacheBuilder, log: Log, ctx: CacheContext): Promise<PreparedCache> {
  const none = (report: CacheReport): PreparedCache => ({
    plan: { from: undefined, to: undefined },
    builder: builder.name,
    report,
    keys: null,
    exportDir: undefined,
    restored: null,
    stepTimes: {},
    storeFailed: false,
  });
  const settings = config.cache;
  if (!settings.enabled) return none(cacheReportOff('the cache input is false'));
  const report: CacheReport = { ...cacheReportOff(null, settings.mode), enabled: true };
  const warn = (message: string): void => {
    report.warnings.push(message);
    log.warning(message);
  };
  const { store } = ctx;
  if (!store) {
    report.enabled = false;
    report.note = ctx.missingStore?.reason ?? 'no cache store';
    if (ctx.missingStore?.warn) warn(`Layer cache off: ${report.note}`);
    else log.info(`Layer cache off: ${report.note}`);
    return none(report);
  }
  report.store = store.kind;
  const keys = await layerCacheKeys(config, ctx);
  report.key = keys.key;
  if (builder.cannotExport) {
    report.note = builder.cannotExport.note;
    warn(builder.cannotExport.warning);
    return none({ ...report, enabled: false });
  }

  const { restored, storeFailed, stepTimes } = await restoreLayers(store, keys, report, warn, log);
  const before = decideSave({
    policy: settings.save,
    exactHit: report.exactHit,
    onDefaultBranch: ctx.onDefaultBranch,
    ref: ctx.ref,
    readOnly: !store.writable,
    storeFailed,
    build: 'pending',
    exportedBytes: null,
  });
  let exportDir: string | undefined;
  if (before.save) {
    // A fresh directory: re-exporting into the restored one would keep every layer ever built.
    exportDir = await mkdtemp(path.join(await store.workDir(), 'export-'));
  } else {
    report.saveReason = before.reason;
    log.info(`Layer cache will not be saved: ${before.reason}`);
  }
  const plan = {
    from: restored ? `type=local,src=${restored.dir}` : undefined,
    // ignore-error: a failed export must not fail the build; the empty export is caught before saving.
    // zstd: layers the export has to compress (the image store keeps them uncompressed) compress
    // several times faster than with gzip, which is most of what a cold run's export costs.
    to: exportDir ? `type=local,dest=${exportDir},mode=${settings.mode},compression=zstd,ignore-error=true` : undefined,
  };
  return { plan, builder: builder.name, report, keys, exportDir, restored, stepTimes, storeFailed };
}

/** This run's key and the prefixes it restores from. */
async function layerCacheKeys(config: Config, ctx: CacheContext): Promise<CacheKeys> {
  const settings = config.cache;
  const prefix = settings.keyPrefix ?? defaultKeyPrefix({ dockerfile: config.dockerfile, target: config.target, root: ctx.root });
  return cacheKeys(
    prefix,
    fingerprint({
      revision: ctx.revision ?? (await contextRevision(config.context)),
      dockerfileText: await readFile(config.dockerfile, 'utf8'),
      target: config.target,
      buildArgs: config.buildArgs,
      mode: settings.mode,
    }),
  );
}

/** Restores the newest cache of this image into report (restored, matched key, bytes, time); a failing store is a warning. */
async function restoreLayers(
  store: CacheStore,
  keys: CacheKeys,
  report: CacheReport,
  warn: (message: string) => void,
  log: Log,
): Promise<{ restored: RestoredCache | null; storeFailed: boolean; stepTimes: StepTimes }> {
  let restored: RestoredCache | null = null;
  let storeFailed = false;
  let stepTimes: StepTimes = {};
  const restoreStarted = Date.now();
  try {
    restored = await store.restore(keys);
  } catch (err) {
    storeFailed = true;
    report.note = `${store.description} failed: ${(err as Error).message}`;
    warn(`Layer cache unavailable (${store.description}: ${(err as Error).message}); building without it.`);
    if (!(err instanceof CacheStoreError)) log.debug((err as Error).stack ?? '');
  }
  report.restoreMs = Date.now() - restoreStarted;
  if (restored) {
    report.restored = true;
    report.matchedKey = restored.matchedKey;
    report.exactHit = restored.matchedKey === keys.key;
    report.restoredBytes = await directoryBytes(restored.dir);
    stepTimes = await readStepTimes(restored.dir);
    log.info(
      `Restored layer cache ${restored.matchedKey}${report.exactHit ? " (this run's key)" : ''}: ${formatBytes(report.restoredBytes)} in ${formatDuration(report.restoreMs)}`,
    );
  } else if (!storeFailed) {
    log.info(`No layer cache under ${keys.restoreKeys.join(', ')} yet; this build starts cold`);
  }
  return { restored, storeFailed, stepTimes };
}

/**
 * After the build: saves the fresh export when the build succeeded. This happens in the main
 * step, right after the build and before the container runs: the cache of a successful build is
 * valid whatever the health check finds, it is saved even if the job is cancelled during the
 * health check, the report can say what was saved, and the upload does not compete with the
 * container for the CPU while its time to healthy is measured.
 */
export async function finishLayerCache(prepared: PreparedCache, build: BuildReport, config: Config, log: Log, ctx: CacheContext): Promise<CacheReport> {
  const { store } = ctx;
  const report: CacheReport = { ...prepared.report, warnings: [...prepared.report.warnings] };
  if (prepared.restored) report.timeSavedMs = timeSaved(prepared.stepTimes, build.steps.list);
  const { exportDir, keys } = prepared;
  if (!exportDir || !keys || !store) return report;

  const exportedBytes = build.status === 'success' && (await isUsableCache(exportDir)) ? await directoryBytes(exportDir) : null;
  const decision = decideSave({
    policy: config.cache.save,
    exactHit: report.exactHit,
    onDefaultBranch: ctx.onDefaultBranch,
    ref: ctx.ref,
    readOnly: !store.writable,
    storeFailed: prepared.storeFailed,
    build: build.status === 'success' ? 'succeeded' : 'failed',
    exportedBytes,
  });
  report.saveReason = decision.reason;
  if (!decision.save) {
    await rm(exportDir, { recursive: true, force: true });
    if (build.status === 'success' && exportedBytes === null) {
      // The export was asked for and failed quietly (ignore-error): the next run would start cold again.
      const message = `Layer cache not saved: the build exported no usable cache (builder ${prepared.builder ?? 'default'}); the next build starts without one.`;
      report.warnings.push(message);
      log.warning(message);
    } else {
      log.info(`Layer cache not saved: ${decision.reason}`);
    }
    return report;
  }
  await writeStepTimes(exportDir, mergeStepTimes(prepared.stepTimes, build.steps.list));
  const started = Date.now();
  try {
    const accepted = await store.save(keys, exportDir);
    report.saveMs = Date.now() - started;
    if (accepted) {
      report.saved = true;
      report.savedBytes = exportedBytes;
      log.info(`Saved layer cache ${keys.key}: ${formatBytes(exportedBytes)} in ${formatDuration(report.saveMs)}`);
    } else {
      report.saveReason = 'another job saved an entry under this key first';
      log.info(`Layer cache not saved: ${report.saveReason}`);
    }
  } catch (err) {
    report.saveMs = Date.now() - started;
    report.saveReason = `saving failed: ${(err as Error).message}`;
    const message = `Layer cache not saved (${store.description}: ${(err as Error).message}); the next build starts from the previous cache.`;
    report.warnings.push(message);
    log.warning(message);
  } finally {
    await rm(exportDir, { recursive: true, force: true });
  }
  return report;
}

/** A build that failed outside any step with a cache error: worth one retry without the cache. */
export function failedOnCache(build: BuildReport): boolean {
  return (
    build.status === 'failure' &&
    build.failure !== null &&
    build.failure.step === null &&
    /cache export|cache import|exporting cache|importing cache|cache manifest|cache-from|cache-to/i.test(build.failure.message)
  );
}
