/**
 * Between two S3 stores on one endpoint with the same credentials, the move copies inside the
 * service (CopyObject across buckets) instead of streaming through this process; with different
 * credentials it streams.
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { StateStore } from '../../src/store/state-store.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { loadTree, treeFiles, TREES } from '../store/trees.js';

const tree = TREES[0]!;
const OTHER = { accessKeyId: 'OTHERKEY', secretAccessKey: 'OTHERSECRET' };
let server: S3rverHandle;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['old-state', 'new-state'], accounts: [OTHER] });
});
afterAll(async () => {
  await server?.stop();
});

const open = (url: string, credentials: { accessKeyId: string; secretAccessKey: string } = S3RVER_CREDENTIALS) => openVfs(url, { env: {}, s3: { endpoint: server.endpoint, credentials, region: 'us-east-1' } });

it('copies server-side across buckets of one endpoint, byte for byte', async () => {
  const from = await open('s3://old-state/a');
  const to = await open('s3://new-state/a');
  await loadTree(from, tree);
  await server.clearRequests();
  const result = await moveStateStore({ from, to });
  expect(result.clusters[0]!.copied).toBe(treeFiles(tree).size);
  const requests = await server.requests();
  const copies = requests.filter((r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined);
  expect(copies.length).toBe(treeFiles(tree).size - 1); // all but config, which is rewritten
  expect(copies.every((r) => r.headers['x-amz-copy-source']!.startsWith('old-state/'))).toBe(true);
  for (const [key, body] of treeFiles(tree)) {
    if (!key.endsWith('/config')) expect(Buffer.from((await to.read(key)).body).equals(body)).toBe(true);
  }
  expect(await new StateStore(to).listClusters()).toEqual([tree.cluster]);
  await Promise.all([from.close(), to.close()]);
});

it('streams when the two stores use different credentials', async () => {
  const from = await open('s3://old-state/b');
  const to = await open('s3://new-state/b', OTHER);
  await loadTree(from, tree);
  await server.clearRequests();
  await moveStateStore({ from, to });
  const requests = await server.requests();
  expect(requests.some((r) => r.headers['x-amz-copy-source'] !== undefined)).toBe(false);
  expect(await new StateStore(to).listClusters()).toEqual([tree.cluster]);
  await Promise.all([from.close(), to.close()]);
});
