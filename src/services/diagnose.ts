import type { ServiceReport } from '../model/report.ts';
import type { ComposeModel } from '../compose/model.ts';

/** Words an app's log uses when it cannot reach a host: refused, unknown name, timed out. */
const UNREACHABLE =
  /refused|ECONNREFUSED|could not translate host name|Name or service not known|nodename nor servname|getaddrinfo|Temporary failure in name resolution|No address associated|EAI_AGAIN|ENOTFOUND|could not connect|Connection timed out|timeout expired/i;

/**
 * When a failed app's log shows it could not reach a host that is a service of the Compose file,
 * one sentence on which service and why it was not there; null when the log shows nothing of that.
 */
export function diagnoseUnreachableService(logs: readonly string[], model: ComposeModel, app: string, services: readonly ServiceReport[]): string | null {
  const names = Object.keys(model.services)
    .filter((n) => n !== app)
    .sort((a, b) => b.length - a.length);
  for (const line of logs) {
    if (!UNREACHABLE.test(line)) continue;
    const name = names.find((n) => new RegExp(`(?<![\\w.-])${escapeRegExp(n)}(?![\\w-])`).test(line));
    if (!name) continue;
    return `The app could not reach "${name}" (a service of the Compose file): ${why(name, model, app, services)}. Its log: ${line.trim().slice(0, 300)}`;
  }
  return null;
}

function why(name: string, model: ComposeModel, app: string, services: readonly ServiceReport[]): string {
  const started = services.find((s) => s.name === name);
  if (!started) {
    return `it was not started, because "${app}" does not depend on it; add it to depends_on of "${app}" (with condition: service_healthy and a healthcheck)`;
  }
  if (started.status !== 'ready') return `it was started but ${started.status === 'exited' ? 'exited' : 'did not become ready'}: ${started.reason ?? ''}`;
  if (started.condition === 'service_started') {
    const hasCheck = model.services[name]?.healthcheck?.test?.length;
    return `it was started, but "${app}" waits only for service_started, so it may not have been accepting connections yet; ${hasCheck ? 'use' : 'give it a healthcheck and use'} condition: service_healthy`;
  }
  return `it was ${started.condition === 'service_healthy' ? 'healthy' : 'done'} before the app started; check the host and port the app uses`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
