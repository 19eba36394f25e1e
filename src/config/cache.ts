import path from 'node:path';
import { ConfigError, parseBoolean, parseChoice, parseDuration } from '../inputs/inputs.ts';

export type CacheMode = 'max' | 'min';
export type CacheSave = 'always' | 'default-branch' | 'never';

/** The inputs of the layer cache, as loadConfig reads them (names from config.ts's INPUT_NAMES). */
export type CacheInputName = 'cache' | 'cache-mode' | 'cache-key' | 'cache-save' | 'cache-timeout';

export interface CacheConfig {
  readonly enabled: boolean;
  readonly mode: CacheMode;
  /** The `cache-key` input; undefined derives the prefix from the Dockerfile path and target. */
  readonly keyPrefix: string | undefined;
  readonly save: CacheSave;
  /** Longest a restore, and separately a save, may take before the build goes on without it. */
  readonly timeoutMs: number;
  /** The local command's --cache-dir: a directory store instead of the Actions cache service. */
  readonly dir: string | undefined;
}

export const DEFAULT_CACHE_TIMEOUT_MS = 10 * 60_000;

/**
 * Separates the key prefix from the per-run fingerprint. A prefix may not contain it, so that
 * restoring by "api#" never picks up an entry of "api-worker#".
 */
export const KEY_SEPARATOR = '#';

export function readCacheConfig(read: (name: CacheInputName) => string, options: { cacheDir?: string | undefined; cwd: string }): CacheConfig {
  const get = (name: CacheInputName): string => read(name).trim();
  return {
    enabled: parseBoolean('cache', get('cache'), true),
    mode: parseChoice('cache-mode', get('cache-mode'), ['max', 'min'], { fallback: 'max' }),
    keyPrefix: parseKeyPrefix(get('cache-key')),
    save: parseChoice('cache-save', get('cache-save'), ['always', 'default-branch', 'never'], { fallback: 'always' }),
    timeoutMs: get('cache-timeout') ? parseDuration('cache-timeout', get('cache-timeout')) : DEFAULT_CACHE_TIMEOUT_MS,
    dir: options.cacheDir ? path.resolve(options.cwd, options.cacheDir) : undefined,
  };
}

function parseKeyPrefix(raw: string): string | undefined {
  if (raw === '') return undefined;
  // GitHub refuses commas in keys and keys over 512 characters; the fingerprint takes 1 + 16.
  if (raw.includes(',')) throw new ConfigError('cache-key', `"${raw}" contains a comma, which cache keys may not hold`);
  if (raw.includes(KEY_SEPARATOR)) {
    throw new ConfigError('cache-key', `"${raw}" contains "${KEY_SEPARATOR}", which deploy-check puts between the prefix and the run's fingerprint`);
  }
  if (/[\s\p{Cc}]/u.test(raw)) throw new ConfigError('cache-key', `"${raw}" contains whitespace or control characters`);
  if (raw.length > 400) throw new ConfigError('cache-key', `is ${raw.length} characters long; keep it to 400 or fewer`);
  return raw;
}
