// How the three entries are bundled into dist/ as self-contained ES modules for the node24
// runtime. Shared by scripts/bundle.mjs and the unit tests that keep the post step small and
// the chunk names stable.
import { build } from 'esbuild';
import path from 'node:path';

/**
 * Options for esbuild's build(); the caller adds outdir (and write: false to stay in memory).
 * esbuild names chunks by a hash that also covers the names of the chunks they import, so one
 * changed module renames its chunk and, in cascade, rewrites every file that imports it:
 * bundleFiles() gives them names of their own instead (see stableNames).
 */
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
      // `import http from 'node:http'` makes Node build the module's ES view, which reads every
      // export; from Node 22 on that wakes http's lazy fetch and WebSocket exports, which load
      // Node's own undici (27-45 ms at every start). A require() of the module reads none of them.
      name: 'http-required',
      setup(b) {
        b.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
          args.kind === 'import-statement' ? { path: args.path.replace(/^node:/, ''), namespace: 'http-required' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'http-required' }, (args) => ({ contents: `module.exports = require('node:${args.path}');`, loader: 'js' }));
      },
    },
    {
      name: 'no-ssh2',
      setup(b) {
        b.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'no-ssh2' }));
        b.onLoad({ filter: /.*/, namespace: 'no-ssh2' }, () => ({
          contents: "export class Client { constructor() { throw new Error('DOCKER_HOST=ssh:// is not supported; use a unix socket or tcp:// endpoint'); } }",
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

/**
 * Bundles in memory with bundleOptions (plus `extra`: outdir, absWorkingDir, more plugins) and renames
 * the chunks so that a file's name and bytes change only where its own code did. Returns the
 * files to write (paths relative to the working directory) and the metafile with the new names.
 */
export async function bundleFiles(extra) {
  const plugins = [...bundleOptions.plugins, ...(extra.plugins ?? [])];
  const result = await build({ ...bundleOptions, ...extra, plugins, write: false, metafile: true });
  const renames = stableNames(result.metafile);
  // A chunk's license file is named after it (chunk.js.LEGAL.txt).
  const rename = (file) => {
    const [js, legal = ''] = file.split(/(?=\.LEGAL\.txt$)/);
    return `${renames.get(js) ?? js}${legal}`;
  };
  // Files refer to a chunk by its file name, from its own directory or from the entries' one
  // above (./chunks/x.js); esbuild's 8-character hashes make the old names unique strings.
  const replacements = [...renames].map(([from, to]) => [path.basename(from), path.basename(to)]);
  const relabel = (text) => replacements.reduce((t, [from, to]) => t.replaceAll(from, to), text);
  const cwd = extra.absWorkingDir ?? process.cwd();
  const files = result.outputFiles.map((f) => {
    const file = path.relative(cwd, f.path);
    return { path: rename(file), contents: file.endsWith('.js') ? relabel(f.text) : f.text };
  });
  const outputs = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, out]) => {
      const contents = files.find((f) => f.path === rename(file))?.contents;
      const bytes = contents === undefined ? out.bytes : Buffer.byteLength(contents);
      const imports = out.imports.map((imp) => (imp.external ? imp : { ...imp, path: rename(imp.path) }));
      return [rename(file), { ...out, bytes, imports }];
    }),
  );
  return { files, metafile: { ...result.metafile, outputs } };
}

/**
 * New names for the chunks: a dynamically imported module's chunk keeps the module's name
 * (chunks/local.js), and a shared chunk is named after the entries that load it
 * (chunks/shared-main+post.js). esbuild puts each module in the chunk of the set of entries that
 * reach it, and an entry imports every chunk of its set, so these names are unique; they change
 * only when a module starts or stops being reached by an entry.
 */
export function stableNames(metafile) {
  const { outputs } = metafile;
  const js = Object.keys(outputs).filter((file) => file.endsWith('.js'));
  const entries = js.filter((file) => outputs[file].entryPoint !== undefined);
  const stem = (file) => path.basename(outputs[file].entryPoint, path.extname(outputs[file].entryPoint));
  const topLevel = new Set(Object.values(bundleOptions.entryPoints));
  const renames = new Map();
  for (const file of js.filter((f) => !topLevel.has(outputs[f].entryPoint))) {
    const users = entries.filter((entry) => entry !== file && loadedOutputs(metafile, entry).includes(file)).map(stem);
    const name = outputs[file].entryPoint === undefined ? `shared-${users.sort().join('+')}` : stem(file);
    renames.set(file, path.join(path.dirname(file), `${name}.js`));
  }
  const taken = new Set(js.filter((file) => !renames.has(file)));
  for (const [from, to] of renames) {
    if (taken.has(to)) {
      throw new Error(
        `bundle: two outputs would be named ${to} (one was ${from}); rename the dynamically imported module or adapt stableNames in scripts/bundle-options.mjs`,
      );
    }
    taken.add(to);
  }
  return renames;
}
