/**
 * The inputs' vocabulary: their names, how one is read, the error that names a wrong one, and
 * the parsers every feature's config reader shares (switches, choices, durations, ports,
 * sizes). A leaf module: it imports nothing of deploy-check, so any reader can import it.
 */

/**
 * Every input the action takes; the local command takes each as a flag of the same name.
 * action.yml must list the same names (a unit test compares them).
 */
export const INPUT_NAMES = [
  'context',
  'dockerfile',
  'target',
  'build-args',
  'build-secrets',
  'image',
  'builder',
  'env',
  'env-file',
  'port',
  'command',
  'network',
  'add-hosts',
  'compose-file',
  'compose-service',
  'wait-for',
  'health-path',
  'health-status',
  'health-body',
  'health-timeout',
  'railway-parity',
  'railway-config',
  'railway-config-file',
  'mode',
  'report-file',
  'comment',
  'comment-key',
  'github-token',
  'cache',
  'cache-mode',
  'cache-key',
  'cache-save',
  'cache-timeout',
  'hygiene',
  'hygiene-ignore',
  'registry-username',
  'registry-password',
  'deploy',
  'deploy-source',
  'push-image',
  'deploy-wait',
  'deploy-timeout',
  'deploy-wait-approval',
  'deploy-trigger',
  'deploy-rollback',
  'railway-token',
  'railway-token-type',
  'railway-project',
  'railway-environment',
  'railway-service',
  'railway-preview',
  'smoke-path',
  'smoke-timeout',
  'baseline',
  'max-size',
  'max-increase',
  'max-wasted',
  'size-metric',
  'size-comment-threshold',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

/** Reads one raw input: `core.getInput` in the action, a flag in the local command. Empty means unset. */
export type InputReader = (name: InputName) => string;

/** A configuration problem the user must fix: the local command exits 2, the action fails before any work. */
export class ConfigError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Input "${input}": ${message}`);
    this.name = 'ConfigError';
    this.input = input;
  }
}

/** "true" or "false" in any case; empty takes the fallback (the input's default). */
export function parseBoolean(input: string, raw: string, fallback: boolean): boolean {
  const value = raw.trim().toLowerCase();
  if (value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(input, `"${raw}" is not a switch; use true or false`);
}

/**
 * One of a fixed set of words, in any case; empty takes the fallback. `choices` lists the words,
 * or maps each to what it does, which the error then explains; `what` names the kind of value.
 */
export function parseChoice<const T extends string>(
  input: string,
  raw: string,
  choices: readonly T[] | Readonly<Record<T, string>>,
  options: { fallback?: NoInfer<T>; what?: string } = {},
): T {
  const words: readonly T[] = Array.isArray(choices) ? choices : (Object.keys(choices) as T[]);
  const value = raw.trim().toLowerCase();
  if (value === '' && options.fallback !== undefined) return options.fallback;
  const found = words.find((w) => w === value);
  if (found !== undefined) return found;
  const explain = (w: T): string => (Array.isArray(choices) ? w : `${w} (${(choices as Readonly<Record<T, string>>)[w]})`);
  const list = words.map(explain);
  const use = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1) ?? ''}` : (list[0] ?? '');
  throw new ConfigError(input, `"${raw.trim()}" is ${options.what ? `not a ${options.what}` : 'not accepted'}; use ${use}`);
}

/**
 * The longest duration accepted: a GitHub-hosted job's own limit. Anything longer is a typo, and
 * past about 24.8 days Node's timers fire at once (a health check would then time out at start).
 */
export const MAX_DURATION_MS = 6 * 60 * 60 * 1000;

/** Durations are seconds, or a number with `ms`, `s` or `m`: "30", "1.5m", "250ms". */
export function parseDuration(input: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(raw);
  if (!m || m[1] === undefined) {
    throw new ConfigError(input, `"${raw}" is not a duration; use seconds ("30"), or a number with s or m ("45s", "2m")`);
  }
  const value = Number(m[1]);
  const factor = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  const ms = Math.round(value * factor);
  if (ms <= 0) throw new ConfigError(input, `"${raw}" must be greater than zero`);
  if (ms > MAX_DURATION_MS) {
    throw new ConfigError(input, `"${raw.trim()}" is longer than 6 hours (a GitHub-hosted job's limit); use a duration from 1ms to 360m (21600 seconds)`);
  }
  return ms;
}

/** The longest URL path accepted (health and smoke paths): far beyond any real one, well within what servers take. */
export const MAX_URL_PATH_CHARS = 2048;

/**
 * A health or smoke path, from an input or a Railway config file (which a pull request can
 * change). It is printed in the log ("Waiting up to 60s for GET http://...") and sent in a
 * request line: control characters, white space and overlong values are refused, so that it can
 * neither start a new log line (and a workflow command with it) nor bend the request.
 */
export function parseUrlPath(input: string, raw: string): string {
  // Matching control characters is the point here.
  // eslint-disable-next-line no-control-regex
  const problem = /[\u0000-\u001f\u007f-\u009f]/.test(raw)
    ? 'holds a control character (a line break, tab or escape)'
    : /\s/.test(raw)
      ? 'holds white space'
      : raw.length > MAX_URL_PATH_CHARS
        ? `is ${raw.length} characters long`
        : undefined;
  if (problem === undefined) return raw;
  const shown = raw.length > 80 ? `${JSON.stringify(raw.slice(0, 80)).slice(0, -1)}…"` : JSON.stringify(raw);
  throw new ConfigError(input, `${shown} ${problem}; a path of at most ${MAX_URL_PATH_CHARS} printable characters without spaces is accepted, e.g. "/health"`);
}

export function parsePort(input: string, raw: string): number {
  const m = /^\s*(\d+)(?:\/tcp)?\s*$/i.exec(raw);
  const port = Number(m?.[1]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(input, `"${raw}" is not a TCP port; use a number from 1 to 65535`);
  }
  return port;
}

/** A size budget or threshold: an absolute number of bytes, or a share of the baseline. */
export type SizeAmount =
  { readonly kind: 'bytes'; readonly bytes: number; readonly raw: string } | { readonly kind: 'percent'; readonly percent: number; readonly raw: string };

// Decimal units are what registries, `docker images` and Railway show; binary ones are
// accepted for people who think in MiB. A bare K/M/G/T is decimal, as in `docker images`.
const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const ACCEPTED = 'a number of bytes with an optional unit: B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. "500MB" or "1.2GiB"';

/**
 * "500MB", "1.2GiB", "2048", and, when `percent` is allowed, "10%".
 * Negative values are refused: a budget cannot be below nothing.
 */
export function parseSizeAmount(input: string, raw: string, options: { percent: boolean }): SizeAmount {
  const text = raw.trim();
  const accepted = options.percent ? `${ACCEPTED}, or a percentage such as "10%"` : ACCEPTED;
  if (/^-/.test(text)) throw new ConfigError(input, `"${raw}" is negative; use ${accepted}`);
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent?.[1] !== undefined) {
    if (!options.percent) throw new ConfigError(input, `"${raw}" is a percentage, which this input does not take; use ${ACCEPTED}`);
    return { kind: 'percent', percent: Number(percent[1]), raw: text };
  }
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)$/.exec(text);
  const factor = m?.[2] !== undefined ? FACTORS[m[2].toLowerCase()] : undefined;
  if (!m || m[1] === undefined || factor === undefined) {
    throw new ConfigError(input, `"${raw}" is not a size; use ${accepted}`);
  }
  return { kind: 'bytes', bytes: Math.round(Number(m[1]) * factor), raw: text };
}
