import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The library: three entry points (`statestore`, `statestore/driver`, `statestore/testing`), two
// formats each. p-limit (and its yocto-queue) are ESM-only; they are bundled so that
// require('statestore') works on every Node >= 20 without require(esm). The cloud SDKs stay
// external: they are optional peer dependencies loaded on first use.
//
// Splitting puts the modules the entries share in common chunks, so that within one format there
// is one copy of each: a backend registered through `statestore/driver`'s registerBackend is the
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
    noExternal: ['p-limit', 'yocto-queue'],
    external: ['@aws-sdk/client-s3', '@google-cloud/storage', '@azure/storage-blob', '@azure/identity'],
  },
  {
    // The `statestore` command (package.json "bin"): ESM only, with its shebang; no types, and no
    // clean, so it never removes the library's files. It bundles its own copy of the library.
    entry: { cli: 'src/cli/main.ts' },
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
    noExternal: ['p-limit', 'yocto-queue'],
    external: ['@aws-sdk/client-s3', '@google-cloud/storage', '@azure/storage-blob', '@azure/identity'],
  },
]);
