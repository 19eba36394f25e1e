import type { CheckReport, Verdict } from '../model/report.ts';
import { checkStates } from './state.ts';

/** What the verdict reads: every check's outcome, never how the report was made. */
export type VerdictInput = Pick<
  CheckReport,
  'cancelled' | 'internalError' | 'build' | 'services' | 'compose' | 'preDeploy' | 'health' | 'size' | 'hygiene' | 'deploy'
>;

/**
 * The one place that decides pass or fail, and says why in sentences a person can act on.
 * A pure function of the report's checks: same checks, same verdict and reasons. A check fails
 * the run exactly when checkStates says it fails, so no output can show a state the verdict
 * does not agree with.
 */
export function verdictOf(report: VerdictInput): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  if (report.internalError) reasons.push(`deploy-check failed unexpectedly: ${report.internalError}`);
  if (report.cancelled) {
    reasons.push(`Cancelled: the run was stopped (${report.cancelled.signal}) during ${report.cancelled.stage}`);
  }
  for (const check of checkStates(report)) reasons.push(...check.reasons);
  return { verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
}

/** Writes the verdict of the report's checks into the report (after the checks, and again after the deploy). */
export function decideVerdict(report: CheckReport): void {
  const { verdict, reasons } = verdictOf(report);
  report.verdict = verdict;
  report.reasons = reasons;
}
