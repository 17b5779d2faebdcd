// Folder-level dependency rules, run by `npm test` (the `architecture` step) and `npm run deps`.
// A folder is a feature or a library: its dependencies must run one way, so a reader can take
// the folders in an order in which each one uses only those before it (docs/architecture.md).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        'Two folders that import each other are one module in two places: move the shared part down ' +
        '(apps/broker/src/common is the kernel) or up (a feature that reads both, like case-file).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-file-cycles',
      comment: 'Files that import each other in a circle load in an order that depends on who came first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Specs and their helpers (apps/<app>/test/) sit beside the code but are not part of its graph.
    exclude: { path: ['(^|/)(node_modules|dist|\\.local)/', '\\.spec\\.ts$', '^apps/[^/]+/test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
