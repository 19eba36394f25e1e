/** Engine helpers for integration tests: what the project left behind, and the classic-store engine. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';

export const MAIN_ENGINE = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
/** A second engine without the containerd image store (like GitHub's stock runners), started by scripts/testbed.sh. */
export const CLASSIC_ENGINE = 'unix:///run/docker-classic.sock';

export function dockerCli(args: string[], dockerHost = MAIN_ENGINE): string {
  // `buildx du --verbose` on an engine that has built a lot prints more than the default 1 MiB.
  return execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, DOCKER_HOST: dockerHost } });
}

export function engineAvailable(dockerHost: string): boolean {
  try {
    dockerCli(['version', '--format', '{{.Server.Version}}'], dockerHost);
    return true;
  } catch {
    return false;
  }
}

/** Containers and networks of one run. */
export function leftovers(runId: string | undefined, dockerHost = MAIN_ENGINE): { containers: string[]; networks: string[] } {
  // Without the run's id the check would see every run on the shared engine (other test files').
  if (!runId) throw new Error('leftovers: no run id (a run given --image has none in its tag: read it from the report or the state)');
  return labelled(`dev.deploy-check.run=${runId}`, dockerHost);
}

/** Containers and networks carrying deploy-check's label, of any run. */
export function managedLeftovers(dockerHost = MAIN_ENGINE): { containers: string[]; networks: string[] } {
  return labelled('dev.deploy-check.managed', dockerHost);
}

function labelled(label: string, dockerHost: string): { containers: string[]; networks: string[] } {
  const list = (args: string[]): string[] => dockerCli(args, dockerHost).split('\n').filter(Boolean);
  return {
    containers: list(['ps', '-aq', '--filter', `label=${label}`]),
    networks: list(['network', 'ls', '-q', '--filter', `label=${label}`]),
  };
}

/**
 * Whether a part of the test bed is missing (`reason` names it; false when present). On a
 * developer's machine the tests that need it are skipped with the reason printed; under CI the
 * run fails instead, so a broken test bed can never pass green.
 */
export function unavailable(reason: string | false): boolean {
  if (reason === false || reason === '') return false;
  if (process.env['CI'] === 'true') {
    throw new Error(`the test bed is incomplete: ${reason}. CI never skips these tests: run scripts/testbed.sh (as root) first`);
  }
  console.warn(`skipping: ${reason} (scripts/testbed.sh sets it up)`);
  return true;
}

/**
 * Whether the engine at `dockerHost` answers. When it does not, the tests that need it are
 * skipped on a developer's machine and the run fails under CI (see `unavailable`).
 */
export function engineUsable(dockerHost: string): boolean {
  return engineAvailable(dockerHost) || !unavailable(`no Docker engine answers at ${dockerHost}`);
}

/**
 * What a test file leaves behind on purpose until its end: images it built and temporary
 * folders. Registers the removal after all tests of the calling file.
 */
export function removedAfterAll(): { created: { image: string; host: string }[]; temps: string[] } {
  const created: { image: string; host: string }[] = [];
  const temps: string[] = [];
  afterAll(() => {
    for (const { image, host } of created) {
      try {
        dockerCli(['rmi', '-f', image], host);
      } catch {
        // Already gone.
      }
    }
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });
  return { created, temps };
}
