import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BuildStep } from '../model/report.ts';

/**
 * How long each step took when it was really built, kept beside the BuildKit cache: a cached
 * step has no duration of its own, so this is how a run knows what the cache saved it.
 */
const FILE = 'deploy-check-steps.json';

export type StepTimes = Readonly<Record<string, number>>;

export async function readStepTimes(cacheDir: string): Promise<StepTimes> {
  try {
    const parsed = JSON.parse(await readFile(path.join(cacheDir, FILE), 'utf8')) as { steps?: unknown };
    const out: Record<string, number> = {};
    if (parsed.steps && typeof parsed.steps === 'object') {
      for (const [name, ms] of Object.entries(parsed.steps)) if (typeof ms === 'number' && ms >= 0) out[name] = ms;
    }
    return out;
  } catch {
    return {};
  }
}

/** Steps built now keep their new time; cached steps keep the time recorded when they were built. */
export function mergeStepTimes(previous: StepTimes, steps: readonly BuildStep[]): StepTimes {
  const out: Record<string, number> = {};
  for (const step of steps) {
    const ms = step.cached ? previous[step.name] : step.durationMs;
    if (typeof ms === 'number') out[step.name] = ms;
  }
  return out;
}

/** Build time the cached steps cost when they were built; null when none of them is known. */
export function timeSaved(previous: StepTimes, steps: readonly BuildStep[]): number | null {
  let total = 0;
  let known = false;
  for (const step of steps) {
    const ms = step.cached ? previous[step.name] : undefined;
    if (ms !== undefined) {
      total += ms;
      known = true;
    }
  }
  return known ? total : null;
}

export async function writeStepTimes(cacheDir: string, times: StepTimes): Promise<void> {
  await writeFile(path.join(cacheDir, FILE), JSON.stringify({ version: 1, steps: times }) + '\n');
}
