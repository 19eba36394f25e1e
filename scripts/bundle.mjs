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
  // dockerode's ssh transport pulls native optional modules we never use (local socket only).
  external: ['cpu-features', 'ssh2'],
  banner: {
    js: "import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
