import { dockerCommand, engineInfo } from '../host/docker.ts';
import { exec } from '@actions/exec';
import type Docker from 'dockerode';
import type { Log } from '../host/log.ts';

/** What decides whether a builder can export a BuildKit cache. */
export interface BuilderFacts {
  /** The builder's name, as `docker buildx inspect` reports it. */
  readonly name: string;
  /** docker, docker-container, remote, kubernetes, cloud, ... */
  readonly driver: string;
  /** Whether the engine stores images in containerd (only matters for the docker driver); null when unknown. */
  readonly containerdStore: boolean | null;
}

export type BuilderDecision =
  | { readonly kind: 'use'; readonly reason: string }
  | { readonly kind: 'create'; readonly reason: string }
  | { readonly kind: 'without-cache'; readonly reason: string };

/**
 * buildx's own rule: the docker driver exports a cache only on an engine with the containerd
 * image store; docker-container, remote, kubernetes and cloud builders run their own BuildKit
 * and always can. A builder the user chose is never replaced, only reported.
 */
export function decideBuilder(facts: BuilderFacts, builderInput: string | undefined): BuilderDecision {
  if (facts.driver !== 'docker') {
    return { kind: 'use', reason: `builder "${facts.name}" (${facts.driver} driver) exports the layer cache` };
  }
  if (facts.containerdStore !== false) {
    return {
      kind: 'use',
      reason: facts.containerdStore
        ? `builder "${facts.name}" (docker driver, containerd image store) exports the layer cache`
        : `builder "${facts.name}" (docker driver) is assumed to export the layer cache`,
    };
  }
  const why = `builder "${facts.name}" uses the docker driver on an engine without the containerd image store, which cannot export a build cache`;
  if (builderInput !== undefined) {
    return {
      kind: 'without-cache',
      reason: `${why}; the "builder" input names it, so deploy-check builds without the layer cache (use a docker-container or remote builder, or enable the containerd image store)`,
    };
  }
  return { kind: 'create', reason: `${why}: creating a docker-container builder for this run` };
}

/** The builder a build that exports a layer cache runs on. */
export interface ChosenBuilder {
  /** The user's builder, one created for this run, or undefined (the default). */
  readonly name: string | undefined;
  /** Why no builder can export the cache (the report's note and the warning), or null when this one can. */
  readonly cannotExport: { readonly note: string; readonly warning: string } | null;
}

/**
 * Picks a builder that can export a layer cache: the user's or the default one when it can,
 * else a docker-container builder created for this run (named to `remember` first, so that
 * cleanup removes it even if the run is cut short).
 */
export async function chooseBuilder(
  config: { readonly builder: string | undefined; readonly runId: string },
  engine: Docker,
  log: Log,
  remember: (name: string) => void,
): Promise<ChosenBuilder> {
  let facts: BuilderFacts;
  try {
    facts = await inspectBuilder(engine, config.builder);
  } catch (err) {
    facts = { name: config.builder ?? 'default', driver: 'unknown', containerdStore: null };
    log.debug(`could not inspect the builder: ${(err as Error).message}`);
  }
  const decision = decideBuilder(facts, config.builder);
  if (decision.kind === 'use') {
    log.debug(decision.reason);
    return { name: config.builder, cannotExport: null };
  }
  if (decision.kind === 'without-cache') {
    return { name: config.builder, cannotExport: { note: decision.reason, warning: `Layer cache off: ${decision.reason}.` } };
  }
  log.info(`Layer cache: ${decision.reason}.`);
  const name = runBuilderName(config.runId);
  remember(name);
  const created = await createContainerBuilder(name);
  if (created.ok) return { name, cannotExport: null };
  const note = `the engine cannot export a build cache (docker driver without the containerd image store) and a docker-container builder could not start: ${created.error}`;
  return {
    name: config.builder,
    cannotExport: {
      note,
      warning: `Layer cache off: ${note}. Building without the cache; set "builder" to a BuildKit builder that can export caches, or enable the engine's containerd image store.`,
    },
  };
}

/** Name of the builder deploy-check creates for one run (removed by the post step). */
export function runBuilderName(runId: string): string {
  return `deploy-check-${runId}`;
}

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function docker(args: string[]): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  try {
    const command = dockerCommand(args);
    const code = await exec(command.file, command.args, {
      silent: true,
      ignoreReturnCode: true,
      listeners: { stdout: (d) => (stdout += d.toString()), stderr: (d) => (stderr += d.toString()) },
    });
    return { code, stdout, stderr };
  } catch (err) {
    return { code: -1, stdout, stderr: (err as Error).message };
  }
}

/** Reads the builder's name and driver (`docker buildx inspect`) and the engine's image store (`docker info`). */
export async function inspectBuilder(engine: Docker, name: string | undefined): Promise<BuilderFacts> {
  const result = await docker(['buildx', 'inspect', ...(name ? [name] : [])]);
  if (result.code !== 0) {
    throw new Error(`docker buildx inspect${name ? ` ${name}` : ''} failed: ${lastLine(result.stderr) || `exit code ${result.code}`}`);
  }
  const field = (label: string): string | undefined => new RegExp(`^${label}:\\s*(.+)$`, 'm').exec(result.stdout)?.[1]?.trim();
  const driver = field('Driver') ?? 'unknown';
  let containerdStore: boolean | null = null;
  if (driver === 'docker') {
    try {
      const info = await engineInfo<{ DriverStatus?: unknown }>(engine);
      containerdStore = hasContainerdSnapshotter(info.DriverStatus);
    } catch {
      containerdStore = null;
    }
  }
  return { name: field('Name') ?? name ?? 'default', driver, containerdStore };
}

/** `docker info`'s DriverStatus holds ["driver-type", "io.containerd.snapshotter.v1"] with the containerd image store. */
export function hasContainerdSnapshotter(driverStatus: unknown): boolean {
  if (!Array.isArray(driverStatus)) return false;
  return driverStatus.some((pair) => Array.isArray(pair) && pair[0] === 'driver-type' && String(pair[1]).startsWith('io.containerd.snapshotter'));
}

/**
 * Creates and boots a docker-container builder. BuildKit's image (moby/buildkit) must be
 * pullable; when it is not, the half-made builder is removed and the error returned.
 */
export async function createContainerBuilder(name: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const result = await docker(['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap']);
  if (result.code === 0) return { ok: true };
  await removeBuilder(name);
  return { ok: false, error: errorLine(result.stderr) || `exit code ${result.code}` };
}

/** Removes a builder and its BuildKit container; harmless when it is already gone. */
export async function removeBuilder(name: string): Promise<boolean> {
  const result = await docker(['buildx', 'rm', name]);
  return result.code === 0;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}

function errorLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => l.trim());
  return lines.filter((l) => l.startsWith('ERROR:')).at(-1) ?? lines.at(-1) ?? '';
}
