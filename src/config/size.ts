import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseChoice, parseSizeAmount, type SizeAmount } from '../inputs/inputs.ts';
import type { RegistryCredentials } from './registry.ts';
import { parseImageReference, type ImageReference } from '../inputs/image-reference.ts';

export type SizeMetric = 'compressed' | 'uncompressed';
const SIZE_METRICS: Readonly<Record<SizeMetric, string>> = { compressed: 'what a registry stores and Railway pulls', uncompressed: 'what sits on disk' };

export type BaselineSpec =
  /** The last passing run's report on the base branch, kept in the Actions cache (or a directory locally). */
  | { readonly kind: 'auto' }
  | { readonly kind: 'none' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'image'; readonly ref: ImageReference };

export interface SizeConfig {
  readonly baseline: BaselineSpec;
  readonly registryCredentials: RegistryCredentials | undefined;
  readonly maxSize: Extract<SizeAmount, { kind: 'bytes' }> | undefined;
  readonly maxIncrease: SizeAmount | undefined;
  /** Wasted space allowed (bytes, or percent of the uncompressed image). */
  readonly maxWasted: SizeAmount | undefined;
  /** Which figure the budgets apply to. */
  readonly metric: SizeMetric;
  /** The smallest change worth mentioning in a comment. */
  readonly commentThreshold: SizeAmount;
}

export type SizeInputName = 'baseline' | 'max-size' | 'max-increase' | 'max-wasted' | 'size-metric' | 'size-comment-threshold';

export const DEFAULT_COMMENT_THRESHOLD = '1%';

/** `registry` is the shared registry-username/registry-password pair, read in one place for every feature. */
export function readSizeConfig(get: (name: SizeInputName) => string, cwd: string, registry: RegistryCredentials | undefined): SizeConfig {
  const maxSizeRaw = get('max-size');
  let maxSize: SizeConfig['maxSize'];
  if (maxSizeRaw) {
    const amount = parseSizeAmount('max-size', maxSizeRaw, { percent: false });
    if (amount.kind !== 'bytes' || amount.bytes <= 0) throw new ConfigError('max-size', `"${maxSizeRaw}" must be greater than zero`);
    maxSize = amount;
  }
  const maxIncreaseRaw = get('max-increase');
  const maxIncrease = maxIncreaseRaw ? parseSizeAmount('max-increase', maxIncreaseRaw, { percent: true }) : undefined;
  const maxWastedRaw = get('max-wasted');
  const maxWasted = maxWastedRaw ? parseSizeAmount('max-wasted', maxWastedRaw, { percent: true }) : undefined;

  const metric = parseChoice('size-metric', get('size-metric'), SIZE_METRICS, { fallback: 'compressed', what: 'size metric' });
  const commentThreshold = parseSizeAmount('size-comment-threshold', get('size-comment-threshold') || DEFAULT_COMMENT_THRESHOLD, { percent: true });

  return {
    baseline: parseBaseline(get('baseline'), cwd),
    registryCredentials: registry,
    maxSize,
    maxIncrease,
    maxWasted,
    metric,
    commentThreshold,
  };
}

/**
 * `auto`, `none`, a report JSON file, or an image reference. A value naming an existing file
 * is a file; a value ending in .json must be one; anything else must read as an image reference.
 */
export function parseBaseline(raw: string, cwd: string): BaselineSpec {
  const text = raw.trim();
  if (text === '' || text.toLowerCase() === 'auto') return { kind: 'auto' };
  if (text.toLowerCase() === 'none') return { kind: 'none' };
  const file = path.resolve(cwd, text);
  if (existsSync(file) && statSync(file).isFile()) return { kind: 'file', path: file };
  if (/\.json$/i.test(text) || text.startsWith('./') || text.startsWith('../') || text.startsWith('/')) {
    throw new ConfigError('baseline', `no report file at ${file}; give the path of a deploy-check JSON report, an image reference, auto or none`);
  }
  const ref = parseImageReference(text);
  if (!ref) {
    throw new ConfigError('baseline', `"${text}" is neither auto, none, a report JSON file nor an image reference (registry/name:tag or name@sha256:...)`);
  }
  return { kind: 'image', ref };
}
