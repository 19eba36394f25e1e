/**
 * What every hygiene rule hands back: a finding before the run's mode and `hygiene-ignore`
 * apply, and the wording the rule families share (layers, articles, the base-image fix).
 */
import type { DockerfileStage } from '../../config/dockerfile.ts';
import type { HygieneFinding, HygieneLayerRef } from '../../model/report.ts';
import type { FindingId } from '../../model/findings.ts';

export interface Draft {
  id: FindingId;
  /** Overrides the kind's severity (info for base-image permissions). */
  severity?: HygieneFinding['severity'];
  message: string;
  fix?: string;
  fingerprint?: string;
  line: number | null;
  /** Undefined: the Dockerfile; null: no file. */
  file?: string | null;
  layer?: HygieneLayerRef | null;
  path?: string | null;
  evidence?: string[];
}

export const BASE_SECRET_FIX = 'it comes with the base image: use another base image or a newer tag, and tell its maintainers';

export function withArticle(label: string): string {
  // "a URL": the letter says you, not a vowel.
  return `${/^(?:[aeiou](?!rl\b)|npm\b)/i.test(label) ? 'an' : 'a'} ${label}`;
}

/** "layer 2 of 4 (COPY .env /app/.env, line 4)"; base-image layers say so. */
export function describeLayer(ref: HygieneLayerRef, count: number): string {
  const text = ref.instruction.length > 60 ? `${ref.instruction.slice(0, 57)}...` : ref.instruction;
  const what = ref.fromBase ? `base image ${text.replace(/^FROM /, '')}` : text;
  return `layer ${ref.index + 1} of ${count} (${what}${ref.line !== null ? `, line ${ref.line}` : ''})`;
}

/** The image's layers as the rules name them, by index. */
export interface LayerNames {
  /** The layer's reference; a stand-in when the history did not name it. */
  ref(index: number): HygieneLayerRef;
  /** "layer 2 of 4 (COPY .env /app/.env, line 4)". */
  where(index: number): string;
  /** "layer 3 (line 7)". */
  short(index: number): string;
}

export function layerNames(refs: readonly HygieneLayerRef[], count: number): LayerNames {
  const ref = (i: number): HygieneLayerRef => refs[i] ?? { index: i, digest: null, instruction: 'unknown', line: null, fromBase: false };
  return {
    ref,
    where: (i) => describeLayer(ref(i), count),
    short: (i) => `layer ${i + 1}${ref(i).line !== null ? ` (line ${ref(i).line})` : ''}`,
  };
}

/** The line of the last `keyword` instruction `accept` takes in the stages that make the image. */
export function lastInstructionLine(chain: readonly DockerfileStage[], keyword: string, accept: (text: string) => boolean = () => true): number | undefined {
  for (let s = chain.length - 1; s >= 0; s--) {
    const ins = chain[s]?.instructions.filter((i) => i.keyword === keyword && accept(i.text)).at(-1);
    if (ins) return ins.line;
  }
  return undefined;
}
