import type { RailwayIacConfig } from './railway-iac.ts';
import { PRIVATE_DOMAIN_SUFFIX } from './databases.ts';
import { ConfigError } from '../../inputs/inputs.ts';
import { composeVersion } from '../../compose/compose.ts';
import type { ComposeConfig } from '../compose.ts';
import { parseComposeModel } from '../../compose/model.ts';
import { projectName } from '../../compose/plan.ts';

/**
 * The databases the checked service references in .railway/railway.ts, as a Compose project of
 * the run's own: each from its image, on one network where it answers to <name>.railway.internal
 * as on Railway's private network, ready when its own client says it accepts connections. The
 * app is the project's service that depends on them all; Compose never starts it.
 */
export async function railwayDatabasesCompose(iac: RailwayIacConfig, runId: string): Promise<ComposeConfig | undefined> {
  if (iac.databases.length === 0) return undefined;
  const version = await composeVersion();
  if (version === null) {
    throw new ConfigError(
      'railway-config',
      `${iac.file} declares ${iac.databases.map((d) => d.name).join(', ')}, which deploy-check starts with Docker Compose v2 (the \`docker compose\` plugin), and it is not installed; install it (Debian/Ubuntu: docker-compose-plugin or docker-compose 2.x)`,
    );
  }
  const project = projectName(runId);
  const app = iac.service.name;
  const services: Record<string, unknown> = {
    [app]: {
      image: 'deploy-check-app-placeholder',
      depends_on: Object.fromEntries(iac.databases.map((d) => [d.name, { condition: 'service_healthy', required: true }])),
      networks: { default: { aliases: [`${app}${PRIVATE_DOMAIN_SUFFIX}`] } },
    },
  };
  for (const db of iac.databases) {
    services[db.name] = {
      image: db.image,
      // Compose interpolates "$" in its files; the values are literal.
      environment: Object.fromEntries(Object.entries(db.containerEnv).map(([k, v]) => [k, v.replaceAll('$', '$$')])),
      healthcheck: { test: [...db.readiness], interval: '1s', timeout: '5s', retries: 3, start_period: '300s' },
      networks: { default: { aliases: [db.host] } },
    };
  }
  const document = { name: project, services, networks: { default: { name: `${project}_default` } } };
  return {
    file: iac.file,
    project,
    service: app,
    serviceSource: 'input',
    composeVersion: version,
    model: parseComposeModel(JSON.stringify(document)),
    generated: document,
  };
}
