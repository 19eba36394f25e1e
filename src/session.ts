import type Docker from 'dockerode';
import type { Config } from './config/config.ts';
import { removeRunResources } from './container/cleanup.ts';
import { redact, redactDeep, type Log } from './host/log.ts';
import { emptyReport, type PipelineDeps } from './pipeline/pipeline.ts';
import type { CheckReport } from './model/report.ts';
import { decideVerdict } from './report/verdict.ts';
import { stopComposeProcesses } from './compose/compose.ts';

/**
 * Every secret value the run knows; all output is masked with them. Grows when a stage finds
 * one (e.g. in the image config): later output masks it too.
 */
export class Secrets {
  private readonly values: string[] = [];
  private readonly onAdd: (value: string) => void;

  /** onAdd: told each new value once (the action registers it with the runner). */
  constructor(onAdd: (value: string) => void = () => undefined) {
    this.onAdd = onAdd;
  }

  add(value: string): void {
    if (value === '' || this.values.includes(value)) return;
    this.onAdd(value);
    this.values.push(value);
  }

  mask(text: string): string {
    return redact(text, this.values);
  }

  maskReport(report: CheckReport): CheckReport {
    return redactDeep(report, this.values);
  }
}

/** What differs between the action and the local command; the session does the rest. */
export interface SessionEntry {
  /** The entry's masked log. */
  readonly log: Log;
  readonly secrets: Secrets;
  /** What the first signal says; the run then stops where it is, reports "cancelled" and cleans up. */
  cancelling(signal: NodeJS.Signals): string;
  /** Says an error no stage caught (its stack goes to the debug log). */
  unexpected(message: string): void;
  /**
   * true: a signalled run that has not stopped by itself within the grace period is reported from
   * what is known, cleaned up and left (the local command). false: it waits for a second signal
   * (the action: the runner sends SIGTERM 7.5 s after SIGINT, and the post step cleans up).
   */
  readonly signalGrace: boolean;
  /** true: a second signal still removes the run's containers before leaving (the local command); false: it leaves at once (the action). */
  readonly cleanUpOnSecondSignal: boolean;
  /** The exit code of a run left because of a signal. */
  signalExitCode(signal: NodeJS.Signals): number;
  /** Writes out a (masked) report: the action's outputs, summary and comment; the terminal text and --report file. */
  writeReport(report: CheckReport): Promise<void>;
  /** A report made from what is known could not be written. */
  reportFailed(report: CheckReport): void;
  /**
   * What the entry removes itself, after the run's containers and networks (the local command:
   * its buildx builders and, unless leaving at once on a second signal, its own image tag).
   */
  cleanUp(leavingAtOnce: boolean): Promise<void>;
}

export interface RunSession {
  /** Aborted on the first signal (its name is the reason) or on an unexpected error (the error). */
  readonly cancel: AbortSignal;
  /** The signal that cancelled the run, if one did. */
  signalled(): NodeJS.Signals | undefined;
  /**
   * Writes out the run's report, masked; not once the run has been reported from what is known
   * (the grace period ran out): a stage that ends while the session cleans up says no more.
   */
  report(report: CheckReport): Promise<void>;
  /** After the run, whatever happened: removes what it started and the session's handlers. */
  close(): Promise<void>;
}

/** How long a stopped run (a signal, an unexpected error) may take to report and clean up by itself. */
export const GRACE_MS = 10_000;

/** The conventional exit code of a process ended by a signal. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * One run of the checks, for either entry: the cancel that signals and unexpected errors trigger,
 * the last resort when the run does not stop by itself, and the clean-up after it. `source` is
 * what a report made from what is known says of the commit.
 */
// The handlers (signals, last resort, grace) close over one state; apart, they would share it through an object that says less.
// eslint-disable-next-line max-lines-per-function
export function openSession(config: Config, docker: Docker, source: PipelineDeps['source'], entry: SessionEntry): RunSession {
  const cancel = new AbortController();
  const started = Date.now();
  const removeResources = (): Promise<unknown> => removeRunResources(docker, config.runId, { images: config.compose !== undefined });
  let signalled: NodeJS.Signals | undefined;
  let lastResortSet = false;
  let lastResortDue = false;

  const leave = (code: number, atOnce: boolean): void => {
    // Compose processes first, so none starts a container after the cleanup has listed them.
    void stopComposeProcesses()
      .then(removeResources)
      .catch(() => undefined)
      .then(() => entry.cleanUp(atOnce))
      .finally(() => process.exit(code));
  };
  // The run did not stop by itself within the grace period: it is reported from what is known.
  const lastResort = (known: Pick<CheckReport, 'cancelled' | 'internalError'>, code: number): void => {
    if (lastResortSet) return;
    lastResortSet = true;
    setTimeout(() => {
      lastResortDue = true;
      const report = { ...emptyReport(config, source, started), ...known };
      decideVerdict(report);
      const masked = entry.secrets.maskReport(report);
      void entry
        .writeReport(masked)
        .catch(() => entry.reportFailed(masked))
        .finally(() => leave(code, false));
    }, GRACE_MS).unref();
  };

  // The first signal cancels: the run stops where it is, reports "cancelled" and cleans up. A
  // second one, once the run is stopping, leaves at once.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined || cancel.signal.aborted) {
      if (entry.cleanUpOnSecondSignal) leave(entry.signalExitCode(signal), true);
      else process.exit(entry.signalExitCode(signal));
      return;
    }
    signalled = signal;
    entry.log.info(entry.cancelling(signal));
    // Set only by the test of a run that does not stop by itself: the signal does not reach the stages.
    if (process.env['DEPLOY_CHECK_TEST_SLOW_STOP'] !== '1') cancel.abort(signal);
    if (entry.signalGrace) lastResort({ cancelled: { signal, stage: `a stage that did not stop within ${GRACE_MS / 1000} s` } }, entry.signalExitCode(signal));
  };
  // The last resort: an error no stage caught (thrown in a stream handler, outside any try) stops
  // the run as a cancel does, so it still ends in a verdict, a report and the clean-up.
  let fatal = false;
  const onFatal = (err: unknown): void => {
    const error = err instanceof Error ? err : new Error(String(err));
    entry.unexpected(`deploy-check: unexpected error: ${error.message}`);
    entry.log.debug(error.stack ?? '');
    if (fatal) return;
    fatal = true;
    cancel.abort(error);
    lastResort({ internalError: error.message }, 1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  return {
    cancel: cancel.signal,
    signalled: () => signalled,
    report: async (report) => {
      if (!lastResortDue) await entry.writeReport(entry.secrets.maskReport(report));
    },
    close: async () => {
      await removeResources().catch(() => undefined);
      await entry.cleanUp(false);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('uncaughtException', onFatal);
      process.removeListener('unhandledRejection', onFatal);
    },
  };
}
