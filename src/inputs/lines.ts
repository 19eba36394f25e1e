import { isIP } from 'node:net';
import { ConfigError } from './inputs.ts';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/**
 * Multi-line inputs (`build-args`, `env`, `build-secrets`): one KEY=VALUE a line.
 * Blank lines and lines starting with # are skipped; the value may contain "=".
 */
export function parseKeyValueLines(input: string, raw: string, what = 'KEY=VALUE', options: { literalNewlines?: 'refuse' | 'keep' } = {}): KeyValue[] {
  const out: KeyValue[] = [];
  raw.split(/\r?\n/).forEach((line, index) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const eq = text.indexOf('=');
    const key = eq > 0 ? text.slice(0, eq).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      // Never echo the line: it may hold a secret value.
      throw new ConfigError(input, `line ${index + 1} is not ${what} (the name must start with a letter or _ and be followed by =)`);
    }
    const value = text.slice(eq + 1);
    const joined = options.literalNewlines === 'keep' ? undefined : joinedEntry(value);
    if (joined !== undefined) {
      // Names only: the value may be a secret.
      throw new ConfigError(
        input,
        `line ${index + 1} holds a literal "\\n" followed by ${joined}=, so ${key} would get the rest of the line and ${joined} would not be set. ` +
          `Put each ${what} on its own line: a block (${input}: |) in a workflow; in a shell $'${key}=…\\n${joined}=…' or the flag repeated (--${input} ${key}=… --${input} ${joined}=…)`,
      );
    }
    const bytes = Buffer.byteLength(`${key}=${value}`) + 1;
    if (bytes > MAX_VARIABLE_BYTES) {
      // The name and size only: the value may be a secret.
      throw new ConfigError(
        input,
        `line ${index + 1}: ${key} is ${formatBytes(bytes)}; one ${what} of at most 128 KiB is accepted (Linux passes no longer variable or argument to a process); put large content in a file`,
      );
    }
    out.push({ key, value });
  });
  return out;
}

/**
 * Linux's limit on one environment string or argument (MAX_ARG_STRLEN, "KEY=VALUE" and its NUL):
 * a longer env value cannot reach the app's process, a build arg or secret cannot reach buildx,
 * and the engine answers a 10 MB one with a bare HTTP 431.
 */
export const MAX_VARIABLE_BYTES = 128 * 1024;

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The name after a literal backslash-n in a value (a backslash and an n, as a shell leaves them
 * in "A=1\nB=2", meant as a line break): "B" for the value 1\nB=2. Undefined when there is none.
 */
export function joinedEntry(value: string): string | undefined {
  return /\\n\s*([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(value)?.[1];
}

/** `add-hosts`: one host:ip a line (or comma separated), as `docker run --add-host`. */
export function parseHostLines(input: string, raw: string): string[] {
  return raw
    .split(/[\r\n,]+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes('\\n')) {
        throw new ConfigError(
          input,
          `"${entry}" holds a literal "\\n": put each host:ip on its own line (in a shell, repeat --${input}), or separate them with commas`,
        );
      }
      const m = /^([A-Za-z0-9_.-]+)[:=](\S+)$/.exec(entry);
      if (!m?.[1] || m[2] === undefined) {
        throw new ConfigError(input, `"${entry}" is not host:ip (for example "db.internal:10.0.0.5" or "api:host-gateway")`);
      }
      return `${m[1]}:${hostAddress(input, entry, m[2])}`;
    });
}

/**
 * The address of an extra host: an IPv4 or IPv6 address (bracketed or not) or host-gateway, as
 * `docker run --add-host` takes it. The engine itself takes 999.1.1.1 and writes it into the
 * container's /etc/hosts, where the name then resolves to nothing: refused here instead.
 */
function hostAddress(input: string, entry: string, raw: string): string {
  const address = /^\[(.*)\]$/.exec(raw)?.[1] ?? raw;
  if (address === 'host-gateway' || isIP(address) !== 0) return address;
  throw new ConfigError(input, `"${entry}": "${raw}" is not an IP address; use an IPv4 address ("10.0.0.5"), an IPv6 one ("::1") or host-gateway`);
}

/** `command`: a JSON array, or words as `splitCommandWords` splits them. */
export function parseCommand(input: string, raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(input, 'starts with "[" but is not a JSON array of strings');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) {
      throw new ConfigError(input, 'must be a non-empty JSON array of strings, e.g. ["python3","-m","app"]');
    }
    return parsed;
  }
  return splitCommandWords(input, text);
}

/**
 * A start or pre-deploy command as Railway runs it for an image: exec form, its words split the
 * way a POSIX shell splits them but with nothing expanded. '…' keeps everything; "…" keeps
 * everything but \" \\ \$ \` (a backslash before them is dropped); quotes join the text around them
 * (--bind="0.0.0.0:80" is one word); outside quotes a backslash keeps the next character.
 * `$PORT` stays the five characters it is (see `unexpandedVariables`).
 */
export function splitCommandWords(input: string, raw: string): string[] {
  const text = raw.trim();
  if (text === '') throw new ConfigError(input, 'is empty');
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (c === "'" || c === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) throw new ConfigError(input, `has a ${c} at character ${i + 1} that is never closed`);
      word += quoted.value;
      i = quoted.end;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text.charAt(++i);
    } else {
      word += c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The text of the quote opening at `start` and the index of its closing quote; undefined when it is not closed. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text.charAt(start);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === quote) return { value, end: i };
    if (quote === '"' && c === '\\' && '"\\$`'.includes(text.charAt(i + 1))) value += text.charAt(++i);
    else value += c;
  }
  return undefined;
}
