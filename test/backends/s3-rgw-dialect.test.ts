/**
 * The conformance suite, merges and moves on s3rver answering as Ceph RGW 16.2 does (measured
 * for issue 32; switches in test/servers/s3rver-dialect.ts): PutObject `If-Match` only unquoted,
 * CopyObject and CompleteMultipartUpload ignoring their conditions, DeleteObject ignoring
 * `If-Match`. The store is opened as a user would (no dialect given): the probe finds `rgw`.
 * (The AWS dialect's run is test/backends/s3.test.ts.)
 */
import { openVfs } from '../../src/backends/registry.js';
import { clearDialectCache } from '../../src/backends/s3/dialect-probe.js';
import { moveStateStore } from '../../src/migrate/move.js';
import { openStateStore } from '../../src/store/open.js';
import type { OpenVfsOptions } from '../../src/backends/options.js';
import { runConformance } from '../conformance/suite.js';
import { startConnectionCounter, type ConnectionCounter } from '../servers/connection-counter.js';
import { startS3rver, S3RVER_CREDENTIALS, type S3rverHandle } from '../servers/s3rver.js';
import { rejection } from '../helpers/index.js';
import { loadTree, TREES } from '../store/trees.js';

let server: S3rverHandle;
/** Between the SDK and s3rver, for the conformance stores only: counts the bytes streamed. */
let proxy: ConnectionCounter;
let counter = 0;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['rgw', 'other'] });
  await server.setDialect({ putIfMatch: 'unquoted', copy: 'ignore', complete: 'ignore', deleteIfMatch: 'ignore' });
  clearDialectCache();
  proxy = await startConnectionCounter(server.endpoint);
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

const options = (s3: OpenVfsOptions['s3'] = {}): OpenVfsOptions => ({
  env: {},
  s3: { endpoint: server.endpoint, credentials: S3RVER_CREDENTIALS, ...s3 },
});
const fresh = (s3?: OpenVfsOptions['s3']) => openVfs(`s3://rgw/run-${String(++counter).padStart(4, '0')}`, options(s3));

runConformance({
  name: 's3 (RGW 16.2 dialect, probed)',
  open: () => fresh({ endpoint: proxy.endpoint }),
  transferred: () => proxy.transferred(),
  // Over one 8 MiB part: a create-only stream is staged, then written with a conditional PutObject.
  largeObjectBytes: 20 * 1024 * 1024,
  keyPrefixBytes: 'run-0001/'.length,
});

describe('store operations on the RGW dialect', () => {
  const tree = TREES[0]!;

  it('probes rgw once, and merges in one attempt', async () => {
    const vfs = await fresh();
    expect(await vfs.loadCapabilities()).toMatchObject({ ifMatch: true, ifNoneMatch: true, deleteIfMatch: false });
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const result = await store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    await vfs.close();
  });

  it('with the wrong dialect (aws: quoted If-Match), a merge stops early and says it is not contention', async () => {
    const vfs = await fresh({ dialect: 'aws' });
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const started = Date.now();
    const err = await rejection(store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } }));
    expect(err.code).toBe('Unsupported');
    expect(err.message).toContain('not contention');
    expect(err.message).toContain('options.s3.dialect');
    expect(Date.now() - started).toBeLessThan(5000);
    await vfs.close();
  });

  it('moves create-only and deletes the source only at the copied version', async () => {
    const from = await fresh();
    const to = await fresh();
    await loadTree(from, tree);
    // The destination holds a different file: a move without overwrite must not replace it.
    const taken = `${tree.cluster}/instancegroup/nodes`;
    await to.write(taken, 'someone else');
    const refused = await rejection(moveStateStore({ from, to }));
    expect(refused.code).toBe('AlreadyExists');
    expect(Buffer.from((await to.read(taken)).body).toString()).toBe('someone else');
    await to.delete(taken);
    const result = await moveStateStore({ from, to, deleteSource: true });
    expect(result.clusters[0]).toMatchObject({ sourceDeleted: true });
    const left = [];
    for await (const info of from.listAll({})) left.push(info.key);
    expect(left).toEqual([]);
    await from.close();
    await to.close();
  });
});
