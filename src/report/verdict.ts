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
  if (report.deploy && ['failed', 'timeout', 'error'].includes(report.deploy.status)) {
    reasons.push(`Deploy ${report.deploy.status}`);
  }
  report.reasons = reasons;
  report.verdict = reasons.length === 0 ? 'pass' : 'fail';
}
