/**
 * Renders Markdown the way GitHub parses it (marked with GFM, raw HTML passed through as
 * GitHub's parser does before sanitising) and finds what untrusted text must never become.
 */
import { marked } from 'marked';

export function toHtml(markdown: string): string {
  return marked.parse(markdown, { gfm: true, async: false });
}

/** Problems found in the HTML of a rendered report; empty when it is harmless. */
export function harmfulHtml(html: string, allowedLinkHosts: readonly string[] = ['github.com']): string[] {
  const problems: string[] = [];
  for (const tag of ['img', 'script', 'iframe', 'style', 'svg', 'a href="javascript', 'form', 'input']) {
    if (html.toLowerCase().includes(`<${tag}`)) problems.push(`raw <${tag}> in the HTML`);
  }
  const opened = (html.match(/<details[\s>]/g) ?? []).length;
  const closed = (html.match(/<\/details>/g) ?? []).length;
  if (opened !== closed) problems.push(`${opened} <details> but ${closed} </details>`);
  for (const m of html.matchAll(/<a [^>]*href="([^"]*)"/g)) {
    const href = m[1] ?? '';
    let host: string;
    try {
      host = new URL(href).host;
    } catch {
      host = '';
    }
    if (!allowedLinkHosts.includes(host)) problems.push(`link to ${href}`);
  }
  // Header cells of each table vs. cells of each of its rows: a pipe that split a cell shows here.
  for (const table of html.matchAll(/<table>([\s\S]*?)<\/table>/g)) {
    const body = table[1] ?? '';
    const header = (body.match(/<thead>[\s\S]*?<\/thead>/)?.[0].match(/<th[\s>]/g) ?? []).length;
    for (const row of body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const cells = ((row[1] ?? '').match(/<t[dh][\s>]/g) ?? []).length;
      if (cells !== header) problems.push(`table row with ${cells} cells under ${header} headers`);
    }
  }
  // Outside code, GitHub turns @name into a mention and #1 into a cross-reference.
  const text = html
    .replace(/<pre>[\s\S]*?<\/pre>/g, '')
    .replace(/<code>[\s\S]*?<\/code>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&#64;/g, '@')
    .replace(/&#35;/g, '#');
  const mention = /(^|[^\w`])@[A-Za-z0-9][\w-]*/.exec(text);
  if (mention) problems.push(`mention ${mention[0].trim()}`);
  const reference = /(^|[^\w&])#\d+/.exec(text) ?? /\bGH-\d+/i.exec(text);
  if (reference) problems.push(`issue reference ${reference[0].trim()}`);
  const comments = (html.replace(/<pre>[\s\S]*?<\/pre>/g, '').match(/<!--[\s\S]*?-->/g) ?? []).filter((c) => !/^<!-- deploy-check(-meta)?[: ]/.test(c));
  if (comments.length) problems.push(`HTML comment ${comments[0]}`);
  return problems;
}
