/**
 * The hygiene corpora (test/fixtures/hygiene-corpus): files as real repositories carry them,
 * one tree of credential look-alikes that must not fail the check, one of secrets that must.
 * Random parts are slots (`@@github@@`, `@@password24@@`) filled with fresh values at run time,
 * so no real-looking credential is committed to the repository.
 */
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const CORPUS_DIR = path.resolve(import.meta.dirname, '../fixtures/hygiene-corpus');
export type CorpusName = 'false-positives' | 'true-positives';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object): string => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.${randomBytes(32).toString('base64url')}`;
const pem = (type: 'rsa' | 'ed25519'): string =>
  (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519')).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString()
    .trim();

const SLOTS: Record<string, () => string> = {
  github: () => `ghp_${pick(ALNUM, 36)}`,
  aws: () => `AKIA${pick(BASE32, 16)}`,
  gitlab: () => `glpat-${pick(ALNUM, 20)}`,
  npm: () => `npm_${pick(ALNUM, 36)}`,
  stripe: () => `sk_live_${pick(ALNUM, 24)}`,
  slack: () => `xoxb-${pick('0123456789', 11)}-${pick('0123456789', 12)}-${pick(ALNUM, 24)}`,
  google: () => `AIza${pick(ALNUM, 35)}`,
  password24: () => pick(ALNUM, 24),
  'private-key': () => pem('rsa'),
  'private-key-ed25519': () => pem('ed25519'),
  jwt: () => jwt({ sub: `user-${randomInt(1000, 9999)}`, scope: 'orders:write', exp: 1_700_000_000 }),
  'jwt-example': () => jwt({ sub: '1234567890', name: 'Jane Doe', iat: 1_700_000_000 }),
  'jwt-anon': () => jwt({ iss: 'supabase', ref: 'qwhdkfjslaowieur', role: 'anon', iat: 1_700_000_000, exp: 2_015_576_000 }),
};

export interface CorpusFile {
  /** Relative to the corpus root: "tests/conftest.py". */
  readonly rel: string;
  readonly text: string;
  /** The values filled into slots, in order. */
  readonly filled: readonly string[];
}

/** Every file of a corpus with its slots filled with fresh values. */
export function loadCorpus(name: CorpusName): CorpusFile[] {
  const root = path.join(CORPUS_DIR, name);
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort()
    .map((rel) => {
      const filled: string[] = [];
      const text = readFileSync(path.join(root, rel), 'utf8').replace(/@@([a-z0-9-]+)@@/g, (_, slot: string) => {
        const make = SLOTS[slot];
        if (!make) throw new Error(`${name}/${rel}: unknown corpus slot @@${slot}@@ (known: ${Object.keys(SLOTS).join(', ')})`);
        const value = make();
        filled.push(value);
        return value;
      });
      return { rel, text, filled };
    });
}
