import Docker from 'dockerode';

/** The engine the docker CLI would talk to: DOCKER_HOST when set, else the local socket. */
export function connectDocker(): Docker {
  return new Docker();
}

/** Fails early, with a sentence a person can act on, when no engine answers. */
export async function ensureEngine(docker: Docker): Promise<void> {
  try {
    await docker.ping();
  } catch (err) {
    const where = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
    throw new Error(`no Docker engine answers at ${where} (${(err as Error).message}); start Docker or set DOCKER_HOST`);
  }
}
