/**
 * The pure rules of the hygiene check: which names and values look secret, which paths in an
 * image are secrets, package-manager caches or compilers, and who the image runs as.
 * Nothing here touches the engine; the scan feeds paths and small file bodies in.
 */
import { isPlaceholder, urlPasswordLookalike } from '../secrets/lookalikes.ts';
import { isSecretName } from '../secrets/names.ts';
import { isFlagValue } from '../secrets/values.ts';

// ---------------------------------------------------------------------------------------------
// Secret-looking names and values

/** A URL carrying a password (postgres://app:s3cret@db/app, https://user:token@host/simple). */
export function hasUrlPassword(value: string): boolean {
  return /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value);
}

/** The user, password and host of the first URL with a password in a value. */
export function urlCredentials(value: string): { user: string; password: string; host: string } | undefined {
  const m = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s:@]*):([^/\s@]+)@([^/\s:?#]*)/i.exec(value);
  return m ? { user: m[1] ?? '', password: m[2] ?? '', host: m[3] ?? '' } : undefined;
}

/**
 * Why an ENV/ARG value is a baked-in secret, or undefined. Empty values, references
 * (${VAR}) and absolute file paths (GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json)
 * point at a secret without being one; placeholders (changeme, TU_PASSWORD) and trivial
 * passwords for local hosts (postgres:postgres@db) are not one.
 */
export function secretValueReason(name: string, value: string): 'name' | 'url-password' | undefined {
  const v = value.trim();
  if (v === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return undefined;
  if (/^\/[\w./-]+$/.test(v)) return undefined;
  const url = urlCredentials(v);
  if (url) return urlPasswordLookalike(url.user, url.password, url.host) ? undefined : 'url-password';
  if (isPlaceholder(v)) return undefined;
  return isSecretName(name) ? 'name' : undefined;
}

/** `KEY=VALUE` as the image config's Env lists them. */
export function splitEnv(entry: string): { name: string; value: string } {
  const eq = entry.indexOf('=');
  return eq < 0 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/**
 * Build arguments BuildKit records in a RUN's history entry: `RUN |2 A=1 B=x y /bin/sh -c cmd`.
 * Values may contain spaces, so a value runs until the next NAME= word or the shell.
 */
export function parseHistoryBuildArgs(createdBy: string): { args: { name: string; value: string }[]; command: string } | undefined {
  const m = /^RUN \|(\d+) (.*)$/s.exec(createdBy);
  if (!m) return undefined;
  const count = Number(m[1]);
  const rest = m[2] ?? '';
  const shellAt = rest.search(/(?:^| )\/bin\/sh -c /);
  const argText = shellAt >= 0 ? rest.slice(0, shellAt) : rest;
  const command = shellAt >= 0 ? rest.slice(shellAt).trim() : '';
  const args: { name: string; value: string }[] = [];
  const words = argText.split(' ');
  for (const word of words) {
    const named = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (named && (args.length < count || !args.length)) args.push({ name: named[1] ?? '', value: named[2] ?? '' });
    else if (args.length > 0) {
      const lastArg = args[args.length - 1];
      if (lastArg) lastArg.value += ` ${word}`;
    }
  }
  return { args, command };
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1` of a history entry or Dockerfile line. */
export function parseEnvInstruction(text: string): { name: string; value: string }[] {
  const body = text.replace(/^(?:ENV|ARG)\s+/i, '').trim();
  const out: { name: string; value: string }[] = [];
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(body)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\s+(.*))?$/s.exec(body);
    if (legacy) out.push({ name: legacy[1] ?? '', value: (legacy[2] ?? '').trim() });
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of body.matchAll(re)) {
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1) : raw;
    out.push({ name: m[1] ?? '', value });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths inside the image

/** A path as the image's filesystem shows it: "/app/.env". */
export function imagePath(entryPath: string): string {
  const trimmed = entryPath.replace(/^(?:\.\/|\/)+/, '').replace(/\/+$/, '');
  return `/${trimmed}`;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Third-party package trees ship test keys and sample credentials (tornado's test.key,
 * node packages' fixtures): secrets there are not the application's, so they are not reported.
 */
export function isThirdPartyPath(path: string): boolean {
  return /\/(?:site-packages|dist-packages|node_modules|vendor\/bundle|gems)\/|^\/usr\/share\/(?:doc|ca-certificates)\/|^\/usr\/lib\/python3[^/]*\/test\/|^\/usr\/(?:local\/)?go\/|^\/etc\/ssl\/certs\//.test(
    path,
  );
}

export type SecretFileKind =
  | 'env-file'
  | 'private-key'
  | 'keystore'
  | 'npmrc'
  | 'pypirc'
  | 'netrc'
  | 'git-credentials'
  | 'aws-credentials'
  | 'gcloud-credentials'
  | 'service-account-key'
  | 'docker-config'
  | 'kube-config'
  | 'git-config'
  | 'terraform-state';

export interface SecretFileRule {
  readonly kind: SecretFileKind;
  /** When set, the body decides (read up to MAX_SECRET_BODY bytes); otherwise the name alone does. */
  readonly content?: (body: string) => boolean;
}

export const MAX_SECRET_BODY = 256 * 1024;

const ENV_FILE_DOCS = /^\.env\.(?:example|sample|template|dist|defaults|schema|tpl|example\.[^/]+)$|\.(?:example|sample|template)$/i;
/** Environment files of a test suite or CI job: what they hold decides, since most hold only placeholders. */
const ENV_FILE_TESTS = /^\.env\.(?:test|testing|ci)$/i;

/** Does an environment file set a variable to a secret (not a placeholder, not a trivial local URL)? */
export function envFileHasSecret(body: string): boolean {
  for (const m of body.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(.*)$/gm)) {
    const value = (m[2] ?? '').replace(/^(["'])(.*)\1\s*$/, '$2').replace(/\s+#.*$/, '');
    if (!isFlagValue(value) && secretValueReason(m[1] ?? '', value)) return true;
  }
  return false;
}

const PRIVATE_KEY_MARKER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const hasPrivateKey = (body: string): boolean => PRIVATE_KEY_MARKER.test(body);
/** npm/yarn: _authToken, _auth, _password with a literal value (not ${NPM_TOKEN}). */
const npmrcHasToken = (body: string): boolean =>
  /^\s*(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*["']?(?!\$\{)[^\s"'#]+/im.test(body);
const pypircHasPassword = (body: string): boolean => /^\s*password\s*[=:]\s*(?!\$\{)\S+/im.test(body);
const netrcHasPassword = (body: string): boolean => /\bpassword\s+\S+/.test(body);
const dockerConfigHasAuth = (body: string): boolean => /"(?:auth|identitytoken|registrytoken)"\s*:\s*"[^"]+"/.test(body);
const kubeConfigHasCredential = (body: string): boolean => /^\s*(?:token|client-key-data|password)\s*:\s*\S+/m.test(body);
const serviceAccountKey = (body: string): boolean => /"private_key"\s*:\s*"-----BEGIN/.test(body) || /"type"\s*:\s*"service_account"/.test(body);
const gitConfigHasCredential = (body: string): boolean => hasUrlPassword(body) || /^\s*(?:extraheader|password)\s*=\s*\S+/im.test(body);

/**
 * Is this path (a regular file of a layer) a secret by name, or a candidate whose content decides?
 * Returns undefined for anything else.
 */
export function secretFileRule(path: string): SecretFileRule | undefined {
  if (isThirdPartyPath(path)) return undefined;
  const name = basename(path);
  const lower = name.toLowerCase();
  if (ENV_FILE_TESTS.test(lower)) return { kind: 'env-file', content: envFileHasSecret };
  if (lower === '.env' || (lower.startsWith('.env.') && !ENV_FILE_DOCS.test(lower))) return { kind: 'env-file' };
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(name)) return { kind: 'private-key' };
  if (/\.(?:pem|key|priv)$/i.test(name) || (/^id_(?:rsa|dsa|ecdsa|ed25519)/.test(name) && !name.endsWith('.pub'))) {
    return { kind: 'private-key', content: hasPrivateKey };
  }
  if (/\.(?:p12|pfx|jks|keystore|ppk)$/i.test(name)) return { kind: 'keystore' };
  if (lower === '.npmrc' || lower === 'npmrc' || lower === '.yarnrc.yml') return { kind: 'npmrc', content: npmrcHasToken };
  if (lower === '.pypirc') return { kind: 'pypirc', content: pypircHasPassword };
  if (lower === '.netrc' || lower === '_netrc') return { kind: 'netrc', content: netrcHasPassword };
  if (lower === '.git-credentials') return { kind: 'git-credentials' };
  if (/\/\.aws\/credentials$/.test(path)) return { kind: 'aws-credentials' };
  if (lower === 'application_default_credentials.json' || /\/\.config\/gcloud\/(?:credentials\.db|access_tokens\.db|legacy_credentials\/)/.test(path)) {
    return { kind: 'gcloud-credentials' };
  }
  if (/\/\.docker\/config\.json$/.test(path)) return { kind: 'docker-config', content: dockerConfigHasAuth };
  if (/\/\.kube\/config$/.test(path)) return { kind: 'kube-config', content: kubeConfigHasCredential };
  if (/\.json$/i.test(lower) && /(?:service[-_]?account|credentials|gcp[-_]?key|sa[-_]key|keyfile)/i.test(lower)) {
    return { kind: 'service-account-key', content: serviceAccountKey };
  }
  if (/\/\.git\/config$/.test(path)) return { kind: 'git-config', content: gitConfigHasCredential };
  if (/\.tfstate(?:\.backup)?$/i.test(lower)) return { kind: 'terraform-state' };
  return undefined;
}

export const SECRET_FILE_LABELS: Record<SecretFileKind, string> = {
  'env-file': 'environment file',
  'private-key': 'private key',
  keystore: 'key store',
  npmrc: 'npm/yarn config with an auth token',
  pypirc: '.pypirc with a password',
  netrc: '.netrc with a password',
  'git-credentials': 'git credential store',
  'aws-credentials': 'AWS credentials file',
  'gcloud-credentials': 'Google Cloud credentials',
  'service-account-key': 'service account key',
  'docker-config': 'Docker config with registry credentials',
  'kube-config': 'kubeconfig with credentials',
  'git-config': 'git config with a credential',
  'terraform-state': 'Terraform state',
};

/** The `.git` directory a path lies in ("/app/.git"), outside third-party trees. */
export function gitDirectoryOf(path: string): string | undefined {
  if (isThirdPartyPath(path)) return undefined;
  const m = /^(.*?\/\.git)(?:\/|$)/.exec(path);
  return m?.[1];
}

/**
 * The package-manager cache a file belongs to ("/var/lib/apt/lists"), or undefined.
 * Lock files and apt's empty bookkeeping directories do not count.
 */
export function packageCacheOf(path: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^(\/var\/lib\/apt\/lists)\/(?!lock$|partial\/|auxfiles\/)[^/]+$/.exec(path))) return m[1];
  if ((m = /^(\/var\/cache\/apt\/archives)\/[^/]+\.deb$/.exec(path))) return m[1];
  if ((m = /^(\/var\/cache\/apt)\/[^/]+\.bin$/.exec(path))) return m[1];
  if ((m = /^(\/var\/cache\/apk)\/[^/]+$/.exec(path))) return m[1];
  if ((m = /^(\/var\/cache\/(?:yum|dnf))\/.+$/.exec(path))) return m[1];
  if ((m = /^((?:\/root|\/home\/[^/]+)\/\.cache\/(?:pip|uv|pypoetry|yarn|go-build))\/.+$/.exec(path))) return m[1];
  if ((m = /^((?:\/root|\/home\/[^/]+)\/\.npm)\/_cacache\/.+$/.exec(path))) return m[1];
  if ((m = /^(\/usr\/local\/share\/\.cache\/yarn)\/.+$/.exec(path))) return m[1];
  return undefined;
}

/** Which package manager leaves a cache, for the advice in the finding. */
export function packageCacheAdvice(root: string): string {
  if (root === '/var/lib/apt/lists') return 'end the RUN that runs apt-get update with `rm -rf /var/lib/apt/lists/*`';
  if (root.startsWith('/var/cache/apt')) return 'end the RUN that installs packages with `apt-get clean`';
  if (root === '/var/cache/apk') return 'use `apk add --no-cache`';
  if (root.endsWith('/.cache/pip')) return 'use `pip install --no-cache-dir` (or a cache mount)';
  if (root.endsWith('/.npm')) return 'run `npm cache clean --force` in the same RUN, or use a cache mount';
  if (root.endsWith('/yarn')) return 'run `yarn cache clean` in the same RUN, or use a cache mount';
  return 'clear it in the same RUN that fills it, or use a cache mount (RUN --mount=type=cache)';
}

/** A compiler or toolchain binary: the sign that build tools reached the final stage. */
export function compilerOf(path: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^\/usr\/(?:local\/)?bin\/((?:[a-z0-9_]+-linux-gnu-)?(?:gcc|g\+\+|c\+\+|cc|clang|clang\+\+)(?:-[0-9.]+)?)$/.exec(path))) return m[1];
  if ((m = /^\/usr\/(?:lib|libexec)\/gcc\/[^/]+\/[^/]+\/(cc1(?:plus)?)$/.exec(path))) return m[1];
  if (/^\/usr\/share\/build-essential\//.test(path)) return 'build-essential';
  if ((m = /^\/usr\/local\/cargo\/bin\/(rustc|cargo)$/.exec(path))) return m[1];
  if (/^\/usr\/local\/go\/bin\/go$/.test(path)) return 'go';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Whiteouts

/** What a whiteout entry removes: `.wh.name` hides one path, `.wh..wh..opq` everything below its directory. */
export function whiteoutTarget(path: string): { kind: 'path' | 'opaque'; target: string } | undefined {
  const name = basename(path);
  if (!name.startsWith('.wh.')) return undefined;
  const dir = path.slice(0, path.length - name.length - 1);
  if (name === '.wh..wh..opq') return { kind: 'opaque', target: dir || '/' };
  return { kind: 'path', target: `${dir}/${name.slice(4)}` };
}

/** Is `path` hidden by a whiteout of `target` (itself or a directory above it)? */
export function isUnder(path: string, target: string): boolean {
  return target === '/' || path === target || path.startsWith(`${target}/`);
}

// ---------------------------------------------------------------------------------------------
// The user the image runs as

export interface ImageUser {
  readonly user: string;
  readonly group: string | undefined;
  readonly root: boolean;
  readonly numeric: boolean;
}

/** Config.User: "", "app", "1000", "app:app", "0:0". An empty user means root. */
export function parseImageUser(raw: string | undefined): ImageUser {
  const text = (raw ?? '').trim();
  const [user = '', group] = text.split(':', 2);
  const root = user === '' || user === 'root' || /^0+$/.test(user);
  return { user: user === '' ? 'root' : user, group: group === '' ? undefined : group, root, numeric: /^\d+$/.test(user) };
}

/** Names and ids in /etc/passwd or /etc/group content. */
export function accountNames(content: string): { names: Set<string>; ids: Set<string> } {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const line of content.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields[0]) names.add(fields[0]);
    if (fields[2]) ids.add(fields[2]);
  }
  return { names, ids };
}
