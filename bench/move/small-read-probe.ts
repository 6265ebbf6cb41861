/**
 * Client CPU (user + system, and user alone: on loopback the kernel's send does the receiving side's
 * TCP work too) of one small read on Ceph RGW (issue #29): N reads of a 3 KiB object, `inFlight` at
 * a time, through `readCapped` (what a move, a lease, a keyset or a history read uses), `Vfs.read`
 * and `Vfs.readStream` + `for await`; `process.cpuUsage()` per read. Rounds alternate the ways so
 * each sees the same load. `--src DIR` imports statestore from another source tree (a checkout of
 * main, for before/after in one run of the same gateway).
 *
 *   npx tsx bench/move/small-read-probe.ts [--n 2000] [--in-flight 64] [--rounds 3] [--size 3072]
 *     [--ways capped,read,stream,stat] [--warmup 200] [--src temp/base-src/src] [--label after]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRgw } from '../../test/servers/rgw.js';
import type { Vfs } from '../../src/vfs/types.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1]! : fallback;
}

const N = Number(arg('n', '2000'));
const IN_FLIGHT = Number(arg('in-flight', '64'));
const ROUNDS = Number(arg('rounds', '3'));
const SIZE = Number(arg('size', '3072'));
const WAYS = arg('ways', 'capped,read,stream').split(',');
const SRC = path.resolve(arg('src', path.join(import.meta.dirname, '../../src')));
const LABEL = arg('label', path.relative(process.cwd(), SRC) || 'src');
/** Reads of each way before the measured rounds (0: the first round pays the JIT, as a short move does). */
const WARMUP = Number(arg('warmup', '200'));

type Reader = (vfs: Vfs, key: string) => Promise<number>;

async function readers(): Promise<Record<string, Reader>> {
  const { readCapped } = (await import(pathToFileURL(path.join(SRC, 'store/capped-read.ts')).href)) as {
    readCapped: (vfs: Vfs, key: string) => Promise<{ body: Uint8Array }>;
  };
  return {
    capped: async (vfs, key) => (await readCapped(vfs, key)).body.byteLength,
    read: async (vfs, key) => (await vfs.read(key)).body.byteLength,
    // The floor: a HEAD, the same request without a body to read.
    stat: async (vfs, key) => (await vfs.stat(key)).size,
    stream: async (vfs, key) => {
      let length = 0;
      for await (const chunk of (await vfs.readStream(key)).body) length += (chunk as Buffer).length;
      return length;
    },
  };
}

/** `n` reads, `IN_FLIGHT` at a time; resolves with CPU us per read and wall ms. */
async function run(vfs: Vfs, keys: string[], n: number, read: Reader) {
  let next = 0;
  const started = performance.now();
  const before = process.cpuUsage();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const length = await read(vfs, keys[i % keys.length]!);
      if (length !== SIZE) throw new Error(`read ${length} bytes, not ${SIZE}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const cpu = process.cpuUsage(before);
  return { cpu: (cpu.user + cpu.system) / n, user: cpu.user / n, wall: performance.now() - started };
}

const rgw = await startRgw();
try {
  await rgw.createBucket('small-read');
  const { openVfs } = (await import(pathToFileURL(path.join(SRC, 'backends/registry.ts')).href)) as {
    openVfs: (url: string, options: object) => Promise<Vfs>;
  };
  const vfs = await openVfs('s3://small-read/probe', { env: {}, s3: rgw.s3 });
  const keys = Array.from({ length: 64 }, (_, i) => `cluster-${i}/config`);
  const body = Buffer.alloc(SIZE, 'kind: Cluster\n');
  await Promise.all(keys.map((key) => vfs.write(key, body)));
  const ways = await readers();
  // Warm-up: each way once, so that the first round of the first way does not pay every module's JIT alone.
  if (WARMUP > 0) for (const way of WAYS) await run(vfs, keys, WARMUP, ways[way]!);
  const results: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++)
    for (const way of WAYS) {
      const { cpu, user, wall } = await run(vfs, keys, N, ways[way]!);
      (results[way] ??= []).push(cpu);
      (results[`${way} user`] ??= []).push(user);
      console.log(
        `${LABEL} round ${round + 1} ${way}: ${cpu.toFixed(0)} us CPU per read (${user.toFixed(0)} user), ${wall.toFixed(0)} ms wall`,
      );
    }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(0);
  for (const way of WAYS)
    console.log(
      `${LABEL} ${way}: median ${median(results[way]!)} us CPU per read (${median(results[`${way} user`]!)} user)`,
    );
  await vfs.close();
} finally {
  await rgw.stop();
}
