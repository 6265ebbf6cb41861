/**
 * file:// -> file:// probe (issue #17): times one move and its no-op rerun of the bench's file
 * shape, with the file backend's defaults and with `fsync: false`, to see what durability costs.
 * Run: npx tsx bench/move/file-probe.ts [--scale 1] [--repeat 3] [--fsync true,false]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { moveStateStore } from '../../src/index.js';
import { seedFolder } from './shapes.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const SCALE = Number(arg('scale', '1'));
const REPEAT = Number(arg('repeat', '3'));
const FSYNC = arg('fsync', 'true,false')
  .split(',')
  .map((value) => value === 'true');

/** Wall seconds, and the CPU seconds (user + system) of this process: steadier on a shared machine. */
async function timed(run: () => Promise<unknown>): Promise<string> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  return `${((performance.now() - started) / 1000).toFixed(2)} s (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s)`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'bench-file-probe-'));
  try {
    const src = path.join(work, 'src');
    await seedFolder(src, SCALE);
    for (let round = 1; round <= REPEAT; round++) {
      for (const fsync of FSYNC) {
        const to = path.join(work, `dst-${round}-${fsync}`);
        const move = () =>
          moveStateStore({
            from: `file://${src}`,
            to: `file://${to}`,
            openOptions: { file: { fsync } },
            digestFolder: path.join(work, 'digests'),
          });
        const copy = await timed(move);
        const rerun = await timed(move);
        const load = loadavg()[0]!.toFixed(1);
        process.stdout.write(`round ${round} fsync ${fsync}: copy ${copy}, rerun ${rerun} (load ${load})\n`);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
