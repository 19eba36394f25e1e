/** The readiness rule: nothing tells the platform when the app is ready. */
import type { Draft } from './draft.ts';

export interface HealthcheckFacts {
  /** Config.Healthcheck.Test of the image; undefined when it has none. */
  readonly test: readonly string[] | undefined;
  /** A health path is configured (input, .railway/railway.ts, railway.json/toml or the Railway service). */
  readonly healthPath: boolean;
  /** The final FROM line. */
  readonly line: number | null;
}

export function healthcheckFindings({ test, healthPath, line }: HealthcheckFacts): Draft[] {
  const hasHealthcheck = Boolean(test?.length && test[0] !== 'NONE');
  if (hasHealthcheck || healthPath) return [];
  return [
    {
      id: 'no-healthcheck',
      message:
        "The image has no HEALTHCHECK and no health path is configured (health-path, healthcheck in .railway/railway.ts, deploy.healthcheckPath in railway.json/toml, or the Railway service's health check path): nothing tells the platform when the app is ready",
      line,
    },
  ];
}
