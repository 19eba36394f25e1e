/**
 * Secrets recognised by their value, wherever they sit (a file's text, an ENV value, a build
 * argument, a RUN command): well-known credential formats with a low false-positive rate, and
 * the exact values deploy-check was given as build secrets and `env`. The formats are
 * described after the public facts that secret scanners (gitleaks, trivy) document; a value is
 * never returned to callers, only its kind, where it was and a fingerprint. A match that is a
 * placeholder, a made-up token or documentation (lookalikes.ts) is not a secret.
 */
import { createHash } from 'node:crypto';
import { isPlaceholder, isReference, jwtLookalike, nonProductionPath, patternedBody, urlPasswordLookalike, type LookalikeReason } from './lookalikes.ts';

export type ValueKind =
  | 'aws-access-key-id'
  | 'github-token'
  | 'gitlab-token'
  | 'npm-token'
  | 'pypi-token'
  | 'docker-hub-token'
  | 'slack-token'
  | 'slack-webhook'
  | 'stripe-live-key'
  | 'google-api-key'
  | 'openai-key'
  | 'anthropic-key'
  | 'sendgrid-key'
  | 'digitalocean-token'
  | 'private-key'
  | 'jwt'
  | 'registry-auth-line'
  | 'url-password'
  | 'given-secret';

export const VALUE_KIND_LABELS: Record<ValueKind, string> = {
  'aws-access-key-id': 'AWS access key id',
  'github-token': 'GitHub token',
  'gitlab-token': 'GitLab token',
  'npm-token': 'npm access token',
  'pypi-token': 'PyPI upload token',
  'docker-hub-token': 'Docker Hub access token',
  'slack-token': 'Slack token',
  'slack-webhook': 'Slack webhook URL',
  'stripe-live-key': 'Stripe live secret key',
  'google-api-key': 'Google API key',
  'openai-key': 'OpenAI API key',
  'anthropic-key': 'Anthropic API key',
  'sendgrid-key': 'SendGrid API key',
  'digitalocean-token': 'DigitalOcean token',
  'private-key': 'private key (PEM block)',
  jwt: 'signed JSON Web Token',
  'registry-auth-line': 'package registry credential line (.npmrc/.pypirc/.netrc)',
  'url-password': 'URL with a password',
  'given-secret': 'value of a secret given to deploy-check',
};

interface ValueRule {
  readonly kind: ValueKind;
  /** Global regex; the group `secret`, or else group 1, is the secret part (the rest is context). */
  readonly pattern: RegExp;
  /** The public, fixed start of the format, safe to show ("ghp_", "AKIA"). */
  readonly prefix: (match: string) => string;
  /** Why a match is not a secret (a placeholder, a made-up body), or undefined when it is one. */
  readonly lookalike?: (secret: string, m: RegExpMatchArray) => LookalikeReason | undefined;
}

const fixed =
  (n: number) =>
  (m: string): string =>
    m.slice(0, n);
const none = (): string => '';

/** The random part after the format's fixed prefix must look random. */
const randomAfter =
  (n: number, mixedCase = true) =>
  (secret: string): LookalikeReason | undefined =>
    patternedBody(secret.slice(n), mixedCase) ? 'patterned' : undefined;
const notPlaceholder = (secret: string): LookalikeReason | undefined => (isPlaceholder(secret) ? 'placeholder' : undefined);

const RULES: readonly ValueRule[] = [
  { kind: 'aws-access-key-id', pattern: /\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b/g, prefix: fixed(4), lookalike: randomAfter(4, false) },
  { kind: 'github-token', pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b/g, prefix: fixed(4), lookalike: randomAfter(4) },
  { kind: 'github-token', pattern: /\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g, prefix: fixed(11), lookalike: randomAfter(11) },
  { kind: 'gitlab-token', pattern: /\b(glpat-[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/g, prefix: fixed(6), lookalike: randomAfter(6) },
  { kind: 'npm-token', pattern: /\b(npm_[A-Za-z0-9]{36})\b/g, prefix: fixed(4), lookalike: randomAfter(4) },
  { kind: 'pypi-token', pattern: /\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g, prefix: fixed(5), lookalike: randomAfter(24) },
  { kind: 'docker-hub-token', pattern: /\b(dckr_pat_[A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])/g, prefix: fixed(9), lookalike: randomAfter(9) },
  {
    kind: 'slack-token',
    pattern: /\b(xox[bpoasr]-[0-9]{8,13}-[0-9A-Za-z-]{8,})/g,
    prefix: fixed(5),
    lookalike: (s) => randomAfter(0)(s.slice(s.lastIndexOf('-') + 1)),
  },
  {
    kind: 'slack-webhook',
    pattern: /(https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{43,56})/g,
    prefix: () => 'https://hooks.slack.com/',
    lookalike: (s) => randomAfter(0)(s.slice(s.lastIndexOf('/') + 1)),
  },
  { kind: 'stripe-live-key', pattern: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/g, prefix: fixed(8), lookalike: randomAfter(8) },
  { kind: 'google-api-key', pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, prefix: fixed(4), lookalike: randomAfter(4) },
  {
    kind: 'openai-key',
    pattern: /\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})/g,
    prefix: fixed(3),
    lookalike: (s) => randomAfter(0)(s.slice(s.indexOf('T3BlbkFJ') + 8)),
  },
  {
    kind: 'anthropic-key',
    pattern: /\b(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,})/g,
    prefix: fixed(7),
    lookalike: (s) => randomAfter(0)(s.slice(s.indexOf('-', 7) + 1)),
  },
  { kind: 'sendgrid-key', pattern: /\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g, prefix: fixed(3), lookalike: randomAfter(3) },
  { kind: 'digitalocean-token', pattern: /\b(do[opr]_v1_[a-f0-9]{64})\b/g, prefix: fixed(7), lookalike: randomAfter(7, false) },
  // A PEM private key with a body: the BEGIN line alone (documentation, code that parses keys) is not one.
  {
    kind: 'private-key',
    pattern:
      /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\\n]*(?:[A-Za-z0-9+/=]{16,}[\s\\n]*|[A-Za-z-]+: [^\n]*\n){3,}[A-Za-z0-9+/=\s\\n]*-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)/g,
    prefix: () => '-----BEGIN',
  },
  // header.payload.signature, both JSON parts starting with {" (eyJ in base64url).
  { kind: 'jwt', pattern: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})/g, prefix: fixed(3), lookalike: jwtLookalike },
  // _authToken=..., _auth=..., _password=... (npm/yarn), password: / password = (pypirc), "password x" (netrc).
  {
    kind: 'registry-auth-line',
    pattern: /(?:^|[\s;])(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*["']?([^\s"'#]{8,})/gm,
    prefix: none,
    lookalike: notPlaceholder,
  },
  {
    kind: 'registry-auth-line',
    pattern: /^\s*machine\s+\S+\s+login\s+\S+\s+password\s+(\S{6,})/gm,
    prefix: none,
    lookalike: notPlaceholder,
  },
  // scheme://user:password@host — the password part only; the user and the host decide whether a weak one matters.
  {
    kind: 'url-password',
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/(?<user>[A-Za-z0-9._~%!$&'()*+,;=-]{1,64}):(?<secret>[^\s/@:'"`<>{}]{3,128})@(?<host>[A-Za-z0-9.-]+)/gi,
    prefix: none,
    lookalike: (s, m) => (/^\$|\{\{|%\(/.test(s) ? 'placeholder' : urlPasswordLookalike(m.groups?.['user'] ?? '', s, m.groups?.['host'] ?? '')),
  },
];

export interface ValueMatch {
  readonly kind: ValueKind;
  /** 1-based line in the text. */
  readonly line: number;
  /** Safe to print: the format's public prefix, the length and a short hash. */
  readonly fingerprint: string;
  /** The secret itself, for masking only: never put it in a message. */
  readonly secret: string;
  /** For given secrets: which input named it (e.g. `build-secrets` id or `env` name). */
  readonly source?: string;
  /** Set when the match is not a secret after all, and why (a placeholder, a test file). */
  readonly lookalike?: LookalikeReason;
}

export interface GivenSecret {
  /** Where it was given, safe to print: "build secret NPM_TOKEN", "env DATABASE_URL". */
  readonly label: string;
  readonly value: string;
}

/** Given values shorter than this are not searched for: they would match everywhere. */
export const MIN_GIVEN_SECRET = 6;

/** `ghp_…(40 chars, sha256:1a2b3c4d)`: recognisable across places, useless to an attacker. */
export function fingerprint(secret: string, prefix: string): string {
  const hash = createHash('sha256').update(secret).digest('hex').slice(0, 8);
  const shown = prefix && secret.startsWith(prefix) ? `${prefix}…` : '';
  // A short hash of a low-entropy value could be guessed: only formats with a fixed prefix
  // (random tokens) carry one.
  return shown ? `${shown} (${secret.length} chars, sha256:${hash})` : `${secret.length} chars`;
}

/** Every secret value in a text, at most `limit` of them. */
export function findSecretValues(text: string, given: readonly GivenSecret[] = [], limit = 20): ValueMatch[] {
  return classifySecretValues(text, given, limit).filter((m) => !m.lookalike);
}

/**
 * Every match of a secret format in a text, at most `limit` secrets and `limit` look-alikes:
 * the ones that are not secrets carry the reason. In a file at `path` that is documentation,
 * an example, a test or CI configuration, the generic formats (URL passwords, auth lines,
 * JWTs) are look-alikes too; a token of a known format with a random body stays a secret
 * wherever it is, since it works wherever it is.
 */
export function classifySecretValues(text: string, given: readonly GivenSecret[] = [], limit = 20, path?: string): ValueMatch[] {
  const out: ValueMatch[] = [];
  const seen = new Set<string>();
  const lineOf = lineIndex(text);
  const where = path === undefined ? undefined : nonProductionPath(path);
  const count = (lookalike: boolean): number => out.filter((m) => Boolean(m.lookalike) === lookalike).length;
  for (const rule of RULES) {
    // The cheap test first: most texts contain none of the formats.
    rule.pattern.lastIndex = 0;
    for (const m of text.matchAll(rule.pattern)) {
      const secret = m.groups?.['secret'] ?? m[1] ?? m[0];
      const lookalike = rule.lookalike?.(secret, m) ?? (where && PATH_SENSITIVE.has(rule.kind) ? where : undefined);
      if (count(Boolean(lookalike)) >= limit) continue;
      const at = m.index + m[0].indexOf(secret);
      const key = `${rule.kind}:${secret}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: rule.kind, line: lineOf(at), fingerprint: fingerprint(secret, rule.prefix(secret)), secret, ...(lookalike ? { lookalike } : {}) });
      if (count(false) >= limit && count(true) >= limit) return out;
    }
  }
  // A generic match (an auth line, a URL password) on a line a known format already explains is the same secret.
  const specific = new Set(out.filter((m) => !GENERIC.has(m.kind)).map((m) => m.line));
  for (let i = out.length - 1; i >= 0; i--) {
    const m = out[i];
    if (m && GENERIC.has(m.kind) && specific.has(m.line)) out.splice(i, 1);
  }
  for (const g of given) {
    if (g.value.length < MIN_GIVEN_SECRET) continue;
    const at = text.indexOf(g.value);
    if (at < 0) continue;
    out.push({ kind: 'given-secret', line: lineOf(at), fingerprint: `${g.value.length} chars`, secret: g.value, source: g.label });
    if (count(false) >= limit) return out;
  }
  return out;
}

/** Formats people also write in documentation and tests; in such files they are not counted as secrets. */
const PATH_SENSITIVE = new Set<ValueKind>(['registry-auth-line', 'url-password', 'jwt']);

const GENERIC = new Set<ValueKind>(['registry-auth-line', 'url-password']);

/** The text with every secret value in it replaced by ***: for instructions shown next to findings. */
export function redactSecretValues(text: string, given: readonly GivenSecret[] = []): string {
  if (!mayHoldSecret(text, given)) return text;
  let out = text;
  for (const m of findSecretValues(text, given, 50)) out = out.split(m.secret).join('***');
  return out;
}

/**
 * The values a text holds by their form, to mask before the text or anything made from it is
 * printed: every token of a known format, a made-up one too (masking it costs nothing), and what
 * the generic formats (URL passwords, registry auth lines) hold when the scan would call it a
 * secret. In values given to the run (`given`: env, build args, the Compose environment of the
 * containers started) every URL password that is a value is masked, trivial ones included: the
 * containers receive it, and an app may print it alone.
 */
export function valuesToMask(text: string, given = false): { value: string; kind: ValueKind }[] {
  if (!mayHoldSecret(text)) return [];
  const out = new Map<string, ValueKind>();
  for (const m of classifySecretValues(text, [], 1000)) {
    if (m.lookalike && GENERIC.has(m.kind)) continue;
    out.set(m.secret, m.kind);
    // A PEM block reaches a log line by line.
    if (m.kind === 'private-key')
      for (const line of m.secret.split(/\r?\n|\\n/)) if (line.trim().length >= 16 && !line.startsWith('-----')) out.set(line.trim(), m.kind);
  }
  if (given) for (const password of urlPasswords(text)) out.set(password, 'url-password');
  return [...out].map(([value, kind]) => ({ value, kind }));
}

/** The password of every scheme://user:password@host in a text that is a value (not ${VAR} or ****), also as the app decodes it (%40 is @). */
function urlPasswords(text: string): string[] {
  const out: string[] = [];
  // Greedy up to the last @ before the path: an unescaped @ in a password (p@ss@host) stays in it.
  for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#]+)@/gi)) {
    const password = m[1] ?? '';
    if (isReference(password)) continue;
    out.push(password);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded !== password) out.push(decoded);
    } catch {
      // Not percent-encoded after all: the raw form is the one an app prints.
    }
  }
  return out;
}

function lineIndex(text: string): (offset: number) => number {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Values that switch something on or off, or count: never secrets, whatever the name says. */
export function isFlagValue(value: string): boolean {
  return /^(?:true|false|yes|no|on|off|enabled?|disabled?|none|null|nil|-?\d{1,6}(?:\.\d+)?)$/i.test(value.trim());
}

/** Names that are public by design: publishable/public keys meant for browsers and apps. */
export function isPublicByDesignName(name: string): boolean {
  const upper = name.toUpperCase();
  return /(?:^|_)PUBLISHABLE_KEY$|^NEXT_PUBLIC_|^VITE_|^REACT_APP_|^PUBLIC_|^NUXT_PUBLIC_|^EXPO_PUBLIC_|(?:^|_)PUBLIC_KEY$|(?:^|_)ANON_KEY$/.test(upper);
}

/** Could this text hold a secret at all? A cheap filter before running every rule. */
export function mayHoldSecret(text: string, given: readonly GivenSecret[] = []): boolean {
  if (
    /AKIA|ASIA|ABIA|ACCA|A3T|gh[pousr]_|github_pat_|glpat-|npm_|pypi-|dckr_pat_|xox|hooks\.slack|_live_|AIza|sk-|SG\.|do[opr]_v1|PRIVATE KEY|eyJ|_auth|_password|npmAuth|password|:\/\//.test(
      text,
    )
  )
    return true;
  return given.some((g) => g.value.length >= MIN_GIVEN_SECRET && text.includes(g.value));
}
