import { sourceLabel } from '../model/format.ts';
import type { CheckReport, DeployReport, ServiceReport } from '../model/report.ts';
import { headlineSizePercent, measured, sizeChanges } from './size-change.ts';

/**
 * The one decision of each check's state, read by the verdict, the comment and job summary
 * (checkRows) and the terminal: they show the same state because none of them decides it.
 * pending: the check has no final answer yet (a deployment started and not waited for, handed to
 * Railway's "Wait for CI", or waiting for a person's approval that deploy-wait-approval lets pass).
 */
export type CheckState = 'pass' | 'warn' | 'fail' | 'skip' | 'pending';

export type CheckName = 'Build' | 'Cache' | 'Services' | 'Pre-deploy' | 'Health' | 'Size' | 'Hygiene' | 'Deploy';

export interface CheckStateOf {
  readonly name: CheckName;
  readonly state: CheckState;
  /** Why the check fails, in sentences a person can act on (the verdict's reasons); empty unless it fails. */
  readonly reasons: readonly string[];
}

/** What the states read: every check's outcome, never how the report was made or shown. */
export type StateInput = Pick<CheckReport, 'build' | 'services' | 'compose' | 'preDeploy' | 'health' | 'size' | 'hygiene' | 'deploy'>;

/** Each check of the report in pipeline order; Services and Pre-deploy only when the run had them. */
export function checkStates(report: StateInput): CheckStateOf[] {
  const services = servicesState(report);
  const preDeploy = preDeployState(report);
  return [
    buildState(report),
    cacheState(report),
    ...(services ? [services] : []),
    ...(preDeploy ? [preDeploy] : []),
    healthState(report),
    sizeState(report),
    hygieneState(report),
    deployCheckState(report),
  ];
}

function passing(name: CheckName, state: Exclude<CheckState, 'fail'>): CheckStateOf {
  return { name, state, reasons: [] };
}

function failing(name: CheckName, reasons: string[]): CheckStateOf {
  return { name, state: 'fail', reasons };
}

function buildState(report: StateInput): CheckStateOf {
  const { build } = report;
  if (build.status === 'success') return passing('Build', 'pass');
  const source = build.failure?.source;
  return failing('Build', [`Build failed${source ? ` at ${sourceLabel(source)}` : ''}: ${build.failure?.message ?? 'unknown error'}`]);
}

/** The cache never fails a run: a warning when it misbehaved, skip when nothing was restored. */
function cacheState(report: StateInput): CheckStateOf {
  const { cache } = report.build;
  if (!cache.enabled) return passing('Cache', 'skip');
  return passing('Cache', cache.warnings.length ? 'warn' : cache.restored ? 'pass' : 'skip');
}

/** One Compose service the app needed: ready, skipped, or failed (exited counts as failed). */
export function serviceState(service: ServiceReport): CheckState {
  if (service.status === 'ready') return 'pass';
  return service.status === 'skipped' ? 'skip' : 'fail';
}

function servicesState(report: StateInput): CheckStateOf | null {
  const services = report.services ?? [];
  const failure = report.compose?.failure;
  if (services.length === 0 && !report.compose) return null;
  // A service that did not come up fails the run with its own reason; Compose's only without one.
  const reasons = services
    .filter((s) => serviceState(s) === 'fail')
    .map((s) => `Service "${s.name}" ${s.status === 'exited' ? 'exited' : 'failed'}: ${s.reason ?? 'not ready'}`);
  if (failure && reasons.length === 0) reasons.push(`Compose services could not be started: ${failure}`);
  if (reasons.length) return failing('Services', reasons);
  return passing('Services', services.length ? 'pass' : 'skip');
}

function preDeployState(report: StateInput): CheckStateOf | null {
  const pre = report.preDeploy;
  if (!pre) return null;
  if (pre.status === 'failed') return failing('Pre-deploy', [`Pre-deploy command failed: ${pre.reason ?? 'a command did not exit with 0'}`]);
  return passing('Pre-deploy', pre.status === 'passed' ? 'pass' : 'skip');
}

/** A cancelled health check is not the app's failure: the cancellation is the run's reason. */
function healthState(report: StateInput): CheckStateOf {
  const { health } = report;
  if (health.status === 'unhealthy') return failing('Health', [`Health check failed: ${health.reason ?? 'not healthy'}`]);
  return passing('Health', health.status === 'healthy' ? 'pass' : 'skip');
}

/** Over a budget fails; a budget that could not be checked, or growth of 10% or more, warns. */
function sizeState(report: StateInput): CheckStateOf {
  const checks = report.size.budget.checks;
  const exceeded = checks.filter((c) => c.status === 'exceeded');
  if (exceeded.length)
    return failing(
      'Size',
      exceeded.map((c) => c.message),
    );
  if (!measured(report)) return passing('Size', 'skip');
  if (checks.some((c) => c.status === 'unchecked')) return passing('Size', 'warn');
  const percent = report.size.baseline ? headlineSizePercent(report, sizeChanges(report)) : null;
  return passing('Size', percent !== null && percent >= 10 ? 'warn' : 'pass');
}

/**
 * A finding's severity is already what the mode makes it (secrets are errors unless `warn`);
 * `warn` never fails, also for reports written before severities followed the mode.
 */
function hygieneState(report: StateInput): CheckStateOf {
  const { hygiene } = report;
  const errors = hygiene.findings.filter((f) => f.severity === 'error');
  if (hygiene.mode !== 'warn' && errors.length > 0) {
    const [first] = errors;
    const more = errors.length - 1;
    const others = [...new Set(errors.slice(1).map((f) => f.id))].join(', ');
    return failing('Hygiene', [
      `Hygiene: ${first?.message ?? ''} [${first?.id ?? ''}]${more > 0 ? `; and ${more} more error finding${more > 1 ? 's' : ''} (${others})` : ''}`,
    ]);
  }
  if (hygiene.status === 'skipped' || hygiene.mode === 'off') return passing('Hygiene', 'skip');
  return passing('Hygiene', hygiene.findings.some((f) => f.severity !== 'info') ? 'warn' : 'pass');
}

function deployCheckState(report: StateInput): CheckStateOf {
  const deploy = report.deploy;
  if (!deploy) return passing('Deploy', 'skip');
  const state = deployState(deploy);
  if (state !== 'fail') return passing('Deploy', state);
  const what = deploy.status === 'timeout' ? 'timed out' : deploy.status === 'waiting' ? 'is waiting for approval' : 'failed';
  return failing('Deploy', [`Deploy to Railway ${what}: ${deploy.reason ?? deploy.railwayStatus ?? 'no details'}`]);
}

/**
 * A deployment is done only when Railway says it is live. One waiting for a person's approval
 * fails when deploy-wait-approval is `fail`; with `pass` the run passes, but nothing is live
 * yet, so the check reads pending (⏳), never passed: the same in every output.
 */
export function deployState(deploy: Pick<DeployReport, 'status' | 'onApproval'>): CheckState {
  switch (deploy.status) {
    case 'success':
      return 'pass';
    case 'failed':
    case 'timeout':
    case 'error':
      return 'fail';
    case 'waiting':
      return deploy.onApproval === 'fail' ? 'fail' : 'pending';
    case 'skipped':
      return 'skip';
    default:
      return 'pending';
  }
}
