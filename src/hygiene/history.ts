/**
 * Ties the image's history entries (and so its layers) to the Dockerfile instructions that
 * made them. BuildKit writes one history entry per instruction of the built stage and of the
 * stages it is built FROM, after the base image's own entries, so the Dockerfile is aligned
 * with the history from the end; whatever precedes the first instruction is the base image's.
 */
import type { DockerfileFacts, DockerfileInstruction, DockerfileStage } from '../config/dockerfile.ts';
import { parseHistoryBuildArgs } from './rules.ts';

export interface HistoryEntry {
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

export interface Origin {
  /** What made it, safe to print: the Dockerfile text, or the history text without build-arg values. */
  readonly instruction: string;
  /** 1-based Dockerfile line; the FROM line for base-image entries; null when unknown. */
  readonly line: number | null;
  readonly fromBase: boolean;
}

/** The stages whose instructions end up in the image: the built one and those it is built FROM. */
export function stageChain(facts: DockerfileFacts): DockerfileStage[] {
  const chain: DockerfileStage[] = [];
  for (let s = facts.finalStage; s;) {
    chain.unshift(s);
    const parentName = s.from.toLowerCase();
    const index = s.index;
    s = facts.stages.find((p) => p.name !== undefined && p.name.toLowerCase() === parentName && p.index < index);
  }
  return chain;
}

/** The history text without build-arg values, BuildKit's marker or the legacy builder's prefix. */
export function sanitizeCreatedBy(createdBy: string): string {
  let text = createdBy.replace(/\s+# buildkit$/, '').trim();
  const withArgs = parseHistoryBuildArgs(text);
  if (withArgs) text = `RUN ${withArgs.command}`;
  text = text.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').replace(/^\/bin\/sh -c /, 'RUN ');
  text = text.replace(/^RUN \/bin\/sh -c /, 'RUN ');
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

export function historyKeyword(createdBy: string | undefined): string | undefined {
  if (!createdBy) return undefined;
  const text = sanitizeCreatedBy(createdBy);
  const word = /^([A-Z]+)\b/.exec(text)?.[1];
  return word && KEYWORDS.has(word) ? word : undefined;
}

const KEYWORDS = new Set([
  'RUN',
  'COPY',
  'ADD',
  'ENV',
  'ARG',
  'WORKDIR',
  'USER',
  'LABEL',
  'EXPOSE',
  'HEALTHCHECK',
  'CMD',
  'ENTRYPOINT',
  'VOLUME',
  'STOPSIGNAL',
  'SHELL',
  'ONBUILD',
  'MAINTAINER',
]);

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** RUN's command without flags (--mount=..., --network=...), as BuildKit records it. */
function runCommand(text: string): string {
  return normalize(text.replace(/^RUN\s+/i, '').replace(/^(?:--\S+\s+)+/, ''));
}

function sameText(instruction: DockerfileInstruction, createdBy: string): boolean {
  const recorded = sanitizeCreatedBy(createdBy);
  if (instruction.keyword === 'RUN') return runCommand(instruction.text) === runCommand(recorded);
  return normalize(instruction.text) === normalize(recorded);
}

/** The origin of every history entry, in order. */
export function attributeHistory(history: readonly HistoryEntry[], facts: DockerfileFacts): Origin[] {
  const chain = stageChain(facts);
  const root = chain[0];
  const instructions = chain.flatMap((s) => s.instructions.filter((i) => i.keyword !== 'FROM'));
  const baseOrigin = (entry: HistoryEntry): Origin => ({
    instruction: root ? `FROM ${root.from}` : sanitizeCreatedBy(entry.created_by ?? ''),
    line: root?.line ?? null,
    fromBase: true,
  });
  const origins: Origin[] = new Array<Origin>(history.length);
  let next = instructions.length - 1;
  let inBase = false;
  for (let h = history.length - 1; h >= 0; h--) {
    const entry = history[h] ?? {};
    const keyword = inBase ? undefined : historyKeyword(entry.created_by);
    let match = -1;
    if (keyword) {
      let sameKeyword = -1;
      for (let q = next; q >= 0; q--) {
        const ins = instructions[q];
        if (ins?.keyword !== keyword) continue;
        if (sameKeyword < 0) sameKeyword = q;
        if (sameText(ins, entry.created_by ?? '')) {
          match = q;
          break;
        }
      }
      if (match < 0) match = sameKeyword;
    }
    const ins = match >= 0 ? instructions[match] : undefined;
    if (!ins) {
      inBase = true;
      origins[h] = baseOrigin(entry);
      continue;
    }
    next = match - 1;
    origins[h] = { instruction: ins.text.slice(0, 200), line: ins.line, fromBase: false };
  }
  return origins;
}

/**
 * The origin of each layer: history entries that are not empty_layer, in order.
 * Undefined entries when the history does not account for every layer (an image without history).
 */
export function layerOrigins(history: readonly HistoryEntry[], origins: readonly Origin[], layerCount: number): (Origin | undefined)[] {
  const withLayer = history.map((e, i) => ({ e, i })).filter(({ e }) => e.empty_layer !== true);
  if (withLayer.length !== layerCount) return new Array<Origin | undefined>(layerCount).fill(undefined);
  return withLayer.map(({ i }) => origins[i]);
}
