import type { SmokeReport } from '../../model/report.ts';
import { nextPollDelay, pollSchedule } from '../../railway/backoff.ts';

/**
 * After Railway reports SUCCESS, the public URL may still be warming up (DNS, edge, cold start):
 * ask until it answers 2xx or 3xx, or the smoke timeout passes. Redirects are not followed: a
 * redirect is an answer from the app.
 */
export async function smokeCheck(url: string, timeoutMs: number, options: { sleep?: (ms: number) => Promise<void> } = {}): Promise<SmokeReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  const deadline = started + timeoutMs;
  const schedule = pollSchedule(timeoutMs);
  const report: SmokeReport = { status: 'failed', url, httpStatus: null, error: null, attempts: 0, durationMs: 0 };
  let delay: number | undefined;
  for (;;) {
    report.attempts++;
    try {
      const res = await fetch(url, {
        redirect: 'manual',
        headers: { 'user-agent': 'deploy-check' },
        signal: AbortSignal.timeout(Math.max(200, Math.min(10_000, deadline - Date.now()))),
      });
      await res.arrayBuffer().catch(() => undefined);
      report.httpStatus = res.status;
      report.error = null;
      if (res.status >= 200 && res.status < 400) {
        report.status = 'passed';
        break;
      }
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      report.error = e.name === 'TimeoutError' ? 'no answer in time' : (e.cause?.code ?? e.message ?? String(err));
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** Railway gives domains without a scheme ("shop-production.up.railway.app"): they serve HTTPS. */
export function publicUrl(domainOrUrl: string): string {
  return /^https?:\/\//i.test(domainOrUrl) ? domainOrUrl.replace(/\/+$/, '') : `https://${domainOrUrl.replace(/\/+$/, '')}`;
}

export function joinUrl(base: string, pathname: string): string {
  return `${base.replace(/\/+$/, '')}${pathname.startsWith('/') ? pathname : `/${pathname}`}`;
}
