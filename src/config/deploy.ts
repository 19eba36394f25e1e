import type { RailwayAccess, TokenType } from '../railway/access.ts';
import { ConfigError, parseBoolean, parseChoice, parseDuration, parseUrlPath, type InputReader } from '../inputs/inputs.ts';

/** `deploy`: auto deploys from a push to the default branch, a published release or a manual dispatch. */
export type DeployMode = 'auto' | 'always' | 'never';
export type DeploySource = 'commit' | 'image';
/** `deploy-trigger`: auto lets a service's own deployment trigger deploy the push; api always deploys through the API. */
export type DeployTriggerMode = 'auto' | 'api';

export interface DeployConfig {
  readonly mode: DeployMode;
  readonly source: DeploySource;
  /** `push-image`: repository (optionally with a tag) the checked image is pushed to in image mode. */
  readonly pushImage: string | undefined;
  readonly wait: boolean;
  readonly timeoutMs: number;
  /** What a deployment that waits for a person (NEEDS_APPROVAL) means for the verdict; WAITING (Wait for CI) never does. */
  readonly onApproval: 'pass' | 'fail';
  readonly smoke: { readonly path: string; readonly timeoutMs: number } | undefined;
  readonly trigger: DeployTriggerMode;
  /** `deploy-rollback`: a deployment that fails its smoke check is rolled back to the one live before it. */
  readonly rollback: boolean;
  /** `railway-preview`: each pull request from this repository gets its own environment, pr-<number>. */
  readonly preview: boolean;
  /** Undefined without `railway-token`: no deploy, no settings from Railway. */
  readonly railway: RailwayAccess | undefined;
}

export const DEFAULT_DEPLOY_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_SMOKE_TIMEOUT_MS = 60_000;
/** Inputs whose values are secrets: the action masks them before anything else runs. */
export const RAILWAY_SECRET_INPUTS = ['railway-token'] as const;

const REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;

export function readDeployConfig(read: InputReader): DeployConfig {
  const get = (name: Parameters<InputReader>[0]): string => read(name).trim();
  const mode = parseChoice('deploy', get('deploy'), ['auto', 'always', 'never'], { fallback: 'auto' });
  const source = parseChoice('deploy-source', get('deploy-source'), ['commit', 'image'], { fallback: 'commit' });
  const wait = parseBoolean('deploy-wait', get('deploy-wait'), true);
  const timeoutMs = get('deploy-timeout') ? parseDuration('deploy-timeout', get('deploy-timeout')) : DEFAULT_DEPLOY_TIMEOUT_MS;
  const onApproval = parseChoice('deploy-wait-approval', get('deploy-wait-approval'), ['pass', 'fail'], { fallback: 'fail' });

  const pushImage = get('push-image') || undefined;
  if (pushImage !== undefined) {
    if (pushImage.includes('@')) {
      throw new ConfigError('push-image', `"${pushImage}" carries a digest; give the repository (optionally with a tag), e.g. "ghcr.io/acme/shop"`);
    }
    if (!REFERENCE.test(pushImage)) {
      throw new ConfigError('push-image', `"${pushImage}" is not an image repository (lower-case, optional registry host and :tag), e.g. "ghcr.io/acme/shop"`);
    }
  }
  if (source === 'image' && pushImage === undefined) {
    throw new ConfigError('push-image', 'deploy-source is "image": set push-image to the repository Railway pulls from, e.g. "ghcr.io/acme/shop"');
  }

  const smokePath = get('smoke-path') === '' ? '' : parseUrlPath('smoke-path', get('smoke-path'));
  if (smokePath !== '' && !smokePath.startsWith('/')) throw new ConfigError('smoke-path', `"${smokePath}" must start with "/" (e.g. "/health")`);
  const smokeTimeoutMs = get('smoke-timeout') ? parseDuration('smoke-timeout', get('smoke-timeout')) : DEFAULT_SMOKE_TIMEOUT_MS;

  const trigger = parseChoice('deploy-trigger', get('deploy-trigger'), ['auto', 'api'], { fallback: 'auto' });
  const rollback = parseBoolean('deploy-rollback', get('deploy-rollback'), true);
  const preview = parseBoolean('railway-preview', get('railway-preview'), false);

  const railway = readAccess(read);
  if (mode === 'always' && railway === undefined) {
    throw new ConfigError('railway-token', 'deploy is "always" but no Railway token is given; pass a project token (or an account token with railway-project)');
  }
  if (preview && railway?.tokenType === 'project') {
    throw new ConfigError(
      'railway-preview',
      `creating an environment per pull request needs an account or workspace token, and railway-token is used as a project token (railway-token-type: ${railway.tokenTypeGuessed ? 'auto, because railway-project is not set' : 'project'}): pass an account or workspace token with railway-token-type: account and railway-project`,
    );
  }
  return {
    mode,
    source,
    pushImage,
    wait,
    timeoutMs,
    onApproval,
    smoke: smokePath ? { path: smokePath, timeoutMs: smokeTimeoutMs } : undefined,
    trigger,
    rollback,
    preview,
    railway,
  };
}

function readAccess(read: InputReader): RailwayAccess | undefined {
  const token = read('railway-token').trim();
  const tokenTypeInput = parseChoice('railway-token-type', read('railway-token-type'), ['auto', 'project', 'account'], { fallback: 'auto' });
  const project = read('railway-project').trim() || undefined;
  const environment = read('railway-environment').trim() || undefined;
  const service = read('railway-service').trim() || undefined;
  // No token is not an error: on pull requests from forks the secret is empty while the names are set.
  if (token === '') return undefined;
  if (/\s/.test(token)) throw new ConfigError('railway-token', 'contains white space; pass the token alone (a secret, e.g. ${{ secrets.RAILWAY_TOKEN }})');
  const tokenType: TokenType = tokenTypeInput === 'auto' ? (project !== undefined ? 'account' : 'project') : tokenTypeInput;
  if (tokenType === 'account' && project === undefined) {
    throw new ConfigError('railway-project', 'an account or workspace token reaches many projects: set railway-project to the project ID (or name)');
  }
  return { token, tokenType, tokenTypeGuessed: tokenTypeInput === 'auto', project, environment, service };
}
