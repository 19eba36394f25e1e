import { RailwayApiError, type RailwayClient } from '../../railway/client.ts';
import { DOMAINS, ENVIRONMENT_CREATE, ENVIRONMENT_DELETE, ENVIRONMENTS, SERVICE_DOMAIN_CREATE, type EnvironmentData } from '../../railway/operations.ts';
import type { RailwayTarget } from '../../railway/target.ts';

/** What a pull_request event means for its preview environment. */
export type PreviewAction =
  | { readonly kind: 'deploy'; readonly number: number; readonly headSha: string }
  | { readonly kind: 'delete'; readonly number: number }
  | { readonly kind: 'none'; readonly number: number | null; readonly reason: string };

/** What the preview environment reads of the workflow run's event (src/github/context.ts's RunEvent). */
export interface PreviewEvent {
  readonly name: string;
  /** payload.action: opened, synchronize, closed, ... */
  readonly action: string | null;
  /** GITHUB_REPOSITORY (owner/name). */
  readonly repository?: string | null;
  readonly pullRequest?: {
    readonly number: number;
    /** pull_request.head.sha. */
    readonly headSha: string;
    readonly headRepository: string | null;
    readonly baseRepository: string | null;
  } | null;
}

const UPDATES = new Set(['opened', 'reopened', 'synchronize']);

/** The environment of pull request N. */
export function previewName(number: number): string {
  return `pr-${number}`;
}

/**
 * Only `pull_request` runs of the repository's own branches get a preview: a fork's code never
 * reaches Railway (and `pull_request_target` runs the base's workflow with its secrets, so it is
 * left out too).
 */
export function previewAction(event: PreviewEvent | null): PreviewAction {
  const pr = event?.pullRequest ?? null;
  if (event?.name !== 'pull_request' || pr === null) {
    return {
      kind: 'none',
      number: null,
      reason: `railway-preview acts on pull_request events only (this is ${event ? `a ${event.name} event` : 'a local run'})`,
    };
  }
  const base = pr.baseRepository ?? event.repository ?? null;
  if (pr.headRepository === null || base === null || pr.headRepository.toLowerCase() !== base.toLowerCase()) {
    return {
      kind: 'none',
      number: pr.number,
      reason: `the pull request comes from ${pr.headRepository ?? 'an unknown repository'}, not from ${base ?? 'this repository'}: a fork gets no preview environment`,
    };
  }
  if (event.action === 'closed') return { kind: 'delete', number: pr.number };
  if (event.action !== null && !UPDATES.has(event.action)) {
    return { kind: 'none', number: pr.number, reason: `a pull_request "${event.action}" event changes no code: the preview environment is left as it is` };
  }
  return { kind: 'deploy', number: pr.number, headSha: pr.headSha };
}

async function environmentsNamed(client: RailwayClient, projectId: string, name: string): Promise<EnvironmentData[]> {
  const all = (await client.request(ENVIRONMENTS, { projectId })).environments.edges.map((e) => e.node);
  // The oldest first: every run that raced to create it agrees on the same one.
  return all.filter((e) => e.name === name).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id));
}

export interface PreviewEnvironment {
  readonly id: string;
  readonly name: string;
  readonly created: boolean;
}

/**
 * Finds pr-N, or creates it from the railway-environment (ephemeral, without deploying what the
 * source runs: the pull request's own commit is deployed next). Two runs that create it at once
 * both list again afterwards; the younger copy is removed by the run that made it.
 */
export async function findOrCreatePreview(client: RailwayClient, target: RailwayTarget, number: number): Promise<PreviewEnvironment> {
  const name = previewName(number);
  const existing = (await environmentsNamed(client, target.projectId, name))[0];
  if (existing) return { id: existing.id, name, created: false };
  let mine: EnvironmentData | undefined;
  try {
    mine = (
      await client.request(ENVIRONMENT_CREATE, {
        input: { projectId: target.projectId, name, sourceEnvironmentId: target.environmentId, ephemeral: true, skipInitialDeploys: true },
      })
    ).environmentCreate;
  } catch (err) {
    // Another run may have taken the name first: then its environment is the one.
    if (!(err instanceof RailwayApiError) || err.kind !== 'graphql') throw err;
    const raced = (await environmentsNamed(client, target.projectId, name))[0];
    if (raced) return { id: raced.id, name, created: false };
    throw err;
  }
  const kept = (await environmentsNamed(client, target.projectId, name))[0] ?? mine;
  if (kept.id !== mine.id) {
    await client.request(ENVIRONMENT_DELETE, { id: mine.id });
    return { id: kept.id, name, created: false };
  }
  return { id: mine.id, name, created: true };
}

/** Deletes pr-N; an environment already gone is fine. Returns how many were deleted. */
export async function deletePreview(client: RailwayClient, projectId: string, number: number): Promise<number> {
  let deleted = 0;
  for (const environment of await environmentsNamed(client, projectId, previewName(number))) {
    try {
      await client.request(ENVIRONMENT_DELETE, { id: environment.id });
      deleted++;
    } catch (err) {
      if (!(err instanceof RailwayApiError && /not found/i.test(err.detail))) throw err;
    }
  }
  return deleted;
}

/**
 * The preview's public domain. A copied environment may come without one (domains are unique to
 * an environment); when the source environment's service has a Railway domain, the preview gets
 * its own, as Railway's own pull-request environments do. Null when the source has none either.
 */
export async function ensurePreviewDomain(client: RailwayClient, source: RailwayTarget, preview: RailwayTarget): Promise<string | null> {
  const domainsOf = async (t: RailwayTarget) =>
    (await client.request(DOMAINS, { environmentId: t.environmentId, projectId: t.projectId, serviceId: t.serviceId })).domains;
  const own = await domainsOf(preview);
  const existing = own.serviceDomains[0]?.domain ?? own.customDomains[0]?.domain;
  if (existing) return existing;
  if ((await domainsOf(source)).serviceDomains.length === 0) return null;
  return (await client.request(SERVICE_DOMAIN_CREATE, { input: { environmentId: preview.environmentId, serviceId: preview.serviceId } })).serviceDomainCreate
    .domain;
}
