/**
 * What makes a variable's name secret-looking (API_TOKEN, DB_PASSWORD, SECRET_KEY_BASE, but not
 * TOKEN_URL or GPG_KEY): one rule for masking the inputs and for the hygiene check's findings.
 */

/** Words of a variable name: API_TOKEN, apiToken, api-token and api.token all give [API, TOKEN]. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/** A word that is, or ends with, one of these makes a name secret (GHTOKEN, DBPASSWORD, APIKEY). */
const SECRET_WORD_ENDINGS = ['TOKEN', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'APIKEY', 'CREDENTIALS', 'CREDS'];
const SECRET_WORDS = new Set(['PWD', 'PASS', 'PAT']);
/** The last word says the variable holds something about a secret, not the secret itself. */
const DESCRIPTOR_WORDS = new Set([
  'FILE',
  'PATH',
  'DIR',
  'ID',
  'NAME',
  'USER',
  'USERNAME',
  'LENGTH',
  'LEN',
  'SIZE',
  'TYPE',
  'ALGORITHM',
  'ALG',
  'HEADER',
  'FIELD',
  'VERSION',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'EXPIRATION',
  'TIMEOUT',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
  'ENABLED',
  'REQUIRED',
  'MIN',
  'MAX',
  'COUNT',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'PREFIX',
  'SUFFIX',
  'FORMAT',
  'ISSUER',
  'AUDIENCE',
  'SCOPE',
  'SCOPES',
  'LOCATION',
  'REGION',
  'MODE',
  'POLICY',
  'ROTATION',
]);
/** A KEY that is public by nature: GPG_KEY in the official python images is a fingerprint. */
const PUBLIC_KEY_QUALIFIERS = new Set(['PUBLIC', 'PUB', 'GPG', 'PGP', 'SIGNING', 'PRIMARY', 'FOREIGN', 'SORT', 'CACHE', 'PARTITION', 'HOST']);
/** Whole names that look secret but are not (PWD is the shell's working directory). */
const NOT_SECRET_NAMES = new Set(['PWD', 'OLDPWD', 'KEY']);

/** Does a variable name (ENV, ARG, build arg) look like it holds a secret? */
export function isSecretName(name: string): boolean {
  if (NOT_SECRET_NAMES.has(name.toUpperCase())) return false;
  const words = nameWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1] ?? '';
  if (DESCRIPTOR_WORDS.has(last)) return false;
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_WORD_ENDINGS.some((e) => w.endsWith(e)))) return true;
  // …_KEY, …_PRIVATE_KEY, SECRET_KEY_BASE: KEY that is not public and not a plain key of a map.
  const keyAt = words.lastIndexOf('KEY');
  if (keyAt <= 0) return false;
  return !PUBLIC_KEY_QUALIFIERS.has(words[keyAt - 1] ?? '');
}
