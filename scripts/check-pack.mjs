// Packs the library as npm would publish it, installs the tarball into an empty project, and
// checks that require('kops-statestore') and import('kops-statestore') both work and agree (error codes,
// memfs stores shared per name and registered backends shared between the two copies), and that the `kops-statestore/driver` and
// `kops-statestore/testing` entry points load in both formats and share the main entry's backend table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const work = mkdtempSync(path.join(tmpdir(), 'statestore-pack-'));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
try {
  // --ignore-scripts: `npm test` built dist/ already; `prepack` (tsup) builds it for a real `npm pack`.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root));
  const tarball = path.join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  // Source maps stay out of the package (they were 11 MB of 18); the whole stays under 6 MB.
  const maps = files.filter((f) => f.endsWith('.map'));
  if (maps.length) throw new Error(`the tarball contains source maps: ${maps.slice(0, 3).join(', ')}...`);
  const MAX_UNPACKED = 6 * 1024 * 1024;
  if (packed[0].unpackedSize > MAX_UNPACKED)
    throw new Error(`the package unpacks to ${packed[0].unpackedSize} bytes, over ${MAX_UNPACKED}`);
  // The command line (dist/cli-main.js, which the bin dist/cli.js imports) imports the library
  // (dist/index.js) instead of bundling a second copy of it; the bin itself stays a few lines, so
  // that it loads nothing before it turns on the compile cache (src/cli/bin.ts).
  const cli = packed[0].files.find((f) => f.path === 'dist/cli-main.js');
  if (cli === undefined || cli.size > 300 * 1024)
    throw new Error(`dist/cli-main.js is ${cli?.size} bytes: it bundles the library again instead of importing it`);
  const bin = packed[0].files.find((f) => f.path === 'dist/cli.js');
  if (bin === undefined || bin.size > 2 * 1024)
    throw new Error(
      `dist/cli.js is ${bin?.size} bytes: the bin should only turn on the compile cache and import cli-main.js`,
    );
  for (const required of [
    'dist/index.js',
    'dist/index.cjs',
    'dist/index.d.ts',
    'dist/index.d.cts',
    'dist/cli.js',
    'dist/cli-main.js',
    'dist/validators.generated.cjs',
    ...['driver', 'testing'].flatMap((entry) => ['.js', '.cjs', '.d.ts', '.d.cts'].map((ext) => `dist/${entry}${ext}`)),
    'README.md',
    'package.json',
  ]) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`);
  }
  const leaked = files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('node_modules/'));
  if (leaked.length) throw new Error(`the tarball contains files it should not: ${leaked.join(', ')}`);
  const app = path.join(work, 'app');
  run('mkdir', ['-p', app], work);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
  const check = `
    // The YAML and config code ships as dist/yaml-lazy.cjs and dist/config-lazy.cjs, required on
    // the first call (scripts/lazy-config.ts): neither format's import loads them, and what they
    // throw is the caller's StateStoreError.
    const { default: Module } = await import('node:module');
    const lazyFiles = () => Object.keys(Module._cache).filter((file) => file.endsWith('-lazy.cjs')).length;
    if (lazyFiles() !== 0) throw new Error('importing the package loaded the lazy config code');
    const badYaml = (() => { try { lib.parseYaml('a: ['); } catch (e) { return e; } })();
    if (!(badYaml instanceof lib.StateStoreError) || badYaml.code !== 'InvalidArgument') throw new Error('the lazy YAML code threw another StateStoreError: ' + badYaml);
    const invalid = (() => { try { lib.assertValidClusterConfig({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'a' }, spec: {} }); } catch (e) { return e; } })();
    if (!(invalid instanceof lib.StateStoreError) || invalid.code !== 'ValidationError') throw new Error('the lazy validation threw another StateStoreError: ' + invalid);
    // yaml, diff and p-limit are bundled into dist/, not dependencies: the installed package runs without them.
    if (lib.stringifyYaml({ a: 1 }).trim() !== 'a: 1') throw new Error('the bundled yaml does not stringify');
    if (!lib.diffConfig({ a: 1 }, { a: 2 }).unified.includes('+a: 2')) throw new Error('the bundled diff does not diff');
    // The kops schema validators ship once (dist/validators.generated.cjs, tsup.config.ts): each format loads them.
    const typed = lib.validateClusterConfig({ apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'a.example.com' }, spec: { kubernetesVersion: 5 } });
    if (!typed.some((i) => i.message === '/spec/kubernetesVersion must be a string')) throw new Error('the schema validators did not run: ' + JSON.stringify(typed));
    for (const name of ['yaml', 'diff', 'p-limit']) {
      if (await import(name).then(() => true, () => false)) throw new Error(name + ' was installed: it should be bundled, not a dependency');
    }
    // The StateStore's code is a chunk openStateStore imports on the first open (src/store/open.ts).
    const store = await lib.openStateStore('memfs://pack-check-store');
    if ((await store.listClusters()).length !== 0) throw new Error('a new memfs store lists clusters');
    await store.close();
    const vfs = await lib.openVfs('memfs://pack-check');
    await vfs.write('a/b', 'hello');
    const text = Buffer.from((await vfs.read('a/b')).body).toString();
    if (text !== 'hello') throw new Error('round trip failed');
    const err = await vfs.read('missing').catch((e) => e);
    if (!other.isStateStoreError(err, 'NotFound')) throw new Error('error codes do not agree across copies');
    // The README promises memfs stores are shared per name: across the ESM and CJS copies too.
    const seen = await (await other.openVfs('memfs://pack-check')).read('a/b').then((r) => Buffer.from(r.body).toString(), (e) => e.code);
    if (seen !== 'hello') throw new Error('memfs stores are not shared between the ESM and CommonJS copies: ' + seen);
    // The subpath entries, in the same format as lib: a backend registered through statestore/driver
    // is opened by statestore's openVfs, and its errors are StateStoreErrors there.
    if (typeof testing.runConformance !== 'function') throw new Error('statestore/testing lacks runConformance');
    if ('registerBackend' in lib) throw new Error('driver API still on the main entry');
    driver.registerBackend({ schemes: ['packcheck'], open: async (url) => { throw new driver.StateStoreError('Unsupported', 'probe ' + url.host); } });
    const probe = await lib.openVfs('packcheck://h').catch((e) => e);
    if (!lib.isStateStoreError(probe, 'Unsupported') || probe.message !== 'probe h') throw new Error('statestore/driver registerBackend is not seen by openVfs: ' + probe);
    // The backend table is shared across the two copies too: registered in this format, opened by the other.
    driver.registerBackend({ schemes: ['across' + kind], open: async (url) => { throw new driver.StateStoreError('Unsupported', 'across ' + url.host); } });
    const across = await other.openVfs('across' + kind + '://h').catch((e) => e);
    if (!other.isStateStoreError(across, 'Unsupported') || across.message !== 'across h') throw new Error('a backend registered in one module format is not seen by the other: ' + across);
    // file:// -> file:// moves copy in worker threads that run from source text (src/migrate/file-copy/):
    // from this format's build too, with no helper of the build missing in the worker.
    const fsm = await import('node:fs'), os = await import('node:os'), p = await import('node:path');
    const from = fsm.mkdtempSync(p.join(os.tmpdir(), 'pack-move-')), to = fsm.mkdtempSync(p.join(os.tmpdir(), 'pack-move-'));
    fsm.mkdirSync(p.join(from, 'c.example.com', 'pki'), { recursive: true });
    for (let i = 0; i < 40; i++) fsm.writeFileSync(p.join(from, 'c.example.com', 'pki', 'f' + i), 'file ' + i);
    fsm.writeFileSync(p.join(from, 'c.example.com', 'config'), 'apiVersion: kops.k8s.io/v1alpha2\\nkind: Cluster\\nmetadata:\\n  name: c.example.com\\nspec:\\n  configBase: file://' + from + '/c.example.com\\n');
    const { Worker } = await import('node:worker_threads');
    const post = Worker.prototype.postMessage;
    let batches = 0;
    Worker.prototype.postMessage = function (...args) { batches++; return post.apply(this, args); };
    const moved = await lib.moveStateStore({ from: 'file://' + from, to: 'file://' + to }).finally(() => { Worker.prototype.postMessage = post; });
    if (moved.clusters[0].copied !== 41 || batches === 0 || fsm.readFileSync(p.join(to, 'c.example.com', 'pki', 'f7'), 'utf8') !== 'file 7')
      throw new Error('a file:// move through the copy workers failed: ' + JSON.stringify(moved.clusters[0]) + ', ' + batches + ' batches');
    for (const dir of [from, to]) fsm.rmSync(dir, { recursive: true, force: true });
    console.log(kind + ' ok: ' + Object.keys(lib).length + ' exports; driver ' + Object.keys(driver).length + ', testing ' + Object.keys(testing).length);`;
  writeFileSync(
    path.join(app, 'cjs.cjs'),
    `const lib = require('kops-statestore'); const driver = require('kops-statestore/driver'); const testing = require('kops-statestore/testing'); const kind = 'require'; (async () => { const other = await import('kops-statestore'); ${check} })().catch((e) => { console.error(e); process.exit(1); });`,
  );
  writeFileSync(
    path.join(app, 'esm.mjs'),
    `import * as lib from 'kops-statestore'; import * as driver from 'kops-statestore/driver'; import * as testing from 'kops-statestore/testing'; import { createRequire } from 'node:module'; const other = createRequire(import.meta.url)('kops-statestore'); const kind = 'import'; ${check}`,
  );
  process.stdout.write(run(process.execPath, ['cjs.cjs'], app));
  process.stdout.write(run(process.execPath, ['esm.mjs'], app));
  // The "bin": npm links it into node_modules/.bin, and it runs (shebang, its dependencies installed).
  // Two names for one command: `statestore`, and the package's own so that `npx kops-statestore` works.
  for (const bin of ['statestore', 'kops-statestore']) {
    const help = run(path.join(app, 'node_modules', '.bin', bin), ['--help'], app);
    if (!help.includes('Usage: statestore') || !help.includes('Examples:'))
      throw new Error(`${bin} --help printed: ${help.slice(0, 200)}`);
    console.log(`bin ok: ${bin} --help`);
  }
  // --version is answered by the bin alone (src/cli/bin.ts), without the command line: the same text.
  const version = run(path.join(app, 'node_modules', '.bin', 'statestore'), ['--version'], app).trim();
  if (version !== packed[0].version)
    throw new Error(`statestore --version printed ${version}, not ${packed[0].version}`);
  console.log(
    `pack check ok: ${packed[0].filename}, ${files.length} files, ${packed[0].size} bytes packed, ${packed[0].unpackedSize} unpacked`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
