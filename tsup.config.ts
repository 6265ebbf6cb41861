import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { defineConfig, type Options } from 'tsup';
import { lazyConfig } from './scripts/lazy-config.js';

// yaml and diff are bundled too, for the cold start (bench/README.md, "Cold start"): yaml's Node
// build is ~70 CommonJS files, and resolving and loading them one by one cost ~90 ms of a ~200 ms
// import on the 2-core machine; bundled, the same code loads in ~20-30 ms. Neither appears in the
// public API (etc/statestore.api.md), and yaml tells its nodes apart by Symbol.for keys, so a
// caller's own copy of yaml still reads the nodes of ours.
const BUNDLED: NonNullable<Options['noExternal']> = ['p-limit', 'yocto-queue', 'yaml', 'diff'];

// yaml's Node build is CommonJS and requires Node's builtins (`require('process')`,
// `require('buffer')`): an ESM bundle cannot require, so each such builtin is handed over as an
// ESM re-export of `node:<name>`, which esbuild turns back into what require() would return.
const yamlBuiltins: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'yaml-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!/node_modules[\\/]yaml[\\/]/.test(args.importer) || !isBuiltin(name)) return undefined;
      return { path: name, namespace: 'yaml-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'yaml-builtin' }, (args) => ({
      contents: `export * from 'node:${args.path}'; export { default } from 'node:${args.path}';`,
      loader: 'js',
    }));
  },
};

// The command line imports the library's public API (src/index.ts, as `../index.js`) and nothing
// else of it (.dependency-cruiser.cjs, cli-uses-the-public-api): that import is left to the built library (dist/index.js,
// beside dist/cli.js), so the package holds one copy of the library, not a second one in cli.js.
const libraryExternal: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'library-external',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]/.test(args.importer) ? { path: './index.js', external: true } : undefined,
    );
  },
};

// The bin (dist/cli.js, src/cli/bin.ts) imports the command line (src/cli/main.ts) only once it has
// turned on Node's compile cache: that import is left to dist/cli-main.js, built beside it, or
// esbuild would inline main.ts and hoist its static import of the library above the cache's switch.
const cliMainExternal: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'cli-main-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/main\.js$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]bin\.ts$/.test(args.importer) ? { path: './cli-main.js', external: true } : undefined,
    );
  },
};

// The kops schema validators (src/config/validate/validators.generated.js, ajv's standalone code:
// ~1.2 MB once bundled) are the same in both formats, so the package ships them once, as
// dist/validators.generated.cjs: the CommonJS chunks require() it and the ESM chunks import it
// (Node reads its export names from the annotation esbuild writes for that purpose). Bundled into
// each format they were two copies, and the package went over its 6 MiB (scripts/check-pack.mjs).
//
// They are also loaded on first use, not at import: parsing that megabyte (and, for an ESM import of
// CommonJS, lexing it for its export names) was ~80 ms of a ~130 ms import on the 2-core machine,
// paid by every command, `statestore --version` too (bench/README.md, "Cold start"). The import
// resolves to a small module whose two functions require() the file on their first call and pass
// each call and its `errors` through (src/config/validate/schema-validator.ts calls them
// synchronously, hence require, not import()).
const VALIDATORS_SOURCE = 'src/config/validate/validators.generated.js';
const lazyValidators = (requireFrom: string): string => `
import { createRequire } from 'node:module';
let loaded;
const load = () => (loaded ??= createRequire(${requireFrom})('./validators.generated.cjs'));
const lazy = (name) => {
  const validate = (...args) => {
    const generated = load()[name];
    const valid = generated(...args);
    validate.errors = generated.errors;
    return valid;
  };
  validate.errors = null;
  return validate;
};
export const validateCluster = lazy('validateCluster');
export const validateInstanceGroup = lazy('validateInstanceGroup');
`;
const sharedValidators: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'shared-validators',
  setup(build) {
    build.onResolve({ filter: /[\\/]?validators\.generated\.js$/ }, (args) =>
      /[\\/]src[\\/]config[\\/]validate[\\/]/.test(args.importer)
        ? { path: 'validators', namespace: 'lazy-validators' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-validators' }, () => ({
      // tsup builds the CommonJS output as ESM and converts it afterwards (splitting), so the
      // format shows only in the output's extension.
      contents: lazyValidators(
        build.initialOptions.outExtension?.['.js'] === '.cjs' ? '__filename' : 'import.meta.url',
      ),
      loader: 'js',
    }));
    build.onEnd(async () => {
      // Whitespace only: the code is generated, and its names stay as ajv wrote them.
      const { code } = await build.esbuild.transform(readFileSync(VALIDATORS_SOURCE, 'utf8'), {
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        minifyWhitespace: true,
      });
      mkdirSync('dist', { recursive: true });
      writeFileSync('dist/validators.generated.cjs', code);
    });
  },
};

// The kops schemas (src/config/schema/schemas.generated.ts, ~90 KB of object literals) are exported
// as values, so they load with the package: as JSON.parse of a string V8 reads them faster than
// as object literals (JSON has its own parser; a literal is compiled to bytecode first), ~1 ms of
// a ~20 ms import (bench/README.md, "Move start-up"). The objects are the same.
const schemasAsJson: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'schemas-as-json',
  setup(build) {
    build.onLoad({ filter: /[\\/]config[\\/]schema[\\/]schemas\.generated\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(
        /^(export const \w+: JsonSchema = )(\{.*\});$/gm,
        (_, head: string, literal: string) => {
          JSON.parse(literal); // the generator writes JSON; anything else fails the build here
          return `${head}JSON.parse(${JSON.stringify(literal)});`;
        },
      ),
      loader: 'ts',
    }));
  },
};

// The library: three entry points (`statestore`, `kops-statestore/driver`, `kops-statestore/testing`), two
// formats each. p-limit (and its yocto-queue) are ESM-only; they are bundled so that
// require('kops-statestore') works on every Node >= 20 without require(esm). The cloud SDKs stay
// external: they are optional peer dependencies loaded on first use.
//
// Splitting puts the modules the entries share in common chunks, so that within one format there
// is one copy of each: a backend registered through `kops-statestore/driver`'s registerBackend is the
// one `statestore`'s openVfs finds (one backend table), and the testing suite checks errors of
// the same StateStoreError. (tsup's splitting of the CommonJS output is marked experimental; the
// pack check and test/package load every entry in both formats.)
export default defineConfig([
  {
    entry: { index: 'src/index.ts', driver: 'src/driver.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: true,
    noExternal: BUNDLED,
    // lazyConfig: the config code only some callers run (validation, patches, diffs, create-cluster,
    // the YAML parser and writer) ships once, as dist/config-lazy.cjs, loaded on its first call
    // (scripts/lazy-config.ts): a move or a `get` compiles none of it (bench/README.md, "Move start-up").
    esbuildPlugins: [yamlBuiltins, schemasAsJson, sharedValidators, lazyConfig([sharedValidators])],
    external: ['@aws-sdk/client-s3', '@google-cloud/storage', '@azure/storage-blob', '@azure/identity'],
  },
  {
    // The `statestore` command (package.json "bin"): ESM only, with its shebang; no types, and no
    // clean, so it never removes the library's files. The bin (cli.js) imports the command line
    // (cli-main.js), which imports the library from dist/index.js.
    entry: { cli: 'src/cli/bin.ts', 'cli-main': 'src/cli/main.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    // `statestore --version` prints the package's version, fixed at build time.
    define: {
      'process.env.STATESTORE_VERSION': JSON.stringify(
        (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
      ),
    },
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    splitting: false,
    noExternal: BUNDLED,
    esbuildPlugins: [libraryExternal, cliMainExternal, yamlBuiltins],
    external: ['@aws-sdk/client-s3', '@google-cloud/storage', '@azure/storage-blob', '@azure/identity'],
  },
]);
