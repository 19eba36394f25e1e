// How the three entries are bundled into dist/ as self-contained ES modules for the node24
// runtime. Shared by scripts/bundle.mjs and the unit test that keeps the post step small.

/** Options for esbuild's build(); the caller adds outdir (and write: false to stay in memory). */
export const bundleOptions = {
  entryPoints: { main: 'src/main.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
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
      // @actions/core declares no "sideEffects", so esbuild keeps every module it imports, and
      // the post step, which reads its state and logs, would load the HTTP client and undici
      // (~800 kB) that only getIDToken needs. Its modules only define functions: mark them pure.
      name: 'actions-core-without-side-effects',
      setup(b) {
        const inCore = (args) => args.path === '@actions/core' || /[\\/]node_modules[\\/]@actions[\\/]core[\\/]/.test(args.importer);
        b.onResolve({ filter: /.*/ }, async (args) => {
          if (args.pluginData === 'resolving' || !inCore(args)) return undefined;
          const { resolveDir, kind, importer } = args;
          const resolved = await b.resolve(args.path, { resolveDir, kind, importer, pluginData: 'resolving' });
          return resolved.errors.length > 0 ? undefined : { path: resolved.path, external: resolved.external, sideEffects: false };
        });
      },
    },
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
};

/**
 * Every output an entry loads when it starts: the entry and the chunks it imports statically,
 * transitively. Keys of `metafile.outputs` are paths relative to the working directory.
 */
export function loadedOutputs(metafile, entryOutput) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? []) {
      if (!imp.external && imp.kind === 'import-statement') visit(imp.path);
    }
  };
  visit(entryOutput);
  return [...seen];
}
