/**
 * listAll throughput on file:// and memfs:// (issue #14.8): the time to list every key of a
 * store page by page (1,000 keys a page), at n and n/2 keys, to show that it grows linearly.
 *
 *   npx tsx bench/list/run.ts [--file-keys 20000] [--memfs-keys 100000] [--repeat 3]
 *
 * file:// is measured with two layouts: "spread" (folders of 100 files, like kops's pki/ and
 * instancegroup/ folders under many clusters) and "flat" (every file in one folder, the worst
 * case for a walk that re-reads the folder it resumes in). Files are created with fs directly;
 * only the listing is timed (wall and CPU time, medians of --repeat runs). Figures go to
 * bench/README.md by hand; nothing here is asserted.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import type { Vfs } from '../../src/vfs/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/** Median wall and CPU (user + system) milliseconds of a full listAll; CPU is steadier on a shared machine. */
async function timeListAll(vfs: Vfs, expected: number, repeat: number): Promise<{ wall: number; cpu: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let count = 0;
    for await (const _ of vfs.listAll()) count += 1;
    const used = process.cpuUsage(cpu);
    walls.push(performance.now() - started);
    cpus.push((used.user + used.system) / 1000);
    if (count !== expected) throw new Error(`listed ${count} keys, expected ${expected}`);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { wall: median(walls), cpu: median(cpus) };
}

async function fileStore(keys: number, perFolder: number): Promise<{ vfs: Vfs; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'statestore-bench-list-'));
  for (let start = 0; start < keys; start += perFolder) {
    const folder = path.join(dir, `cluster-${Math.floor(start / perFolder)}`, 'pki');
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const count = Math.min(perFolder, keys - start);
    for (let batch = 0; batch < count; batch += 256) {
      const size = Math.min(256, count - batch);
      await Promise.all(
        Array.from({ length: size }, (_, i) =>
          writeFile(path.join(folder, `key-${start + batch + i}`), 'x', { mode: 0o600 }),
        ),
      );
    }
  }
  // Listings keep a large folder's sorted entries between pages only once it has been left alone
  // for 2 s (src/backends/file/dir-cache.ts): a state store's folders are, most of the time.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  return { vfs: await openVfs(`file://${dir}`), dir };
}

async function memfsStore(keys: number): Promise<Vfs> {
  const vfs = await openVfs(`memfs://bench-list-${keys}-${process.pid}`);
  // Written in a scattered order, so the listing cannot lean on insertion order.
  for (let i = 0; i < keys; i++) await vfs.write(`cluster-${i % 97}/pki/key-${(i * 7919) % keys}`, 'x');
  return vfs;
}

async function main(): Promise<void> {
  const fileKeys = arg('file-keys', 20_000);
  const memfsKeys = arg('memfs-keys', 100_000);
  const repeat = arg('repeat', 3);
  const rows: Array<[string, number, { wall: number; cpu: number }]> = [];
  for (const [layout, perFolder] of [
    ['spread', 100],
    ['flat', Number.MAX_SAFE_INTEGER],
  ] as const) {
    for (const keys of [fileKeys / 2, fileKeys]) {
      const { vfs, dir } = await fileStore(keys, perFolder);
      try {
        rows.push([`file:// ${layout}`, keys, await timeListAll(vfs, keys, repeat)]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  for (const keys of [memfsKeys / 2, memfsKeys])
    rows.push(['memfs://', keys, await timeListAll(await memfsStore(keys), keys, repeat)]);
  console.log('| store | keys | listAll wall ms | CPU ms | CPU ms per 1,000 keys |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [store, keys, { wall, cpu }] of rows) {
    console.log(
      `| ${store} | ${keys.toLocaleString('en')} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${((cpu / keys) * 1000).toFixed(1)} |`,
    );
  }
}

await main();
