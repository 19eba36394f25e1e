import { exec } from '@actions/exec';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RegistryCredentials } from '../../config/registry.ts';
import type { Log } from '../../host/log.ts';

export interface PushedImage {
  /** The tag that was pushed, e.g. ghcr.io/acme/shop:3f2c…; */
  readonly tagged: string;
  /** The registry's digest of what was pushed. */
  readonly digest: string;
  /** Repository pinned by digest: what Railway is told to run. */
  readonly pinned: string;
  readonly durationMs: number;
}

export class PushError extends Error {
  readonly output: string[];
  constructor(message: string, output: string[]) {
    super(message);
    this.name = 'PushError';
    this.output = output;
  }
}

const DIGEST = /\bdigest: (sha256:[a-f0-9]{64})\b/;

/** Splits `host[:port]/path[:tag]`; a tag is what follows the last colon after the last slash. */
export function splitReference(reference: string): { repository: string; tag: string | undefined } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: undefined };
}

/** The key docker's config.json uses for a repository's registry (Docker Hub has a legacy one). */
export function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  if (repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'https://index.docker.io/v1/';
}

/** A tag for the pushed image when push-image has none: the commit it was built from, else the run. */
export function pushTag(commit: string | null, runId: string): string {
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? commit.toLowerCase() : `deploy-check-${runId}`;
}

/**
 * Pushes the very image that was checked. Credentials go into a private, temporary DOCKER_CONFIG
 * (never onto a command line), removed afterwards; without them the user's own docker login is used.
 */
export async function pushCheckedImage(options: {
  readonly localImage: string;
  readonly pushImage: string;
  readonly tag: string;
  readonly credentials: RegistryCredentials | undefined;
  readonly log: Log;
}): Promise<PushedImage> {
  const { repository, tag } = splitReference(options.pushImage);
  const tagged = `${repository}:${tag ?? options.tag}`;
  const started = Date.now();
  const dockerConfig = options.credentials ? await privateDockerConfig(registryHost(repository), options.credentials) : undefined;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  if (dockerConfig) env['DOCKER_CONFIG'] = dockerConfig;
  // The checked image may already carry the pushed name (image: ghcr.io/acme/shop:ci): then it is neither re-tagged nor untagged.
  const extraName = tagged !== options.localImage;
  try {
    if (extraName) {
      const tagRun = await docker(['image', 'tag', options.localImage, tagged], env);
      if (tagRun.code !== 0) throw new PushError(`could not tag ${options.localImage} as ${tagged}: ${lastLine(tagRun.output)}`, tagRun.output);
    }
    try {
      options.log.info(`Pushing ${tagged}`);
      const push = await docker(['image', 'push', tagged], env);
      if (push.code !== 0) {
        throw new PushError(`docker push ${tagged} failed: ${lastLine(push.output)}${hint(push.output, Boolean(options.credentials))}`, push.output);
      }
      let digest = push.output.map((l) => DIGEST.exec(l)?.[1]).find((d) => d !== undefined);
      if (digest === undefined) {
        // Older engines and some registries do not print the digest: ask the registry itself.
        const inspect = await docker(['buildx', 'imagetools', 'inspect', tagged, '--format', '{{json .Manifest}}'], env);
        const match = /"digest"\s*:\s*"(sha256:[a-f0-9]{64})"/.exec(inspect.output.join('\n'));
        digest = match?.[1];
      }
      if (digest === undefined) throw new PushError(`pushed ${tagged} but could not learn its digest from docker push or the registry`, push.output);
      return { tagged, digest, pinned: `${repository}@${digest}`, durationMs: Date.now() - started };
    } finally {
      // Only the extra name goes; the checked image keeps its own tag.
      if (extraName) await docker(['image', 'rm', tagged], env).catch(() => undefined);
    }
  } finally {
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  }
}

async function docker(args: string[], env: Record<string, string>): Promise<{ code: number; output: string[] }> {
  let text = '';
  const code = await exec('docker', args, {
    silent: true,
    ignoreReturnCode: true,
    env,
    listeners: {
      stdout: (d) => (text += d.toString()),
      stderr: (d) => (text += d.toString()),
    },
  });
  return {
    code,
    output: text
      .split(/\r?\n/)
      .map((l) => l.trimEnd())
      .filter(Boolean),
  };
}

/**
 * A DOCKER_CONFIG holding only these credentials. It keeps the user's current context and CLI
 * plugins (linked from their own config directory) so `docker` talks to the same engine.
 */
async function privateDockerConfig(host: string, credentials: RegistryCredentials): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-docker-config-'));
  await chmod(dir, 0o700);
  const own = process.env['DOCKER_CONFIG'] || path.join(os.homedir(), '.docker');
  let currentContext: string | undefined;
  try {
    const parsed = JSON.parse(await readFile(path.join(own, 'config.json'), 'utf8')) as { currentContext?: unknown };
    if (typeof parsed.currentContext === 'string') currentContext = parsed.currentContext;
  } catch {
    // No config of their own: docker's defaults apply.
  }
  for (const sub of ['contexts', 'cli-plugins']) {
    if (existsSync(path.join(own, sub))) await symlink(path.join(own, sub), path.join(dir, sub));
  }
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } }, ...(currentContext ? { currentContext } : {}) }), {
    mode: 0o600,
  });
  return dir;
}

function lastLine(output: string[]): string {
  return output.at(-1) ?? 'no output';
}

function hint(output: string[], withCredentials: boolean): string {
  const text = output.join('\n');
  if (/unauthorized|authentication required|denied|401|403/i.test(text)) {
    return withCredentials
      ? ' (the registry refused registry-username/registry-password: check them and that they may push to this repository)'
      : ' (the registry wants credentials: set registry-username and registry-password, or log in before this step)';
  }
  return '';
}
