/**
 * Railway's DeploymentStatus, sorted by what it means for the gate. Railway's own CLI treats only
 * SUCCESS, FAILED and CRASHED as final and can hang on a removed deployment; every status here
 * that will not change by itself ends the wait.
 */
export type StatusClass = 'success' | 'failure' | 'approval' | 'waiting-for-ci' | 'in-progress';

const CLASSES: Readonly<Record<string, StatusClass>> = {
  SUCCESS: 'success',
  // A deployment that went idle after succeeding (serverless sleep).
  SLEEPING: 'success',
  FAILED: 'failure',
  CRASHED: 'failure',
  REMOVED: 'failure',
  REMOVING: 'failure',
  SKIPPED: 'failure',
  // The only status that waits for a person.
  NEEDS_APPROVAL: 'approval',
  // "Wait for CI": held until the commit's GitHub checks pass, this very run's included; Railway's CLI says "Waiting for CI".
  WAITING: 'waiting-for-ci',
  QUEUED: 'in-progress',
  INITIALIZING: 'in-progress',
  BUILDING: 'in-progress',
  DEPLOYING: 'in-progress',
};

/** A status Railway adds later is treated as still in progress: the timeout bounds the wait. */
export function classifyStatus(status: string): StatusClass {
  return CLASSES[status] ?? 'in-progress';
}

export function isKnownStatus(status: string): boolean {
  return status in CLASSES;
}

/** One clause saying what a final status means, for the report's reason. */
export function describeStatus(status: string): string {
  switch (status) {
    case 'FAILED':
      return 'the build or deploy failed at Railway';
    case 'CRASHED':
      return 'the service started and then crashed at Railway';
    case 'REMOVED':
      return 'the deployment was removed before it went live (replaced by a newer deployment, or removed by hand)';
    case 'REMOVING':
      return 'the deployment is being removed before it went live';
    case 'SKIPPED':
      return 'Railway skipped the deployment (for example watch paths matched no changed file, or a newer deployment superseded it)';
    case 'NEEDS_APPROVAL':
      return 'the deployment waits for a person to approve it in Railway';
    case 'WAITING':
      return "Railway holds the deployment until the commit's GitHub checks pass (\"Wait for CI\" on the service's deployment trigger), this workflow's included";
    case 'SLEEPING':
      return 'the deployment succeeded and is sleeping (idle)';
    case 'SUCCESS':
      return 'the deployment is live';
    default:
      return `Railway reports ${status}`;
  }
}
