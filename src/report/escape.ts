/**
 * Untrusted text (branch names, Dockerfile lines, container logs, anything in a report read
 * from a fork) on its way into GitHub-flavoured Markdown. Whatever it contains, it must stay
 * text: no HTML, no image, no table cell break, no closed <details>, no @mention, no issue
 * cross-reference, no code fence that ends early.
 */

// Matching control characters is what these two expressions are for.
/* eslint-disable no-control-regex */
// ANSI escape sequences (colours, cursor moves) that container logs are full of.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// C0/C1 controls except tab and line breaks, and the bidirectional overrides that make text
// read differently from what it is ("Trojan Source").
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;
/* eslint-enable no-control-regex */

/** Removes what a terminal would interpret and a reader would not see. */
export function stripControls(text: string): string {
  return text.replace(ANSI, '').replace(CONTROLS, '');
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '|': '&#124;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '!': '&#33;',
};

/**
 * Text for a table cell, a heading or a sentence: one line, every Markdown- or HTML-active
 * character as an entity (entities are decoded after parsing, so they never become markup).
 * `@` and `#` get a zero-width space after them, because GitHub finds mentions and issue
 * references in the rendered text, where an entity would already be decoded.
 */
export function escapeInline(text: string, maxChars = 300): string {
  let clean = stripControls(text)
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
  const chars = codePoints(clean);
  if (chars.length > maxChars) clean = `${chars.slice(0, maxChars - 1).join('')}…`;
  return (
    clean
      .replace(/([@#])(?=\S)/g, '$1\u200b')
      // GitHub's other issue reference form.
      .replace(/\b(GH-)(?=\d)/gi, '$1\u200b')
      // GFM's "extended autolinks" turn www.x and http://x into links; harmless, but a branch
      // name should not become a link someone clicks on trust.
      .replace(/(https?|ftp):\/\//gi, '$1:/\u200b/')
      .replace(/\bwww\./gi, 'www\u200b.')
      // Last, so that the entities' own "#" is not touched.
      .replace(/[&<>"|\\`*_~[\]!]/g, (c) => ENTITIES[c] ?? c)
  );
}

/** Untrusted text as inline code (a Dockerfile instruction, a file name) inside a table cell. */
export function inlineCode(text: string, maxChars = 120): string {
  return `<code>${escapeInline(text, maxChars)}</code>`;
}

/** A plain trusted-shaped value (a commit SHA, a comment key) checked to hold only safe characters. */
export function isSafeToken(text: unknown, pattern: RegExp = /^[\w.:/-]{1,200}$/): text is string {
  return typeof text === 'string' && pattern.test(text);
}

/**
 * Log lines as a fenced block. Inside a fence nothing is Markdown or HTML, mentions included
 * (GitHub does not look for them in code), so the only way out is a closing fence: the fence
 * is one backtick longer than the longest backtick run in the text.
 */
export function codeBlock(lines: readonly string[], maxLineChars = 500): string {
  const body = lines
    .map((line) => {
      const clean = stripControls(line).replace(/\r/g, '');
      const chars = codePoints(clean);
      return chars.length > maxLineChars ? `${chars.slice(0, maxLineChars).join('')} … (${chars.length - maxLineChars} more characters)` : clean;
    })
    .join('\n');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${body}\n${fence}`;
}

/** A collapsed block around lines of untrusted text; the title is escaped, the lines fenced. */
export function codeDetails(title: string, lines: readonly string[], maxLineChars = 500, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${escapeInline(title)}</summary>\n\n${codeBlock(lines, maxLineChars)}\n\n</details>`;
}

/** A URL for a Markdown link target: only http(s), nothing that can end the link early. */
export function safeUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return parsed.href.replace(/[()<>\s"'`|\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The text's code points: a cut never splits a surrogate pair. (Grapheme clusters would keep an
 * emoji sequence whole too, but Intl.Segmenter is ~50 times slower on a 200 kB log.)
 */
function codePoints(text: string): string[] {
  return Array.from(text);
}
