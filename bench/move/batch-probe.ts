/**
 * file:// -> file:// probe of the calling thread's share (issue #29.3, per-cluster batches): one
 * process moves the bench's file shape (or `--clusters N` clusters of `--files` files) and reruns
 * it, `--repeat` times, and prints per move the wall time, the process's CPU (workers included)
 * and the calling thread's busy time (event-loop utilization: what the main thread spent, the
 * workers' waits for it included). `--lib` names the built package to import, so two builds can
 * be run alternately at the same load:
 *
 *   for i in 1 2 3; do for lib in dist .baseline/dist; do
 *     TMPDIR=/dev/shm npx tsx bench/move/batch-probe.ts --lib $lib/index.js --repeat 1; done; done
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { moveStateStore as MoveStateStore } from '../../src/index.js';
import { seedFolder } from './shapes.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const REPEAT = Number(arg('repeat', '3'));
const LIB = path.resolve(arg('lib', 'dist/index.js'));
const CLUSTERS = Number(arg('clusters', '0'));
const FILES = Number(arg('files', '10'));
/** `--marks`: when the copy's first and last file, each cluster's plan and end came (onProgress; slows the copy a little). */
const MARKS = process.argv.includes('--marks');
let copyMarks = '';

/** `clusters` clusters of `files` files (a config and 1 KiB files), as the bench's many shape. */
async function seedMany(dir: string, clusters: number, files: number): Promise<void> {
  for (let c = 0; c < clusters; c++) {
    const cluster = `c${c}.example.com`;
    await mkdir(path.join(dir, cluster, 'pki'), { recursive: true });
    for (let f = 1; f < files; f++) await writeFile(path.join(dir, cluster, 'pki', `f${f}`), Buffer.alloc(1024, f));
    const config = `apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata:\n  name: ${cluster}\nspec:\n  configBase: file://${dir}/${cluster}\n`;
    await writeFile(path.join(dir, cluster, 'config'), config);
  }
}

async function timed(run: () => Promise<unknown>): Promise<string> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  await run();
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(elu);
  const wall = (performance.now() - started) / 1000;
  const cpuS = (used.user + used.system) / 1e6;
  return `${wall.toFixed(3)} s, CPU ${cpuS.toFixed(3)} s, main busy ${(busy.active / 1000).toFixed(3)} s`;
}

async function main(): Promise<void> {
  const { moveStateStore } = (await import(pathToFileURL(LIB).href)) as { moveStateStore: typeof MoveStateStore };
  const work = await mkdtemp(path.join(tmpdir(), 'bench-batch-probe-'));
  try {
    const src = path.join(work, 'src');
    if (CLUSTERS > 0) await seedMany(src, CLUSTERS, FILES);
    else await seedFolder(src, 1);
    for (let round = 1; round <= REPEAT; round++) {
      const to = path.join(work, `dst-${round}`);
      const marks: string[] = [];
      let started = 0;
      let first = 0;
      let last = 0;
      const onProgress = (event: { type: string }) => {
        const at = performance.now() - started;
        if (event.type !== 'file') marks.push(`${event.type} ${at.toFixed(0)}`);
        else if (first === 0) first = at;
        else last = at;
      };
      const move = () => {
        started = performance.now();
        [first, last, marks.length] = [0, 0, 0];
        return moveStateStore({
          from: `file://${src}`,
          to: `file://${to}`,
          digestFolder: path.join(work, 'digests'),
          onProgress,
        });
      };
      const copy = await timed(move);
      if (MARKS)
        copyMarks = `first file ${first.toFixed(0)} ms, last ${last.toFixed(0)}, ${marks.join(', ')}, end ${(performance.now() - started).toFixed(0)}`;
      const rerun = await timed(move);
      const load = loadavg()[0]!.toFixed(2);
      process.stdout.write(`${path.relative(process.cwd(), LIB)} copy ${copy} | rerun ${rerun} (load ${load})\n`);
      if (MARKS) process.stdout.write(`  copy marks (ms from the call): ${copyMarks}\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
