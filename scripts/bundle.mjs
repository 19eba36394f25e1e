// Bundles the three entries into dist/ as self-contained ES modules for the node24 runtime.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minifyWhitespace: false,
  legalComments: 'linked',
  // dockerode's ssh:// transport drags in ssh2 and its native addons; deploy-check talks to
  // the engine over its socket or tcp, so ssh2 is replaced by a stub that explains itself.
  // Likewise dockerode's BuildKit session for its own buildImage (grpc + protobufjs, ~1 MB):
  // deploy-check builds through the buildx CLI.
  plugins: [
    {
      name: 'no-dockerode-buildkit-session',
      setup(b) {
        b.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
          /dockerode[\\/]lib/.test(args.importer) ? { path: args.path, namespace: 'no-dockerode-session' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'no-dockerode-session' }, () => ({
          contents: "module.exports = function () { throw new Error('dockerode BuildKit sessions are not bundled'); };",
          loader: 'js',
        }));
      },
    },
    {
      name: 'no-ssh2',
      setup(b) {
        b.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'no-ssh2' }));
        b.onLoad({ filter: /.*/, namespace: 'no-ssh2' }, () => ({
          contents:
            "export class Client { constructor() { throw new Error('DOCKER_HOST=ssh:// is not supported; use a unix socket or tcp:// endpoint'); } }",
          loader: 'js',
        }));
      },
    },
  ],
  banner: {
    js: "import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
