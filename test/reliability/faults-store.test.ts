/**
 * mergeConfig under contention and moveStateStore, on S3 through the fault-injecting proxy
 * (seeded 503/500 answers, dropped connections, responses cut after the server acted). Every
 * operation completes correctly through retries; the stored config is never partial or corrupt.
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { parseYamlDocuments } from '../../src/merge/yaml/parse.js';
import { StateStore } from '../../src/store/state-store.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { loadTree, treeFiles, TREES } from '../store/trees.js';

let server: S3rverHandle;
let proxy: FaultProxy;
const tree = TREES[0]!;
const s3 = () => ({ credentials: S3RVER_CREDENTIALS, region: 'us-east-1' });

beforeAll(async () => {
  server = await startS3rver({ buckets: ['faults', 'moved'] });
  proxy = await startFaultProxy({ target: server.endpoint, seed: 8, errorRate: 0.12, dropRate: 0.03, resetRate: 0.03, latencyMs: 3, flavour: 's3' });
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

const faulty = (url: string) => openVfs(url, { env: {}, retry: { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 20 }, s3: { ...s3(), endpoint: proxy.endpoint } });
const direct = (url: string) => openVfs(url, { env: {}, s3: { ...s3(), endpoint: server.endpoint } });

it('16 concurrent mergeConfig calls through faults: every change present, config always whole', async () => {
  const setup = await direct('s3://faults/merge');
  await loadTree(setup, tree);
  const stores = await Promise.all(Array.from({ length: 16 }, async () => new StateStore(await faulty('s3://faults/merge'))));
  const before = proxy.stats.errors + proxy.stats.drops + proxy.stats.resets;
  await Promise.all(stores.map((store, i) => store.mergeConfig(tree.cluster, { set: [`spec.cloudLabels.client-${i}=ok`] })));
  const text = Buffer.from((await setup.read(`${tree.cluster}/config`)).body).toString();
  const config = parseYamlDocuments(text)[0]!.value as { spec: { cloudLabels: Record<string, string>; kubernetesVersion: string } };
  for (let i = 0; i < 16; i++) expect(config.spec.cloudLabels[`client-${i}`]).toBe('ok');
  expect(config.spec.kubernetesVersion).toBe('v1.34.0-alpha.1');
  expect(proxy.stats.errors + proxy.stats.drops + proxy.stats.resets - before).toBeGreaterThan(0);
  await Promise.all(stores.map((store) => store.close()));
  await setup.close();
});

it('moveStateStore through faults: the copy is complete and identical, and a rerun copies nothing', async () => {
  const sourceDirect = await direct('s3://faults/source');
  await loadTree(sourceDirect, tree);
  const from = await faulty('s3://faults/source');
  const to = await faulty('s3://moved/target');
  const result = await moveStateStore({ from, to, concurrency: 8 });
  expect(result.clusters[0]!.copied).toBe(treeFiles(tree).size);
  const check = await direct('s3://moved/target');
  for (const [key, body] of treeFiles(tree)) {
    if (key.endsWith('/config')) continue;
    expect(Buffer.from((await check.read(key)).body).equals(body)).toBe(true);
  }
  expect(await new StateStore(check).listClusters()).toEqual([tree.cluster]);
  const rerun = await moveStateStore({ from, to });
  expect(rerun.clusters[0]!.copied).toBe(0);
  await Promise.all([from.close(), to.close(), check.close(), sourceDirect.close()]);
});
