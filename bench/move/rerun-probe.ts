/**
 * No-op reruns of moveStateStore on Ceph RGW, in this process, alternating this checkout's build
 * with another's (`--base DIR/dist/index.js`, e.g. main's built in a `git archive` of it): what
 * the listing costs a rerun, without a child's start-up and import (bench/README.md, "Parallel
 * listing"). Each shape is seeded and moved once by each build (into its own prefix), then each
 * round reruns both, in turns (the first of a round alternates), with the server's CPU over each.
 *
 *   npx tsx bench/move/rerun-probe.ts --base temp/base/dist/index.js [--shapes one,many,kops,deep] [--rounds 8]
 *     [--latency MS]
 *
 * --latency: every request of the moves through a proxy (test/servers/fault-proxy.ts, no faults)
 * that holds it up to MS ms (uniformly drawn) before forwarding: a server farther away than
 * 127.0.0.1, as a cloud's is.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFaultProxy, type FaultProxy } from '../../test/servers/fault-proxy.js';
import { startRgw } from '../../test/servers/rgw.js';
import { serverCpuReader } from './server-cpu.js';
import { seedS3, type ShapeName } from './shapes.js';

type Move = (options: Record<string, unknown>) => Promise<unknown>;

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1]!;
};
const shapes = arg('shapes', 'one,many,kops,deep').split(',') as ShapeName[];
const rounds = Number(arg('rounds', '8'));
const latencyMs = Number(arg('latency', '0'));
const load = async (file: string): Promise<Move> =>
  ((await import(pathToFileURL(path.resolve(file)).href)) as { moveStateStore: Move }).moveStateStore;
const builds: Record<string, Move> = {
  branch: await load('dist/index.js'),
  base: await load(arg('base', 'temp/base/dist/index.js')),
};

const rgw = await startRgw();
const work = await mkdtemp(path.join(tmpdir(), 'rerun-probe-'));
let proxy: FaultProxy | undefined;
try {
  await rgw.createBucket('src');
  await rgw.createBucket('dst');
  const client = new S3Client({ ...rgw.s3, forcePathStyle: true });
  // The client's Host header is kept through the proxy: SigV4 signs it.
  proxy =
    latencyMs > 0
      ? await startFaultProxy({ target: rgw.endpoint, flavour: 's3', preserveHost: true, latencyMs })
      : undefined;
  const openOptions = { env: {}, s3: { ...rgw.s3, endpoint: proxy?.endpoint ?? rgw.endpoint, dialect: 'rgw' } };
  const serverCpu = serverCpuReader()!;
  const move = (build: string, shape: ShapeName) =>
    builds[build]!({
      from: `s3://src/${shape}`,
      to: `s3://dst/${shape}-${build}`,
      digestFolder: `${work}/${build}`,
      openOptions,
      createOnly: 'listing',
    });
  for (const shape of shapes) {
    await seedS3(client, shape, shape, 1);
    for (const build of Object.keys(builds)) await move(build, shape);
  }
  const figures = new Map<string, Array<{ wall: number; server: number; load: number }>>();
  for (let round = 0; round < rounds; round++)
    for (const shape of shapes) {
      const order = round % 2 === 0 ? ['branch', 'base'] : ['base', 'branch'];
      for (const build of order) {
        const cpu = serverCpu();
        const started = performance.now();
        await move(build, shape);
        const wall = performance.now() - started;
        const row = figures.get(`${shape} ${build}`) ?? [];
        row.push({ wall, server: (serverCpu() - cpu) * 1000, load: loadavg()[0]! });
        figures.set(`${shape} ${build}`, row);
      }
    }
  const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  const through = latencyMs > 0 ? `, through a proxy adding 0-${latencyMs} ms a request` : '';
  process.stdout.write(`rerun in-process${through}, medians of ${rounds} (ms): wall / server CPU; load 1-min\n`);
  for (const [row, runs] of figures)
    process.stdout.write(
      `${row.padEnd(16)} ${median(runs.map((r) => r.wall))
        .toFixed(0)
        .padStart(5)} / ${median(runs.map((r) => r.server))
        .toFixed(0)
        .padStart(4)}` +
        `   load ${Math.min(...runs.map((r) => r.load)).toFixed(1)}-${Math.max(...runs.map((r) => r.load)).toFixed(1)}` +
        `   walls ${runs.map((r) => r.wall.toFixed(0)).join(' ')}\n`,
    );
} finally {
  await proxy?.stop();
  await rm(work, { recursive: true, force: true });
  await rgw.stop();
}
