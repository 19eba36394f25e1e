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
  if (report.hygiene.findings.some((f) => f.severity === 'error')) {
    reasons.push(`Hygiene: ${report.hygiene.findings.filter((f) => f.severity === 'error').map((f) => f.message).join('; ')}`);
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
