import { nextPollDelay, pollSchedule } from '../../railway/backoff.ts';
import type { RailwayClient } from '../../railway/client.ts';
import { DEPLOYMENT_TRIGGERS, DEPLOYMENTS, type ListedDeployment, type TriggerData } from '../../railway/operations.ts';
import type { RailwayTarget } from '../../railway/target.ts';

/** The branch a run's ref names (refs/heads/main → main); null for tags and pull-request refs. */
export function branchOf(ref: string | null | undefined): string | null {
  return ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

/**
 * The trigger that makes Railway deploy this push by itself: same branch, and the same repository
 * when the run knows its own (GitHub compares repository names without regard to case).
 */
export function matchTrigger(triggers: readonly TriggerData[], branch: string, repository: string | null | undefined): TriggerData | undefined {
  const repo = repository?.toLowerCase();
  return triggers.find((t) => t.branch === branch && (repo === undefined || t.repository.toLowerCase() === repo));
}

/** What the deployment trigger lookup reads of the workflow run's event (src/github/context.ts's RunEvent). */
export interface TriggerEvent {
  /** GITHUB_REF. */
  readonly ref: string | null;
  /** GITHUB_REPOSITORY (owner/name). */
  readonly repository?: string | null;
}

/** Null when the run is not on a branch, or the service has no trigger for it. */
export async function findTrigger(client: RailwayClient, target: RailwayTarget, event: TriggerEvent | null): Promise<TriggerData | null> {
  const branch = branchOf(event?.ref);
  if (branch === null) return null;
  const triggers = (
    await client.request(DEPLOYMENT_TRIGGERS, { projectId: target.projectId, environmentId: target.environmentId, serviceId: target.serviceId })
  ).deploymentTriggers.edges
    .map((e) => e.node)
    .filter((t) => t.serviceId === null || t.serviceId === target.serviceId);
  return matchTrigger(triggers, branch, event?.repository) ?? null;
}

/** Railway keeps the commit of a deployment in its meta (JSON). */
export function commitOf(deployment: { meta: unknown }): string | null {
  const meta = deployment.meta;
  if (typeof meta !== 'object' || meta === null) return null;
  const hash = (meta as Record<string, unknown>)['commitHash'];
  return typeof hash === 'string' && hash !== '' ? hash : null;
}

/** The newest deployment of this commit in the target's service and environment, if any. */
export async function commitDeployment(client: RailwayClient, target: RailwayTarget, commit: string): Promise<ListedDeployment | null> {
  const listed = (
    await client.request(DEPLOYMENTS, { input: { serviceId: target.serviceId, environmentId: target.environmentId }, first: 20 })
  ).deployments.edges.map((e) => e.node);
  return listed.find((d) => commitOf(d)?.toLowerCase() === commit.toLowerCase()) ?? null;
}

/** Asks until Railway's own deployment of the commit appears (the push webhook may lag the workflow), or the time is up. */
export async function awaitCommitDeployment(
  client: RailwayClient,
  target: RailwayTarget,
  commit: string,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<ListedDeployment | null> {
  const deadline = Date.now() + timeoutMs;
  const schedule = pollSchedule(timeoutMs);
  let delay: number | undefined;
  for (;;) {
    const found = await commitDeployment(client, target, commit);
    if (found) return found;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return null;
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
}

/** Where Railway's dashboard shows a deployment (the page its CLI links to). */
export function dashboardUrl(target: RailwayTarget, deploymentId: string | null): string {
  const base = `https://railway.com/project/${encodeURIComponent(target.projectId)}/service/${encodeURIComponent(target.serviceId)}`;
  return `${base}?environmentId=${encodeURIComponent(target.environmentId)}${deploymentId ? `&id=${encodeURIComponent(deploymentId)}` : ''}`;
}
