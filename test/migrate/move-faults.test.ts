/**
 * A move that streams across backends (S3 through the fault proxy, to file://): answers cut
 * half-way through their bodies, 503s and dropped connections on the source. Each file whose
 * stream broke is sent again whole; the destination ends byte-identical and a rerun copies nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { loadTree, TREES } from '../store/trees.js';

const tree = TREES[0]!;
const s3 = { credentials: S3RVER_CREDENTIALS, region: 'us-east-1' };
let server: S3rverHandle;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['streams'] });
  proxy = await startFaultProxy({
    target: server.endpoint,
    seed: 20261128,
    errorRate: 0.1,
    resetRate: 0.25,
    dropRate: 0.03,
    flavour: 's3',
  });
  dir = await mkdtemp(path.join(tmpdir(), 'move-faults-'));
});
afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('moves s3 (faulty) -> file: every file whole, rerun copies nothing', async () => {
  const setup = await openVfs('s3://streams/old', { env: {}, s3: { ...s3, endpoint: server.endpoint } });
  const expected = await loadTree(setup, tree);
  for (let i = 0; i < 6; i++) {
    const body = randomBytes(256 * 1024);
    await setup.write(`${tree.cluster}/backups/blob-${i}`, body);
    expected.set(`${tree.cluster}/backups/blob-${i}`, body);
  }
  const from = await openVfs('s3://streams/old', {
    env: {},
    retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 10 },
    s3: { ...s3, endpoint: proxy.endpoint },
  });
  const to = await openVfs(`file://${dir}`);
  const result = await moveStateStore({
    from,
    to,
    concurrency: 4,
    retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 10 },
  });
  expect(result.clusters[0]).toMatchObject({ copied: expected.size, skipped: 0 });
  for (const [key, body] of expected) {
    if (key.endsWith('/config')) continue;
    expect(Buffer.from((await to.read(key)).body).equals(body)).toBe(true);
  }
  expect(await (await openStateStore(to)).listClusters()).toEqual([tree.cluster]);
  expect(proxy.stats.resets).toBeGreaterThan(0);
  const rerun = await moveStateStore({ from, to });
  expect(rerun.clusters[0]).toMatchObject({ copied: 0, skipped: expected.size });
  await Promise.all([setup.close(), from.close(), to.close()]);
});
