/** An image reference resolved the way the Docker CLI resolves it (docker.io, library/, latest). */
export interface ImageReference {
  /** host[:port] to talk to; Docker Hub's API host for docker.io names. */
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  /** As written by the user. */
  readonly text: string;
}

const DOCKER_HUB = 'registry-1.docker.io';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);

export function parseImageReference(text: string): ImageReference | undefined {
  const m = REFERENCE.exec(text.trim());
  if (!m || m[2] === undefined) return undefined;
  let domain = m[1];
  let repository = m[2];
  // "foo/bar": the first part is a registry only when it looks like a host (as the Docker CLI decides).
  if (domain !== undefined && !/[.:]|^localhost$|^\[/.test(domain)) {
    repository = `${domain}/${repository}`;
    domain = undefined;
  }
  if (/[A-Z]/.test(repository)) return undefined;
  let registry = domain ?? 'docker.io';
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  const digest = m[4];
  const tag = m[3] ?? (digest === undefined ? 'latest' : undefined);
  return { registry, repository, tag, digest, text: text.trim() };
}

/** Loopback registries speak plain HTTP, as the Docker engine allows for 127.0.0.0/8 by default. */
export function registryBaseUrl(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const plain = host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
  return `${plain ? 'http' : 'https'}://${registry}`;
}
