import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.ts';
import { readDockerfileFacts, effectiveExposedPorts, effectiveHealthcheck, type DockerfileFacts } from './dockerfile.ts';
import { findRailwayFile, type RailwayFileConfig } from './railway-file.ts';
import { parseCommand, parseHostLines, parseKeyValueLines, type KeyValue } from './lines.ts';
import { parseDuration, parsePort, parseStatusRanges, type StatusRange } from './units.ts';
import { readPublishConfig, type PublishConfig } from '../github/config.ts';
import { readCacheConfig, type CacheConfig } from '../cache/config.ts';
import { readRegistryCredentials, type RegistryCredentials } from './registry.ts';
import { RAILWAY_SECRET_INPUTS, readDeployConfig, type DeployConfig } from '../deploy/railway/config.ts';
import type { RailwayServiceSettings, ServiceLookup, ServiceLookupFn } from '../deploy/railway/settings.ts';
import { readSizeConfig, type SizeConfig } from '../size/config.ts';
import { readHygieneConfig, type HygieneConfig } from '../hygiene/config.ts';
import { isSecretName } from '../hygiene/rules.ts';

/**
 * Every input the action takes; the local command takes each as a flag of the same name.
 * action.yml must list the same names (a unit test compares them).
 */
export const INPUT_NAMES = [
  'context',
  'dockerfile',
  'target',
  'build-args',
  'build-secrets',
  'image',
  'builder',
  'env',
  'env-file',
  'port',
  'command',
  'network',
  'add-hosts',
  'wait-for',
  'health-path',
  'health-status',
  'health-body',
  'health-timeout',
  'mode',
  'report-file',
  'comment',
  'comment-key',
  'github-token',
  'cache',
  'cache-mode',
  'cache-key',
  'cache-save',
  'cache-timeout',
  'hygiene',
  'hygiene-ignore',
  'registry-username',
  'registry-password',
  'deploy',
  'deploy-source',
  'push-image',
  'deploy-wait',
  'deploy-timeout',
  'deploy-wait-approval',
  'deploy-trigger',
  'deploy-rollback',
  'railway-token',
  'railway-token-type',
  'railway-project',
  'railway-environment',
  'railway-service',
  'railway-preview',
  'smoke-path',
  'smoke-timeout',
  'baseline',
  'max-size',
  'max-increase',
  'max-wasted',
  'size-metric',
  'size-comment-threshold',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

/** Inputs holding secrets: the action masks them before anything else runs, and every report is redacted of them. */
export const SECRET_INPUTS: readonly InputName[] = ['registry-password', 'github-token', ...RAILWAY_SECRET_INPUTS];

/** Reads one raw input: `core.getInput` in the action, a flag in the local command. Empty means unset. */
export type InputReader = (name: InputName) => string;

export type WaitFor =
  | { readonly kind: 'auto' }
  | { readonly kind: 'http' }
  | { readonly kind: 'healthcheck' }
  | { readonly kind: 'tcp' }
  | { readonly kind: 'log'; readonly pattern: RegExp };

/** Precedence, highest first: the input, the Railway service's own settings, railway.json/toml. */
export type HealthSettingSource = 'input' | 'railway service' | 'railway.json' | 'railway.toml';

export interface HealthConfig {
  /** The strategy after `auto` is resolved. */
  readonly strategy: 'http' | 'healthcheck' | 'tcp' | 'log';
  /** Chosen by `wait-for: auto`: the run may still switch from tcp to the image's own HEALTHCHECK. */
  readonly automatic: boolean;
  readonly path: string | undefined;
  /** Where the path came from, for the report. */
  readonly pathSource: HealthSettingSource | undefined;
  readonly timeoutSource: HealthSettingSource | 'default';
  readonly status: readonly StatusRange[];
  readonly body: RegExp | undefined;
  readonly logPattern: RegExp | undefined;
  readonly timeoutMs: number;
}

export interface Config {
  /** Unique per run: names and labels everything this run creates. */
  readonly runId: string;
  readonly context: string;
  readonly dockerfile: string;
  readonly target: string | undefined;
  readonly buildArgs: readonly KeyValue[];
  readonly buildSecrets: readonly KeyValue[];
  readonly image: string;
  readonly builder: string | undefined;
  readonly env: readonly KeyValue[];
  readonly port: number | undefined;
  readonly command: readonly string[] | undefined;
  readonly network: string | undefined;
  readonly addHosts: readonly string[];
  readonly health: HealthConfig;
  readonly dockerfileFacts: DockerfileFacts;
  readonly railwayFile: RailwayFileConfig | undefined;
  /** Where the report goes besides the outputs: the pull-request comment, or mode comment. */
  readonly publish: PublishConfig;
  /** The layer cache: inputs cache, cache-mode, cache-key, cache-save, cache-timeout; the local command's --cache-dir. */
  readonly cache: CacheConfig;
  readonly hygiene: HygieneConfig;
  /** `registry-username` / `registry-password`, shared by every feature that talks to a registry. */
  readonly registry: RegistryCredentials | undefined;
  readonly deploy: DeployConfig;
  /** The Railway service's settings, read before the checks when a token is given. */
  readonly railwayService: ServiceLookup | undefined;
  readonly size: SizeConfig;
  /** Values never to print: env values, build secrets, build args with secret-looking names, registry password, Railway token, GitHub token. */
  readonly secrets: readonly string[];
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface LoadOptions {
  cwd?: string;
  runId?: string;
  /** Reads the Railway service's settings (health check path and timeout) when a token is given. */
  railwayLookup?: ServiceLookupFn;
  /** The local command's --cache-dir: the layer cache lives in this directory. */
  cacheDir?: string;
}

/** The one place that turns raw inputs (plus discovered files and the Railway service's settings) into a validated Config. */
export async function loadConfig(read: InputReader, options: LoadOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const get = (name: InputName): string => read(name).trim();
  const opt = (name: InputName): string | undefined => get(name) || undefined;

  const context = path.resolve(cwd, get('context') || '.');
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new ConfigError('context', `"${get('context') || '.'}" is not a directory (resolved to ${context})`);
  }

  const railwayFile = await findRailwayFile([context, cwd]);

  const dockerfileInput = opt('dockerfile');
  const dockerfile = dockerfileInput
    ? path.resolve(cwd, dockerfileInput)
    : path.resolve(railwayFile?.dockerfilePath ? path.dirname(railwayFile.file) : context, railwayFile?.dockerfilePath ?? 'Dockerfile');
  const dockerfileName = dockerfileInput ? 'dockerfile' : railwayFile?.dockerfilePath ? `dockerfile (from ${path.basename(railwayFile.file)} build.dockerfilePath)` : 'dockerfile';
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new ConfigError(dockerfileName, `no Dockerfile at ${dockerfile}; set "dockerfile" to its path`);
  }

  const target = opt('target');
  const facts = readDockerfileFacts(readFileSync(dockerfile, 'utf8'), target);
  if (facts.stages.length === 0) throw new ConfigError('dockerfile', `${dockerfile} has no FROM instruction`);
  if (target !== undefined && !facts.finalStage) {
    const names = facts.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
    throw new ConfigError('target', `no stage named "${target}" in ${path.basename(dockerfile)}; stages: ${names.length ? names.join(', ') : '(none named)'}`);
  }

  const buildArgs = parseKeyValueLines('build-args', get('build-args'));
  const buildSecrets = parseKeyValueLines('build-secrets', get('build-secrets'), 'id=VALUE');
  const env = [...readEnvFile(opt('env-file'), cwd), ...parseKeyValueLines('env', get('env'))];

  const port = resolvePort(opt('port'), facts);
  const waitFor = parseWaitFor(get('wait-for') || 'auto');
  const registry = readRegistryCredentials(read);
  const deploy = readDeployConfig(read);
  const hygiene = readHygieneConfig(get);
  // Resolved once without Railway so that a bad input fails before any request is made.
  let health = resolveHealth(get, waitFor, port, facts, railwayFile, undefined);

  const cache = readCacheConfig(read, { cacheDir: options.cacheDir, cwd });

  const runId = options.runId ?? newRunId();
  const image = opt('image') ?? `deploy-check-local/${imageName(context)}:${runId}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new ConfigError('image', `"${image}" is not a valid image reference (lower-case name, optional :tag), e.g. "myapp:ci"`);
  }

  const size = readSizeConfig(get, cwd, registry);
  const publish = readPublishConfig(read);
  const railwayService = deploy.railway && options.railwayLookup ? await options.railwayLookup(deploy.railway) : undefined;
  if (railwayService?.ok) health = resolveHealth(get, waitFor, port, facts, railwayFile, railwayService.settings);

  // BuildKit prints a RUN step with its build args expanded, so a token passed as a build arg
  // would reach the log; mask the ones whose name says they are secret.
  const secretArgs = buildArgs.filter((a) => isSecretName(a.key)).map((a) => a.value);
  const secrets = [
    ...env.map((e) => e.value),
    ...buildSecrets.map((s) => s.value),
    ...secretArgs,
    ...(registry ? [registry.password] : []),
    ...(deploy.railway ? [deploy.railway.token] : []),
    publish.token ?? '',
  ].filter((v) => v.length >= 3);
  return {
    runId,
    context,
    dockerfile,
    target,
    buildArgs,
    buildSecrets,
    image,
    builder: opt('builder'),
    env,
    port,
    command: parseCommand('command', get('command')),
    network: opt('network'),
    addHosts: parseHostLines('add-hosts', get('add-hosts')),
    health,
    dockerfileFacts: facts,
    railwayFile,
    publish,
    cache,
    hygiene,
    registry,
    deploy,
    railwayService,
    size,
    secrets,
  };
}

function imageName(context: string): string {
  return path.basename(context).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[._-]+$/g, '') || 'app';
}

function readEnvFile(file: string | undefined, cwd: string): readonly KeyValue[] {
  if (file === undefined) return [];
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    throw new ConfigError('env-file', `cannot read ${full}`);
  }
  // docker's env-file format: KEY=VALUE lines, optional "export ", no quote processing.
  return parseKeyValueLines('env-file', text.replace(/^\s*export\s+/gm, ''));
}

function resolvePort(raw: string | undefined, facts: DockerfileFacts): number | undefined {
  if (raw !== undefined) return parsePort('port', raw);
  const exposed = effectiveExposedPorts(facts);
  if (exposed.length > 1) {
    throw new ConfigError('port', `the Dockerfile exposes several ports (${exposed.join(', ')}); set "port" to the one to health-check`);
  }
  return exposed[0];
}

function parseWaitFor(raw: string): WaitFor {
  const kind = raw.toLowerCase();
  if (kind === 'auto' || kind === 'http' || kind === 'healthcheck' || kind === 'tcp') return { kind };
  if (raw.startsWith('log:')) return { kind: 'log', pattern: compileRegex('wait-for', raw.slice(4)) };
  throw new ConfigError('wait-for', `"${raw}" is not a wait strategy; use auto, http, healthcheck, tcp or log:<regular expression>`);
}

function compileRegex(input: InputName, source: string): RegExp {
  if (source === '') throw new ConfigError(input, 'the regular expression is empty');
  try {
    return new RegExp(source, 'm');
  } catch (err) {
    throw new ConfigError(input, `"${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

function resolveHealth(
  get: (name: InputName) => string,
  waitFor: WaitFor,
  port: number | undefined,
  facts: DockerfileFacts,
  railwayFile: RailwayFileConfig | undefined,
  service: RailwayServiceSettings | undefined,
): HealthConfig {
  const pathInput = get('health-path');
  if (pathInput !== '' && !pathInput.startsWith('/')) {
    throw new ConfigError('health-path', `"${pathInput}" must start with "/" (e.g. "/health")`);
  }
  const fileSource = railwayFile?.file.endsWith('.toml') ? 'railway.toml' : 'railway.json';
  const healthPath = pathInput || service?.healthcheckPath || railwayFile?.healthcheckPath;
  const pathSource: HealthSettingSource | undefined = pathInput
    ? 'input'
    : service?.healthcheckPath
      ? 'railway service'
      : railwayFile?.healthcheckPath
        ? fileSource
        : undefined;
  const timeoutRaw = get('health-timeout');
  let timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS;
  let timeoutSource: HealthConfig['timeoutSource'] = 'default';
  if (timeoutRaw) {
    timeoutMs = parseDuration('health-timeout', timeoutRaw);
    timeoutSource = 'input';
  } else if (service?.healthcheckTimeoutMs !== undefined) {
    timeoutMs = service.healthcheckTimeoutMs;
    timeoutSource = 'railway service';
  } else if (railwayFile?.healthcheckTimeoutMs !== undefined) {
    timeoutMs = railwayFile.healthcheckTimeoutMs;
    timeoutSource = fileSource;
  }
  const status = parseStatusRanges('health-status', get('health-status') || '200-399');
  const bodyRaw = get('health-body');
  const body = bodyRaw ? compileRegex('health-body', bodyRaw) : undefined;

  let strategy: HealthConfig['strategy'];
  if (waitFor.kind === 'auto') {
    strategy = healthPath !== undefined && port !== undefined ? 'http' : effectiveHealthcheck(facts) === 'defined' ? 'healthcheck' : 'tcp';
  } else {
    strategy = waitFor.kind;
  }
  if ((strategy === 'http' || strategy === 'tcp') && port === undefined) {
    throw new ConfigError(
      'port',
      strategy === 'http'
        ? 'the HTTP health check needs a container port: the Dockerfile has no EXPOSE; set "port"'
        : 'nothing to wait for: the Dockerfile has no EXPOSE and no HEALTHCHECK; set "port", "health-path" or "wait-for" (e.g. log:<regex>)',
    );
  }
  return {
    strategy,
    automatic: waitFor.kind === 'auto',
    path: strategy === 'http' ? (healthPath ?? '/') : healthPath,
    pathSource,
    timeoutSource,
    status,
    body,
    logPattern: waitFor.kind === 'log' ? waitFor.pattern : undefined,
    timeoutMs,
  };
}
