import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseChoice, parseDuration, parsePort, parseUrlPath, type InputName, type InputReader } from './inputs.ts';
import { readDockerfileFacts, effectiveExposedPorts, effectiveHealthcheck, type DockerfileFacts } from './dockerfile.ts';
import { findRailwayFile, type RailwayFileConfig } from './railway-file.ts';
import { parseCommand, parseHostLines, parseKeyValueLines, type KeyValue } from './lines.ts';
import { parseStatusRanges, type StatusRange } from './units.ts';
import { readPublishConfig, type PublishConfig } from '../github/config.ts';
import { readCacheConfig, type CacheConfig } from '../cache/config.ts';
import { readRegistryCredentials, type RegistryCredentials } from './registry.ts';
import { RAILWAY_SECRET_INPUTS, readDeployConfig, type DeployConfig } from '../deploy/railway/config.ts';
import type { RailwayServiceSettings, ServiceLookup, ServiceLookupFn } from '../deploy/railway/settings.ts';
import { readSizeConfig, type SizeConfig } from '../size/config.ts';
import { readHygieneConfig, type HygieneConfig } from '../hygiene/config.ts';
import { isSecretName } from '../hygiene/rules.ts';
import { readComposeConfig, type ComposeConfig } from '../services/config.ts';


/** Inputs holding secrets: the action masks them before anything else runs, and every report is redacted of them. */
export const SECRET_INPUTS: readonly InputName[] = ['registry-password', 'github-token', ...RAILWAY_SECRET_INPUTS];

export type WaitFor =
  | { readonly kind: 'auto' }
  | { readonly kind: 'http' }
  | { readonly kind: 'healthcheck' }
  | { readonly kind: 'tcp' }
  | { readonly kind: 'log'; readonly pattern: RegExp }
  /** Nothing runs: build, measure, hygiene and report only (build-only targets, images with nothing to serve). */
  | { readonly kind: 'none' }
  /** Runs to completion (a worker's one-off job, a cron service): exit code 0 within the timeout passes. */
  | { readonly kind: 'exit' };

/** Precedence, highest first: the input, the Railway service's own settings, railway.json/toml. */
export type HealthSettingSource = 'input' | 'railway service' | 'railway.json' | 'railway.toml';

/** The Host header Railway's health check sends (docs.railway.com, Healthchecks: "Healthcheck Hostname"). */
export const RAILWAY_HEALTHCHECK_HOST = 'healthcheck.railway.app';
/** The PORT Railway's parity uses when neither the `port` input nor an only EXPOSE names one. */
export const RAILWAY_DEFAULT_PORT = 8080;
/** Railway's default health check timeout (docs.railway.com, Healthchecks). */
export const RAILWAY_HEALTH_TIMEOUT_MS = 300_000;

/**
 * Whether the run mirrors how Railway runs the app (`railway-parity`): `auto` mirrors whenever
 * Railway settings are known (railway.json/railway.toml, or the service read with railway-token).
 */
export interface ParityConfig {
  readonly enabled: boolean;
  readonly setting: 'auto' | 'true' | 'false';
  /** Why it is on or off, one phrase ("railway.json found", "railway-parity: false"). */
  readonly why: string;
  /** The PORT variable the container gets; undefined when env/env-file set PORT themselves (or parity is off). */
  readonly injectedPort: number | undefined;
  /** Where the checked port came from. */
  readonly portSource: 'port input' | 'env PORT' | 'EXPOSE' | 'Railway default' | 'none';
  /** The Host header of the HTTP probe; undefined outside parity (the probe then sends 127.0.0.1:<port>). */
  readonly host: string | undefined;
}

export type CommandSource = 'command input' | 'railway service' | 'railway.json' | 'railway.toml' | 'image';

/** `deploy.preDeployCommand`: each command runs in a one-off container of the image before the app starts. */
export interface PreDeployConfig {
  readonly commands: readonly string[];
  readonly source: Exclude<CommandSource, 'command input' | 'image'>;
}

export interface HealthConfig {
  /** The strategy after `auto` is resolved. */
  readonly strategy: 'http' | 'healthcheck' | 'tcp' | 'log' | 'exit' | 'none';
  /** Chosen by `wait-for: auto`: the run may still switch from tcp to the image's own HEALTHCHECK. */
  readonly automatic: boolean;
  readonly path: string | undefined;
  /** Where the path came from, for the report. */
  readonly pathSource: HealthSettingSource | undefined;
  readonly timeoutSource: HealthSettingSource | 'default' | 'railway default' | 'env RAILWAY_HEALTHCHECK_TIMEOUT_SEC';
  readonly status: readonly StatusRange[];
  /** input: `health-status`; railway: exactly 200 under parity; default: 200-399. */
  readonly statusSource: 'input' | 'railway' | 'default';
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
  /** Where the container's command came from (`command`, deploy.startCommand, or the image's own CMD). */
  readonly commandSource: CommandSource;
  readonly preDeploy: PreDeployConfig | undefined;
  readonly parity: ParityConfig;
  readonly network: string | undefined;
  readonly addHosts: readonly string[];
  /** compose-file / compose-service: the services the app needs at start, resolved by Compose. */
  readonly compose: ComposeConfig | undefined;
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
  /**
   * Values never to print: build secrets, env values and build args with secret-looking names,
   * registry password, Railway token, GitHub token (whatever their length), other env values of
   * 3 characters or more.
   */
  readonly secrets: readonly string[];
  /** Which secrets are short (their names, never their values): the log says once that they are weak. */
  readonly shortSecrets: readonly string[];
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
  const addHosts = parseHostLines('add-hosts', get('add-hosts'));

  const waitFor = parseWaitFor(get('wait-for') || 'auto');
  const paritySetting = parseParitySetting(get('railway-parity') || 'auto');
  const registry = readRegistryCredentials(read);
  const deploy = readDeployConfig(read);
  const hygiene = readHygieneConfig(get);
  const command = parseCommand('command', get('command'));
  // Resolved once without Railway so that a bad input fails before any request is made.
  let run = resolveRun({ get, waitFor, paritySetting, facts, railwayFile, service: undefined, env, command });

  const cache = readCacheConfig(read, { cacheDir: options.cacheDir, cwd });

  const runId = options.runId ?? newRunId();
  const network = opt('network');
  const compose = await readComposeConfig(get, { cwd, context, runId });
  if (compose && network === 'host') {
    throw new ConfigError('network', '"host" cannot be combined with compose-file: the app joins the Compose project\'s network; leave network empty or name a bridge network');
  }
  const image = opt('image') ?? `deploy-check-local/${imageName(context)}:${runId}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new ConfigError('image', `"${image}" is not a valid image reference (lower-case name, optional :tag), e.g. "myapp:ci"`);
  }

  const size = readSizeConfig(get, cwd, registry);
  const publish = readPublishConfig(read);
  const railwayService = deploy.railway && options.railwayLookup ? await options.railwayLookup(deploy.railway) : undefined;
  if (railwayService?.ok) run = resolveRun({ get, waitFor, paritySetting, facts, railwayFile, service: railwayService.settings, env, command });

  const { secrets: inputSecrets, shortSecrets } = secretValues(env, buildSecrets, buildArgs, [
    ...(registry ? [{ label: 'registry-password', value: registry.password }] : []),
    ...(deploy.railway ? [{ label: 'railway-token', value: deploy.railway.token }] : []),
    { label: 'github-token', value: publish.token ?? '' },
  ]);
  // The Compose file's own secret-looking variables (POSTGRES_PASSWORD, ...) reach the app's environment and logs.
  const composeSecrets = Object.values(compose?.model.services ?? {}).flatMap((s) => Object.entries(s.environment).filter(([k]) => isSecretName(k)).map(([, v]) => v));
  const secrets = [...new Set([...inputSecrets, ...composeSecrets.filter((v) => v.length >= 3)])];
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
    port: run.port,
    command: run.command,
    commandSource: run.commandSource,
    preDeploy: run.preDeploy,
    parity: run.parity,
    network,
    addHosts,
    compose,
    health: run.health,
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
    shortSecrets,
  };
}

/** A secret shorter than this is weak, and masking it hides the same characters wherever they appear. */
export const SHORT_SECRET_CHARS = 8;

/**
 * The values to mask. Secrets (build secrets, tokens, passwords, env values and build args whose
 * name says secret) are masked whatever their length, a short one hiding more than it should
 * (the safe side). Other env values are masked too, in case, from 3 characters: "1" or "ci"
 * masked everywhere would make every output unreadable.
 */
function secretValues(
  env: readonly KeyValue[],
  buildSecrets: readonly KeyValue[],
  buildArgs: readonly KeyValue[],
  credentials: readonly { label: string; value: string }[],
): { secrets: string[]; shortSecrets: string[] } {
  // BuildKit prints a RUN step with its build args expanded, so a token passed as a build arg
  // would reach the log; mask the ones whose name says they are secret.
  const certain = [
    ...buildSecrets.map((s) => ({ label: `build secret "${s.key}"`, value: s.value })),
    ...env.filter((e) => isSecretName(e.key)).map((e) => ({ label: `env "${e.key}"`, value: e.value })),
    ...buildArgs.filter((a) => isSecretName(a.key)).map((a) => ({ label: `build arg "${a.key}"`, value: a.value })),
    ...credentials,
  ].filter((s) => s.value !== '');
  const secrets = [...certain.map((s) => s.value), ...env.filter((e) => !isSecretName(e.key) && e.value.length >= 3).map((e) => e.value)];
  const shortSecrets = certain.filter((s) => s.value.length < SHORT_SECRET_CHARS).map((s) => s.label);
  return { secrets: [...new Set(secrets)], shortSecrets: [...new Set(shortSecrets)] };
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
  // Like docker's, a backslash-n in a value is two characters there, not a line break.
  return parseKeyValueLines('env-file', text.replace(/^\s*export\s+/gm, ''), 'KEY=VALUE', { literalNewlines: 'keep' });
}

function parseWaitFor(raw: string): WaitFor {
  const kind = raw.toLowerCase();
  if (kind === 'auto' || kind === 'http' || kind === 'healthcheck' || kind === 'tcp' || kind === 'none' || kind === 'exit') return { kind };
  if (raw.startsWith('log:')) return { kind: 'log', pattern: compileRegex('wait-for', raw.slice(4)) };
  throw new ConfigError('wait-for', `"${raw}" is not a wait strategy; use auto, http, healthcheck, tcp, log:<regular expression>, exit (run to completion) or none (run nothing)`);
}

function compileRegex(input: InputName, source: string): RegExp {
  if (source === '') throw new ConfigError(input, 'the regular expression is empty');
  try {
    return new RegExp(source, 'm');
  } catch (err) {
    throw new ConfigError(input, `"${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

interface RunInputs {
  readonly get: (name: InputName) => string;
  readonly waitFor: WaitFor;
  readonly paritySetting: ParityConfig['setting'];
  readonly facts: DockerfileFacts;
  readonly railwayFile: RailwayFileConfig | undefined;
  readonly service: RailwayServiceSettings | undefined;
  readonly env: readonly KeyValue[];
  readonly command: readonly string[] | undefined;
}

interface ResolvedRun {
  readonly parity: ParityConfig;
  readonly port: number | undefined;
  readonly health: HealthConfig;
  readonly command: readonly string[] | undefined;
  readonly commandSource: CommandSource;
  readonly preDeploy: PreDeployConfig | undefined;
}

/** How the container is run and checked: Railway's way under parity, else as the inputs and the Dockerfile say. */
function resolveRun(inputs: RunInputs): ResolvedRun {
  const { get, railwayFile, service } = inputs;
  const fileSource = railwayFile?.file.endsWith('.toml') ? 'railway.toml' : 'railway.json';
  const railwayKnown = railwayFile !== undefined || service !== undefined;
  const enabled = inputs.paritySetting === 'true' || (inputs.paritySetting === 'auto' && railwayKnown);
  const why =
    inputs.paritySetting === 'false'
      ? 'railway-parity: false'
      : inputs.paritySetting === 'true'
        ? 'railway-parity: true'
        : service !== undefined
          ? "the Railway service's settings were read"
          : railwayFile !== undefined
            ? `${path.basename(railwayFile.file)} found`
            : 'no railway.json, railway.toml or Railway service settings';
  const { port, portSource } = resolvePort(get('port') || undefined, inputs.facts, enabled ? inputs.env : undefined);
  const envSetsPort = inputs.env.some((e) => e.key === 'PORT');
  const parity: ParityConfig = {
    enabled,
    setting: inputs.paritySetting,
    why,
    injectedPort: enabled && !envSetsPort ? port : undefined,
    portSource,
    host: enabled ? RAILWAY_HEALTHCHECK_HOST : undefined,
  };
  const health = resolveHealth(inputs, port, parity);

  let command = inputs.command;
  let commandSource: CommandSource = command ? 'command input' : 'image';
  // Railway: configuration in code overrides the dashboard (docs.railway.com, Config as Code).
  if (!command && enabled && railwayFile?.startCommand) {
    command = parseCommand(`${fileSource} deploy.startCommand`, railwayFile.startCommand);
    commandSource = fileSource;
  } else if (!command && enabled && service?.startCommand) {
    command = parseCommand('railway-service (startCommand)', service.startCommand);
    commandSource = 'railway service';
  }
  let preDeploy: PreDeployConfig | undefined;
  if (enabled && railwayFile?.preDeployCommand) preDeploy = { commands: railwayFile.preDeployCommand, source: fileSource };
  else if (enabled && service?.preDeployCommand) preDeploy = { commands: service.preDeployCommand, source: 'railway service' };
  return { parity, port, health, command, commandSource, preDeploy };
}

function parseParitySetting(raw: string): ParityConfig['setting'] {
  return parseChoice('railway-parity', raw, { auto: 'mirror Railway when its settings are known', true: 'always', false: 'never' });
}

/**
 * The port to check. Railway injects PORT and probes it; a PORT variable the user sets tells
 * Railway which port to use (docs.railway.com, Healthchecks: "Configure the healthcheck port").
 */
function resolvePort(
  raw: string | undefined,
  facts: DockerfileFacts,
  parityEnv: readonly KeyValue[] | undefined,
): { port: number | undefined; portSource: ParityConfig['portSource'] } {
  if (raw !== undefined) return { port: parsePort('port', raw), portSource: 'port input' };
  const envPort = parityEnv?.find((e) => e.key === 'PORT')?.value;
  if (envPort !== undefined) return { port: parsePort('env (PORT)', envPort), portSource: 'env PORT' };
  const exposed = effectiveExposedPorts(facts);
  if (exposed.length > 1) {
    throw new ConfigError('port', `the Dockerfile exposes several ports (${exposed.join(', ')}); set "port" to the one to health-check`);
  }
  if (exposed[0] !== undefined) return { port: exposed[0], portSource: 'EXPOSE' };
  return parityEnv ? { port: RAILWAY_DEFAULT_PORT, portSource: 'Railway default' } : { port: undefined, portSource: 'none' };
}

function resolveHealth(inputs: RunInputs, port: number | undefined, parity: ParityConfig): HealthConfig {
  const { get, waitFor, facts, railwayFile, service } = inputs;
  const pathInput = get('health-path') === '' ? '' : parseUrlPath('health-path', get('health-path'));
  if (pathInput !== '' && !pathInput.startsWith('/')) {
    throw new ConfigError('health-path', `"${pathInput}" must start with "/" (e.g. "/health")`);
  }
  const fileSource = railwayFile?.file.endsWith('.toml') ? 'railway.toml' : 'railway.json';
  // The file's path is checked where the file is read; the service's, set by config-as-code, here.
  const servicePath = service?.healthcheckPath === undefined ? undefined : parseUrlPath('healthcheckPath (Railway service settings)', service.healthcheckPath);
  const healthPath = pathInput || servicePath || railwayFile?.healthcheckPath;
  const pathSource: HealthSettingSource | undefined = pathInput
    ? 'input'
    : service?.healthcheckPath
      ? 'railway service'
      : railwayFile?.healthcheckPath
        ? fileSource
        : undefined;
  const { timeoutMs, timeoutSource } = resolveTimeout(inputs, parity.enabled);
  const statusRaw = get('health-status');
  const status = parseStatusRanges('health-status', statusRaw || (parity.enabled ? '200' : '200-399'));
  const statusSource: HealthConfig['statusSource'] = statusRaw ? 'input' : parity.enabled ? 'railway' : 'default';
  const bodyRaw = get('health-body');
  const body = bodyRaw ? compileRegex('health-body', bodyRaw) : undefined;

  let strategy: HealthConfig['strategy'];
  if (waitFor.kind === 'auto') {
    strategy = healthPath !== undefined && port !== undefined ? 'http' : effectiveHealthcheck(facts) === 'defined' ? 'healthcheck' : 'tcp';
  } else {
    strategy = waitFor.kind;
  }
  if ((strategy === 'http' || strategy === 'tcp') && port === undefined) {
    throw new ConfigError('port', missingPortMessage(strategy, healthPath, pathSource));
  }
  return {
    strategy,
    automatic: waitFor.kind === 'auto',
    path: strategy === 'http' ? (healthPath ?? '/') : healthPath,
    pathSource,
    timeoutSource,
    status,
    statusSource,
    body,
    logPattern: waitFor.kind === 'log' ? waitFor.pattern : undefined,
    timeoutMs,
  };
}

/** Highest first: the input, the service, the file, Railway's timeout variable, Railway's default (parity), 60 s. */
function resolveTimeout(inputs: RunInputs, parity: boolean): { timeoutMs: number; timeoutSource: HealthConfig['timeoutSource'] } {
  const { get, railwayFile, service } = inputs;
  const raw = get('health-timeout');
  if (raw) return { timeoutMs: parseDuration('health-timeout', raw), timeoutSource: 'input' };
  if (service?.healthcheckTimeoutMs !== undefined) return { timeoutMs: service.healthcheckTimeoutMs, timeoutSource: 'railway service' };
  if (railwayFile?.healthcheckTimeoutMs !== undefined) {
    return { timeoutMs: railwayFile.healthcheckTimeoutMs, timeoutSource: railwayFile.file.endsWith('.toml') ? 'railway.toml' : 'railway.json' };
  }
  if (!parity) return { timeoutMs: DEFAULT_HEALTH_TIMEOUT_MS, timeoutSource: 'default' };
  const variable = inputs.env.find((e) => e.key === 'RAILWAY_HEALTHCHECK_TIMEOUT_SEC')?.value;
  if (variable !== undefined) {
    return { timeoutMs: parseDuration('env (RAILWAY_HEALTHCHECK_TIMEOUT_SEC)', variable), timeoutSource: 'env RAILWAY_HEALTHCHECK_TIMEOUT_SEC' };
  }
  return { timeoutMs: RAILWAY_HEALTH_TIMEOUT_MS, timeoutSource: 'railway default' };
}

function missingPortMessage(strategy: 'http' | 'tcp', healthPath: string | undefined, pathSource: HealthSettingSource | undefined): string {
  if (healthPath !== undefined) {
    const from = pathSource === 'input' ? '"health-path"' : `the health path ${healthPath} (from ${pathSource ?? 'the inputs'})`;
    return `${from} needs a port, and the image declares none (no EXPOSE): set "port" to the port the app listens on, or "railway-parity: true" to check Railway's PORT (${RAILWAY_DEFAULT_PORT}) as Railway does`;
  }
  return strategy === 'http'
    ? 'the HTTP health check needs a container port: the Dockerfile has no EXPOSE; set "port"'
    : 'nothing to wait for: the Dockerfile has no EXPOSE and no HEALTHCHECK; set "port", "health-path" or "wait-for" (e.g. log:<regex>)';
}
