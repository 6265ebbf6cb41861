// Jest global setup: builds the TypeScript entry points that tests run as child processes (the
// s3rver and GCS emulator servers, lease and crash writers) into plain ES modules, once per Jest run,
// so that each child starts with plain `node` instead of through tsx (issue #17: npm test under 8
// minutes on 2 cores). tsx's loader costs ~0.6 s of CPU per process before the first line runs and
// hooks every later module load; a suite run starts dozens of such children (measured on the shared
// 2-core machine: an s3rver child 1.3 -> 0.7 s of CPU to listening, the GCS emulator 1.9 -> 1.1 s, a
// lease worker 1.1 -> 0.3 s). test/servers/node-entry.ts picks the bundle when it exists, else tsx.
//
// Packages stay external (resolved from node_modules at run time, as under tsx); only the repository's
// own TypeScript is bundled. The output folder is named after the hash of what was built, under
// node_modules/.cache, so concurrent Jest runs in one working tree share it without racing, a changed
// source gets a new folder, and packages resolve from the repository's node_modules.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** The entry points, relative to the repository root (node-entry.ts maps them to their bundles). */
const ENTRIES = [
  'test/servers/s3rver-child.ts',
  'test/servers/gcs/emulator-child.ts',
  'test/servers/rgw-child.ts',
  'test/servers/rgw-global.ts',
  'test/store/lease-worker.ts',
  'test/reliability/crash-file-child.ts',
  'test/backends/s3-tls-child.ts',
  'test/backends/gcs-azure-tls-child.ts',
  'test/backends/swift-tls-child.ts',
];
const ROOT = path.dirname(path.dirname(__dirname));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'statestore-test-children');
/** Bundle folders not used for this long are removed (each run touches the one it uses). */
const STALE_MS = 24 * 3600 * 1000;

function build() {
  const { buildSync } = require('esbuild');
  const result = buildSync({
    entryPoints: ENTRIES.map((entry) => path.join(ROOT, entry)),
    outbase: ROOT,
    outdir: '/',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles;
}

function prune(keep) {
  for (const name of fs.readdirSync(CACHE)) {
    const folder = path.join(CACHE, name);
    if (name !== keep && Date.now() - fs.statSync(folder).mtimeMs > STALE_MS)
      fs.rmSync(folder, { recursive: true, force: true });
  }
}

module.exports = async function buildChildBundles() {
  const files = build();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.path).update(file.contents);
  const name = hash.digest('hex').slice(0, 16);
  const folder = path.join(CACHE, name);
  fs.mkdirSync(CACHE, { recursive: true });
  if (!fs.existsSync(folder)) {
    // Written aside and renamed into place: a concurrent run sees the folder whole or not at all.
    const temp = fs.mkdtempSync(path.join(CACHE, '.tmp-'));
    for (const file of files) {
      const target = path.join(temp, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.contents);
    }
    try {
      fs.renameSync(temp, folder);
    } catch {
      fs.rmSync(temp, { recursive: true, force: true }); // another run renamed the same bundles first
    }
  }
  const now = new Date();
  fs.utimesSync(folder, now, now);
  prune(name);
  // Jest starts its workers after the global setup, with this environment.
  process.env.STATESTORE_TEST_CHILDREN = folder;
};
