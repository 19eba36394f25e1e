import { sourceLabel } from './format.ts';
import type { CheckReport, Verdict } from './model.ts';

/** What the verdict reads: every check's outcome, never how the report was made. */
export type VerdictInput = Pick<CheckReport, 'cancelled' | 'internalError' | 'build' | 'services' | 'compose' | 'preDeploy' | 'health' | 'size' | 'hygiene' | 'deploy'>;

/**
 * The one place that decides pass or fail, and says why in sentences a person can act on.
 * A pure function of the report's checks: same checks, same verdict and reasons.
 */
export function verdictOf(report: VerdictInput): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  if (report.internalError) reasons.push(`deploy-check failed unexpectedly: ${report.internalError}`);
  if (report.cancelled) {
    reasons.push(`Cancelled: the run was stopped (${report.cancelled.signal}) during ${report.cancelled.stage}`);
  }
  if (report.build.status === 'failure') {
    const source = report.build.failure?.source;
    reasons.push(`Build failed${source ? ` at ${sourceLabel(source)}` : ''}: ${report.build.failure?.message ?? 'unknown error'}`);
  }
  // A Compose service the app needs that did not come up fails the run with its own reason.
  for (const service of report.services ?? []) {
    if (service.status === 'failed' || service.status === 'exited') {
      reasons.push(`Service "${service.name}" ${service.status === 'exited' ? 'exited' : 'failed'}: ${service.reason ?? 'not ready'}`);
    }
  }
  if (report.compose?.failure && !(report.services ?? []).some((s) => s.status === 'failed' || s.status === 'exited')) {
    reasons.push(`Compose services could not be started: ${report.compose.failure}`);
  }
  if (report.preDeploy && report.preDeploy.status === 'failed') {
    reasons.push(`Pre-deploy command failed: ${report.preDeploy.reason ?? 'a command did not exit with 0'}`);
  }
  if (report.health.status === 'unhealthy') {
    reasons.push(`Health check failed: ${report.health.reason ?? 'not healthy'}`);
  }
  // A budget that could not be checked (no baseline, no compressed figure) is a warning, not a failure.
  for (const check of report.size.budget.checks) {
    if (check.status === 'exceeded') reasons.push(check.message);
  }
  // A finding's severity is already what the mode makes it (secrets are errors unless `warn`);
  // `warn` never fails, also for reports written before severities followed the mode.
  const hygieneErrors = report.hygiene.findings.filter((f) => f.severity === 'error');
  if (report.hygiene.mode !== 'warn' && hygieneErrors.length > 0) {
    const [first] = hygieneErrors;
    const more = hygieneErrors.length - 1;
    const others = [...new Set(hygieneErrors.slice(1).map((f) => f.id))].join(', ');
    reasons.push(`Hygiene: ${first?.message ?? ''} [${first?.id ?? ''}]${more > 0 ? `; and ${more} more error finding${more > 1 ? 's' : ''} (${others})` : ''}`);
  }
  const deploy = report.deploy;
  if (deploy) {
    // A deployment waiting for a person fails only when deploy-wait-approval says so.
    const failed =
      deploy.status === 'failed' || deploy.status === 'timeout' || deploy.status === 'error' || (deploy.status === 'waiting' && deploy.onApproval === 'fail');
    if (failed) {
      const what = deploy.status === 'timeout' ? 'timed out' : deploy.status === 'waiting' ? 'is waiting for approval' : 'failed';
      reasons.push(`Deploy to Railway ${what}: ${deploy.reason ?? deploy.railwayStatus ?? 'no details'}`);
    }
  }
  return { verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
}

/** Writes the verdict of the report's checks into the report (after the checks, and again after the deploy). */
export function decideVerdict(report: CheckReport): void {
  const { verdict, reasons } = verdictOf(report);
  report.verdict = verdict;
  report.reasons = reasons;
}
