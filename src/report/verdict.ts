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
  // Only `hygiene: fail` turns error findings into a failure; `warn` reports them and passes.
  const hygieneErrors = report.hygiene.findings.filter((f) => f.severity === 'error');
  if ((report.hygiene.mode ?? 'fail') === 'fail' && hygieneErrors.length > 0) {
    const [first] = hygieneErrors;
    const more = hygieneErrors.length - 1;
    const others = [...new Set(hygieneErrors.slice(1).map((f) => f.id))].join(', ');
    reasons.push(`Hygiene: ${first?.message ?? ''} [${first?.id ?? ''}]${more > 0 ? `; and ${more} more error finding${more > 1 ? 's' : ''} (${others})` : ''}`);
  }
  if (report.deploy && ['failed', 'timeout', 'error'].includes(report.deploy.status)) {
    reasons.push(`Deploy ${report.deploy.status}`);
  }
  report.reasons = reasons;
  report.verdict = reasons.length === 0 ? 'pass' : 'fail';
}
