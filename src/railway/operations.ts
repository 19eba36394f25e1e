/**
 * The GraphQL operations deploy-check sends to Railway, as plain strings with their result and
 * variable types. Kept as strings (no GraphQL library in the bundle); every document is parsed and
 * validated in the tests against railway.graphql beside this file, the SDL of exactly the part of
 * Railway's API these operations use (add a field here, add it there).
 */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly kind: 'query' | 'mutation';
  readonly document: string;
  /** Never set: carries the types from the constant to `RailwayClient.request`. */
  readonly types?: { data: TData; variables: TVariables };
}

function query<TData, TVariables>(name: string, document: string): Operation<TData, TVariables> {
  return { name, kind: 'query', document };
}

function mutation<TData, TVariables>(name: string, document: string): Operation<TData, TVariables> {
  return { name, kind: 'mutation', document };
}

interface Named {
  id: string;
  name: string;
}

interface Connection<T> {
  edges: { node: T }[];
}

/** A project token knows its project and environment. */
export const PROJECT_TOKEN = query<{ projectToken: { projectId: string; environmentId: string } }, Record<string, never>>(
  'ProjectToken',
  `query ProjectToken {
  projectToken {
    projectId
    environmentId
  }
}`,
);

export const PROJECT = query<{ project: Named & { services: Connection<Named>; environments: Connection<Named> } }, { id: string }>(
  'Project',
  `query Project($id: String!) {
  project(id: $id) {
    id
    name
    services {
      edges {
        node {
          id
          name
        }
      }
    }
    environments {
      edges {
        node {
          id
          name
        }
      }
    }
  }
}`,
);

/** Resolves a project given by name with an account or workspace token. */
export const PROJECTS = query<{ projects: Connection<Named> }, Record<string, never>>(
  'Projects',
  `query Projects {
  projects {
    edges {
      node {
        id
        name
      }
    }
  }
}`,
);

export interface ServiceInstanceData {
  id: string;
  serviceName: string;
  healthcheckPath: string | null;
  /** Seconds. */
  healthcheckTimeout: number | null;
  dockerfilePath: string | null;
  source: { image: string | null; repo: string | null } | null;
  startCommand: string | null;
  /** JSON in the schema: a list of strings (a string in older services). */
  preDeployCommand: unknown;
}

export const SERVICE_INSTANCE = query<{ serviceInstance: ServiceInstanceData }, { environmentId: string; serviceId: string }>(
  'ServiceInstance',
  `query ServiceInstance($environmentId: String!, $serviceId: String!) {
  serviceInstance(environmentId: $environmentId, serviceId: $serviceId) {
    id
    serviceName
    healthcheckPath
    healthcheckTimeout
    dockerfilePath
    startCommand
    preDeployCommand
    source {
      image
      repo
    }
  }
}`,
);

/** Names and values; Railway's EnvironmentVariables scalar. */
export type VariableMap = Record<string, string>;

/**
 * Values that live only in Railway: the environment's shared variables (`variables` without a
 * service) and the service's own (rendered, as its deployments get them). One request reads
 * either or both, so that only what the checked file refers to is asked for.
 */
export const VARIABLES = query<
  { shared?: VariableMap; service?: VariableMap },
  { projectId: string; environmentId: string; serviceId: string; withShared: boolean; withService: boolean }
>(
  'Variables',
  `query Variables($projectId: String!, $environmentId: String!, $serviceId: String!, $withShared: Boolean!, $withService: Boolean!) {
  shared: variables(projectId: $projectId, environmentId: $environmentId) @include(if: $withShared)
  service: variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) @include(if: $withService)
}`,
);

export interface DeploymentData {
  id: string;
  status: string;
  statusUpdatedAt: string | null;
  url: string | null;
  staticUrl: string | null;
}

export const DEPLOYMENT = query<{ deployment: DeploymentData }, { id: string }>(
  'Deployment',
  `query Deployment($id: String!) {
  deployment(id: $id) {
    id
    status
    statusUpdatedAt
    url
    staticUrl
  }
}`,
);

export interface LogLine {
  timestamp: string;
  message: string;
  severity: string | null;
}

/** Build and deployment logs are asked the same way, by deployment. */
function logsQuery<F extends 'buildLogs' | 'deploymentLogs'>(name: string, field: F) {
  return query<Record<F, LogLine[]>, { deploymentId: string; limit: number }>(
    name,
    `query ${name}($deploymentId: String!, $limit: Int) {
  ${field}(deploymentId: $deploymentId, limit: $limit) {
    timestamp
    message
    severity
  }
}`,
  );
}

export const BUILD_LOGS = logsQuery('BuildLogs', 'buildLogs');

export const DEPLOYMENT_LOGS = logsQuery('DeploymentLogs', 'deploymentLogs');

export const DOMAINS = query<
  { domains: { serviceDomains: { domain: string }[]; customDomains: { domain: string }[] } },
  { environmentId: string; projectId: string; serviceId: string }
>(
  'Domains',
  `query Domains($environmentId: String!, $projectId: String!, $serviceId: String!) {
  domains(environmentId: $environmentId, projectId: $projectId, serviceId: $serviceId) {
    serviceDomains {
      domain
    }
    customDomains {
      domain
    }
  }
}`,
);

/** Returns the new deployment's id; without commitSha Railway deploys the service's current source. */
export const DEPLOY = mutation<{ serviceInstanceDeployV2: string }, { serviceId: string; environmentId: string; commitSha?: string }>(
  'Deploy',
  `mutation Deploy($serviceId: String!, $environmentId: String!, $commitSha: String) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha)
}`,
);

export const SET_IMAGE_SOURCE = mutation<
  { serviceInstanceUpdate: boolean },
  {
    serviceId: string;
    environmentId: string;
    input: { source: { image: string }; registryCredentials?: { username: string; password: string } };
  }
>(
  'SetImageSource',
  `mutation SetImageSource($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`,
);

export interface TriggerData {
  id: string;
  repository: string;
  branch: string;
  checkSuites: boolean;
  serviceId: string | null;
}

/** A service linked to a GitHub repository has a trigger per branch Railway deploys by itself. */
export const DEPLOYMENT_TRIGGERS = query<{ deploymentTriggers: Connection<TriggerData> }, { projectId: string; environmentId: string; serviceId: string }>(
  'DeploymentTriggers',
  `query DeploymentTriggers($projectId: String!, $environmentId: String!, $serviceId: String!) {
  deploymentTriggers(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, first: 20) {
    edges {
      node {
        id
        repository
        branch
        checkSuites
        serviceId
      }
    }
  }
}`,
);

export interface ListedDeployment extends DeploymentData {
  createdAt: string;
  canRollback: boolean;
  /** JSON; `commitHash` for a deployment of a commit. */
  meta: unknown;
}

/** Newest first. */
export const DEPLOYMENTS = query<
  { deployments: Connection<ListedDeployment> },
  { input: { serviceId: string; environmentId: string; status?: { in: string[] } }; first: number }
>(
  'Deployments',
  `query Deployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges {
      node {
        id
        status
        statusUpdatedAt
        createdAt
        url
        staticUrl
        canRollback
        meta
      }
    }
  }
}`,
);

export interface EnvironmentData {
  id: string;
  name: string;
  createdAt: string;
}

export const ENVIRONMENTS = query<{ environments: Connection<EnvironmentData> }, { projectId: string }>(
  'Environments',
  `query Environments($projectId: String!) {
  environments(projectId: $projectId) {
    edges {
      node {
        id
        name
        createdAt
      }
    }
  }
}`,
);

/** Copies the services of the source environment; needs an account or workspace token. */
export const ENVIRONMENT_CREATE = mutation<
  { environmentCreate: EnvironmentData },
  { input: { projectId: string; name: string; sourceEnvironmentId: string; ephemeral: boolean; skipInitialDeploys: boolean } }
>(
  'EnvironmentCreate',
  `mutation EnvironmentCreate($input: EnvironmentCreateInput!) {
  environmentCreate(input: $input) {
    id
    name
    createdAt
  }
}`,
);

export const ENVIRONMENT_DELETE = mutation<{ environmentDelete: boolean }, { id: string }>(
  'EnvironmentDelete',
  `mutation EnvironmentDelete($id: String!) {
  environmentDelete(id: $id)
}`,
);

/** Restores the given earlier deployment. */
export const DEPLOYMENT_ROLLBACK = mutation<{ deploymentRollback: boolean }, { id: string }>(
  'DeploymentRollback',
  `mutation DeploymentRollback($id: String!) {
  deploymentRollback(id: $id)
}`,
);

export const DEPLOYMENT_CANCEL = mutation<{ deploymentCancel: boolean }, { id: string }>(
  'DeploymentCancel',
  `mutation DeploymentCancel($id: String!) {
  deploymentCancel(id: $id)
}`,
);

/** A Railway-provided domain for the service in an environment that has none (a new preview environment). */
export const SERVICE_DOMAIN_CREATE = mutation<{ serviceDomainCreate: { domain: string } }, { input: { environmentId: string; serviceId: string } }>(
  'ServiceDomainCreate',
  `mutation ServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) {
    domain
  }
}`,
);

/** Every operation, for the schema validation test. */
export const OPERATIONS: readonly Operation<unknown, unknown>[] = [
  PROJECT_TOKEN,
  PROJECT,
  PROJECTS,
  SERVICE_INSTANCE,
  VARIABLES,
  DEPLOYMENT,
  BUILD_LOGS,
  DEPLOYMENT_LOGS,
  DOMAINS,
  DEPLOY,
  SET_IMAGE_SOURCE,
  DEPLOYMENT_TRIGGERS,
  DEPLOYMENTS,
  ENVIRONMENTS,
  ENVIRONMENT_CREATE,
  ENVIRONMENT_DELETE,
  DEPLOYMENT_ROLLBACK,
  DEPLOYMENT_CANCEL,
  SERVICE_DOMAIN_CREATE,
] as readonly Operation<unknown, unknown>[];
