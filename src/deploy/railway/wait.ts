import { nextPollDelay, pollSchedule } from '../../railway/backoff.ts';
import type { RailwayClient } from '../../railway/client.ts';
import { DEPLOYMENT, type DeploymentData } from '../../railway/operations.ts';
import { classifyStatus, isKnownStatus, type StatusClass } from './status.ts';

export interface WaitOutcome {
  /** success, failure, approval and waiting-for-ci end the wait on Railway's word; timeout on ours. */
  readonly end: Exclude<StatusClass, 'in-progress'> | 'timeout';
  readonly deployment: DeploymentData | null;
  /** How long the last status had held when the wait ended (Railway's statusUpdatedAt, else first seen). */
  readonly statusHeldMs: number;
  readonly waitedMs: number;
  readonly polls: number;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly onStatus?: (status: string, previous: string | null) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Polls `deployment(id)` until Railway gives a verdict or the timeout passes; API errors propagate. */
export async function waitForDeployment(client: RailwayClient, id: string, options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const deadline = started + options.timeoutMs;
  const schedule = pollSchedule(options.timeoutMs);
  let delay: number | undefined;
  let last: DeploymentData | null = null;
  let firstSeen = started;
  let polls = 0;
  for (;;) {
    const deployment = (await client.request(DEPLOYMENT, { id }, { deadline: Math.max(deadline, now() + 1000) })).deployment;
    polls++;
    if (deployment.status !== last?.status) {
      options.onStatus?.(
        isKnownStatus(deployment.status) ? deployment.status : `${deployment.status} (a status deploy-check does not know: waiting on)`,
        last?.status ?? null,
      );
      firstSeen = now();
    }
    last = deployment;
    const kind = classifyStatus(deployment.status);
    const held = heldFor(deployment, firstSeen, now());
    if (kind !== 'in-progress') return { end: kind, deployment, statusHeldMs: held, waitedMs: now() - started, polls };
    const remaining = deadline - now();
    if (remaining <= 0) return { end: 'timeout', deployment, statusHeldMs: held, waitedMs: now() - started, polls };
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
}

function heldFor(deployment: DeploymentData, firstSeen: number, at: number): number {
  const updated = deployment.statusUpdatedAt ? Date.parse(deployment.statusUpdatedAt) : Number.NaN;
  // Railway's clock and ours differ: trust its timestamp only when it is not in our future.
  const since = !Number.isNaN(updated) && updated <= at ? Math.min(updated, firstSeen) : firstSeen;
  return Math.max(0, at - since);
}
