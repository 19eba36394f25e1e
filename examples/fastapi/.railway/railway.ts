// Railway's configuration for this service (Infrastructure as Code, Railway's SDK railway/iac).
import { defineRailway, github, project, service } from 'railway/iac';

export default defineRailway(() =>
  project('fastapi', {
    resources: [
      service('api', {
        source: github('org/fastapi'),
        build: { builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' },
        preDeploy: 'python3 -m app.migrate',
        healthcheck: '/health',
        healthcheckTimeout: 60,
      }),
    ],
  }),
);
