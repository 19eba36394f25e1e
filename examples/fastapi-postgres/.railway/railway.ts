// Railway's configuration for this service (Infrastructure as Code, Railway's SDK railway/iac).
// deploy-check evaluates it the way Railway's CLI does, starts the Postgres it declares, gives the
// app DATABASE_URL from it, runs the migrations (preDeploy) and then the app, as Railway will.
import { defineRailway, github, postgres, project, service } from 'railway/iac';

export default defineRailway((ctx) => {
  const db = postgres('postgres');
  const api = service('api', {
    source: github('org/fastapi-postgres'),
    build: { builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' },
    preDeploy: 'python3 -m alembic upgrade head',
    healthcheck: '/api/v1/health/ready',
    healthcheckTimeout: 60,
    replicas: ctx.isEnvironment('production') ? 2 : 1,
    env: {
      DATABASE_URL: db.env.DATABASE_URL,
      LOG_LEVEL: 'info',
    },
  });
  return project('fastapi-postgres', { resources: [db, api] });
});
