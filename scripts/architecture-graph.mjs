// Writes docs/architecture.md: src/'s folders in their layers (.dependency-cruiser.cjs) and the
// imports between them, as dependency-cruiser finds them, drawn as a Mermaid graph (GitHub
// renders it). `npm run graph` writes it; the unit suite checks it is current.
import { cruise } from 'dependency-cruiser';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs'));

/** src/'s folder of a module (`.` for the entry points at its root), or null outside src/. */
function folderOf(source) {
  const m = /^src\/(?:([^/]+)\/)?/.exec(source);
  return m ? (m[1] ?? '.') : null;
}

export async function architectureMarkdown() {
  const previous = process.cwd();
  process.chdir(root);
  try {
    const { output } = await cruise(['src'], { ...config.options, includeOnly: '^src/' });
    const edges = new Set();
    for (const module of output.modules) {
      const from = folderOf(module.source);
      for (const dependency of module.dependencies) {
        const to = folderOf(dependency.resolved);
        if (from !== null && to !== null && from !== to) edges.add(`${from} --> ${to}`);
      }
    }
    const id = (folder) => (folder === '.' ? 'entries' : folder);
    const rows = config.LAYERS.map(
      (row, rank) => `  subgraph L${rank}[" "]\n${row.map((f) => `    ${id(f)}["${f === '.' ? 'src/*.ts (entry points)' : `${f}/`}"]`).join('\n')}\n  end`,
    );
    const lines = [...edges].sort().map((edge) => `  ${edge.split(' --> ').map(id).join(' --> ')}`);
    return [
      '# How src/ is laid out',
      '',
      'Written by `npm run graph` (scripts/architecture-graph.mjs) from the imports dependency-cruiser',
      'finds. Folders stand in layers, the entry points on top; each imports only the layers below it',
      '(the rules are `.dependency-cruiser.cjs`, enforced by `npm run lint` and the unit suite).',
      '',
      '```mermaid',
      'flowchart BT',
      ...rows.reverse(),
      ...lines,
      '```',
      '',
    ].join('\n');
  } finally {
    process.chdir(previous);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(path.join(root, 'docs/architecture.md'), await architectureMarkdown());
  console.log('wrote docs/architecture.md');
}
