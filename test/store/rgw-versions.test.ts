/**
 * The provider's own object versions on a real server: Ceph RGW 16.2 (the run's shared gateway,
 * test/servers/shared-rgw.ts) with versioning on, where If-Match is refused and If-None-Match
 * ignored, so statestore writes are checked against the version list (src/store/versioned-write.ts).
 * Kops's plain PutObject between two statestore writes shows in the version list, restoring an
 * older version works and is recorded; a kops write forced between the check and a restore's
 * write (test/store/versions-race.ts) is kept and the restore undone.
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import type { Vfs } from '../../src/vfs/types.js';
import { allTargets, stopAll } from '../backends/targets.js';
import { sharedRgw } from '../servers/shared-rgw.js';
import { collect } from './history-helpers.js';
import { loadTree, TREES } from './trees.js';
import { unconditionalVersionedVfs } from './versions-race.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;
const BUCKET = 'history-versions';

/** A fresh prefix of the versioned bucket, loaded with the kops tree; and kops's own PutObject. */
async function versionedStore(): Promise<{ vfs: Vfs; prefix: string; kopsPut: (text: string) => Promise<void> }> {
  const rgw = await sharedRgw();
  await rgw.createBucket(BUCKET, { versioning: true });
  const prefix = `run-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  // RGW 16.2 refuses If-Match on a versioned bucket and ignores If-None-Match (the dialect probe
  // refuses such a bucket and names the option): the store is opened without conditions.
  const vfs = await openVfs(`s3://${BUCKET}/${prefix}`, { env: {}, s3: { ...rgw.s3, dialect: 'none' } });
  await loadTree(vfs, tree);
  const sdk = await import('@aws-sdk/client-s3');
  const kopsPut = async (text: string) => {
    // kops's WriteFile: a plain PutObject of the whole document, no condition.
    const client = new sdk.S3Client({ ...rgw.s3, forcePathStyle: true });
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${cluster}/config`, Body: text }));
    } finally {
      client.destroy();
    }
  };
  return { vfs, prefix, kopsPut };
}

describe("the provider's own object versions (Ceph RGW 16.2, a versioned bucket)", () => {
  it("shows kops's PutObject between two statestore writes; restores an older version, recorded", async () => {
    const { vfs, kopsPut } = await versionedStore();
    const store = await openStateStore(vfs);
    const original = (await store.getCluster(cluster)).text;
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.0' } }, { reason: 'ours' });
    const kops = (await store.getCluster(cluster)).text.replace('1.30.0', '1.30.5');
    await kopsPut(kops);
    await store.mergeConfig(cluster, { spec: { cloudLabels: { team: 'a' } } }, { reason: 'ours again' });

    const versions = await collect(store.history(cluster, { source: 'versions', kind: 'config' }));
    expect(versions.map((e) => [e.revision, e.operation, e.reason])).toEqual([
      [4, 'update', 'ours again'],
      [3, 'external', undefined],
      [2, 'update', 'ours'],
      [1, 'external', undefined],
    ]);
    expect((await store.getVersion(cluster, versions[1]!)).text).toBe(kops);
    expect((await store.getVersion(cluster, versions[3]!.id)).text).toBe(original);
    // The statestore history sees kops's write too, between its two revisions.
    const revisions = await collect(store.history(cluster, { kind: 'config' }));
    expect(revisions.map((e) => [e.revision, e.operation])).toEqual([
      [4, 'update'],
      [3, 'external'],
      [2, 'update'],
      [1, 'external'],
    ]);

    const restored = await store.rollback(cluster, versions[3]!.id, { restoreGeneration: true, reason: 'undo all' });
    expect(restored.changed).toBe(true);
    expect((await store.getCluster(cluster)).text).toBe(original);
    const [newest] = await collect(store.history(cluster, { kind: 'config' }));
    expect(newest).toMatchObject({ revision: 5, operation: 'rollback', rolledBackTo: versions[3]!.id });
    const after = await collect(store.history(cluster, { source: 'versions', kind: 'config' }));
    expect(after[0]).toMatchObject({ revision: 5, operation: 'rollback', reason: 'undo all' });

    // The instance groups kops wrote have their versions too, though statestore never wrote them.
    const groups = await collect(store.history(cluster, { source: 'versions', kind: 'instancegroup' }));
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((e) => e.operation === 'external' && e.revision === 1)).toBe(true);
    await expect(
      store.getVersion(cluster, `config/version-${Buffer.from('nope').toString('base64url')}`),
    ).rejects.toMatchObject({ code: 'NotFound' });
    const memory = await openStateStore((await allTargets[0]!.fresh()).vfs);
    await expect(collect(memory.history(cluster, { source: 'versions' }))).rejects.toMatchObject({
      code: 'Unsupported',
    });
  }, 120_000);

  it('a kops PutObject landing between the check and the write stays; the restore is undone', async () => {
    const { vfs, kopsPut } = await versionedStore();
    const raced = unconditionalVersionedVfs(vfs);
    const store = await openStateStore(raced.vfs);
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.30.0' } });
    const versions = await collect(store.history(cluster, { source: 'versions', kind: 'config' }));
    const kops = (await store.getCluster(cluster)).text.replace('1.30.0', '1.30.7');
    raced.beforeNextWrite(`${cluster}/config`, () => kopsPut(kops));

    await expect(store.rollback(cluster, versions[1]!.id, { restoreGeneration: true })).rejects.toMatchObject({
      code: 'PreconditionFailed',
      message: expect.stringContaining('undone') as string,
    });
    expect((await store.getCluster(cluster)).text).toBe(kops);
    const after = await collect(store.history(cluster, { source: 'versions', kind: 'config' }));
    expect(after.map((e) => [e.revision, e.operation])).toEqual([
      [3, 'external'],
      [2, 'update'],
      [1, 'external'],
    ]);
    expect((await store.getVersion(cluster, after[0]!)).text).toBe(kops);
  }, 120_000);
});
