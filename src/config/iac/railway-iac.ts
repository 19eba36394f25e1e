import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '../../inputs/inputs.ts';
import { databaseRun, KNOWN_ENGINES, PRIVATE_DOMAIN_SUFFIX, type DatabaseRun } from './databases.ts';
import { evaluateRailwayFile, iacError, type IacContext } from './evaluate.ts';
import { findIacFile, repositoryRoot } from './find.ts';
import { readProject, type IacProject, type IacService } from './graph.ts';
import { chooseService, notMirroredSettings, referencedDatabases, volumeMountProblem, type NotMirrored } from './service.ts';
import { remoteNeeds, resolveVariables, type RemoteNeeds, type RemoteValues, type ResolutionFacts, type VariableResolution } from './variables.ts';

/** The checked service as `.railway/railway.ts` declares it for one environment, ready to run locally. */
export interface RailwayIacConfig {
  readonly file: string;
  readonly environment: string;
  readonly projectName: string;
  readonly service: IacService;
  /** How the service was chosen, in a phrase. */
  readonly serviceChoice: string;
  /** The databases the service references, each with this run's credentials. */
  readonly databases: readonly DatabaseRun[];
  /** Referenced resources deploy-check cannot start, each in a sentence. */
  readonly unstartable: readonly string[];
  readonly variables: VariableResolution;
  /** What the variables were resolved from: resolved again once Railway's own values are read. */
  readonly resolution: ResolutionFacts;
  readonly notMirrored: readonly NotMirrored[];
  readonly evaluationMs: number;
  /** The whole graph, for the plan of what a pull request changes. */
  readonly project: IacProject;
}

export interface IacOptions {
  readonly cwd: string;
  readonly context: string;
  /** `railway-config`: the file's path, when given. */
  readonly fileInput: string | undefined;
  readonly serviceInput: string | undefined;
  readonly environment: string;
  readonly repository: string | undefined;
  /** Railway's git variables for the deployment, when the run knows them. */
  readonly git: { readonly sha?: string | undefined; readonly branch?: string | undefined };
  readonly remote?: RemoteValues | undefined;
}

/** Where the file is: the input, else found from the context upwards; undefined when there is none. */
export function locateIacFile(options: Pick<IacOptions, 'cwd' | 'context' | 'fileInput'>): { file: string | undefined; note: string | undefined } {
  if (options.fileInput) {
    const file = path.resolve(options.cwd, options.fileInput);
    if (!file.endsWith('.ts')) throw new ConfigError('railway-config', `"${options.fileInput}" is not a TypeScript file; give the path of .railway/railway.ts`);
    return { file, note: undefined };
  }
  const found = findIacFile(options.context, repositoryRoot(options.context, options.cwd));
  if (found.kind === 'typescript') return { file: found.file, note: undefined };
  if (found.kind === 'unsupported') {
    return {
      file: undefined,
      note: `${found.file} is not read yet (deploy-check evaluates .railway/railway.ts; Railway's Python and Go files are in beta): the run follows the inputs and the Dockerfile`,
    };
  }
  return { file: undefined, note: undefined };
}

/** Evaluates the file in a child without credentials, then picks the service and resolves what it gets. */
export async function readRailwayIac(file: string, options: IacOptions): Promise<RailwayIacConfig> {
  const context: IacContext = { environment: options.environment };
  const evaluation = await evaluateRailwayFile(file, context);
  const read = readProject(evaluation.project);
  if (!read.ok) throw iacError(file, read.message);
  const project = read.project;
  const choice = chooseService(project, {
    named: options.serviceInput,
    repository: options.repository,
    repoRoot: repositoryRoot(options.context, options.cwd),
    context: options.context,
  });
  if (!choice.ok) throw iacError(file, choice.message);
  const service = choice.service;
  const badMount = volumeMountProblem(service);
  if (badMount) throw iacError(file, badMount);
  const referenced = referencedDatabases(service, project);
  const databases = referenced.map((db) => databaseRun(db)).filter((d): d is DatabaseRun => d !== undefined);
  const unstartable = referenced
    .filter((db) => !databases.some((d) => d.name === db.name))
    .map((db) => `the ${db.engine} database "${db.name}" is not started: deploy-check starts ${KNOWN_ENGINES.join(', ')} databases with an image`);
  const resolution: ResolutionFacts = {
    databases,
    provided: railwayProvided(service, project, options),
    remote: options.remote,
    otherServices: project.services.filter((s) => s !== service),
  };
  return {
    file,
    environment: options.environment,
    projectName: project.name,
    service,
    serviceChoice: choice.how,
    databases,
    unstartable,
    variables: resolveVariables(service, resolution),
    resolution,
    notMirrored: notMirroredSettings(service),
    evaluationMs: evaluation.durationMs,
    project,
  };
}

/** The values the service needs from Railway's API; undefined when it needs none (nothing is then requested). */
export function iacRemoteNeeds(iac: RailwayIacConfig | undefined): RemoteNeeds | undefined {
  const needs = iac && remoteNeeds(iac.service);
  return needs && (needs.shared.length > 0 || needs.preserved.length > 0) ? needs : undefined;
}

/** The same service once Railway's own values are read (or could not be): its variables resolved again. */
export function withRemoteValues(iac: RailwayIacConfig, remote: RemoteValues): RailwayIacConfig {
  const resolution = { ...iac.resolution, remote };
  return { ...iac, resolution, variables: resolveVariables(iac.service, resolution) };
}

/**
 * The variables Railway sets in every deployment (PORT is the parity's). Railway's IDs stand in as
 * new UUIDs for the run: an app that reads them (logging, error reporting) gets values of their shape.
 */
export function railwayProvided(service: IacService, project: IacProject, options: IacOptions): Record<string, string> {
  const [owner, repo] = (options.repository ?? '').split('/');
  const volume = service.volumes[0];
  const vars: Record<string, string | undefined> = {
    RAILWAY_ENVIRONMENT: options.environment,
    RAILWAY_ENVIRONMENT_NAME: options.environment,
    RAILWAY_PROJECT_NAME: project.name || undefined,
    RAILWAY_SERVICE_NAME: service.name,
    RAILWAY_PRIVATE_DOMAIN: `${service.name}${PRIVATE_DOMAIN_SUFFIX}`,
    RAILWAY_PROJECT_ID: randomUUID(),
    RAILWAY_ENVIRONMENT_ID: randomUUID(),
    RAILWAY_SERVICE_ID: randomUUID(),
    RAILWAY_DEPLOYMENT_ID: randomUUID(),
    RAILWAY_REPLICA_ID: randomUUID(),
    RAILWAY_SNAPSHOT_ID: randomUUID(),
    RAILWAY_REPLICA_REGION: regionOf(service),
    RAILWAY_GIT_COMMIT_SHA: options.git.sha,
    RAILWAY_GIT_BRANCH: options.git.branch,
    RAILWAY_GIT_REPO_OWNER: owner || undefined,
    RAILWAY_GIT_REPO_NAME: repo || undefined,
    // Railway allows one volume per service; a volume without a name in the file gets one from Railway.
    RAILWAY_VOLUME_NAME: volume ? (volume.name ?? `${service.name}-volume`) : undefined,
    RAILWAY_VOLUME_MOUNT_PATH: volume?.mountPath,
  };
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The region the file names (deploy.region, else the first of multiRegionConfig); undefined when it names none. */
function regionOf(service: IacService): string | undefined {
  const { region, multiRegionConfig } = service.deploy;
  if (typeof region === 'string' && region) return region;
  const first = multiRegionConfig && typeof multiRegionConfig === 'object' ? Object.keys(multiRegionConfig)[0] : undefined;
  return first;
}
