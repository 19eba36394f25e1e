import type { Config } from '../config/config.ts';
import { holdTag } from '../host/labels.ts';

/** Environment variable through which each BuildKit secret reaches buildx: the value is never on a command line or on disk. */
export function secretEnvName(index: number): string {
  return `DEPLOY_CHECK_BUILD_SECRET_${index}`;
}

export interface BuildPlan {
  readonly args: readonly string[];
  /** Extra environment for the buildx process (secret values). */
  readonly env: Readonly<Record<string, string>>;
}

export interface CachePlan {
  readonly from: string | undefined;
  readonly to: string | undefined;
}

/** The exact `docker` argument array for the build; pure, so it is tested table-driven. */
export function planBuild(
  config: Pick<Config, 'context' | 'dockerfile' | 'target' | 'buildArgs' | 'buildSecrets' | 'image' | 'builder' | 'runId'>,
  metadataFile: string,
  cache: CachePlan = { from: undefined, to: undefined },
): BuildPlan {
  const args = ['buildx', 'build'];
  if (config.builder) args.push('--builder', config.builder);
  args.push('--file', config.dockerfile);
  if (config.target) args.push('--target', config.target);
  for (const { key, value } of config.buildArgs) args.push('--build-arg', `${key}=${value}`);
  const env: Record<string, string> = {};
  config.buildSecrets.forEach(({ key, value }, i) => {
    env[secretEnvName(i)] = value;
    args.push('--secret', `id=${key},env=${secretEnvName(i)}`);
  });
  if (cache.from) args.push('--cache-from', cache.from);
  if (cache.to) args.push('--cache-to', cache.to);
  args.push('--tag', config.image, '--tag', holdTag(config.runId), '--load', '--metadata-file', metadataFile, '--progress=rawjson', config.context);
  return { args, env };
}
