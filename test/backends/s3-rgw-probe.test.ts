/**
 * The dialect probe against a real server: Ceph RADOS Gateway 16.2 (the run's shared one, see
 * test/servers/shared-rgw.ts) is `rgw`: PutObject `If-Match` only unquoted, `If-None-Match: *`
 * honoured on PutObject only, DeleteObject ignoring `If-Match` (the table of
 * src/backends/s3/dialect-probe.ts); the scratch keys are gone afterwards. And the messages
 * issue 32 asked for, on the real server: a wrong dialect's merge stops early saying it is not
 * contention, and kops's AES256 default on `s3://` names `serverSideEncryption`. On a bucket with
 * versioning on, RGW refuses every If-Match: the probe says so and names `dialect: "none"`, under
 * which a merge works (checked against the bucket's object versions, src/store/versioned-write.ts).
 */
import { randomUUID } from 'node:crypto';
import { openVfs } from '../../src/backends/registry.js';
import { probeS3Dialect } from '../../src/backends/s3/dialect-probe.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import type { RgwHandle } from '../servers/rgw.js';
import { openStateStore } from '../../src/store/open.js';
import { rejection } from '../helpers/index.js';
import { loadTree, TREES } from '../store/trees.js';

const BUCKET = 'dialect-probe';
const VERSIONED = 'dialect-probe-versioned';
let rgw: RgwHandle;

beforeAll(async () => {
  rgw = await sharedRgw();
  await rgw.createBucket(BUCKET);
  await rgw.createBucket(VERSIONED, { versioning: true });
}, 200_000);

it('finds the rgw dialect and leaves nothing behind', async () => {
  const url = `s3://${BUCKET}/probe-${randomUUID().slice(0, 8)}`;
  const { spelling, dialect, ms } = await probeS3Dialect(url, { env: {}, s3: { ...rgw.s3, dialect: 'probe' } });
  process.stdout.write(`Ceph RGW dialect probe: ${spelling} in ${ms} ms\n`);
  expect(spelling).toBe('rgw');
  expect(dialect).toMatchObject({ ifMatch: 'unquoted', copyIfNoneMatch: false, deleteIfMatch: false });
  const vfs = await openVfs(url, { env: {}, s3: { ...rgw.s3, dialect: 'rgw' } });
  expect((await vfs.list({})).objects).toEqual([]);
  await vfs.close();
});

it('with the wrong dialect (aws), a merge stops after four refusals of a current If-Match, naming the option', async () => {
  const vfs = await openVfs(`s3://${BUCKET}/wrong-${randomUUID().slice(0, 8)}`, {
    env: {},
    s3: { ...rgw.s3, dialect: 'aws' },
  });
  const tree = TREES[0]!;
  await loadTree(vfs, tree);
  const store = await openStateStore(vfs);
  const started = Date.now();
  const err = await rejection(store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } }));
  expect(err.code).toBe('Unsupported');
  expect(err.message).toContain('options.s3.dialect');
  expect(Date.now() - started).toBeLessThan(10_000);
  await vfs.close();
});

it("refuses kops's AES256 default with InvalidArgument naming serverSideEncryption", async () => {
  const { serverSideEncryption: _none, ...s3 } = rgw.s3;
  const vfs = await openVfs(`s3://${BUCKET}/sse-${randomUUID().slice(0, 8)}`, {
    env: {},
    s3: { ...s3, dialect: 'rgw' },
  });
  const err = await rejection(vfs.write('k', 'x'));
  expect(err.code).toBe('InvalidArgument');
  expect(err.message).toContain('serverSideEncryption to "none"');
  await vfs.close();
});

it('on a versioned bucket, refuses naming dialect "none" and that merges then check object versions; a merge then works', async () => {
  const url = `s3://${VERSIONED}/probe-${randomUUID().slice(0, 8)}`;
  const err = await rejection(probeS3Dialect(url, { env: {}, s3: { ...rgw.s3, dialect: 'probe' } }));
  expect(err.code).toBe('Unsupported');
  expect(err.message).toContain('refused If-Match');
  expect(err.message).toContain('the bucket has versioning on');
  expect(err.message).toContain('set options.s3.dialect to "none"');
  expect(err.message).toContain("merges and rollbacks then check each write against the bucket's object versions");

  // What the message promises: the same bucket with dialect "none" merges and lists no probe debris.
  const vfs = await openVfs(url, { env: {}, s3: { ...rgw.s3, dialect: 'none' } });
  try {
    expect((await vfs.list({})).objects).toEqual([]);
    const tree = TREES[0]!;
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const merged = await store.mergeConfig(tree.cluster, { spec: { kubernetesVersion: '1.30.0' } });
    expect(merged.changed).toBe(true);
    expect((await store.getCluster(tree.cluster)).text).toContain('kubernetesVersion: 1.30.0');
  } finally {
    await vfs.close();
  }
});
