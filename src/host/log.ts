import { randomBytes } from 'node:crypto';

/** Where stages say what they are doing: GitHub's log commands in the action, stderr locally. */
export interface Annotation {
  readonly file: string;
  readonly line?: number;
  /** Last line, for an instruction that spans several. */
  readonly endLine?: number;
  readonly title?: string;
}

export interface Log {
  info(message: string): void;
  warning(message: string, where?: Annotation): void;
  error(message: string, where?: Annotation): void;
  debug(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** A secret this long is also masked where a log cut it: its first CUT_PREFIX_CHARS or more characters, then an ellipsis. */
export const CUT_SECRET_CHARS = 12;
export const CUT_PREFIX_CHARS = 8;

/**
 * Replaces every secret value in text by ***, whatever its length: a short secret also hides the
 * same characters where they mean something else, which is the safe side. Longer secrets go
 * first, so that a short one inside a long one cannot leave the rest of the long one readable.
 * A long secret is also masked where it was cut (`'changethi...'`): an app or a library that
 * shortens long values keeps their start readable.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret === '') continue;
    out = out.split(secret).join('***');
    if (secret.length >= CUT_SECRET_CHARS) out = redactCut(out, secret);
  }
  return out;
}

/** The secret's start (CUT_PREFIX_CHARS characters or more) followed by `...` or `…` becomes `***` (the ellipsis stays). */
function redactCut(text: string, secret: string): string {
  const head = secret.slice(0, CUT_PREFIX_CHARS);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
    if (at < from) continue;
    let end = at + head.length;
    while (end - at < secret.length && text[end] === secret[end - at]) end++;
    if (text.startsWith('...', end) || text.startsWith('…', end)) {
      out += `${text.slice(from, at)}***`;
      from = end;
    }
  }
  return out + text.slice(from);
}

/** Deep-redacts every string in a JSON-shaped value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? redact(v, secrets) : v)) as T;
}

// Matching control characters is what these expressions are for.
/* eslint-disable no-control-regex */
// C0 and C1 controls except tab and line feed (ESC starts the ANSI sequences that clear a
// screen or rewrite a line; CR moves back over what was printed, and GitHub's runner reads it as a
// line break), and the bidirectional overrides that make text read differently from what it is.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * Text from the repository or the app with its control characters written out (`\x1b`, `\r`):
 * printed, it cannot clear the screen, move the cursor or start a line where none was broken.
 * Line feeds stay, so callers still decide what a line is; a CR that only ends a line (CRLF) goes.
 */
export function visible(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROLS, (c) => {
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A value quoted inside a sentence: visible, and its line breaks written out too, so it stays on the sentence's line. */
export function oneLine(text: string): string {
  return visible(text).replace(/\n/g, '\\n');
}

/**
 * Whether GitHub's runner would read this line as a workflow command (actions/runner,
 * ActionCommand.TryParseV2 and TryParse): `::name ...::` after any leading white space, or the
 * legacy `##[name ...]` anywhere in the line, on stdout and stderr alike.
 */
export function readsAsWorkflowCommand(line: string): boolean {
  return /^\s*::/.test(line) || line.includes('##[');
}

/**
 * Text for the stdout of a step on GitHub's runner, the one way anything untrusted reaches it:
 * control characters visible, and when a line would be read as a workflow command (an app that
 * logs `::set-output name=verdict::pass`, a health path holding `\n::add-mask::`), the text goes
 * between `::stop-commands::<token>` and `::<token>::`, which the runner prints as it is without
 * acting on anything in between. The token is random on every call: the text cannot end the block.
 */
export function commandFree(text: string, token: () => string = () => randomBytes(16).toString('hex')): string {
  const shown = visible(text);
  if (!shown.split('\n').some(readsAsWorkflowCommand)) return shown;
  const stop = token();
  return `::stop-commands::${stop}\n${shown}\n::${stop}::`;
}

/**
 * The same guarantee where no runner honours stop-commands (the local command's terminal, which
 * a workflow step may still read): a line that would start a workflow command is shown behind
 * "| ", and the legacy form, which the runner finds anywhere in a line, as `##\[`.
 */
export function commandFreeLines(text: string): string {
  return visible(text)
    .split('\n')
    .map((line) => line.replaceAll('##[', '##\\['))
    .map((line) => (readsAsWorkflowCommand(line) ? `| ${line}` : line))
    .join('\n');
}
