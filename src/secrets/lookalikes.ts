/**
 * Values shaped like credentials that a reviewer would not call secrets: placeholders and
 * template references, token bodies with a pattern instead of randomness, trivial passwords of
 * databases on loopback or Compose service hosts, and credentials in documentation, example,
 * test and CI files. Precision first: a finding that fails the check must be a credential
 * someone could use. Pure functions; values.ts applies them to each match.
 */

export type LookalikeReason = 'placeholder' | 'patterned' | 'local-trivial' | 'documentation' | 'example' | 'test' | 'ci' | 'public-by-design';

export const LOOKALIKE_LABELS: Record<LookalikeReason, string> = {
  placeholder: 'a placeholder',
  patterned: 'a made-up value (a sequence, a repeat or words, not random)',
  'local-trivial': 'a trivial password for a local or Compose service host',
  documentation: 'in documentation',
  example: 'in an example or sample file',
  test: 'in a test file',
  ci: 'in a CI configuration file',
  'public-by-design': 'a key public by design',
};

/**
 * Words that placeholder passwords and made-up tokens are built from ("randompass",
 * "mysecretpassword", "TU_PASSWORD", "postgres", "ThisIsNotARealToken"), in the languages
 * sample configurations are commonly written in.
 */
const WORDS = new Set([
  'a',
  'my',
  'your',
  'yours',
  'our',
  'the',
  'this',
  'is',
  'it',
  'me',
  'not',
  'no',
  'here',
  'goes',
  'put',
  'insert',
  'enter',
  'set',
  'just',
  'an',
  'to',
  'for',
  'of',
  'and',
  'tu',
  'su',
  'mi',
  'de',
  'la',
  'el',
  'votre',
  'ton',
  'dein',
  'ihr',
  'seu',
  'sua',
  'pass',
  'passw',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'pw',
  'secret',
  'secrets',
  'key',
  'keys',
  'token',
  'api',
  'auth',
  'login',
  'cred',
  'creds',
  'credential',
  'credentials',
  'contraseña',
  'contrasena',
  'clave',
  'senha',
  'motdepasse',
  'mot',
  'passe',
  'passwort',
  'kennwort',
  'geheim',
  'parola',
  'wachtwoord',
  'usuario',
  'utilisateur',
  'benutzer',
  'change',
  'changeme',
  'changeit',
  'replace',
  'update',
  'fill',
  'todo',
  'fixme',
  'tbd',
  'example',
  'sample',
  'demo',
  'test',
  'tests',
  'testing',
  'dummy',
  'fake',
  'mock',
  'stub',
  'placeholder',
  'default',
  'defaults',
  'redacted',
  'hidden',
  'foo',
  'bar',
  'baz',
  'qux',
  'hello',
  'world',
  'dev',
  'devel',
  'develop',
  'development',
  'local',
  'localhost',
  'ci',
  'staging',
  'prod',
  'production',
  'insecure',
  'unsafe',
  'real',
  'value',
  'random',
  'strong',
  'super',
  'top',
  'very',
  'long',
  'some',
  'other',
  'new',
  'old',
  'good',
  'bad',
  'only',
  'use',
  'used',
  'user',
  'username',
  'users',
  'admin',
  'administrator',
  'root',
  'guest',
  'owner',
  'app',
  'application',
  'service',
  'server',
  'client',
  'web',
  'site',
  'project',
  'account',
  'name',
  'host',
  'db',
  'database',
  'postgres',
  'postgresql',
  'pg',
  'sql',
  'mysql',
  'maria',
  'mariadb',
  'mongo',
  'mongodb',
  'redis',
  'rabbit',
  'rabbitmq',
  'amqp',
  'celery',
  'broker',
  'queue',
  'cache',
  'minio',
  'minioadmin',
  'keycloak',
  'airflow',
  'elastic',
  'kibana',
  'grafana',
  'sa',
  'django',
  'flask',
  'fastapi',
  'rails',
  'node',
  'docker',
  'compose',
  'github',
  'gitlab',
  'stripe',
  'aws',
  'slack',
  'jwt',
  'live',
  'sk',
  'pk',
  'abc',
  'xyz',
  'xxx',
  'qwerty',
  'qwertyuiop',
  'asdf',
  'asdfgh',
  'asdfghjkl',
  'zxcv',
  'zxcvbnm',
  'letmein',
  'welcome',
  'hunter',
  'iloveyou',
  'monkey',
  'dragon',
  'trustno',
  'abcdef',
  'abcd',
]);

/** A reference or a template where the value will go: ${DB_PASSWORD}, {{ secret }}, <password>, %(pw)s. */
const TEMPLATE =
  /\$\{[^}]*\}|\{\{[^}]*\}\}|\{%[^%]*%\}|<[^>]*>|%\([A-Za-z_]\w*\)[sd]|^\$[A-Za-z_]\w*$|^%[A-Za-z_]\w*%$|^@[A-Za-z_]\w*@$|^__[A-Za-z0-9_]+__$|^\[[^\]]*\]$/;
/** Nothing but masks and ellipses: ****, xxxxx, ..., •••. */
const MASK = /^[*xX.•…_-]+$/;
/** An upper-case identifier (TU_PASSWORD, DB_PASS, YOUR_API_KEY): the name of a value, not a value. */
const CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** Marks of a made-up token inside a longer body (AKIAIOSFODNN7EXAMPLE, ghp_xxxx…, sk_live_…dummy…). */
const MADE_UP_MARK = /example|sample|dummy|placeholder|redacted/i;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/**
 * Is a piece (letters and digits only) a run of dictionary words and digit runs? 2 with a word
 * in it ("randompass", "postgres123", "mysecretpassword"), 1 for digits only, 0 otherwise.
 */
function composed(piece: string): number {
  const n = piece.length;
  // reach[i]: 0 unreachable, 1 reachable by digits only, 2 reachable with a word.
  const reach = new Array<number>(n + 1).fill(0);
  reach[0] = 1;
  for (let i = 0; i < n; i++) {
    const from = reach[i] ?? 0;
    if (!from) continue;
    let j = i;
    while (j < n && /\d/.test(piece[j] ?? '')) j++;
    if (j > i) reach[j] = Math.max(reach[j] ?? 0, from);
    for (let k = i + 1; k <= Math.min(n, i + 12); k++) {
      if (WORDS.has(piece.slice(i, k))) reach[k] = 2;
    }
  }
  return reach[n] ?? 0;
}

/** Every piece between separators is words and digits, with a word somewhere ("change-me", "dev_secret_key_123"). */
function composedOfWords(value: string): boolean {
  const found = value
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(composed);
  return found.every((c) => c > 0) && found.includes(2);
}

/** Shannon entropy per character, in bits. */
export function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Mostly steps of one (123456, abcdef, 987654); repeats are periodic(). */
function sequential(value: string): boolean {
  if (value.length < 6) return false;
  let steps = 0;
  for (let i = 1; i < value.length; i++) if (Math.abs(value.charCodeAt(i) - value.charCodeAt(i - 1)) === 1) steps++;
  return steps / (value.length - 1) >= 0.5;
}

/** The same few characters over and over (abcabcabc, 12341234, 1234567890123456…). */
function periodic(value: string): boolean {
  const n = value.length;
  if (n < 6) return false;
  for (let p = 1; p <= n / 2; p++) {
    let same = 0;
    for (let i = 0; i + p < n; i++) if (value[i] === value[i + p]) same++;
    if (same / (n - p) >= 0.9) return true;
  }
  return false;
}

/**
 * How much of a token body is dictionary words (two letters or more, longest first) or runs of
 * four or more characters in sequence ("ThisIsNotARealToken", "fakeToken1234567890abcdef");
 * zero without a word of four letters or more or a sequence of eight, which random bodies of
 * these lengths seldom hold, while two-letter words they often do.
 */
function madeUpCoverage(body: string): number {
  const s = body.toLowerCase();
  const covered = new Array<boolean>(s.length).fill(false);
  let longWord = false;
  for (let i = 0; i < s.length;) {
    let best = 0;
    for (let k = Math.min(s.length, i + 12); k >= i + 2; k--) {
      if (WORDS.has(s.slice(i, k))) {
        best = k - i;
        break;
      }
    }
    if (best >= 4) longWord = true;
    for (let k = i; k < i + best; k++) covered[k] = true;
    i += best || 1;
  }
  let run = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && Math.abs(s.charCodeAt(i) - s.charCodeAt(i - 1)) === 1) {
      run++;
      continue;
    }
    if (run >= 4) for (let k = i - run; k < i; k++) covered[k] = true;
    if (run >= 8) longWord = true;
    run = 1;
  }
  return longWord ? covered.filter(Boolean).length / s.length : 0;
}

/** Enough different characters that it is not a placeholder (xxxxxxxx, 00000000, abcabcabc). */
export function varied(value: string): boolean {
  return new Set(value).size >= Math.min(10, Math.ceil(value.length / 3));
}

/** Not a value at all: a reference or template where one will go (${DB_PASSWORD}, {{ pw }}, $PW) or a mask (****). */
export function isReference(value: string): boolean {
  const v = value.trim().slice(0, 256);
  return v === '' || TEMPLATE.test(v) || MASK.test(v);
}

/**
 * A placeholder: a reference or template, a mask, an upper-case constant name, a password made
 * of well-known words and digits (leetspeak too: p4ssw0rd), or a sequence or repeat.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().slice(0, 256);
  if (isReference(v) || CONSTANT_NAME.test(v)) return true;
  if (composedOfWords(v) || composedOfWords(v.replace(/[0-9@$]/g, (c) => LEET[c] ?? c))) return true;
  return sequential(v) || periodic(v) || !varied(v);
}

/**
 * The random part of a token in a known format (after ghp_, sk_live_, AKIA) that nobody's
 * generator made: a placeholder mark, a sequence or repeat, mostly words, a single character
 * class where the format mixes them, or too little entropy.
 */
export function patternedBody(whole: string, mixedCase = true): boolean {
  // Some formats have no upper bound (Slack, PyPI): the start of the body is enough to judge, and bounds periodic()'s cost.
  const body = whole.slice(0, 256);
  if (!varied(body) || MADE_UP_MARK.test(body) || sequential(body) || periodic(body)) return true;
  if (madeUpCoverage(body) >= 0.6) return true;
  if (mixedCase && body.length >= 16) {
    const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(body)).length;
    if (classes < 2) return true;
  }
  // Twenty random characters of any of these formats' alphabets give about 4 bits each.
  return body.length >= 20 && entropyPerChar(body) < 3;
}

/** Loopback, the Docker host, mDNS names, and single-label names (Compose services: db, redis, rabbitmq). */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(h)) return true;
  if (h === 'host.docker.internal' || h.endsWith('.local')) return true;
  return !h.includes('.');
}

/** Domains reserved for documentation (RFC 2606, RFC 6761) and hosts that say they are to be replaced. */
export function isDocumentationHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (/(?:^|\.)example\.(?:com|org|net)$|\.(?:example|test|invalid)$/.test(h)) return true;
  return /^(?:your|tu|su)[-_.]|^your[a-z]/.test(h) || /x{3,}/.test(h);
}

/** Short, or one character class only: what people type for a local database, not what a generator makes. */
function trivialPassword(password: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return password.length < 16 || classes < 2 || entropyPerChar(password) < 3;
}

/**
 * Why the password of scheme://user:password@host is not a secret, or undefined when it is:
 * a placeholder, the user name again (guest:guest), a host reserved for documentation, or a
 * trivial password for a local or Compose service host (postgres:postgres@localhost).
 */
export function urlPasswordLookalike(user: string, password: string, host: string): LookalikeReason | undefined {
  if (isPlaceholder(password) || password === user || isDocumentationHost(host)) return 'placeholder';
  if (isLocalHost(host) && trivialPassword(password)) return 'local-trivial';
  return undefined;
}

/**
 * Files whose credentials are documentation, samples, tests or CI settings, not the running
 * app's: README and docs, *.example, test trees and fixtures, CI workflow files. Paths are
 * image paths ("/app/tests/conftest.py").
 */
export function nonProductionPath(path: string): LookalikeReason | undefined {
  const lower = path.toLowerCase();
  const name = lower.slice(lower.lastIndexOf('/') + 1);
  if (
    /\/(?:\.github|\.circleci|\.buildkite|\.gitlab)\/|\/(?:\.gitlab-ci\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.yml|jenkinsfile|\.drone\.ya?ml|cloudbuild\.ya?ml)$/.test(
      lower,
    )
  )
    return 'ci';
  if (/\/(?:tests?|__tests__|spec|specs|testdata|test[-_]data|fixtures|__fixtures__|e2e|cypress|playwright)\//.test(lower)) return 'test';
  if (
    /^(?:conftest\.py|test_[^/]*\.py|[^/]*_test\.(?:py|go|rb)|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?|[^/]*_spec\.rb|pytest\.ini|tox\.ini|phpunit\.xml(?:\.dist)?)$/.test(
      name,
    )
  )
    return 'test';
  if (/\/(?:examples?|samples?)\//.test(lower) || /\.(?:example|sample|template|tpl|dist)(?:\.[a-z0-9]+)?$|^[^/]*\.example\.[a-z0-9]+$/.test(name))
    return 'example';
  if (
    /\/(?:docs?|documentation|site-docs)\//.test(lower) ||
    /\.(?:md|markdown|mdx|rst|adoc|asciidoc)$/.test(name) ||
    /^(?:readme|changelog|contributing|install|usage)(?:\.[a-z]+)?$/.test(name)
  ) {
    return 'documentation';
  }
  return undefined;
}

/**
 * A JWT that is public or a well-known example: Supabase's anon key (role "anon", meant for
 * browsers) and the payload every JWT tutorial shows.
 */
export function jwtLookalike(token: string): LookalikeReason | undefined {
  const payload = token.split('.')[1] ?? '';
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!claims || typeof claims !== 'object') return undefined;
  const c = claims as Record<string, unknown>;
  if (c['role'] === 'anon') return 'public-by-design';
  if (c['sub'] === '1234567890' || (typeof c['name'] === 'string' && /^(?:john|jane) doe$/i.test(c['name']))) return 'placeholder';
  return undefined;
}
