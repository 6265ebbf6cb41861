// dependency-cruiser: import cycles and layers in src/ (docs/architecture.md has the map).
// `npm run lint:deps` runs it; any rule here fails the run ('error').
//
// Layers, lowest first: errors -> vfs -> config, create-cluster, backends -> store -> migrate -> cli.
// A module may import its own layer and the layers below, never one above.

/** Paths are relative to the repository root, as dependency-cruiser reports them. */
const ERRORS = '^src/errors\\.ts$';
const VFS = '^src/vfs/';
const CONFIG = '^src/config/';
const CREATE_CLUSTER = '^src/create-cluster/';
const BACKENDS = '^src/backends/';
const STORE = '^src/store/';
const MIGRATE = '^src/migrate/';
const CLI = '^src/cli/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycles in src/, type-only imports included: a type cycle still ties the two modules ' +
        'together (neither can be read, moved or tested alone), and the fix is the same, a third module ' +
        'that both import.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'errors-imports-nothing',
      severity: 'error',
      comment: 'src/errors.ts is the bottom layer: it imports none of our modules.',
      from: { path: ERRORS },
      to: { path: '^src/' },
    },
    {
      name: 'vfs-imports-only-errors',
      severity: 'error',
      comment: 'src/vfs/ is the storage contract: it may import src/errors.ts and itself, nothing else of ours.',
      from: { path: VFS },
      to: { path: '^src/', pathNot: [ERRORS, VFS] },
    },
    {
      name: 'config-below-store',
      severity: 'error',
      comment: 'src/config/ and src/create-cluster/ work on documents in memory: no store, backends, migrate or cli.',
      from: { path: [CONFIG, CREATE_CLUSTER] },
      to: { path: [STORE, BACKENDS, MIGRATE, CLI] },
    },
    {
      name: 'backends-below-store',
      severity: 'error',
      comment: 'src/backends/ implement the vfs contract: no store, config, migrate or cli.',
      from: { path: BACKENDS },
      to: { path: [STORE, CONFIG, MIGRATE, CLI] },
    },
    {
      name: 'store-below-migrate',
      severity: 'error',
      comment: 'src/store/ is what migrate moves between; it never imports src/migrate/.',
      from: { path: STORE },
      to: { path: MIGRATE },
    },
    {
      name: 'cli-is-a-leaf',
      severity: 'error',
      comment: 'Only the CLI itself (entry src/cli/bin.ts, then main.ts) imports src/cli/; the library never does.',
      from: { pathNot: CLI },
      to: { path: CLI },
    },
    {
      name: 'cli-uses-the-public-api',
      severity: 'error',
      comment:
        'src/cli/ imports the library only through src/index.ts (`../index.js`), which the build leaves ' +
        'to dist/index.js: any other import of src/ would bundle a second copy of library code into ' +
        'dist/cli-main.js (two StateStoreError classes, two backend tables). Export what the CLI needs, or ' +
        'keep CLI-only helpers in src/cli/.',
      from: { path: CLI },
      to: { path: '^src/', pathNot: [CLI, '^src/index\\.ts$'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve would hide a dependency from the rules above.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are cruised like any other (they count for cycles, see no-circular).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The sources import `./x.js` for `./x.ts` (NodeNext); with tsConfig set, dependency-cruiser maps
    // such a specifier back to the .ts source (see the not-to-unresolvable rule, which would catch a miss).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
    exclude: { path: ['\\.generated\\.js$'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
