// Cold start of the `statestore` command: short commands, each in a fresh process, against node's
// own start. Run after `npm run build`:
//   node bench/cold/commands.mjs [--runs 10] [--node PATH] [--dist dist] [--no-cache | --cache-ab]
// Rows: `node -e 0` (node's start, the floor), `import` of dist/index.js, `statestore --version`,
// `statestore get --help`, `statestore get clusters` of a one-cluster file:// store, and a
// `statestore move` rerun of a 50-file file:// store (nothing to copy). Rounds interleave the rows;
// medians of wall time and of the process's CPU (user + system, from its start: bench/cold/exit-cpu.mjs).
// --node: another node binary (e.g. 22 or 24, whose compile cache the bin turns on; the first
// round warms it, and the figures are medians); --no-cache: NODE_DISABLE_COMPILE_CACHE=1; --cache-ab:
// each statestore row twice a round, with the cache and without.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const runs = Number(arg('runs', '10'));
const node = arg('node', process.execPath);
const dist = path.resolve(arg('dist', path.join(root, 'dist')));
const work = mkdtempSync(path.join(tmpdir(), 'bench-cold-'));
const cpuFile = path.join(work, 'cpu.jsonl');
const hook = pathToFileURL(path.join(root, 'bench', 'cold', 'exit-cpu.mjs')).href;

/** A one-cluster store of `files` small files (and its config). */
function seedStore(dir, files) {
  const cluster = path.join(dir, 'a.example.com');
  mkdirSync(path.join(cluster, 'pki'), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(cluster, 'pki', `f${i}`), `file ${i}\n`);
  const config = `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: a.example.com\nspec:\n  configBase: file://${cluster}\n  kubernetesVersion: 1.30.0\n`;
  writeFileSync(path.join(cluster, 'config'), config);
}

const from = path.join(work, 'from');
seedStore(from, 50);
const cli = path.join(dist, 'cli.js');
const rows = {
  'node -e 0': ['-e', '0'],
  'import dist/index.js': ['--input-type=module', '-e', `await import(${JSON.stringify(path.join(dist, 'index.js'))})`],
  'statestore --version': [cli, '--version'],
  'statestore get --help': [cli, 'get', '--help'],
  'statestore get clusters': [cli, 'get', 'clusters', '--state', `file://${from}`],
  'statestore move, a rerun': [cli, 'move', `file://${from}`, `file://${path.join(work, 'to')}`, '--json'],
};
const env = { ...process.env, BENCH_CPU_FILE: cpuFile };
if (process.argv.includes('--no-cache')) env.NODE_DISABLE_COMPILE_CACHE = '1';
// --cache-ab: each statestore row again with the compile cache off, interleaved with it on (same load).
const noCache = { ...env, NODE_DISABLE_COMPILE_CACHE: '1' };
const runsOf = Object.entries(rows).flatMap(([name, args]) =>
  process.argv.includes('--cache-ab') && name.startsWith('statestore')
    ? [
        [name, args, env],
        [`${name} (no cache)`, args, noCache],
      ]
    : [[name, args, env]],
);
const samples = Object.fromEntries(runsOf.map(([name]) => [name, []]));
try {
  // The move's first run copies; every timed one after is a rerun.
  execFileSync(node, rows['statestore move, a rerun'], { env, stdio: 'ignore' });
  for (let round = 0; round < runs; round++) {
    for (const [name, args, runEnv] of runsOf) {
      rmSync(cpuFile, { force: true });
      const started = performance.now();
      execFileSync(node, ['--import', hook, ...args], { env: runEnv, stdio: 'ignore' });
      const wallMs = performance.now() - started;
      samples[name].push({ wallMs, ...JSON.parse(readFileSync(cpuFile, 'utf8')) });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`${path.relative(root, dist) || dist}, node ${version}, medians of ${runs} fresh processes each:`);
for (const [name, list] of Object.entries(samples)) {
  const wall = median(list.map((s) => s.wallMs));
  const cpu = median(list.map((s) => s.cpuMs));
  const rss = median(list.map((s) => s.maxRssKb)) / 1024;
  console.log(
    `  ${name.padEnd(37)} wall ${wall.toFixed(1).padStart(6)} ms  CPU ${cpu.toFixed(1).padStart(6)} ms  RSS ${rss.toFixed(0).padStart(4)} MB`,
  );
}
