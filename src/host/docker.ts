import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { ConfigError } from '../inputs/inputs.ts';

/**
 * The engine the docker CLI (and so buildx) talks to: DOCKER_HOST when set, else the context
 * DOCKER_CONTEXT names, else the config file's current context, else the local socket. Build and
 * run then use one engine: the image buildx loads is the one the container starts from.
 */
export interface EngineEndpoint {
  /** unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://me@box; undefined: dockerode's default. */
  readonly host: string | undefined;
  /** Where it came from, for messages: DOCKER_HOST, docker context "remote", or the default socket. */
  readonly source: string;
  /** The context's TLS files, when it has them. */
  readonly tlsDir: string | undefined;
  readonly skipTlsVerify: boolean;
}

/** Reads the docker CLI's own configuration (DOCKER_CONFIG or ~/.docker) the way the CLI does. */
export function resolveEngine(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): EngineEndpoint {
  const fallback: EngineEndpoint = { host: undefined, source: 'the default socket', tlsDir: undefined, skipTlsVerify: false };
  if (env['DOCKER_HOST']) return { ...fallback, host: env['DOCKER_HOST'], source: 'DOCKER_HOST' };
  const configDir = env['DOCKER_CONFIG'] || path.join(home, '.docker');
  let name = env['DOCKER_CONTEXT'];
  if (!name) {
    try {
      const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { currentContext?: unknown };
      if (typeof config.currentContext === 'string') name = config.currentContext;
    } catch {
      // No config file: the default context.
    }
  }
  if (!name || name === 'default') return fallback;
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as typeof meta;
  } catch {
    throw new Error(`the current docker context "${name}" has no readable endpoint (${metaFile}); run "docker context ls" or set DOCKER_HOST`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || host === '') throw new Error(`the docker context "${name}" names no Docker endpoint`);
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker');
  return {
    host,
    source: `docker context "${name}"`,
    tlsDir: existsSync(tlsDir) ? tlsDir : undefined,
    skipTlsVerify: meta.Endpoints?.docker?.SkipTLSVerify === true,
  };
}

/** dockerode's options for an endpoint (DOCKER_HOST is read by dockerode itself, with its TLS variables). */
export function dockerOptions(endpoint: EngineEndpoint): Docker.DockerOptions | undefined {
  if (endpoint.host === undefined || endpoint.source === 'DOCKER_HOST') return undefined;
  const url = new URL(endpoint.host);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'npipe:') return { socketPath: endpoint.host.slice('npipe://'.length) };
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || 22,
      username: url.username || undefined,
      sshOptions: { agent: process.env['SSH_AUTH_SOCK'] },
    };
  }
  const tls = endpoint.tlsDir;
  const read = (file: string): Buffer | undefined => (tls && existsSync(path.join(tls, file)) ? readFileSync(path.join(tls, file)) : undefined);
  const secure = tls !== undefined || url.port === '2376';
  return {
    protocol: secure ? 'https' : 'http',
    host: url.hostname,
    port: url.port || (secure ? 2376 : 2375),
    ...(tls ? { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') } : {}),
  };
}

/** The engine the docker CLI would talk to (see resolveEngine). */
export function connectDocker(): Docker {
  return new Docker(dockerOptions(resolveEngine()));
}

const infos = new WeakMap<Docker, Promise<unknown>>();

/**
 * The engine's `docker info`, asked once per client: each answer costs the engine 25-30 ms of
 * work (it counts containers and images), and the size and hygiene stages both need its store
 * and registry settings, which do not change during a run. A failed answer is asked again.
 */
export function engineInfo<T>(docker: Docker): Promise<T> {
  let info = infos.get(docker);
  if (!info) {
    info = docker.info() as Promise<unknown>;
    infos.set(docker, info);
    info.catch(() => infos.delete(docker));
  }
  return info as Promise<T>;
}

/** Fails early, with a sentence a person can act on, when no engine answers. */
export async function ensureEngine(docker: Docker): Promise<void> {
  try {
    await docker.ping();
  } catch (err) {
    let where = 'unix:///var/run/docker.sock';
    try {
      const endpoint = resolveEngine();
      where = `${endpoint.host ?? where} (${endpoint.source})`;
    } catch {
      // The message below is enough.
    }
    throw new Error(`no Docker engine answers at ${where} (${(err as Error).message}); start Docker, or set DOCKER_HOST or the docker context`, { cause: err });
  }
}

/**
 * The `network` input names a network the engine has: checked before the build, since the engine
 * only refuses a missing one when the container is created, after the whole build. A
 * `container:<name>` network mode names a container, not a network, and is left to the engine.
 */
export async function ensureNetwork(docker: Docker, network: string | undefined): Promise<void> {
  if (network === undefined || network.startsWith('container:')) return;
  try {
    await docker.getNetwork(network).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const names = (await docker.listNetworks()).map((n) => n.Name).sort();
  throw new ConfigError(
    'network',
    `the Docker engine has no network "${network}"; its networks: ${names.join(', ')} (create it with docker network create ${network}, or leave network empty for the default bridge)`,
  );
}

/** Where the docker CLI looks for its plugins after the config directory's own, in its order (Linux and macOS). */
const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
];

/**
 * The program and arguments for `docker ARGS`. For `docker buildx ...` and `docker compose ...`
 * it is the plugin's own binary, found where the CLI finds it (DOCKER_CONFIG's cli-plugins, the
 * config's cliPluginsExtraDirs, then the system's): both run standalone and read DOCKER_HOST,
 * DOCKER_CONTEXT and the CLI's config as the CLI does, and the CLI's start and plugin scan cost
 * about 0.12 s (and 0.13 s of CPU) per call. Without the binary, the CLI itself.
 */
export function dockerCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env, home = os.homedir()): { file: string; args: string[] } {
  const [plugin, ...rest] = args;
  const binary = plugin === 'buildx' || plugin === 'compose' ? pluginBinary(plugin, env, home) : undefined;
  return binary ? { file: binary, args: rest } : { file: 'docker', args: [...args] };
}

function pluginBinary(plugin: string, env: NodeJS.ProcessEnv, home: string): string | undefined {
  const configDir = env['DOCKER_CONFIG'] || path.join(home, '.docker');
  let extra: string[] = [];
  try {
    const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(config.cliPluginsExtraDirs)) extra = config.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string');
  } catch {
    // No config file: no extra directories.
  }
  for (const dir of [path.join(configDir, 'cli-plugins'), ...extra, ...SYSTEM_PLUGIN_DIRS]) {
    const file = path.join(dir, `docker-${plugin}`);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}
