import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseChoice, parseDuration, parsePort, parseUrlPath, type InputName, type InputReader } from '../inputs/inputs.ts';
import {
  dockerfileSyntaxProblem,
  parseDockerfile,
  readDockerfileFacts,
  effectiveExposedPorts,
  effectiveHealthcheck,
  type DockerfileFacts,
} from './dockerfile.ts';
import { configAsCodeRead, findRailwayFile, type RailwayFileConfig } from './railway-file.ts';
import { iacRemoteNeeds, locateIacFile, readRailwayIac, withRemoteValues, type RailwayIacConfig } from './iac/railway-iac.ts';
import { readRunContext, type RunContext } from '../github/context.ts';
import { parseCommand, parseHostLines, parseKeyValueLines, splitCommandWords, type KeyValue } from '../inputs/lines.ts';
import { parseStatusRanges, type StatusRange } from '../inputs/units.ts';
import { readPublishConfig, type PublishConfig } from './publish.ts';
import { readCacheConfig, type CacheConfig } from './cache.ts';
import { readRegistryCredentials, type RegistryCredentials } from './registry.ts';
import { RAILWAY_SECRET_INPUTS, readDeployConfig, type DeployConfig } from './deploy.ts';
import { remoteValuesOf, type RailwayServiceSettings, type ServiceLookup, type ServiceLookupFn } from './railway-settings.ts';
import { readSizeConfig, type SizeConfig } from './size.ts';
import { readHygieneConfig, type HygieneConfig } from './hygiene.ts';
import { readComposeConfig, type ComposeConfig } from './compose.ts';
import { railwayDatabasesCompose } from './iac/compose-databases.ts';
import { secretValues } from './secrets.ts';

export { SHORT_SECRET_CHARS } from './secrets.ts';

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

/** Precedence, highest first: the input, .railway/railway.ts, the Railway service's own settings, railway.json/toml. */
export type HealthSettingSource = 'input' | 'railway service' | RailwayFileConfig['label'];

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

export type CommandSource = 'command input' | 'railway service' | RailwayFileConfig['label'] | 'image';

/**
 * `deploy.preDeployCommand`: each command runs in a one-off container of the image before the app
 * starts, in place of its ENTRYPOINT, and must exit within `timeoutMs` (the health timeout).
 */
export interface PreDeployConfig {
  readonly commands: readonly string[];
  readonly source: Exclude<CommandSource, 'command input' | 'image'>;
  readonly timeoutMs: number;
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
  /**
   * What `command` stands in for: under parity the image's ENTRYPOINT, as Railway runs a start
   * command (exec form, the image's CMD dropped too); otherwise the CMD, as `docker run IMAGE cmd`.
   */
  readonly commandReplaces: 'ENTRYPOINT' | 'CMD';
  readonly preDeploy: PreDeployConfig | undefined;
  readonly parity: ParityConfig;
  readonly network: string | undefined;
  readonly addHosts: readonly string[];
  /** compose-file / compose-service: the services the app needs at start, resolved by Compose. */
  readonly compose: ComposeConfig | undefined;
  readonly health: HealthConfig;
  readonly dockerfileFacts: DockerfileFacts;
  /** The Railway configuration the run mirrors: .railway/railway.ts, or a railway.json/toml Railway still reads. */
  readonly railwayFile: RailwayFileConfig | undefined;
  /** .railway/railway.ts evaluated for the checked environment: the service, its databases and variables. */
  readonly railwayIac: RailwayIacConfig | undefined;
  /** A railway.json/toml that is not mirrored (Railway stopped reading it, or railway.ts replaces it): the run says so once. */
  readonly staleRailwayFile: StaleRailwayFile | undefined;
  /** One sentence each: what was found and not read (.railway/railway.py, ...). */
  readonly railwayNotes: readonly string[];
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
   * Set only with loadConfig's `beside` while .railway/railway.ts is evaluated: this Config is the
   * build's (the Dockerfile the inputs name) and resolves to the whole one, or rejects with the
   * file's ConfigError. Nothing but the build may start before it settles.
   */
  readonly railwayPending?: Promise<Config>;
  /** Values never to print (secrets.ts says which): the action registers them with the runner, every output masks them. */
  readonly secrets: readonly string[];
  /** Which secrets are short (their names, never their values): the log says once that they are weak. */
  readonly shortSecrets: readonly string[];
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export interface StaleRailwayFile {
  readonly file: RailwayFileConfig;
  readonly why: 'cutoff' | 'railway.ts';
}

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
  /** Today, for the Config as Code cutoff (tests move it). */
  now?: Date;
  /** The runner's environment (GITHUB_*), for the event and the repository; read when no runContext is given. */
  env?: NodeJS.ProcessEnv;
  /** The run's context as the entry already read it: the event payload is read once per run. */
  runContext?: RunContext;
  /**
   * Returns before .railway/railway.ts is evaluated: the Config for the build then carries the
   * whole one in `railwayPending` (the pipeline builds beside the evaluation).
   */
  beside?: boolean;
}

/** The one place that turns raw inputs (plus discovered files and the Railway service's settings) into a validated Config. */
export async function loadConfig(read: InputReader, options: LoadOptions = {}): Promise<Config> {
  const inputs = await readInputs(read, options);
  const { get, cwd, context, runContext } = inputs;
  const located = locateIacFile({ cwd, context, fileInput: get('railway-config') || undefined });
  // Before the file runs, and before anything else starts on its account.
  if (located.file) refuseForkCode(located.file, runContext);
  const railway = readRailwayConfigs(get, { cwd, context, runContext, now: options.now ?? new Date(), located });
  const full = railway.then((found) => completeConfig(inputs, found, options.railwayLookup));
  if (!options.beside || !located.file) return full;
  // The build does not wait for the evaluation: it starts with the Dockerfile the inputs name, and
  // the pipeline restarts it when the file names another. Handled there; never unhandled here.
  full.catch(() => undefined);
  let early: Config;
  try {
    early = await completeConfig(inputs, { mirrored: pendingIacFile(located.file), railwayIac: undefined, staleRailwayFile: undefined, notes: [] }, undefined);
  } catch {
    // What the inputs name alone does not hold up (no Dockerfile there, ...): the file decides first.
    return full;
  }
  return { ...early, railwayPending: full };
}

/** What the inputs alone decide, validated before anything starts. */
interface ReadInputs {
  readonly get: (name: InputName) => string;
  readonly cwd: string;
  readonly context: string;
  readonly runContext: RunContext;
  readonly runId: string;
  readonly composeInput: ComposeConfig | undefined;
  readonly target: string | undefined;
  readonly buildArgs: readonly KeyValue[];
  readonly buildSecrets: readonly KeyValue[];
  readonly env: readonly KeyValue[];
  readonly addHosts: readonly string[];
  readonly waitFor: WaitFor;
  readonly paritySetting: ParityConfig['setting'];
  readonly registry: RegistryCredentials | undefined;
  readonly deploy: DeployConfig;
  readonly hygiene: HygieneConfig;
  readonly command: readonly string[] | undefined;
  readonly cache: CacheConfig;
  readonly network: string | undefined;
  readonly image: string;
  readonly size: SizeConfig;
  readonly publish: PublishConfig;
}

async function readInputs(read: InputReader, options: LoadOptions): Promise<ReadInputs> {
  const cwd = options.cwd ?? process.cwd();
  const get = (name: InputName): string => read(name).trim();
  const context = path.resolve(cwd, get('context') || '.');
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new ConfigError('context', `"${get('context') || '.'}" is not a directory (resolved to ${context})`);
  }
  const runId = options.runId ?? newRunId();
  // Read before the Dockerfile: the app's service may name the Dockerfile it builds with.
  const composeInput = await readComposeConfig(get, { cwd, context, runId });
  const env = [...readEnvFile(get('env-file') || undefined, cwd), ...parseKeyValueLines('env', get('env'))];
  const registry = readRegistryCredentials(read);
  const image = get('image') || `deploy-check-local/${imageName(context)}:${runId}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new ConfigError('image', `"${image}" is not a valid image reference (lower-case name, optional :tag), e.g. "myapp:ci"`);
  }
  return {
    get,
    cwd,
    context,
    runContext: options.runContext ?? readRunContext(options.env ?? process.env),
    runId,
    composeInput,
    env,
    registry,
    image,
    target: get('target') || undefined,
    buildArgs: parseKeyValueLines('build-args', get('build-args')),
    buildSecrets: parseKeyValueLines('build-secrets', get('build-secrets'), 'id=VALUE'),
    addHosts: parseHostLines('add-hosts', get('add-hosts')),
    waitFor: parseWaitFor(get('wait-for') || 'auto'),
    paritySetting: parseParitySetting(get('railway-parity') || 'auto'),
    deploy: readDeployConfig(read),
    hygiene: readHygieneConfig(get),
    command: parseCommand('command', get('command')),
    cache: readCacheConfig(read, { cacheDir: options.cacheDir, cwd }),
    network: get('network') || undefined,
    size: readSizeConfig(get, cwd, registry),
    publish: readPublishConfig(read),
  };
}

/** The Dockerfile to build, read and checked: the `dockerfile` input, else what Railway's configuration or Compose names. */
function readDockerfile(
  inputs: ReadInputs,
  railwayFile: RailwayFileConfig | undefined,
  railwayIac: RailwayIacConfig | undefined,
): { dockerfile: string; text: string; facts: DockerfileFacts } {
  const { get, cwd, context, target } = inputs;
  const dockerfileInput = get('dockerfile') || undefined;
  const { dockerfile, dockerfileName } = dockerfileInput
    ? { dockerfile: path.resolve(cwd, dockerfileInput), dockerfileName: 'dockerfile' }
    : defaultDockerfile(context, railwayFile, inputs.composeInput);
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    const builder = railwayIac?.service.builder;
    if (!dockerfileInput && builder !== undefined && builder !== 'DOCKERFILE') {
      throw new ConfigError(
        'railway-config',
        `the service "${railwayIac?.service.name ?? ''}" in ${railwayFile?.label ?? ''} builds with ${builder} and ${dockerfile} does not exist: ${builder} builds are not checked yet (Railway always builds with a Dockerfile when it finds one); add a Dockerfile or set "dockerfile"`,
      );
    }
    throw new ConfigError(dockerfileName, `no Dockerfile at ${dockerfile}; set "dockerfile" to its path`);
  }
  const text = readFileSync(dockerfile, 'utf8');
  const tree = parseDockerfile(text);
  const syntax = dockerfileSyntaxProblem(tree);
  if (syntax) {
    throw new ConfigError(dockerfileName, `${dockerfile}:${syntax.line}: ${syntax.message}; BuildKit refuses this Dockerfile, fix that line`);
  }
  const facts = readDockerfileFacts(tree, target);
  if (facts.stages.length === 0) throw new ConfigError('dockerfile', `${dockerfile} has no FROM instruction`);
  if (target !== undefined && !facts.finalStage) {
    const names = facts.stages.map((s) => s.name).filter((n): n is string => n !== undefined);
    throw new ConfigError('target', `no stage named "${target}" in ${path.basename(dockerfile)}; stages: ${names.length ? names.join(', ') : '(none named)'}`);
  }
  return { dockerfile, text, facts };
}

/** The Config once Railway's configuration is known: the Dockerfile, the run, the databases, the service's settings and the secrets. */
// Resolving the run twice (before and after Railway's settings) shares its locals; split, each half would take a dozen of them.
// eslint-disable-next-line max-lines-per-function
async function completeConfig(inputs: ReadInputs, railway: RailwayConfigs, lookup: ServiceLookupFn | undefined): Promise<Config> {
  const { get, env, runId, composeInput, deploy } = inputs;
  const railwayFile = railway.mirrored;
  let railwayIac = railway.railwayIac;
  const { dockerfile, text: dockerfileText, facts } = readDockerfile(inputs, railwayFile, railwayIac);
  const runInputs = { get, waitFor: inputs.waitFor, paritySetting: inputs.paritySetting, facts, railwayFile, command: inputs.command };
  // The service's variables from railway.ts come first: the env inputs win, as a local override.
  // Resolved once without Railway so that a bad input fails before any request is made.
  let run = resolveRun({ ...runInputs, service: undefined, env: [...(railwayIac?.variables.env ?? []), ...env] });
  const railwayNotes = [...railway.notes];
  if (composeInput && railwayIac?.databases.length) {
    railwayNotes.push(
      `compose-file is used and the databases of ${railwayIac.file} (${railwayIac.databases.map((d) => d.name).join(', ')}) are not started: the Compose file was asked for by name, so it wins`,
    );
  }
  const compose = composeInput ?? (railwayIac ? await railwayDatabasesCompose(railwayIac, runId) : undefined);
  if (railwayIac) railwayNotes.push(...railwayIac.unstartable);
  if (compose && inputs.network === 'host') {
    throw new ConfigError(
      'network',
      '"host" cannot be combined with compose-file: the app joins the Compose project\'s network; leave network empty or name a bridge network',
    );
  }
  const needs = iacRemoteNeeds(railwayIac);
  const railwayService = deploy.railway && lookup ? await lookup(deploy.railway, needs) : undefined;
  // Values that live only in Railway, read in the same lookup (or why they were not): resolved again.
  const remote = needs && remoteValuesOf(railwayService);
  if (railwayIac && remote) railwayIac = withRemoteValues(railwayIac, remote);
  if (railwayService?.ok) run = resolveRun({ ...runInputs, service: railwayService.settings, env: [...(railwayIac?.variables.env ?? []), ...env] });
  const { secrets, shortSecrets } = secretValues({
    env,
    railwayEnv: railwayIac?.variables.env ?? [],
    railwaySecrets: railwayIac?.variables.secrets ?? [],
    buildSecrets: inputs.buildSecrets,
    buildArgs: inputs.buildArgs,
    credentials: [
      ...(inputs.registry ? [{ label: 'registry-password', value: inputs.registry.password }] : []),
      ...(deploy.railway ? [{ label: 'railway-token', value: deploy.railway.token }] : []),
      { label: 'github-token', value: inputs.publish.token ?? '' },
      ...(railwayIac?.variables.fromRailway ?? []).map((v) => ({ label: `Railway variable "${v.key}"`, value: v.value })),
    ],
    compose,
    dockerfile: { name: path.basename(dockerfile), text: dockerfileText },
  });
  return {
    runId,
    context: inputs.context,
    dockerfile,
    target: inputs.target,
    buildArgs: inputs.buildArgs,
    buildSecrets: inputs.buildSecrets,
    image: inputs.image,
    builder: get('builder') || undefined,
    env,
    port: run.port,
    command: run.command,
    commandSource: run.commandSource,
    commandReplaces: run.parity.enabled ? 'ENTRYPOINT' : 'CMD',
    preDeploy: run.preDeploy,
    parity: run.parity,
    network: inputs.network,
    addHosts: inputs.addHosts,
    compose,
    health: run.health,
    dockerfileFacts: facts,
    railwayFile,
    railwayIac,
    staleRailwayFile: railway.staleRailwayFile,
    railwayNotes,
    publish: inputs.publish,
    cache: inputs.cache,
    hygiene: inputs.hygiene,
    registry: inputs.registry,
    deploy,
    railwayService,
    size: inputs.size,
    secrets,
    shortSecrets,
  };
}

/** Stands for .railway/railway.ts while it is evaluated: Railway's way, none of its settings yet. */
function pendingIacFile(file: string): RailwayFileConfig {
  return {
    file,
    label: '.railway/railway.ts',
    fieldPrefix: '',
    cronSchedule: undefined,
    healthcheckPath: undefined,
    healthcheckTimeoutMs: undefined,
    dockerfilePath: undefined,
    startCommand: undefined,
    preDeployCommand: undefined,
  };
}

function imageName(context: string): string {
  return (
    path
      .basename(context)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '') || 'app'
  );
}

function readEnvFile(file: string | undefined, cwd: string): readonly KeyValue[] {
  if (file === undefined) return [];
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? (err as Error).message);
    throw new ConfigError('env-file', `cannot read ${full}: ${why}; give the path of a file of KEY=VALUE lines`);
  }
  // docker's env-file format: KEY=VALUE lines, optional "export ", no quote processing.
  // Like docker's, a backslash-n in a value is two characters there, not a line break.
  return parseKeyValueLines('env-file', text.replace(/^\s*export\s+/gm, ''), 'KEY=VALUE', { literalNewlines: 'keep' });
}

function parseWaitFor(raw: string): WaitFor {
  const kind = raw.toLowerCase();
  if (kind === 'auto' || kind === 'http' || kind === 'healthcheck' || kind === 'tcp' || kind === 'none' || kind === 'exit') return { kind };
  if (raw.startsWith('log:')) return { kind: 'log', pattern: compileRegex('wait-for', raw.slice(4)) };
  throw new ConfigError(
    'wait-for',
    `"${raw}" is not a wait strategy; use auto, http, healthcheck, tcp, log:<regular expression>, exit (run to completion) or none (run nothing)`,
  );
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
  const fileSource = railwayFile?.label ?? 'railway.json';
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
            ? `${railwayFile.label} found`
            : 'no .railway/railway.ts, railway.json, railway.toml or Railway service settings';
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
    command = splitCommandWords(`${fileSource} ${railwayFile.fieldPrefix}deploy.startCommand`, railwayFile.startCommand);
    commandSource = fileSource;
  } else if (!command && enabled && service?.startCommand) {
    command = splitCommandWords('railway-service (startCommand)', service.startCommand);
    commandSource = 'railway service';
  }
  let preDeploy: PreDeployConfig | undefined;
  const timeoutMs = health.timeoutMs;
  if (enabled && railwayFile?.preDeployCommand) preDeploy = { commands: railwayFile.preDeployCommand, source: fileSource, timeoutMs };
  else if (enabled && service?.preDeployCommand) preDeploy = { commands: service.preDeployCommand, source: 'railway service', timeoutMs };
  // A command that cannot be split fails here, naming where it came from, not in its container.
  const where = preDeploy?.source === 'railway service' ? 'railway-service (preDeployCommand)' : `${fileSource} deploy.preDeployCommand`;
  for (const command of preDeploy?.commands ?? []) splitCommandWords(where, command);
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
  const fromFile = railwayFile?.healthcheckPath !== undefined ? { path: railwayFile.healthcheckPath, source: railwayFile.label } : undefined;
  // The file's path is checked where the file is read; the service's, set outside the repository, here.
  const fromService = service?.healthcheckPath
    ? { path: parseUrlPath('healthcheckPath (Railway service settings)', service.healthcheckPath), source: 'railway service' as const }
    : undefined;
  const chosen = pathInput ? { path: pathInput, source: 'input' as const } : codeFirst(railwayFile) ? (fromFile ?? fromService) : (fromService ?? fromFile);
  const healthPath = chosen?.path;
  const pathSource: HealthSettingSource | undefined = chosen?.source;
  const { timeoutMs, timeoutSource } = resolveTimeout(inputs, parity.enabled);
  const statusRaw = get('health-status');
  const status = parseStatusRanges('health-status', statusRaw || (parity.enabled ? '200' : '200-399'));
  const statusSource: HealthConfig['statusSource'] = statusRaw ? 'input' : parity.enabled ? 'railway' : 'default';
  const bodyRaw = get('health-body');
  const body = bodyRaw ? compileRegex('health-body', bodyRaw) : undefined;

  let strategy: HealthConfig['strategy'];
  if (waitFor.kind === 'auto' && parity.enabled && railwayFile?.cronSchedule !== undefined) {
    // Railway starts a cron service on its schedule and needs it to exit before the next run.
    strategy = 'exit';
  } else if (waitFor.kind === 'auto') {
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
  const fromFile =
    railwayFile?.healthcheckTimeoutMs !== undefined ? { timeoutMs: railwayFile.healthcheckTimeoutMs, timeoutSource: railwayFile.label } : undefined;
  const fromService =
    service?.healthcheckTimeoutMs !== undefined ? { timeoutMs: service.healthcheckTimeoutMs, timeoutSource: 'railway service' as const } : undefined;
  const chosen = codeFirst(railwayFile) ? (fromFile ?? fromService) : (fromService ?? fromFile);
  if (chosen) return chosen;
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

/**
 * .railway/railway.ts is what `railway config apply` makes the service's settings: it ranks above
 * the settings read from Railway. A railway.json/toml ranks below them, as it always did.
 */
function codeFirst(file: RailwayFileConfig | undefined): boolean {
  return file?.label === '.railway/railway.ts';
}

/**
 * The Dockerfile when the `dockerfile` input is empty: Railway's build.dockerfilePath (what
 * Railway builds), else the Compose app service's build.dockerfile, else the context's Dockerfile.
 */
function defaultDockerfile(
  context: string,
  railwayFile: RailwayFileConfig | undefined,
  compose: ComposeConfig | undefined,
): { dockerfile: string; dockerfileName: string } {
  if (railwayFile?.dockerfilePath) {
    return {
      dockerfile: path.resolve(dockerfileBase(railwayFile, context), railwayFile.dockerfilePath),
      dockerfileName: `dockerfile (from ${railwayFile.label} ${railwayFile.fieldPrefix}build.dockerfilePath)`,
    };
  }
  const build = compose?.model.services[compose.service]?.build;
  if (compose && build?.dockerfile) {
    // Compose resolves the build context to an absolute path and leaves the dockerfile relative to it.
    return {
      dockerfile: path.resolve(build.context, build.dockerfile),
      dockerfileName: `dockerfile (from ${path.basename(compose.file)} service "${compose.service}" build.dockerfile)`,
    };
  }
  return { dockerfile: path.resolve(context, 'Dockerfile'), dockerfileName: 'dockerfile' };
}

/** Where a dockerfilePath is relative to: the service's root (the context) for railway.ts, the file's folder for railway.json. */
function dockerfileBase(file: RailwayFileConfig, context: string): string {
  return file.label === '.railway/railway.ts' ? context : path.dirname(file.file);
}

interface RailwayConfigs {
  readonly mirrored: RailwayFileConfig | undefined;
  readonly railwayIac: RailwayIacConfig | undefined;
  readonly staleRailwayFile: StaleRailwayFile | undefined;
  readonly notes: readonly string[];
}

/**
 * Railway's configuration for the checked service: .railway/railway.ts when there is one
 * (evaluated without credentials), else a railway.json/toml only where Railway still reads it
 * (before the cutoff, or `railway-config-file` says so). A file not mirrored is reported once.
 */
async function readRailwayConfigs(
  get: (name: InputName) => string,
  options: { cwd: string; context: string; runContext: RunContext; now: Date; located: { file: string | undefined; note: string | undefined } },
): Promise<RailwayConfigs> {
  const { cwd, context, runContext, located } = options;
  const legacySetting = get('railway-config-file');
  const legacyGiven = legacySetting !== '' && legacySetting !== 'true' && legacySetting !== 'false' ? path.resolve(cwd, legacySetting) : undefined;
  const legacyWanted = legacySetting === 'false' ? false : legacySetting !== '' || configAsCodeRead(options.now);
  // A file that is not mirrored cannot fail the check: Railway does not read it either.
  const legacyNotes: string[] = [];
  const legacy = await findRailwayFile([context, cwd], legacyGiven).catch((err: unknown) => {
    if ((legacyWanted && !located.file) || !(err instanceof ConfigError)) throw err;
    legacyNotes.push(`a railway.json / railway.toml that Railway no longer reads is not valid either (${err.message}); nothing of it is used`);
    return undefined;
  });
  let railwayIac: RailwayIacConfig | undefined;
  if (located.file) {
    railwayIac = await readRailwayIac(located.file, {
      cwd,
      context,
      fileInput: get('railway-config') || undefined,
      serviceInput: get('railway-service') || undefined,
      environment: iacEnvironment(get, runContext),
      repository: runContext.owner ? `${runContext.owner}/${runContext.repo}` : undefined,
      git: {
        sha: runContext.pullRequest?.headSha ?? runContext.sha ?? undefined,
        branch: runContext.headRef ?? runContext.ref?.replace(/^refs\/heads\//, '') ?? undefined,
      },
    });
  }
  const notes = [...(located.note ? [located.note] : []), ...legacyNotes];
  if (railwayIac) {
    const mirrored = iacFileConfig(railwayIac);
    return { mirrored, railwayIac, staleRailwayFile: legacy ? { file: legacy, why: 'railway.ts' } : undefined, notes };
  }
  if (legacy && !legacyWanted) return { mirrored: undefined, railwayIac, staleRailwayFile: { file: legacy, why: 'cutoff' }, notes };
  return { mirrored: legacy, railwayIac, staleRailwayFile: undefined, notes };
}

/** The environment the file is evaluated for: a preview's pr-<n>, else railway-environment, else production. */
function iacEnvironment(get: (name: InputName) => string, runContext: RunContext): string {
  if (get('railway-preview').toLowerCase() === 'true' && runContext.pullRequest) return `pr-${runContext.pullRequest.number}`;
  return get('railway-environment') || 'production';
}

/**
 * A privileged run (pull_request_target, workflow_run) of a fork's pull request may have the
 * fork's code checked out: its railway.ts would run beside the base repository's secrets.
 */
function refuseForkCode(file: string, runContext: RunContext): void {
  const privileged = runContext.eventName === 'pull_request_target' || runContext.eventName === 'workflow_run';
  if (privileged && (runContext.pullRequest?.fromFork ?? runContext.eventName === 'workflow_run')) {
    throw new ConfigError(
      'railway-config',
      `${file} is repository code and is not evaluated in a ${runContext.eventName} run, which has the base repository's credentials while a fork's code may be checked out; check pull requests in a pull_request workflow (see the README's section on forks)`,
    );
  }
}

/** The checked service's settings in the shape every Railway file takes. */
function iacFileConfig(iac: RailwayIacConfig): RailwayFileConfig {
  const s = iac.service;
  return {
    file: iac.file,
    label: '.railway/railway.ts',
    fieldPrefix: `${s.address} `,
    cronSchedule: s.cronSchedule,
    healthcheckPath: s.healthcheckPath === undefined ? undefined : parseUrlPath(`.railway/railway.ts ${s.address} deploy.healthcheckPath`, s.healthcheckPath),
    healthcheckTimeoutMs: s.healthcheckTimeout !== undefined ? s.healthcheckTimeout * 1000 : undefined,
    dockerfilePath: s.dockerfilePath,
    startCommand: s.startCommand,
    preDeployCommand: s.preDeployCommand,
  };
}
