import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { KeyValue } from '../inputs/lines.ts';
import { runLabels } from '../host/labels.ts';

/**
 * Where and with what a container of the checked image runs. The app and the pre-deploy
 * command share one RunParams, as Railway gives both the service's variables and private network.
 * A caller that starts services first (e.g. a Compose project) passes their network, the app's
 * aliases on it and the variables that point at them.
 */
export interface RunParams {
  readonly image: string;
  readonly runId: string;
  /** The whole environment, later entries winning: env-file, env, Railway's PORT (parity), then extra variables. */
  readonly env: readonly KeyValue[];
  /** A Docker network to join ("host" shares the machine's); undefined: the engine's default bridge. */
  readonly network: string | undefined;
  /** Names the container answers to on `network` (ignored without one, and on "host"). */
  readonly networkAliases: readonly string[];
  readonly addHosts: readonly string[];
  /** Where the service's Railway volumes are mounted: the app's container gets a new, empty one at each. */
  readonly volumes: readonly string[];
}

export interface RunExtras {
  readonly network?: string | undefined;
  readonly networkAliases?: readonly string[];
  readonly extraEnv?: readonly KeyValue[];
}

/**
 * The run parameters of a config for `image` (the built image's ID, not its tag, which another
 * run may have moved); `extras` override the network and add aliases and variables.
 */
export function runParams(config: Config, image: string, extras: RunExtras = {}): RunParams {
  const port = config.parity.injectedPort;
  // The service's variables from .railway/railway.ts first: the env inputs override them locally.
  const railway = config.railwayIac?.variables.env ?? [];
  const env = mergeEnv([...railway, ...config.env, ...(port !== undefined ? [{ key: 'PORT', value: String(port) }] : []), ...(extras.extraEnv ?? [])]);
  return {
    image,
    runId: config.runId,
    env,
    network: extras.network ?? config.network,
    networkAliases: [...(extras.networkAliases ?? [])],
    addHosts: config.addHosts,
    volumes: (config.railwayIac?.service.volumes ?? []).map((v) => v.mountPath),
  };
}

/** One entry per name, the last one given winning (as `docker run -e` does). */
export function mergeEnv(entries: readonly KeyValue[]): KeyValue[] {
  const byKey = new Map<string, string>();
  for (const { key, value } of entries) {
    byKey.delete(key);
    byKey.set(key, value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** What differs between the app's container and a one-off one. */
export interface ContainerRole {
  readonly name: string;
  readonly cmd: readonly string[] | undefined;
  /**
   * The command runs in place of the image's ENTRYPOINT (and CMD), as Railway runs a start or
   * pre-deploy command; otherwise it replaces only the CMD and runs behind the ENTRYPOINT.
   */
  readonly replacesEntrypoint?: boolean;
  /** The container port to publish on 127.0.0.1 (a free host port). */
  readonly publishPort?: number | undefined;
  readonly healthcheck?: Record<string, unknown> | undefined;
  /** The service's volumes are mounted (the app; Railway mounts none for a pre-deploy command). */
  readonly mountsVolumes?: boolean;
}

/** The engine's create options for a container of `params` in `role`. */
export function containerOptions(params: RunParams, role: ContainerRole): Docker.ContainerCreateOptions {
  const hostMode = params.network === 'host';
  const portKey = role.publishPort !== undefined ? `${role.publishPort}/tcp` : undefined;
  const aliases = params.network && !hostMode && params.networkAliases.length ? params.networkAliases : undefined;
  return {
    name: role.name,
    Image: params.image,
    Labels: runLabels(params.runId),
    Env: params.env.map((e) => `${e.key}=${e.value}`),
    ...commandOptions(role),
    ...(portKey ? { ExposedPorts: { [portKey]: {} } } : {}),
    ...(role.healthcheck ? { Healthcheck: role.healthcheck } : {}),
    HostConfig: {
      ...(portKey && !hostMode ? { PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      ...(params.network ? { NetworkMode: params.network } : {}),
      ...(params.addHosts.length ? { ExtraHosts: [...params.addHosts] } : {}),
      ...(role.mountsVolumes && params.volumes.length ? { Mounts: params.volumes.map((target) => volumeMount(target, params.runId)) } : {}),
    },
    ...(aliases && params.network ? { NetworkingConfig: { EndpointsConfig: { [params.network]: { Aliases: [...aliases] } } } } : {}),
  };
}

/**
 * As `docker run --entrypoint PROGRAM IMAGE ARGS...`: an Entrypoint given at create drops the
 * image's CMD as well, so only the command runs.
 */
function commandOptions(role: ContainerRole): Pick<Docker.ContainerCreateOptions, 'Entrypoint' | 'Cmd'> {
  const [program, ...args] = role.cmd ?? [];
  if (program === undefined) return {};
  return role.replacesEntrypoint ? { Entrypoint: [program], Cmd: args } : { Cmd: [program, ...args] };
}

/**
 * A new anonymous volume, as Railway mounts one: empty and owned by root whatever the image holds
 * at that path (NoCopy: the engine would otherwise copy the image's files and their owner into it,
 * and a non-root app that fails on Railway would pass here). Labelled with the run, removed with it.
 */
function volumeMount(target: string, runId: string): NonNullable<Docker.HostConfig['Mounts']>[number] {
  // Source left empty: an anonymous volume, removed with the container.
  return {
    Type: 'volume',
    Source: '',
    Target: target,
    VolumeOptions: { NoCopy: true, Labels: runLabels(runId), DriverConfig: { Name: 'local', Options: {} } },
  };
}
