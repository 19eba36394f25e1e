// A local stand-in for Railway's public GraphQL API (backboard.railway.com/graphql/v2), for
// tests that point RAILWAY_GRAPHQL_ENDPOINT at it. Every request is validated, and every answer
// executed, against the project's own SDL of the part of Railway's API that deploy-check uses
// (src/railway/railway.graphql); deployments follow scripted scenarios.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { execute, parse, validate, getOperationAST, GraphQLError, Kind } from 'graphql';
import type { DocumentNode } from 'graphql';
import { railwaySchema } from './railway-schema.ts';

export type DeploymentStatus =
  | 'BUILDING'
  | 'CRASHED'
  | 'DEPLOYING'
  | 'FAILED'
  | 'INITIALIZING'
  | 'NEEDS_APPROVAL'
  | 'QUEUED'
  | 'REMOVED'
  | 'REMOVING'
  | 'SKIPPED'
  | 'SLEEPING'
  | 'SUCCESS'
  | 'WAITING';

export type DeploymentScenario = 'success' | 'build-fails' | 'crashes' | 'needs-approval' | 'waiting-for-ci' | 'never-finishes' | 'removed';

/** The statuses a deployment goes through; it stays on the last one. */
export const SCENARIO_STEPS: Record<DeploymentScenario, DeploymentStatus[]> = {
  success: ['QUEUED', 'BUILDING', 'DEPLOYING', 'SUCCESS'],
  'build-fails': ['QUEUED', 'BUILDING', 'FAILED'],
  crashes: ['QUEUED', 'BUILDING', 'DEPLOYING', 'CRASHED'],
  'needs-approval': ['NEEDS_APPROVAL'],
  // A deployment trigger with checkSuites: Railway holds the push's deployment until the checks pass.
  'waiting-for-ci': ['WAITING'],
  'never-finishes': ['QUEUED', 'BUILDING', 'DEPLOYING'],
  removed: ['QUEUED', 'BUILDING', 'DEPLOYING', 'REMOVED'],
};

const DEFAULT_BUILD_LOGS: Record<DeploymentScenario, string[]> = {
  success: ['[internal] load build definition from Dockerfile', '[2/3] RUN pip install -r requirements.txt', 'exporting to image', 'Build time: 42.1 seconds'],
  'build-fails': [
    '[internal] load build definition from Dockerfile',
    '[2/3] RUN pip install -r requirements.txt',
    'ERROR: Could not find a version that satisfies the requirement fastapi==99.0',
    'ERROR: failed to solve: process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 1',
  ],
  crashes: ['[internal] load build definition from Dockerfile', 'exporting to image', 'Build time: 30.4 seconds'],
  'needs-approval': [],
  'waiting-for-ci': [],
  'never-finishes': ['[internal] load build definition from Dockerfile', 'exporting to image'],
  removed: ['[internal] load build definition from Dockerfile', 'exporting to image'],
};

const DEFAULT_DEPLOY_LOGS: Record<DeploymentScenario, string[]> = {
  success: ['Starting Container', 'INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)'],
  'build-fails': [],
  crashes: [
    'Starting Container',
    'Traceback (most recent call last):',
    '  File "/app/main.py", line 3, in <module>',
    "ModuleNotFoundError: No module named 'app.settings'",
  ],
  'needs-approval': [],
  'waiting-for-ci': [],
  'never-finishes': ['Starting Container'],
  removed: ['Starting Container', 'Stopping Container'],
};

export interface RailwayServiceSeed {
  id: string;
  name: string;
  healthcheckPath?: string | null;
  healthcheckTimeout?: number | null;
  dockerfilePath?: string | null;
  source?: { image?: string | null; repo?: string | null } | null;
  /** Dashboard settings of the deploy section. */
  startCommand?: string | null;
  preDeployCommand?: string[] | null;
  /** The scenario of every new deployment (default: success). */
  scenario?: DeploymentScenario;
  /** Host of new deployments' `url` and `staticUrl`, e.g. `127.0.0.1:8123` (default: derived). */
  deploymentUrl?: string | null;
  customDomains?: string[];
  buildLogs?: string[];
  deployLogs?: string[];
  triggers?: RailwayTriggerSeed[];
  /** The service's own variables, per environment ID, as set in Railway (`${{shared.X}}` is rendered). */
  variables?: Record<string, Record<string, string>>;
}

export interface RailwayProjectSeed {
  id: string;
  name: string;
  environments: RailwayEnvironmentSeed[];
  services: RailwayServiceSeed[];
  /** The environments' shared variables, per environment ID. */
  sharedVariables?: Record<string, Record<string, string>>;
}

export interface RailwayEnvironmentSeed {
  id: string;
  name: string;
  isEphemeral?: boolean;
  createdAt?: Date;
  /** The environment environmentCreate copied it from. */
  sourceEnvironmentId?: string | null;
}

/** A service linked to a GitHub repository: pushes to `branch` deploy it by themselves. */
export interface RailwayTriggerSeed {
  repository: string;
  branch: string;
  /** "Wait for CI": the push's deployment stays WAITING until the commit's checks pass. */
  checkSuites: boolean;
  /** Default: the project's first environment. */
  environmentId?: string;
}

export interface RailwayServerOptions {
  projects?: RailwayProjectSeed[];
  /** Project token → the one project environment it may act on. */
  projectTokens?: Record<string, { projectId: string; environmentId: string }>;
  /** Account or workspace tokens, sent as `Authorization: Bearer`. */
  accountTokens?: string[];
  /** One status step per `deployment` query (default), or one step every N ms. */
  advance?: 'per-poll' | { everyMs: number };
  /** Commits `serviceInstanceDeployV2` knows; default: any 40-hex SHA. */
  knownCommits?: string[];
  /** Base domain of generated deployment hosts (default up.railway.app). */
  domainBase?: string;
}

export interface RailwayCall {
  operationName: string | null;
  query: string;
  variables: Record<string, unknown>;
  /** Request headers, with token values replaced by "[redacted]". */
  headers: Record<string, string>;
  auth: 'project' | 'account' | 'none' | 'unknown';
  status: number;
}

export interface RailwayViolation {
  operationName: string | null;
  query: string;
  errors: string[];
}

export interface RailwayDeployment {
  id: string;
  projectId: string;
  environmentId: string;
  serviceId: string;
  scenario: DeploymentScenario;
  status: DeploymentStatus;
  /** Statuses returned so far by `deployment` queries, in order. */
  seenStatuses: DeploymentStatus[];
  url: string | null;
  staticUrl: string | null;
  commitSha: string | null;
  image: string | null;
  createdAt: Date;
  statusUpdatedAt: Date;
  buildLogs: string[];
  deployLogs: string[];
  cancelled: boolean;
  /** Reached SUCCESS at least once: Railway can roll back to it. */
  succeeded: boolean;
  /** Why Railway created it: deploy (API), github (a deployment trigger), rollback. */
  reason: 'deploy' | 'github' | 'rollback';
}

export interface RailwayPushDeployment {
  sha: string;
  serviceId?: string;
  environmentId?: string;
  /** Default: waiting-for-ci when the matching trigger has checkSuites, else the service's scenario. */
  scenario?: DeploymentScenario;
}

export interface RailwayDeploymentSeed {
  serviceId?: string;
  environmentId?: string;
  commitSha: string | null;
  status: DeploymentStatus;
  /** Default: an hour ago, so deployments created by the run are newer. */
  createdAt?: Date;
}

export interface RailwayServer {
  /** The GraphQL endpoint, for RAILWAY_GRAPHQL_ENDPOINT. */
  url: string;
  origin: string;
  /** Always true: requests are validated against the project's SDL (kept for older tests). */
  schemaValidated: boolean;
  schemaProblem: string | null;
  calls: RailwayCall[];
  violations: RailwayViolation[];
  /** How many times each mutation field was called (after validation and authorization). */
  mutationCounts: Record<string, number>;
  /** serviceInstanceUpdate inputs received, in order. */
  serviceUpdates: Array<{ serviceId: string; environmentId: string | null; input: Record<string, unknown> }>;
  deployments: RailwayDeployment[];
  /** deploymentRollback calls: the deployment rolled back to, and the deployment that made. */
  rollbacks: Array<{ to: string; deploymentId: string }>;
  /** Environments environmentDelete removed, by id. */
  deletedEnvironments: string[];
  /** What Railway does on a push to a branch with a deployment trigger: creates its own deployment. */
  githubPush(push: RailwayPushDeployment): RailwayDeployment;
  /** A deployment from before the run (e.g. the one that is live). */
  seedDeployment(seed: RailwayDeploymentSeed): RailwayDeployment;
  /** Environments of a project, current ones only. */
  environments(projectId?: string): RailwayEnvironmentSeed[];
  setScenario(serviceId: string, scenario: DeploymentScenario): void;
  setDeploymentUrl(serviceId: string, host: string | null): void;
  service(serviceId: string): RailwayServiceSeed;
  /** Sets an environment's shared variables (default: the fixture's project). */
  setSharedVariables(environmentId: string, values: Record<string, string>, projectId?: string): void;
  /** Answers the next `count` requests with 429 and `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  /** Answers the next `count` requests with a plain-text 5xx from the edge. */
  failNext(count: number, status?: number): void;
  /** Delay before answering every request. */
  delayMs: number;
  /** Delay inside environmentCreate, to let two runs race. */
  environmentCreateDelayMs: number;
  /** Root fields answered "Not Authorized" whatever the token (e.g. deploymentTriggers for a token that may not read them). */
  refusedFields: Set<string>;
  close(): Promise<void>;
}

export const RAILWAY_FIXTURE = {
  projectId: '7b1f6a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b',
  projectName: 'shop',
  environmentId: 'e0d1c2b3-a4f5-4e6d-9c8b-7a6f5e4d3c2b',
  environmentName: 'production',
  stagingEnvironmentId: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5c',
  serviceId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
  serviceName: 'web',
  projectToken: 'railway-project-token-0001',
  accountToken: 'railway-account-token-0001',
} as const;

function defaultProjects(): RailwayProjectSeed[] {
  return [
    {
      id: RAILWAY_FIXTURE.projectId,
      name: RAILWAY_FIXTURE.projectName,
      environments: [
        { id: RAILWAY_FIXTURE.environmentId, name: RAILWAY_FIXTURE.environmentName },
        { id: RAILWAY_FIXTURE.stagingEnvironmentId, name: 'staging' },
      ],
      services: [
        {
          id: RAILWAY_FIXTURE.serviceId,
          name: RAILWAY_FIXTURE.serviceName,
          healthcheckPath: '/health',
          healthcheckTimeout: 300,
          dockerfilePath: 'Dockerfile',
          source: { image: null, repo: 'acme/shop-api' },
        },
      ],
    },
  ];
}

type Auth = { kind: 'project'; projectId: string; environmentId: string; token: string } | { kind: 'account' };

interface Context {
  auth: Auth;
}

interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const REDACTED_HEADERS = new Set(['authorization', 'project-access-token', 'team-access-token', 'cookie']);

export async function startRailwayServer(options: RailwayServerOptions = {}): Promise<RailwayServer> {
  const schema = railwaySchema();
  const projects = options.projects ?? defaultProjects();
  const projectTokens = options.projectTokens ?? {
    [RAILWAY_FIXTURE.projectToken]: { projectId: RAILWAY_FIXTURE.projectId, environmentId: RAILWAY_FIXTURE.environmentId },
  };
  const accountTokens = new Set(options.accountTokens ?? [RAILWAY_FIXTURE.accountToken]);
  const domainBase = options.domainBase ?? 'up.railway.app';
  const advance = options.advance ?? 'per-poll';

  const calls: RailwayCall[] = [];
  const violations: RailwayViolation[] = [];
  const mutationCounts: Record<string, number> = {};
  const serviceUpdates: RailwayServer['serviceUpdates'] = [];
  const deployments: RailwayDeployment[] = [];
  const rollbacks: RailwayServer['rollbacks'] = [];
  const deletedEnvironments: string[] = [];
  let lastEnvironmentAt = 0;
  const createdDomains = new Set<string>();
  let rateLimited = 0;
  let retryAfter = 1;
  let failures = 0;
  let failureStatus = 503;
  const rateLimitReset = Math.floor(Date.now() / 1000) + 3600;
  let remaining = 1000;

  const findProject = (id: string) => projects.find((p) => p.id === id);
  const findService = (id: string) => {
    for (const project of projects) {
      const service = project.services.find((s) => s.id === id);
      if (service) return { project, service };
    }
    return undefined;
  };
  const findEnvironment = (id: string) => {
    for (const project of projects) {
      const environment = project.environments.find((e) => e.id === id);
      if (environment) return { project, environment };
    }
    return undefined;
  };

  const notAuthorized = () => new GraphQLError('Not Authorized');

  const requireProject = (ctx: Context, projectId: string) => {
    if (ctx.auth.kind === 'project' && ctx.auth.projectId !== projectId) throw notAuthorized();
  };
  const requireEnvironment = (ctx: Context, environmentId: string) => {
    if (ctx.auth.kind === 'project' && ctx.auth.environmentId !== environmentId) throw notAuthorized();
  };

  const stepOf = (d: RailwayDeployment): DeploymentStatus => {
    if (d.cancelled) return d.status;
    if (advance === 'per-poll') return d.status;
    const steps = SCENARIO_STEPS[d.scenario];
    const index = Math.min(Math.floor((Date.now() - d.createdAt.getTime()) / advance.everyMs), steps.length - 1);
    return steps[index] ?? d.status;
  };

  const setStatus = (d: RailwayDeployment, status: DeploymentStatus) => {
    if (d.status !== status) {
      d.status = status;
      d.statusUpdatedAt = new Date();
    }
    if (status === 'SUCCESS') d.succeeded = true;
  };

  /** Moves a polled deployment on: it answers the current status, then takes one step. */
  const poll = (d: RailwayDeployment): DeploymentStatus => {
    setStatus(d, stepOf(d));
    const current = d.status;
    d.seenStatuses.push(current);
    if (advance === 'per-poll' && !d.cancelled) {
      const steps = SCENARIO_STEPS[d.scenario];
      const index = steps.indexOf(current);
      const next = steps[Math.min(index + 1, steps.length - 1)];
      if (index >= 0 && next) setStatus(d, next);
    }
    return current;
  };

  const environmentJson = (environment: RailwayEnvironmentSeed, projectId: string) => ({
    id: environment.id,
    name: environment.name,
    projectId,
    createdAt: (environment.createdAt ?? new Date('2024-01-02T03:04:05.000Z')).toISOString(),
    updatedAt: '2024-01-02T03:04:05.000Z',
    isEphemeral: environment.isEphemeral ?? false,
    canAccess: true,
    deletedAt: null,
  });

  const serviceJson = (service: RailwayServiceSeed, projectId: string) => ({
    id: service.id,
    name: service.name,
    projectId,
    icon: null,
    createdAt: '2024-01-02T03:04:05.000Z',
    updatedAt: '2024-01-02T03:04:05.000Z',
    deletedAt: null,
    isRestricted: false,
    templateId: null,
    groupId: null,
  });

  const projectJson = (project: RailwayProjectSeed) => ({
    id: project.id,
    name: project.name,
    description: null,
    createdAt: '2024-01-02T03:04:05.000Z',
    updatedAt: '2024-01-02T03:04:05.000Z',
    deletedAt: null,
    isPublic: false,
    isTempProject: false,
    prDeploys: false,
    botPrEnvironments: false,
    focusedPrEnvironments: false,
    teamId: null,
    workspaceId: null,
    baseEnvironmentId: project.environments[0]?.id ?? null,
    primaryEnvironmentId: project.environments[0]?.id ?? null,
    services: () => ({
      edges: project.services.map((s) => ({ cursor: s.id, node: serviceJson(s, project.id) })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    }),
    environments: () => ({
      edges: project.environments.map((e) => ({ cursor: e.id, node: environmentJson(e, project.id) })),
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    }),
  });

  const deploymentJson = (d: RailwayDeployment) => {
    const found = findService(d.serviceId);
    const environment = findEnvironment(d.environmentId);
    return {
      id: d.id,
      status: () => stepOf(d),
      statusUpdatedAt: d.statusUpdatedAt.toISOString(),
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.statusUpdatedAt.toISOString(),
      url: d.url,
      staticUrl: d.staticUrl,
      canRedeploy: true,
      canRollback: d.succeeded && !d.cancelled,
      deploymentStopped: d.cancelled,
      suggestAddServiceDomain: false,
      projectId: d.projectId,
      environmentId: d.environmentId,
      serviceId: d.serviceId,
      snapshotId: null,
      creator: null,
      diagnosis: null,
      instances: [],
      sockets: [],
      meta: {
        reason: d.reason,
        ...(d.commitSha ? { commitHash: d.commitSha } : {}),
        ...(d.image ? { image: d.image } : {}),
      },
      service: () => (found ? serviceJson(found.service, found.project.id) : null),
      environment: () => (environment ? environmentJson(environment.environment, environment.project.id) : null),
    };
  };

  /**
   * The Railway-provided domain of a service in an environment: seeded environments have one;
   * environments made by environmentCreate get one only through serviceDomainCreate.
   */
  const serviceDomainOf = (service: RailwayServiceSeed, environmentId: string): string | null => {
    const environment = findEnvironment(environmentId)?.environment;
    if (!environment) return null;
    if (environment.sourceEnvironmentId !== undefined && !createdDomains.has(`${service.id} ${environmentId}`)) return null;
    return `${service.name}-${environment.name}.${domainBase}`;
  };

  const domainsJson = (service: RailwayServiceSeed, projectId: string, environmentId: string) => {
    const domain = serviceDomainOf(service, environmentId);
    return {
      serviceDomains: (domain ? [domain] : []).map((name) => ({
        id: `sd-${service.id}-${environmentId}`,
        domain: name,
        environmentId,
        serviceId: service.id,
        projectId,
        suffix: domainBase,
        syncStatus: 'ACTIVE',
        targetPort: 8000,
        cdnMode: null,
        edgeId: null,
        createdAt: '2024-01-02T03:04:05.000Z',
        updatedAt: '2024-01-02T03:04:05.000Z',
        deletedAt: null,
      })),
      customDomains: (service.customDomains ?? []).map((domain, index) => ({
        id: `cd-${service.id}-${index}`,
        domain,
        environmentId,
        serviceId: service.id,
        projectId,
        isRailwayDomain: false,
        targetPort: 8000,
        cdnMode: null,
        edgeId: null,
        createdAt: '2024-01-02T03:04:05.000Z',
        updatedAt: '2024-01-02T03:04:05.000Z',
        deletedAt: null,
      })),
    };
  };

  const logsJson = (lines: string[], d: RailwayDeployment, args: { limit?: number | null; filter?: string | null }) => {
    let selected = args.filter ? lines.filter((line) => line.includes(args.filter ?? '')) : lines;
    if (typeof args.limit === 'number' && args.limit >= 0) selected = selected.slice(Math.max(selected.length - args.limit, 0));
    return selected.map((message, index) => ({
      timestamp: new Date(d.createdAt.getTime() + index * 100).toISOString(),
      message,
      severity: /error|traceback|exception/i.test(message) ? 'error' : 'info',
      attributes: [],
      tags: null,
    }));
  };

  const count = (name: string) => {
    mutationCounts[name] = (mutationCounts[name] ?? 0) + 1;
  };

  const findDeployment = (ctx: Context, id: string): RailwayDeployment => {
    const d = deployments.find((x) => x.id === id);
    if (!d) throw new GraphQLError('Deployment not found');
    requireProject(ctx, d.projectId);
    requireEnvironment(ctx, d.environmentId);
    return d;
  };

  const createDeployment = (
    project: RailwayProjectSeed,
    service: RailwayServiceSeed,
    environmentId: string,
    commitSha: string | null,
    made: { reason?: RailwayDeployment['reason']; scenario?: DeploymentScenario; createdAt?: Date } = {},
  ) => {
    const scenario = made.scenario ?? service.scenario ?? 'success';
    const host = service.deploymentUrl === undefined ? serviceDomainOf(service, environmentId) : service.deploymentUrl;
    const now = made.createdAt ?? new Date();
    const d: RailwayDeployment = {
      id: randomUUID(),
      projectId: project.id,
      environmentId,
      serviceId: service.id,
      scenario,
      status: SCENARIO_STEPS[scenario][0] ?? 'QUEUED',
      seenStatuses: [],
      url: host,
      staticUrl: host,
      commitSha,
      image: service.source?.image ?? null,
      createdAt: now,
      statusUpdatedAt: now,
      buildLogs: service.buildLogs ?? DEFAULT_BUILD_LOGS[scenario],
      deployLogs: service.deployLogs ?? DEFAULT_DEPLOY_LOGS[scenario],
      cancelled: false,
      succeeded: false,
      reason: made.reason ?? 'deploy',
    };
    deployments.push(d);
    return d;
  };

  const locateInstance = (ctx: Context, serviceId: string, environmentId: string | null) => {
    const found = findService(serviceId);
    if (!found) throw new GraphQLError('Service not found');
    requireProject(ctx, found.project.id);
    const envId = environmentId ?? (ctx.auth.kind === 'project' ? ctx.auth.environmentId : found.project.environments[0]?.id);
    if (!envId || !found.project.environments.some((e) => e.id === envId)) throw new GraphQLError('Environment not found');
    requireEnvironment(ctx, envId);
    return { ...found, environmentId: envId };
  };

  /** What `variables` answers: the shared variables, or the service's own rendered as Railway renders them. */
  const variablesOf = (ctx: Context, args: { projectId: string; environmentId: string; serviceId?: string | null }): Record<string, string> => {
    const project = findProject(args.projectId);
    if (!project) throw new GraphQLError('Project not found');
    requireProject(ctx, project.id);
    if (!project.environments.some((e) => e.id === args.environmentId)) throw new GraphQLError('Environment not found');
    requireEnvironment(ctx, args.environmentId);
    const shared = project.sharedVariables?.[args.environmentId] ?? {};
    if (args.serviceId === undefined || args.serviceId === null) return { ...shared };
    const service = project.services.find((s) => s.id === args.serviceId);
    if (!service) throw new GraphQLError('Service not found');
    const own = service.variables?.[args.environmentId] ?? {};
    return Object.fromEntries(
      Object.entries(own).map(([name, value]) => [name, value.replace(/\$\{\{\s*shared\.(\w+)\s*\}\}/g, (_m, key: string) => shared[key] ?? '')]),
    );
  };

  const isKnownCommit = (sha: string) => (options.knownCommits ? options.knownCommits.includes(sha) : /^[0-9a-f]{40}$/.test(sha));

  const rootValue = {
    projectToken: (_args: unknown, ctx: Context) => {
      if (ctx.auth.kind !== 'project') throw new GraphQLError('Project Token not found');
      const { projectId, environmentId, token } = ctx.auth;
      const project = findProject(projectId);
      const environment = project?.environments.find((e) => e.id === environmentId);
      return {
        id: `pt-${token.slice(-6)}`,
        name: 'deploy-check',
        projectId,
        environmentId,
        createdAt: '2024-01-02T03:04:05.000Z',
        displayToken: `${token.slice(0, 4)}…${token.slice(-4)}`,
        project: () => (project ? projectJson(project) : null),
        environment: () => (project && environment ? environmentJson(environment, project.id) : null),
      };
    },
    projects: (_args: unknown, ctx: Context) => {
      // A project token sees only its own project, through projectToken.
      if (ctx.auth.kind !== 'account') throw notAuthorized();
      return {
        edges: projects.map((p) => ({ cursor: p.id, node: projectJson(p) })),
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      };
    },
    project: (args: { id: string }, ctx: Context) => {
      const project = findProject(args.id);
      if (!project) throw new GraphQLError('Project not found');
      requireProject(ctx, project.id);
      return projectJson(project);
    },
    serviceInstance: (args: { environmentId: string; serviceId: string }, ctx: Context) => {
      const { project, service, environmentId } = locateInstance(ctx, args.serviceId, args.environmentId);
      const latest = [...deployments].reverse().find((d) => d.serviceId === service.id && d.environmentId === environmentId);
      return {
        id: `si-${service.id}-${environmentId}`,
        serviceId: service.id,
        environmentId,
        serviceName: service.name,
        healthcheckPath: service.healthcheckPath ?? null,
        healthcheckTimeout: service.healthcheckTimeout ?? null,
        dockerfilePath: service.dockerfilePath ?? null,
        source: service.source ? { image: service.source.image ?? null, repo: service.source.repo ?? null } : null,
        latestDeployment: latest ? deploymentJson(latest) : null,
        activeDeployments: deployments
          .filter((d) => d.serviceId === service.id && d.environmentId === environmentId && stepOf(d) === 'SUCCESS')
          .map(deploymentJson),
        domains: domainsJson(service, project.id, environmentId),
        builder: 'RAILPACK',
        buildCommand: null,
        startCommand: service.startCommand ?? null,
        preDeployCommand: service.preDeployCommand ?? null,
        rootDirectory: null,
        railwayConfigFile: null,
        numReplicas: 1,
        region: 'us-west2',
        restartPolicyType: 'ON_FAILURE',
        restartPolicyMaxRetries: 10,
        sleepApplication: false,
        isUpdatable: true,
        watchPatterns: [],
        cronSchedule: null,
        upstreamUrl: null,
        createdAt: '2024-01-02T03:04:05.000Z',
        updatedAt: '2024-01-02T03:04:05.000Z',
        deletedAt: null,
        service: serviceJson(service, project.id),
      };
    },
    variables: (args: { projectId: string; environmentId: string; serviceId?: string | null }, ctx: Context) => variablesOf(ctx, args),
    deployment: (args: { id: string }, ctx: Context) => {
      const d = findDeployment(ctx, args.id);
      const json = deploymentJson(d);
      const status = poll(d);
      return { ...json, status };
    },
    buildLogs: (args: { deploymentId: string; limit?: number | null; filter?: string | null }, ctx: Context) => {
      const d = findDeployment(ctx, args.deploymentId);
      return logsJson(d.buildLogs, d, args);
    },
    deploymentLogs: (args: { deploymentId: string; limit?: number | null; filter?: string | null }, ctx: Context) => {
      const d = findDeployment(ctx, args.deploymentId);
      return logsJson(d.deployLogs, d, args);
    },
    domains: (args: { environmentId: string; projectId: string; serviceId: string }, ctx: Context) => {
      const { project, service, environmentId } = locateInstance(ctx, args.serviceId, args.environmentId);
      if (project.id !== args.projectId) throw new GraphQLError('Service not found');
      return domainsJson(service, project.id, environmentId);
    },
    serviceInstanceDeployV2: (args: { serviceId: string; environmentId: string; commitSha?: string | null }, ctx: Context) => {
      count('serviceInstanceDeployV2');
      const { project, service, environmentId } = locateInstance(ctx, args.serviceId, args.environmentId);
      const sha = args.commitSha ?? null;
      if (sha !== null && !isKnownCommit(sha)) throw new GraphQLError('Commit not found');
      return createDeployment(project, service, environmentId, sha).id;
    },
    serviceInstanceDeploy: (args: { serviceId: string; environmentId: string; commitSha?: string | null }, ctx: Context) => {
      count('serviceInstanceDeploy');
      const { project, service, environmentId } = locateInstance(ctx, args.serviceId, args.environmentId);
      const sha = args.commitSha ?? null;
      if (sha !== null && !isKnownCommit(sha)) throw new GraphQLError('Commit not found');
      createDeployment(project, service, environmentId, sha);
      return true;
    },
    serviceInstanceUpdate: (args: { serviceId: string; environmentId?: string | null; input: Record<string, unknown> }, ctx: Context) => {
      count('serviceInstanceUpdate');
      const { service } = locateInstance(ctx, args.serviceId, args.environmentId ?? null);
      serviceUpdates.push({ serviceId: service.id, environmentId: args.environmentId ?? null, input: args.input });
      const input = args.input;
      const source = input['source'];
      if (typeof source === 'object' && source !== null) {
        const s = source as { image?: string | null; repo?: string | null };
        service.source = { image: s.image ?? null, repo: s.repo ?? null };
      }
      if ('healthcheckPath' in input) service.healthcheckPath = (input['healthcheckPath'] as string | null) ?? null;
      if ('healthcheckTimeout' in input) service.healthcheckTimeout = (input['healthcheckTimeout'] as number | null) ?? null;
      if ('dockerfilePath' in input) service.dockerfilePath = (input['dockerfilePath'] as string | null) ?? null;
      return true;
    },
    deploymentCancel: (args: { id: string }, ctx: Context) => {
      count('deploymentCancel');
      const d = findDeployment(ctx, args.id);
      setStatus(d, stepOf(d));
      if (['QUEUED', 'INITIALIZING', 'BUILDING', 'DEPLOYING', 'WAITING', 'NEEDS_APPROVAL'].includes(d.status)) {
        d.cancelled = true;
        setStatus(d, 'REMOVED');
      }
      return true;
    },
    deploymentRedeploy: (args: { id: string; usePreviousImageTag?: boolean | null }, ctx: Context) => {
      count('deploymentRedeploy');
      const previous = findDeployment(ctx, args.id);
      const found = findService(previous.serviceId);
      if (!found) throw new GraphQLError('Service not found');
      return deploymentJson(createDeployment(found.project, found.service, previous.environmentId, previous.commitSha));
    },
    deploymentRollback: (args: { id: string }, ctx: Context) => {
      count('deploymentRollback');
      const target = findDeployment(ctx, args.id);
      if (!target.succeeded || target.cancelled) throw new GraphQLError('Deployment cannot be rolled back');
      const found = findService(target.serviceId);
      if (!found) throw new GraphQLError('Service not found');
      // Railway redeploys the earlier deployment's image: live again at once here.
      const made = createDeployment(found.project, found.service, target.environmentId, target.commitSha, { reason: 'rollback', scenario: 'success' });
      made.image = target.image;
      setStatus(made, 'SUCCESS');
      rollbacks.push({ to: target.id, deploymentId: made.id });
      return true;
    },
    deploymentTriggers: (args: { projectId: string; environmentId: string; serviceId: string; first?: number | null }, ctx: Context) => {
      const { project, service, environmentId } = locateInstance(ctx, args.serviceId, args.environmentId);
      if (project.id !== args.projectId) throw new GraphQLError('Service not found');
      const triggers = (service.triggers ?? []).filter((t) => (t.environmentId ?? project.environments[0]?.id) === environmentId);
      return connection(
        triggers.map((t, index) => ({
          id: `dt-${service.id}-${index}`,
          repository: t.repository,
          branch: t.branch,
          checkSuites: t.checkSuites,
          serviceId: service.id,
          environmentId,
          projectId: project.id,
          provider: 'github',
          validCheckSuites: t.checkSuites ? 1 : 0,
          baseEnvironmentOverrideId: null,
        })),
        args.first,
      );
    },
    deployments: (
      args: {
        input: {
          serviceId?: string | null;
          environmentId?: string | null;
          projectId?: string | null;
          status?: { in?: DeploymentStatus[] | null; notIn?: DeploymentStatus[] | null } | null;
        };
        first?: number | null;
      },
      ctx: Context,
    ) => {
      const { input } = args;
      const visible = deployments.filter((d) => {
        if (ctx.auth.kind === 'project' && (ctx.auth.projectId !== d.projectId || ctx.auth.environmentId !== d.environmentId)) return false;
        if (input.serviceId && d.serviceId !== input.serviceId) return false;
        if (input.environmentId && d.environmentId !== input.environmentId) return false;
        if (input.projectId && d.projectId !== input.projectId) return false;
        const status = stepOf(d);
        if (input.status?.in && !input.status.in.includes(status)) return false;
        if (input.status?.notIn?.includes(status)) return false;
        return true;
      });
      // Newest first, as Railway lists them.
      const newestFirst = visible.map((d, index) => ({ d, index })).sort((a, b) => b.d.createdAt.getTime() - a.d.createdAt.getTime() || b.index - a.index);
      return connection(
        newestFirst.map(({ d }) => deploymentJson(d)),
        args.first,
      );
    },
    environments: (args: { projectId: string; isEphemeral?: boolean | null; first?: number | null }, ctx: Context) => {
      const project = findProject(args.projectId);
      if (!project) throw new GraphQLError('Project not found');
      requireProject(ctx, project.id);
      const list = project.environments.filter(
        (e) => args.isEphemeral === undefined || args.isEphemeral === null || (e.isEphemeral ?? false) === args.isEphemeral,
      );
      return connection(
        list.map((e) => environmentJson(e, project.id)),
        args.first,
      );
    },
    environmentCreate: async (
      args: {
        input: { projectId: string; name: string; sourceEnvironmentId?: string | null; ephemeral?: boolean | null; skipInitialDeploys?: boolean | null };
      },
      ctx: Context,
    ) => {
      count('environmentCreate');
      // Creating environments is beyond a project token's reach.
      if (ctx.auth.kind !== 'account') throw notAuthorized();
      const project = findProject(args.input.projectId);
      if (!project) throw new GraphQLError('Project not found');
      const source = args.input.sourceEnvironmentId;
      if (source && !project.environments.some((e) => e.id === source)) throw new GraphQLError('Environment not found');
      // Copying services takes Railway a moment: two runs at once can both create one.
      if (server.environmentCreateDelayMs > 0) await sleep(server.environmentCreateDelayMs);
      // Railway's timestamps tell two environments apart even when made in the same millisecond.
      lastEnvironmentAt = Math.max(Date.now(), lastEnvironmentAt + 1);
      const environment: RailwayEnvironmentSeed = {
        id: randomUUID(),
        name: args.input.name,
        isEphemeral: args.input.ephemeral ?? false,
        createdAt: new Date(lastEnvironmentAt),
        sourceEnvironmentId: source ?? null,
      };
      project.environments.push(environment);
      return environmentJson(environment, project.id);
    },
    serviceDomainCreate: (args: { input: { environmentId: string; serviceId: string; targetPort?: number | null } }, ctx: Context) => {
      count('serviceDomainCreate');
      const { service, environmentId } = locateInstance(ctx, args.input.serviceId, args.input.environmentId);
      createdDomains.add(`${service.id} ${environmentId}`);
      const domain = serviceDomainOf(service, environmentId) ?? '';
      return {
        id: `sd-${service.id}-${environmentId}`,
        domain,
        environmentId,
        serviceId: service.id,
        syncStatus: 'CREATING',
        targetPort: args.input.targetPort ?? null,
      };
    },
    environmentDelete: (args: { id: string }, ctx: Context) => {
      count('environmentDelete');
      if (ctx.auth.kind !== 'account') throw notAuthorized();
      const found = findEnvironment(args.id);
      if (!found) throw new GraphQLError('Environment not found');
      found.project.environments.splice(found.project.environments.indexOf(found.environment), 1);
      deletedEnvironments.push(args.id);
      return true;
    },
  };

  const connection = <T>(nodes: T[], first: number | null | undefined) => ({
    edges: (typeof first === 'number' ? nodes.slice(0, first) : nodes).map((node, index) => ({ cursor: String(index), node })),
    pageInfo: { hasNextPage: typeof first === 'number' && nodes.length > first, hasPreviousPage: false, startCursor: null, endCursor: null },
  });

  const authenticate = (req: IncomingMessage): { auth: Auth | null; kind: RailwayCall['auth'] } => {
    const projectToken = req.headers['project-access-token'];
    if (typeof projectToken === 'string' && projectToken.length > 0) {
      const scope = projectTokens[projectToken];
      return scope ? { auth: { kind: 'project', ...scope, token: projectToken }, kind: 'project' } : { auth: null, kind: 'unknown' };
    }
    const authorization = req.headers.authorization;
    if (typeof authorization === 'string' && authorization.length > 0) {
      const token = authorization.replace(/^Bearer\s+/i, '');
      return accountTokens.has(token) ? { auth: { kind: 'account' }, kind: 'account' } : { auth: null, kind: 'unknown' };
    }
    return { auth: null, kind: 'none' };
  };

  const redactedHeaders = (req: IncomingMessage): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': String(Math.max(remaining, 0)),
      'x-ratelimit-reset': String(rateLimitReset),
      ...extra,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const call: RailwayCall = { operationName: null, query: '', variables: {}, headers: redactedHeaders(req), auth: 'none', status: 0 };
    calls.push(call);
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      call.status = status;
      sendJson(res, status, body, extra);
    };

    if (server.delayMs > 0) await sleep(server.delayMs);
    remaining--;

    if (rateLimited > 0) {
      rateLimited--;
      reply(429, { errors: [{ message: 'Rate limit exceeded' }] }, { 'retry-after': String(retryAfter), 'x-ratelimit-remaining': '0' });
      return;
    }
    if (failures > 0) {
      failures--;
      call.status = failureStatus;
      res.writeHead(failureStatus, { 'content-type': 'text/plain' });
      res.end(failureStatus === 502 ? 'Bad Gateway' : 'upstream connect error or disconnect/reset before headers');
      return;
    }

    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || url.pathname !== '/graphql/v2') {
      reply(404, { errors: [{ message: `Cannot ${req.method ?? 'GET'} ${url.pathname}` }] });
      return;
    }

    let body: GraphQLRequestBody;
    try {
      body = JSON.parse(text) as GraphQLRequestBody;
    } catch {
      violations.push({ operationName: null, query: text, errors: ['request body is not JSON'] });
      reply(400, { errors: [{ message: 'POST body is not valid JSON' }] });
      return;
    }
    const query = typeof body.query === 'string' ? body.query : '';
    const variables = typeof body.variables === 'object' && body.variables !== null ? (body.variables as Record<string, unknown>) : {};
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    call.query = query;
    call.variables = variables;
    call.operationName = operationName;

    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      violations.push({ operationName, query, errors: [message] });
      reply(400, { errors: [{ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
      return;
    }
    call.operationName = operationName ?? getOperationAST(document, null)?.name?.value ?? null;

    const invalid = validate(schema, document);
    if (invalid.length > 0) {
      violations.push({ operationName: call.operationName, query, errors: invalid.map((e) => e.message) });
      reply(400, { errors: invalid.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) });
      return;
    }

    const { auth, kind } = authenticate(req);
    call.auth = kind;
    if (!auth) {
      reply(200, { errors: [{ message: 'Not Authorized' }], data: null });
      return;
    }
    const roots = getOperationAST(document, operationName)?.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : [])) ?? [];
    if (roots.some((r) => server.refusedFields.has(r))) {
      reply(200, { errors: [{ message: 'Not Authorized' }], data: null });
      return;
    }

    const result = await execute({ schema, document, rootValue, contextValue: { auth } satisfies Context, variableValues: variables, operationName });
    if (result.errors?.some((e) => /Variable "\$|was not provided|got invalid value/.test(e.message) && !e.path)) {
      violations.push({ operationName: call.operationName, query, errors: result.errors.map((e) => e.message) });
    }
    // An answer that does not fit the SDL is the local server's own fault: tests see it.
    const misfits = result.errors?.filter((e) => /Cannot return null for non-nullable|cannot represent|Expected Iterable/.test(e.message)) ?? [];
    if (misfits.length > 0) violations.push({ operationName: call.operationName, query, errors: misfits.map((e) => `answer: ${e.message}`) });
    const errors = result.errors?.map((e) => ({ message: e.message, locations: e.locations, path: e.path }));
    reply(200, errors ? { errors, data: result.data ?? null } : { data: result.data ?? null });
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: `Local Railway server error: ${String(error)}` }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const serviceOrThrow = (serviceId: string) => {
    const found = findService(serviceId);
    if (!found) throw new Error(`no service ${serviceId} in the local Railway server`);
    return found.service;
  };

  const server: RailwayServer = {
    url: `${origin}/graphql/v2`,
    origin,
    schemaValidated: true,
    schemaProblem: null,
    calls,
    violations,
    mutationCounts,
    serviceUpdates,
    deployments,
    rollbacks,
    deletedEnvironments,
    delayMs: 0,
    environmentCreateDelayMs: 0,
    refusedFields: new Set<string>(),
    githubPush(push) {
      const found = findService(push.serviceId ?? RAILWAY_FIXTURE.serviceId);
      if (!found) throw new Error(`no service ${push.serviceId ?? ''} in the local Railway server`);
      const environmentId = push.environmentId ?? found.project.environments[0]?.id ?? '';
      const trigger = (found.service.triggers ?? []).find((t) => (t.environmentId ?? found.project.environments[0]?.id) === environmentId);
      const scenario = push.scenario ?? (trigger?.checkSuites ? 'waiting-for-ci' : undefined);
      return createDeployment(found.project, found.service, environmentId, push.sha, { reason: 'github', ...(scenario ? { scenario } : {}) });
    },
    seedDeployment(seed) {
      const found = findService(seed.serviceId ?? RAILWAY_FIXTURE.serviceId);
      if (!found) throw new Error(`no service ${seed.serviceId ?? ''} in the local Railway server`);
      const environmentId = seed.environmentId ?? found.project.environments[0]?.id ?? '';
      const d = createDeployment(found.project, found.service, environmentId, seed.commitSha, { createdAt: seed.createdAt ?? new Date(Date.now() - 3600_000) });
      // Seeded deployments do not move on: they are history.
      d.scenario = seed.status === 'SUCCESS' ? 'success' : d.scenario;
      setStatus(d, seed.status);
      d.seenStatuses = [];
      return d;
    },
    environments(projectId) {
      return projects.filter((p) => projectId === undefined || p.id === projectId).flatMap((p) => p.environments);
    },
    setScenario(serviceId, scenario) {
      serviceOrThrow(serviceId).scenario = scenario;
    },
    setDeploymentUrl(serviceId, host) {
      serviceOrThrow(serviceId).deploymentUrl = host;
    },
    service: serviceOrThrow,
    setSharedVariables(environmentId, values, projectId = RAILWAY_FIXTURE.projectId) {
      const project = findProject(projectId);
      if (!project) throw new Error(`no project ${projectId} in the local Railway server`);
      project.sharedVariables = { ...project.sharedVariables, [environmentId]: { ...values } };
    },
    rateLimitNext(n, seconds = 1) {
      rateLimited = n;
      retryAfter = seconds;
    },
    failNext(n, status = 503) {
      failures = n;
      failureStatus = status;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        http.closeAllConnections();
        http.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
  return server;
}
