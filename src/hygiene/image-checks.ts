/**
 * Size and hygiene together: they read the image, not the container, so they run while the
 * container starts and is waited for. Hygiene learns first which layers it has never seen, the
 * size stage's push streams exactly those through it, then both sections are finished (wasted
 * space, from the hygiene scan, joins the size section). Their log is held and printed after
 * the caller's, so the two never interleave.
 */
import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import { HeldLog } from '../host/held-log.ts';
import type { Log } from '../host/log.ts';
import type { HygieneReport, SizeReport } from '../model/report.ts';
import type { BaselineScope } from '../size/baseline-store.ts';
import { applyWasted } from '../size/budget.ts';
import { sizeStage } from '../size/stage.ts';
import { skippedHygiene } from './check.ts';
import { hygieneStage } from './stage.ts';

export interface ImageCheckDeps {
  /** The built image's ID: both read this image, whatever its tag names by then. */
  readonly image: string;
  readonly docker: Docker;
  readonly log: Log;
  readonly baselines: BaselineScope;
  readonly maskSecret: (value: string) => void;
  /** They start once this settles: the state they remember between runs is being restored. */
  readonly after?: Promise<unknown>;
}

export interface ImageChecks {
  /** Both sections (hygiene undefined when off), once the held log has been printed. */
  done(): Promise<{ size: SizeReport; hygiene: HygieneReport | undefined }>;
}

export function imageChecksStage(config: Config, deps: ImageCheckDeps): ImageChecks {
  const { docker, baselines } = deps;
  const log = new HeldLog(deps.log);
  const running = (async () => {
    await deps.after;
    const hygiene = await hygieneStage(config, deps.image, { docker, log, maskSecret: deps.maskSecret }).catch((err: unknown) => {
      const report = skippedHygiene(config.hygiene.mode, `the image could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return { tap: undefined, finish: () => Promise.resolve({ report, wasted: null }) };
    });
    const measured = await log.group('Measure', () =>
      sizeStage(config, { image: deps.image, docker, log, baselines, ...(hygiene.tap ? { tap: hygiene.tap } : {}) }),
    );
    const found = config.hygiene.mode === 'off' ? undefined : await log.group('Hygiene', () => hygiene.finish());
    const why = config.hygiene.mode === 'off' ? 'wasted space is read by the hygiene layer scan, and hygiene is off' : 'the image layers could not be read';
    const size = applyWasted(measured, found?.wasted ?? null, config.size.maxWasted, why);
    for (const check of size.budget.checks.filter((c) => c.name === 'max-wasted')) {
      if (check.status === 'exceeded')
        log.error(check.message, { file: config.dockerfile, line: check.layer?.line ?? undefined, title: 'Image size budget max-wasted' });
      else log.info(check.message);
    }
    return { size, hygiene: found?.report };
  })();
  // Settled whatever happens meanwhile to the caller, so a failure there leaves nothing unhandled.
  running.catch(() => undefined);
  return { done: () => running.finally(() => log.release()) };
}
