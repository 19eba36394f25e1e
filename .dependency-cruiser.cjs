/**
 * The architecture rules `npm run check:architecture` enforces over src/ (and the unit suite
 * checks): no import cycles, and folders in layers, each importing only the layers below it.
 */

/**
 * src/'s folders from the bottom up. A folder imports only folders of lower rows (never one of
 * its own row, nor above); `.` is the entry points at src/'s root, which nothing imports.
 */
const LAYERS = [
  // The shared contract: the report's model and its field readers, the finding ids, formatting.
  ['model'],
  // Reading and validating what the user wrote: inputs, KEY=VALUE lines, units, image references.
  ['inputs'],
  // The host: log, Docker connection, labels, state directory; what makes a value a secret.
  ['host', 'secrets'],
  // Clients of outside tools: Docker Compose, Railway's API, the GitHub event.
  ['compose', 'railway', 'github'],
  // One typed Config from the inputs and the repository (railway.ts, Railway's settings, Compose).
  ['config'],
  // The stages, each using only those above it in this list.
  ['cache'],
  ['build'],
  ['container'],
  ['services'],
  ['size'],
  ['hygiene'],
  ['deploy'],
  // Rendering the report (terminal, markdown, comment) and the verdict: they read only the report.
  ['report'],
  // Publishing it on GitHub: the comment, the summary, the report file.
  ['publish'],
  // The pipeline that runs the stages in order.
  ['pipeline'],
  // The entry points (action, post step, local command) and their run session.
  ['.'],
];

/** A path pattern for a folder of src/ (`.` is the files at src/'s root). */
function folderPath(folder) {
  return folder === '.' ? '^src/[^/]+$' : `^src/${folder}/`;
}

const layerRules = LAYERS.flatMap((row, rank) => {
  const above = LAYERS.slice(rank).flat();
  return row
    .map((folder) => ({ folder, targets: above.filter((other) => other !== folder) }))
    .filter(({ targets }) => targets.length > 0)
    .map(({ folder, targets }) => ({
      name: `layer-${folder === '.' ? 'entries' : folder}`,
      severity: 'error',
      comment: `src/${folder === '.' ? '' : `${folder}/`} imports only the layers below it (.dependency-cruiser.cjs LAYERS)`,
      from: { path: folderPath(folder) },
      to: { path: targets.map(folderPath) },
    }));
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules form a tree of layers: a cycle makes load order and tests depend on who imports first.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unlayered-folder',
      severity: 'error',
      comment: 'Every folder of src/ has its row in LAYERS, so the layer rules see it.',
      from: { path: '^src/', pathNot: [...LAYERS.flat().map(folderPath)] },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

// For the architecture test; not enumerable, so the configuration's schema does not see it.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
