/**
 * Between two S3 stores on one endpoint with the same credentials, the move copies inside the
 * service (CopyObject across buckets) instead of streaming through this process; with different
 * credentials it streams.
 */
import { openVfs } from '../../src/backends/registry.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { openStateStore } from '../../src/store/open.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHandle } from '../servers/s3rver.js';
import { loadTree, treeFiles, TREES } from '../store/trees.js';

const tree = TREES[0]!;
/** The files the move scans for the old store's URL (cluster-run.ts). */
const GENERATED = /^(cluster-completed\.spec|igconfig\/.*|manifests\/.*|addons\/bootstrap-channel\.yaml)$/;
const OTHER = { accessKeyId: 'OTHERKEY', secretAccessKey: 'OTHERSECRET' };
let server: S3rverHandle;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['old-state', 'new-state'], accounts: [OTHER] });
});
afterAll(async () => {
  await server?.stop();
});

const open = (
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = S3RVER_CREDENTIALS,
  s3: { multipartCopyThreshold?: number; partSize?: number } = {},
) => openVfs(url, { env: {}, s3: { endpoint: server.endpoint, credentials, region: 'us-east-1', ...s3 } });
const MIB = 1024 * 1024;

it('copies server-side across buckets of one endpoint, byte for byte', async () => {
  const from = await open('s3://old-state/a');
  const to = await open('s3://new-state/a');
  await loadTree(from, tree);
  await server.clearRequests();
  const result = await moveStateStore({ from, to });
  expect(result.clusters[0]!.copied).toBe(treeFiles(tree).size);
  const requests = await server.requests();
  // The destination's dialect is probed on its first create-only copy (one CopyObject of its own).
  const probe = (key?: string) => (key ?? '').includes('.statestore-dialect-probe-');
  const copies = requests.filter(
    (r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined && !probe(r.key),
  );
  // Generated files that may name the store are read to be scanned, then written from those bytes.
  const generated = [...treeFiles(tree).keys()].filter((key) => GENERATED.test(key.slice(tree.cluster.length + 1)));
  expect(generated.length).toBeGreaterThan(0);
  expect(copies.length).toBe(treeFiles(tree).size - 1 - generated.length); // not config (rewritten) either
  expect(copies.every((r) => r.headers['x-amz-copy-source']!.startsWith('old-state/'))).toBe(true);
  // Each of those and the config read once, nothing else read: no file is read twice.
  const reads = requests.filter((r) => r.method === 'GET' && r.bucket === 'old-state' && r.key !== undefined);
  expect(reads.map((r) => r.key).sort()).toEqual(
    [...generated, `${tree.cluster}/config`].map((key) => `a/${key}`).sort(),
  );
  // Sizes come from the source listing, confirmed by each copy's ETag (its MD5): no HEAD per file.
  expect(requests.filter((r) => r.method === 'HEAD' && r.bucket === 'new-state' && !probe(r.key))).toEqual([]);
  for (const [key, body] of treeFiles(tree)) {
    if (!key.endsWith('/config')) expect(Buffer.from((await to.read(key)).body).equals(body)).toBe(true);
  }
  expect(await (await openStateStore(to)).listClusters()).toEqual([tree.cluster]);
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
  expect(await (await openStateStore(to)).listClusters()).toEqual([tree.cluster]);
  await Promise.all([from.close(), to.close()]);
});

describe('copyFrom with the listed source', () => {
  it("reports the listed size when the copy's MD5 proves it, and asks the service when it does not", async () => {
    const from = await open('s3://old-state/c');
    const to = await open('s3://new-state/c');
    const first = await from.write('k', 'first version');
    await from.write('k', 'the second, longer version');
    // A stale listing: the copy's ETag is not the listed MD5, so the size is asked for, not trusted.
    const copied = await to.copyFrom!(from, 'k', 'k', { sourceInfo: first });
    expect(copied).toMatchObject({ size: 'the second, longer version'.length });
    expect(copied!.md5).not.toBe(first.md5);
    const current = await from.stat('k');
    await expect(to.copyFrom!(from, 'k', 'k2', { sourceInfo: current })).resolves.toMatchObject({
      size: current.size,
      md5: current.md5,
    });
    await Promise.all([from.close(), to.close()]);
  });

  it('copies an object over the copy threshold in ranges across buckets (UploadPartCopy)', async () => {
    const from = await open('s3://old-state/d');
    const to = await open('s3://new-state/d', S3RVER_CREDENTIALS, {
      multipartCopyThreshold: 5 * MIB,
      partSize: 5 * MIB,
    });
    const body = Buffer.alloc(11 * MIB, 'abcdefghij');
    const listed = await from.write('big', body);
    await server.clearRequests();
    const copied = await to.copyFrom!(from, 'big', 'big', { ifNoneMatch: '*', sourceInfo: listed });
    expect(copied).toMatchObject({ size: body.length });
    const parts = (await server.requests()).filter((r) => r.headers['x-amz-copy-source-range'] !== undefined);
    expect(parts.map((r) => r.headers['x-amz-copy-source-range'])).toEqual([
      `bytes=0-${5 * MIB - 1}`,
      `bytes=${5 * MIB}-${10 * MIB - 1}`,
      `bytes=${10 * MIB}-${11 * MIB - 1}`,
    ]);
    expect(parts.every((r) => r.headers['x-amz-copy-source']!.startsWith('old-state/'))).toBe(true);
    expect(Buffer.from((await to.read('big')).body).equals(body)).toBe(true);
    // The destination condition still holds on the completion.
    await expect(to.copyFrom!(from, 'big', 'big', { ifNoneMatch: '*', sourceInfo: listed })).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    await Promise.all([from.close(), to.close()]);
  });
});

describe("createOnly: 'listing' where CopyObject honours If-None-Match (s3rver, the aws dialect)", () => {
  it('still sends If-None-Match: * on every CopyObject, and a taken key is still refused', async () => {
    const from = await open('s3://old-state/listing');
    const to = await open('s3://new-state/listing');
    await loadTree(from, tree);
    await server.clearRequests();
    const result = await moveStateStore({ from, to, createOnly: 'listing' });
    expect(result.clusters[0]!.copied).toBe(treeFiles(tree).size);
    const probe = (key?: string) => (key ?? '').includes('.statestore-dialect-probe-');
    const copies = (await server.requests()).filter(
      (r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined && !probe(r.key),
    );
    const generated = [...treeFiles(tree).keys()].filter((key) => GENERATED.test(key.slice(tree.cluster.length + 1)));
    expect(copies.length).toBe(treeFiles(tree).size - 1 - generated.length);
    expect(copies.every((r) => r.headers['if-none-match'] === '*')).toBe(true);
    // The driver contract itself: best-effort still enforces where the copy can.
    const listed = await from.stat(`${tree.cluster}/config`);
    await expect(
      to.copyFrom!(from, listed.key, listed.key, {
        ifNoneMatch: '*',
        ifNoneMatchInService: 'best-effort',
        sourceInfo: listed,
      }),
    ).rejects.toMatchObject({ code: 'AlreadyExists' });
    await Promise.all([from.close(), to.close()]);
  });

  it('refuses a createOnly or ifNoneMatchInService that is neither of its values (InvalidArgument)', async () => {
    const from = await open('s3://old-state/listing-bad');
    const to = await open('s3://new-state/listing-bad');
    const bad = 'listed' as unknown as 'listing';
    await expect(moveStateStore({ from, to, createOnly: bad })).rejects.toMatchObject({ code: 'InvalidArgument' });
    const badMode = 'skip' as unknown as 'best-effort';
    await expect(to.copyFrom!(from, 'k', 'k', { ifNoneMatchInService: badMode })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await Promise.all([from.close(), to.close()]);
  });
});
