import type { DependsCondition } from '../compose/model.ts';

/** A dependency's container as the engine lists it. */
export interface ContainerState {
  readonly id: string;
  /** created, running, restarting, exited, dead, ... */
  readonly state: string;
  readonly health: 'healthy' | 'unhealthy' | 'starting' | null;
  readonly exitCode: number | null;
  /** How often Docker restarted it (its restart policy); read with inspect, absent when not read. */
  readonly restarts?: number | undefined;
  /** Its restart policy (always, on-failure, unless-stopped, no), when read. */
  readonly restartPolicy?: string | undefined;
}

export type Progress =
  | { readonly kind: 'pending'; readonly waitingOn: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'exited'; readonly reason: string };

/** Reads the engine's one-line status ("Up 3 seconds (healthy)", "Exited (1) 2 seconds ago", "Restarting (1) 1 second ago"). */
export function parseContainerStatus(id: string, state: string, status: string): ContainerState {
  const health = /\(healthy\)/.test(status) ? 'healthy' : /\(unhealthy\)/.test(status) ? 'unhealthy' : /health: starting/.test(status) ? 'starting' : null;
  const exit = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return { id, state, health, exitCode: exit?.[1] !== undefined ? Number(exit[1]) : null };
}

/** Whether a dependency meets the condition the services after it wait for, as Compose decides it. */
export function progressOf(condition: DependsCondition, c: ContainerState | undefined): Progress {
  if (!c || c.state === 'created') return { kind: 'pending', waitingOn: 'its container to start' };
  // A restart means it exited: whatever it says between two crashes, it is failing, not starting.
  if ((c.restarts ?? 0) > 0 || c.state === 'restarting') return { kind: 'failed', reason: restartReason(c) };
  const ended = c.state === 'exited' || c.state === 'dead';
  if (condition === 'service_completed_successfully') {
    if (!ended) return { kind: 'pending', waitingOn: 'it to run to completion (service_completed_successfully)' };
    return c.exitCode === 0
      ? { kind: 'ready' }
      : { kind: 'failed', reason: `it exited with code ${c.exitCode ?? '?'} (service_completed_successfully needs 0)` };
  }
  if (ended) {
    return { kind: 'exited', reason: `it exited with code ${c.exitCode ?? '?'} while it should keep running (${condition})` };
  }
  if (condition === 'service_started') return c.state === 'running' ? { kind: 'ready' } : { kind: 'pending', waitingOn: 'it to run' };
  if (c.health === 'healthy') return { kind: 'ready' };
  if (c.health === 'unhealthy') return { kind: 'failed', reason: 'its healthcheck reported unhealthy (service_healthy)' };
  if (c.health === null) return { kind: 'pending', waitingOn: 'a healthcheck (service_healthy), but the container reports none' };
  return { kind: 'pending', waitingOn: 'its healthcheck to pass (service_healthy)' };
}

/** The evidence of a crash loop in a sentence: the exit code, the restarts, the policy and the state now. */
function restartReason(c: ContainerState): string {
  const times = c.restarts ?? 0;
  const restarted = times > 0 ? `Docker restarted it ${times} time${times === 1 ? '' : 's'}` : 'Docker is restarting it';
  const policy = c.restartPolicy ? ` (restart: ${c.restartPolicy})` : '';
  return `it exited with code ${c.exitCode ?? '?'} and ${restarted}${policy}, now ${c.state}; a dependency that restarts before it is ready is failing, not starting`;
}
