/**
 * Every finding the hygiene check can raise: its stable id (what `hygiene-ignore` takes),
 * its severity, and what it means. The ids are part of the public report.
 */
export const FINDING_KINDS = {
  'root-user': { severity: 'error', about: 'the image runs as root' },
  'unknown-user': { severity: 'error', about: 'the image runs as a user that does not exist in it' },
  'secret-file': { severity: 'error', about: 'a secret file is in a layer of the image (also when a later layer deletes it)' },
  'git-directory': { severity: 'warning', about: 'a .git directory is in the image' },
  'secret-env': { severity: 'error', about: 'an ENV or ARG default carries a secret-looking value' },
  'secret-build-arg': { severity: 'error', about: 'a secret-looking build argument is recorded in the image history' },
  'secret-value': {
    severity: 'error',
    about: 'a file holds a secret recognised by its value (a known token format or a given secret), also when a later layer deletes it',
  },
  'secret-in-history': { severity: 'error', about: 'a command recorded in the image history holds a secret value' },
  'placeholder-credentials': {
    severity: 'info',
    about: 'values shaped like credentials that are not secrets: placeholders, trivial passwords for local hosts, documentation, example, test and CI files',
  },
  'setuid-file': { severity: 'warning', about: 'setuid/setgid files (info when they come with the base image)' },
  'world-writable': { severity: 'warning', about: 'world-writable files or directories outside /tmp' },
  'empty-password': { severity: 'error', about: 'an account in /etc/shadow has an empty password' },
  'no-healthcheck': { severity: 'warning', about: 'no HEALTHCHECK and no health path configured' },
  'no-dockerignore': { severity: 'warning', about: 'the build context has no .dockerignore' },
  'dockerignore-gaps': { severity: 'warning', about: '.dockerignore does not exclude .env, .git, node_modules or .venv' },
  'large-context': { severity: 'warning', about: 'the build context sent to the builder is large' },
  'package-cache': { severity: 'warning', about: 'a package-manager cache is left in a layer' },
  'compiler-in-final-stage': { severity: 'warning', about: 'compilers reached the final stage of a multi-stage build' },
  'scan-incomplete': { severity: 'warning', about: 'the image layers could not be read, so file checks did not run' },
} as const;

export type FindingId = keyof typeof FINDING_KINDS;

export const FINDING_IDS = Object.keys(FINDING_KINDS) as FindingId[];

export function isFindingId(id: string): id is FindingId {
  return Object.hasOwn(FINDING_KINDS, id);
}

/** Secrets fail the check unless `hygiene: warn`. */
export function isSecretFinding(id: string): boolean {
  return id.startsWith('secret-');
}
