import type { RollbackReport } from '../../model/report.ts';
import type { RailwayClient } from '../../railway/client.ts';
import { DEPLOYMENT_ROLLBACK, DEPLOYMENTS } from '../../railway/operations.ts';
import type { RailwayTarget } from '../../railway/target.ts';
import { commitOf } from './trigger.ts';

/** The deployment that was live before this run's: what a rollback returns to. */
export interface LiveDeployment {
  readonly id: string;
  readonly commit: string | null;
  readonly canRollback: boolean;
}

/** What is known, before deploying, about the deployment to return to. */
export type PreviousLive = { readonly found: LiveDeployment } | { readonly none: string };

/**
 * The newest SUCCESS deployment of the service in the environment, other than `except` (the one
 * about to be checked, when Railway created it already). Read before deploying: afterwards the new
 * deployment is the newest SUCCESS.
 */
export async function previousLive(client: RailwayClient, target: RailwayTarget, except: string | null): Promise<PreviousLive> {
  try {
    const listed = (
      await client.request(DEPLOYMENTS, { input: { serviceId: target.serviceId, environmentId: target.environmentId, status: { in: ['SUCCESS'] } }, first: 5 })
    ).deployments.edges
      .map((e) => e.node)
      .filter((d) => d.id !== except);
    const live = listed[0];
    if (!live) return { none: 'no earlier SUCCESS deployment of the service in this environment to return to' };
    return { found: { id: live.id, commit: commitOf(live), canRollback: live.canRollback } };
  } catch (err) {
    return { none: `the deployment live before could not be read: ${(err as Error).message}` };
  }
}

/** "<id> (<commit>)", as the log, summary and comment name the deployment rolled back to. */
export function describeLive(live: LiveDeployment): string {
  return `${live.id}${live.commit ? ` (${live.commit.slice(0, 7)})` : ''}`;
}

/** Puts the previous live deployment back; never throws: the report says what happened. */
export async function rollBack(client: RailwayClient, previous: PreviousLive, enabled: boolean): Promise<RollbackReport> {
  const to = 'found' in previous ? previous.found : null;
  const base = { to: to?.id ?? null, commit: to?.commit ?? null };
  if (!enabled) return { ...base, status: 'off', reason: 'deploy-rollback is false: the deployment that failed its smoke check stays live' };
  if (!to) return { ...base, status: 'unavailable', reason: 'none' in previous ? previous.none : 'nothing to return to' };
  if (!to.canRollback) return { ...base, status: 'unavailable', reason: `Railway cannot roll back to ${describeLive(to)} (canRollback is false)` };
  try {
    const accepted = (await client.request(DEPLOYMENT_ROLLBACK, { id: to.id })).deploymentRollback;
    if (!accepted) return { ...base, status: 'failed', reason: `Railway did not accept the rollback to ${describeLive(to)}` };
    return { ...base, status: 'rolled-back', reason: `rolled back to ${describeLive(to)}` };
  } catch (err) {
    return { ...base, status: 'failed', reason: `rolling back to ${describeLive(to)} failed: ${(err as Error).message}` };
  }
}
