import type { RailwayAccess } from './access.ts';
import type { RailwayClient } from './client.ts';
import { PROJECT, PROJECT_TOKEN, PROJECTS } from './operations.ts';

/** The one service instance deploy-check reads settings from and deploys to. */
export interface RailwayTarget {
  readonly projectId: string;
  readonly projectName: string | null;
  readonly environmentId: string;
  readonly environmentName: string | null;
  readonly serviceId: string;
  readonly serviceName: string | null;
}

/** The inputs name something that does not exist, or name it ambiguously; the message names the input. */
export class TargetError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Input "${input}": ${message}`);
    this.name = 'TargetError';
    this.input = input;
  }
}

interface Named {
  readonly id: string;
  readonly name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns the IDs-or-names of the inputs into IDs. A project token carries its project and
 * environment; an account or workspace token needs railway-project. Two or three requests.
 */
// Two or three requests whose answers each narrow the next: one sequence with its error messages beside each request.
// eslint-disable-next-line max-lines-per-function
export async function resolveTarget(client: RailwayClient, access: RailwayAccess): Promise<RailwayTarget> {
  let projectId: string;
  let tokenEnvironmentId: string | undefined;
  if (access.tokenType === 'project') {
    const scope = (await client.request(PROJECT_TOKEN, {})).projectToken;
    projectId = scope.projectId;
    tokenEnvironmentId = scope.environmentId;
  } else {
    projectId = await findProjectId(client, access.project ?? '');
  }

  const project = (await client.request(PROJECT, { id: projectId })).project;
  if (access.tokenType === 'project' && access.project !== undefined && access.project !== project.id && access.project !== project.name) {
    throw new TargetError(
      'railway-project',
      `"${access.project}" is not the project of this project token (${project.name}, ${project.id}); drop railway-project or use railway-token-type: account`,
    );
  }
  const environments = project.environments.edges.map((e) => e.node);
  const services = project.services.edges.map((e) => e.node);

  let environment: Named | undefined;
  if (tokenEnvironmentId !== undefined) {
    environment = environments.find((e) => e.id === tokenEnvironmentId) ?? { id: tokenEnvironmentId, name: '' };
    if (access.environment !== undefined && access.environment !== environment.id && access.environment !== environment.name) {
      throw new TargetError(
        'railway-environment',
        `"${access.environment}" is not the environment of this project token (${environment.name || environment.id}): a project token reaches one environment; use that environment's token`,
      );
    }
  } else if (access.environment !== undefined) {
    environment = pick(environments, access.environment, 'railway-environment', 'environment', project.name);
  } else {
    environment = environments.length === 1 ? environments[0] : environments.find((e) => e.name === 'production');
    if (environment === undefined) {
      throw new TargetError(
        'railway-environment',
        `project ${project.name} has several environments and none is called "production"; set railway-environment to one of: ${list(environments)}`,
      );
    }
  }

  let service: Named | undefined;
  if (access.service !== undefined) {
    service = pick(services, access.service, 'railway-service', 'service', project.name);
  } else {
    if (services.length !== 1) {
      throw new TargetError(
        'railway-service',
        services.length === 0
          ? `project ${project.name} has no service`
          : `project ${project.name} has ${services.length} services; set railway-service to one of: ${list(services)}`,
      );
    }
    service = services[0];
  }
  if (service === undefined) throw new TargetError('railway-service', 'no service found');

  return {
    projectId: project.id,
    projectName: project.name,
    environmentId: environment.id,
    environmentName: environment.name || null,
    serviceId: service.id,
    serviceName: service.name,
  };
}

async function findProjectId(client: RailwayClient, wanted: string): Promise<string> {
  // An ID needs no listing (a listing is one more request against the rate limit).
  if (UUID.test(wanted)) return wanted;
  const projects = (await client.request(PROJECTS, {})).projects.edges.map((e) => e.node);
  return pick(projects, wanted, 'railway-project', 'project', 'this token').id;
}

function pick(items: readonly Named[], wanted: string, input: string, what: string, where: string): Named {
  const byId = items.find((i) => i.id === wanted);
  if (byId) return byId;
  const exact = items.filter((i) => i.name === wanted);
  const matches = exact.length > 0 ? exact : items.filter((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new TargetError(input, `${matches.length} ${what}s are called "${wanted}" in ${where}; use the ID (${matches.map((m) => m.id).join(', ')})`);
  }
  throw new TargetError(input, `no ${what} "${wanted}" in ${where}; ${items.length ? `${what}s: ${list(items)}` : `it has no ${what}`}`);
}

function list(items: readonly Named[]): string {
  return items.map((i) => `${i.name} (${i.id})`).join(', ');
}
