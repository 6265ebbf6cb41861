import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One entry, two formats. p-limit (and its yocto-queue) are ESM-only; they are bundled
// so that require('statestore') works on every Node >= 20 without require(esm).
// The cloud SDKs stay external: they are optional peer dependencies loaded on first use.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
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
