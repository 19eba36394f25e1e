/** The architecture rules `npm run check:cycles` enforces over src/. */
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
      name: 'inputs-is-a-leaf',
      severity: 'error',
      comment: 'Every feature reads its inputs through src/config/inputs.ts; if it imported a feature, features would import each other through it.',
      from: { path: '^src/config/inputs[.]ts$' },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
