import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  accountNames,
  compilerOf,
  gitDirectoryOf,
  hasUrlPassword,
  imagePath,
  packageCacheOf,
  parseEnvInstruction,
  parseHistoryBuildArgs,
  parseImageUser,
  secretFileRule,
  secretValueReason,
  whiteoutTarget,
} from '../../src/hygiene/rules.ts';
import { isSecretName } from '../../src/secrets/names.ts';

test('secret-looking variable names', () => {
  const secret = [
    'API_KEY',
    'API_TOKEN',
    'GITHUB_TOKEN',
    'GHTOKEN',
    'SECRET',
    'SECRET_KEY',
    'JWT_SECRET_KEY',
    'STRIPE_SECRET',
    'AWS_SECRET_ACCESS_KEY',
    'PASSWORD',
    'DB_PASSWORD',
    'DBPASSWORD',
    'POSTGRES_PASSWD',
    'MYSQL_PWD',
    'DB_PASS',
    'SSH_PASSPHRASE',
    'PRIVATE_KEY',
    'SIGNING_SECRET',
    'apiToken',
    'api-key',
    'npm.token',
    'GITHUB_PAT',
    'GOOGLE_CREDENTIALS',
    'OPENAI_APIKEY',
    'REFRESH_TOKEN',
    'CLIENT_SECRETS',
  ];
  const plain = [
    'PATH',
    'PWD',
    'OLDPWD',
    'HOME',
    'LOG_LEVEL',
    'PYTHONUNBUFFERED',
    'GPG_KEY',
    'PUBLIC_KEY',
    'SSH_PUBLIC_KEY',
    'AWS_ACCESS_KEY_ID',
    'TOKENIZERS_PARALLELISM',
    'PASSWORD_FILE',
    'POSTGRES_PASSWORD_FILE',
    'SECRETS_DIR',
    'TOKEN_URL',
    'PASSWORD_MIN_LENGTH',
    'CSRF_TOKEN_HEADER',
    'KEY',
    'CACHE_KEY',
    'SORT_KEY',
    'KEYCLOAK_URL',
    'MONKEY',
    'DATABASE_URL',
    'KEY_VAULT_NAME',
    'TOKEN_TTL',
  ];
  for (const name of secret) assert.equal(isSecretName(name), true, `${name} should look secret`);
  for (const name of plain) assert.equal(isSecretName(name), false, `${name} should not look secret`);
});

test('URL with a password, and which values count as secrets', () => {
  assert.equal(hasUrlPassword('postgres://app:s3cret@db:5432/app'), true);
  assert.equal(hasUrlPassword('https://user:tok@pypi.example/simple'), true);
  assert.equal(hasUrlPassword('postgres://app@db:5432/app'), false);
  assert.equal(hasUrlPassword('redis://db:6379/0'), false);
  assert.equal(hasUrlPassword('http://localhost:8000/health'), false);

  assert.equal(secretValueReason('DATABASE_URL', 'postgres://app:Wq7dLx2Rk9Pz4Tn8Vb3Hc6Mf@db.prod.internal/app'), 'url-password');
  assert.equal(secretValueReason('DATABASE_URL', 'postgres://db/app'), undefined);
  assert.equal(secretValueReason('PIP_INDEX_URL', 'https://u:Tr8vNq2LkZ5w@pkgs.acme-corp.io/simple'), 'url-password');
  assert.equal(secretValueReason('API_KEY', 'k7Qz9Lm2'), 'name');
  assert.equal(secretValueReason('DATABASE_URL', 'postgres://app:s3cret@db/app'), undefined, 'a placeholder password for a Compose service');
  assert.equal(secretValueReason('SECRET_KEY', 'changeme'), undefined, 'a placeholder');
  assert.equal(secretValueReason('API_KEY', ''), undefined, 'declared without a value');
  assert.equal(secretValueReason('API_KEY', '   '), undefined);
  assert.equal(secretValueReason('API_KEY', '${API_KEY}'), undefined, 'a reference, not a value');
  assert.equal(secretValueReason('GOOGLE_CREDENTIALS', '/run/secrets/gcp.json'), undefined, 'a path to the secret');
  assert.equal(secretValueReason('LOG_LEVEL', 'debug'), undefined);
});

test('build args BuildKit records in a RUN history entry', () => {
  const one = parseHistoryBuildArgs('RUN |1 API_TOKEN=tok123 /bin/sh -c echo "$API_TOKEN" > /x # buildkit');
  assert.deepEqual(one?.args, [{ name: 'API_TOKEN', value: 'tok123' }]);
  assert.match(one.command, /^\/bin\/sh -c echo/);
  const two = parseHistoryBuildArgs('RUN |2 A=one two B= /bin/sh -c true');
  assert.deepEqual(two?.args, [
    { name: 'A', value: 'one two' },
    { name: 'B', value: '' },
  ]);
  assert.equal(parseHistoryBuildArgs('RUN /bin/sh -c true # buildkit'), undefined);
  assert.equal(parseHistoryBuildArgs('COPY . . # buildkit'), undefined);
});

test('ENV and ARG instructions: key=value pairs, quotes, the legacy form', () => {
  assert.deepEqual(parseEnvInstruction('ENV A=1 B="two words" C=\'x y\''), [
    { name: 'A', value: '1' },
    { name: 'B', value: 'two words' },
    { name: 'C', value: 'x y' },
  ]);
  assert.deepEqual(parseEnvInstruction('ENV API_SECRET some value'), [{ name: 'API_SECRET', value: 'some value' }]);
  assert.deepEqual(parseEnvInstruction('ARG API_TOKEN'), [{ name: 'API_TOKEN', value: '' }]);
  assert.deepEqual(parseEnvInstruction('ARG API_TOKEN=default'), [{ name: 'API_TOKEN', value: 'default' }]);
});

test('secret files by name, and by content where the name is not enough', () => {
  const kind = (path: string, body?: string): string | undefined => {
    const rule = secretFileRule(path);
    if (!rule) return undefined;
    if (rule.content && !rule.content(body ?? '')) return undefined;
    return rule.kind;
  };
  assert.equal(kind('/app/.env'), 'env-file');
  assert.equal(kind('/app/.env.production'), 'env-file');
  assert.equal(kind('/app/.env.local'), 'env-file');
  assert.equal(kind('/app/.env.example'), undefined, 'documents variable names');
  assert.equal(kind('/app/.env.sample'), undefined);
  assert.equal(kind('/app/.env.template'), undefined);
  assert.equal(kind('/root/.ssh/id_rsa'), 'private-key');
  assert.equal(kind('/root/.ssh/id_ed25519'), 'private-key');
  assert.equal(kind('/root/.ssh/id_ed25519.pub'), undefined);
  assert.equal(kind('/srv/tls/server.key', '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----'), 'private-key');
  assert.equal(kind('/srv/tls/server.pem', '-----BEGIN RSA PRIVATE KEY-----\nx'), 'private-key');
  assert.equal(kind('/srv/tls/ec.pem', '-----BEGIN EC PRIVATE KEY-----\nx'), 'private-key');
  assert.equal(kind('/srv/tls/ca.pem', '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----'), undefined, 'a certificate is public');
  assert.equal(kind('/srv/keystore.p12'), 'keystore');
  assert.equal(kind('/root/.npmrc', '//registry.npmjs.org/:_authToken=npm_abc'), 'npmrc');
  assert.equal(kind('/root/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'), undefined, 'reads the token from the environment');
  assert.equal(kind('/root/.npmrc', 'registry=https://registry.npmjs.org/'), undefined);
  assert.equal(kind('/root/.pypirc', '[pypi]\nusername = __token__\npassword = pypi-abc'), 'pypirc');
  assert.equal(kind('/root/.pypirc', '[pypi]\nusername = __token__'), undefined);
  assert.equal(kind('/root/.netrc', 'machine github.com login x password y'), 'netrc');
  assert.equal(kind('/root/.git-credentials'), 'git-credentials');
  assert.equal(kind('/root/.aws/credentials'), 'aws-credentials');
  assert.equal(kind('/root/.aws/config'), undefined);
  assert.equal(kind('/root/.config/gcloud/application_default_credentials.json'), 'gcloud-credentials');
  assert.equal(kind('/root/.config/gcloud/credentials.db'), 'gcloud-credentials');
  assert.equal(kind('/srv/service-account.json', '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----"}'), 'service-account-key');
  assert.equal(kind('/srv/credentials.json', '{"installed": {"client_id": "x"}}'), undefined);
  assert.equal(kind('/root/.docker/config.json', '{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"}}}'), 'docker-config');
  assert.equal(kind('/root/.docker/config.json', '{"credsStore":"desktop"}'), undefined);
  assert.equal(kind('/root/.kube/config', 'users:\n- name: ci\n  user:\n    token: abc'), 'kube-config');
  assert.equal(kind('/app/.git/config', '[remote "origin"]\n\turl = https://x-access-token:ghs_abc@github.com/acme/shop'), 'git-config');
  assert.equal(kind('/app/.git/config', '[remote "origin"]\n\turl = https://github.com/acme/shop'), undefined);
  assert.equal(kind('/infra/terraform.tfstate'), 'terraform-state');
  assert.equal(kind('/app/main.py'), undefined);
});

test('third-party package trees are not the application’s secrets', () => {
  assert.equal(secretFileRule('/usr/local/lib/python3.12/site-packages/tornado/test/test.key'), undefined);
  assert.equal(secretFileRule('/app/node_modules/some-pkg/test/fixtures/key.pem'), undefined);
  assert.equal(secretFileRule('/usr/lib/python3/dist-packages/certifi/cacert.pem'), undefined);
  assert.equal(secretFileRule('/etc/ssl/certs/ca-certificates.pem'), undefined);
  assert.equal(secretFileRule('/app/node_modules/npm/.npmrc'), undefined);
  assert.notEqual(secretFileRule('/app/config/.env'), undefined);
});

test('.git directories', () => {
  assert.equal(gitDirectoryOf('/app/.git/HEAD'), '/app/.git');
  assert.equal(gitDirectoryOf('/app/.git/objects/ab/cdef'), '/app/.git');
  assert.equal(gitDirectoryOf('/app/.gitignore'), undefined);
  assert.equal(gitDirectoryOf('/app/.github/workflows/ci.yml'), undefined);
  assert.equal(gitDirectoryOf('/app/node_modules/pkg/.git/HEAD'), undefined);
});

test('package-manager caches', () => {
  assert.equal(packageCacheOf('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4'), '/var/lib/apt/lists');
  assert.equal(packageCacheOf('/var/lib/apt/lists/lock'), undefined);
  assert.equal(packageCacheOf('/var/lib/apt/lists/partial/x'), undefined);
  assert.equal(packageCacheOf('/var/cache/apt/archives/curl_7.88_amd64.deb'), '/var/cache/apt/archives');
  assert.equal(packageCacheOf('/var/cache/apt/archives/lock'), undefined);
  assert.equal(packageCacheOf('/var/cache/apt/pkgcache.bin'), '/var/cache/apt');
  assert.equal(packageCacheOf('/root/.cache/pip/http-v2/a/b/c'), '/root/.cache/pip');
  assert.equal(packageCacheOf('/home/app/.cache/pip/wheels/x.whl'), '/home/app/.cache/pip');
  assert.equal(packageCacheOf('/root/.npm/_cacache/content-v2/sha512/ab/cd'), '/root/.npm');
  assert.equal(packageCacheOf('/root/.npm/_logs/x.log'), undefined);
  assert.equal(packageCacheOf('/var/cache/apk/APKINDEX.abc.tar.gz'), '/var/cache/apk');
  assert.equal(packageCacheOf('/usr/lib/python3/dist-packages/pip/x.py'), undefined);
});

test('compilers and toolchains', () => {
  assert.equal(compilerOf('/usr/bin/gcc'), 'gcc');
  assert.equal(compilerOf('/usr/bin/gcc-12'), 'gcc-12');
  assert.equal(compilerOf('/usr/bin/x86_64-linux-gnu-gcc-12'), 'x86_64-linux-gnu-gcc-12');
  assert.equal(compilerOf('/usr/bin/g++'), 'g++');
  assert.equal(compilerOf('/usr/bin/cc'), 'cc');
  assert.equal(compilerOf('/usr/lib/gcc/x86_64-linux-gnu/12/cc1'), 'cc1');
  assert.equal(compilerOf('/usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1plus'), 'cc1plus');
  assert.equal(compilerOf('/usr/share/build-essential/list'), 'build-essential');
  assert.equal(compilerOf('/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_s.so'), undefined, 'runtime libraries are fine');
  assert.equal(compilerOf('/usr/bin/gcov'), undefined);
  assert.equal(compilerOf('/usr/bin/python3'), undefined);
});

test('whiteouts and image paths', () => {
  assert.equal(imagePath('app/.env'), '/app/.env');
  assert.equal(imagePath('./app/'), '/app');
  assert.deepEqual(whiteoutTarget('/app/.wh..env'), { kind: 'path', target: '/app/.env' });
  assert.deepEqual(whiteoutTarget('/var/lib/apt/lists/.wh..wh..opq'), { kind: 'opaque', target: '/var/lib/apt/lists' });
  assert.deepEqual(whiteoutTarget('/.wh.tmp'), { kind: 'path', target: '/tmp' });
  assert.equal(whiteoutTarget('/app/.env'), undefined);
});

test('the user an image runs as', () => {
  assert.deepEqual(parseImageUser(''), { user: 'root', group: undefined, root: true, numeric: false });
  assert.equal(parseImageUser(undefined).root, true);
  assert.equal(parseImageUser('root').root, true);
  assert.equal(parseImageUser('0').root, true);
  assert.equal(parseImageUser('0:0').root, true);
  assert.equal(parseImageUser('root:app').root, true);
  assert.deepEqual(parseImageUser('app:app'), { user: 'app', group: 'app', root: false, numeric: false });
  assert.deepEqual(parseImageUser('1000'), { user: '1000', group: undefined, root: false, numeric: true });
  assert.equal(parseImageUser('1000:0').root, false, 'group 0 is not running as root');
  const accounts = accountNames('root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/srv:/bin/sh\n');
  assert.deepEqual([...accounts.names], ['root', 'app']);
  assert.deepEqual([...accounts.ids], ['0', '10001']);
});
