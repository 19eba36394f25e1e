import type { CheckReport } from './model.ts';

/** The one place that decides pass or fail, and says why in sentences a person can act on. */
export function decideVerdict(report: CheckReport): void {
  const reasons: string[] = [];
  if (report.build.status === 'failure') {
    reasons.push(`Build failed: ${report.build.failure?.message ?? 'unknown error'}`);
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
  report.reasons = reasons;
  report.verdict = reasons.length === 0 ? 'pass' : 'fail';
}
