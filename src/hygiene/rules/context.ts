/**
 * The build context rules: a missing .dockerignore, one that lets .env, .git, node_modules or
 * .venv through to a COPY, and a context too large to send on every build.
 */
import path from 'node:path';
import { formatBytes } from '../../model/format.ts';
import type { ContextFacts } from '../context.ts';
import type { Draft } from './draft.ts';

/** A context above this many bytes is reported: every build sends it to the builder. */
export const LARGE_CONTEXT_BYTES = 100_000_000;

export interface ContextRuleFacts {
  readonly context: ContextFacts;
  /** The context paths the Dockerfile's COPY and ADD take (copiedSources). */
  readonly sources: readonly string[];
}

export function contextFindings({ context, sources }: ContextRuleFacts): Draft[] {
  const drafts: Draft[] = [];
  if (context.ignoreFile === null) drafts.push(noIgnoreFileFinding(context, sources));
  else drafts.push(...ignoreGapFindings(context, context.ignoreFile, sources));
  if (context.bytes > LARGE_CONTEXT_BYTES) {
    drafts.push({
      id: 'large-context',
      message: `The build context is ${formatBytes(context.bytes)} (${context.files} files): every build sends it to the builder; exclude what the image does not need in .dockerignore`,
      file: context.ignoreFile,
      line: null,
      path: context.dir,
      evidence: Object.entries(context.sentBytes).map(([name, bytes]) => `${name}: ${formatBytes(bytes)}`),
    });
  }
  return drafts;
}

/** Context paths COPY and ADD take (not --from another stage): what can reach an image. */
export function copiedSources(instructions: readonly { keyword: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const body = ins.text.replace(/^(?:COPY|ADD)\s+/i, '');
    if (/(?:^|\s)--from=/.test(body)) continue;
    let args: string[];
    const json = body.replace(/^(?:--\S+\s+)*/, '');
    try {
      args = json.startsWith('[') ? (JSON.parse(json) as string[]) : json.split(/\s+/).filter(Boolean);
    } catch {
      args = json.split(/\s+/).filter(Boolean);
    }
    out.push(...args.slice(0, -1));
  }
  return out;
}

/** ".", "./", "*" or "/": a COPY source that takes the whole context. */
function isWholeContext(raw: string): boolean {
  const s = raw.replace(/^\.\//, '').replace(/\/+$/, '');
  return s === '' || s === '.' || s === '*' || s === '/';
}

/** Does a COPY source (".", "app/", "*.py", ".env*") take this top-level context entry? */
function copies(sources: readonly string[], name: string): boolean {
  return sources.some((raw) => {
    const s = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (isWholeContext(raw)) return true;
    if (s === name || s.startsWith(`${name}/`)) return true;
    if (!s.includes('*') && !s.includes('?')) return false;
    const first = s.split('/')[0] ?? s;
    const re = new RegExp(
      `^${first
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    return re.test(name);
  });
}

function noIgnoreFileFinding(context: ContextFacts, sources: readonly string[]): Draft {
  return {
    id: 'no-dockerignore',
    message: `The build context has no .dockerignore: every file is sent to the builder${noIgnoreFileReach(context, sources)}`,
    file: null,
    line: null,
    path: path.join(context.dir, '.dockerignore'),
    evidence: [`context: ${formatBytes(context.bytes)} in ${context.files} files`],
  };
}

/**
 * What a context without .dockerignore lets into the image, as far as the Dockerfile's own COPY
 * and ADD sources go: all of it for "COPY .", else only the entries a source names or matches.
 */
function noIgnoreFileReach(context: ContextFacts, sources: readonly string[]): string {
  const present = context.gaps.filter((g) => g.present);
  const list = (gaps: typeof present): string =>
    gaps.map((g) => `${g.name}${g.name in context.sentBytes ? ` (${formatBytes(context.sentBytes[g.name] ?? 0)})` : ''}`).join(', ');
  if (sources.some(isWholeContext)) {
    return ` and COPY . copies it into the image${present.length ? `, including ${list(present)}` : ''}`;
  }
  const copied = present.filter((g) => copies(sources, g.name));
  const sentOnly = present.filter((g) => !copies(sources, g.name));
  return [
    copied.length ? `, and the Dockerfile's COPY takes ${list(copied)} into the image` : '',
    sentOnly.length
      ? `${copied.length ? '; ' : ', including '}${list(sentOnly)}${copied.length ? ' is sent too' : ''}, which no COPY or ADD of the Dockerfile takes into the image`
      : '',
  ].join('');
}

/** Only what a COPY or ADD of the context would take into an image. */
function ignoreGapFindings(context: ContextFacts, ignoreFile: string, sources: readonly string[]): Draft[] {
  const gaps = context.gaps.filter((g) => copies(sources, g.name));
  if (gaps.length === 0) return [];
  const sent = (name: string): string => {
    const bytes = context.sentBytes[name];
    return bytes === undefined ? '' : `: ${formatBytes(bytes)} sent`;
  };
  const what = (g: (typeof gaps)[number]): string => (g.missing ? g.missing.join(', ') : g.name);
  const name = path.basename(ignoreFile);
  return [
    {
      id: 'dockerignore-gaps',
      message: `${name} does not exclude ${gaps.map((g) => `${what(g)}${g.present ? ` (in the context${sent(g.name)})` : ''}`).join(', ')}, which the Dockerfile's COPY would take into the image`,
      file: ignoreFile,
      line: null,
      path: ignoreFile,
      evidence: gaps.map(
        (g) => `${what(g)}: ${g.present ? 'in the context, sent to the builder' : 'not in the context now, would be sent and copied if created'}`,
      ),
      fix: `add ${gaps.map((g) => (g.name === '.env' ? '.env*' : g.name)).join(', ')} to ${name}`,
    },
  ];
}
