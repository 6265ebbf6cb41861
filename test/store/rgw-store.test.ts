/**
 * The store's guarantees on a real S3 server, Ceph RADOS Gateway 16.2 (the run's shared one:
 * test/servers/shared-rgw.ts), where s3rver and our middleware only imitate S3 (issue #32): a
 * merge nobody contends succeeds in one attempt, with the requests it makes on memory; 8 writers ×
 * 4 merges lose nothing and leave one history entry each; of 6 racing lease acquirers exactly one
 * wins and fenced writes of a lost lease are refused; a rollback writes the old version back; a
 * move between two RGW stores does not replace a different destination file without `overwrite`,
 * reruns without copying, and stops when aborted. History, watch and 16-racer leases on RGW run in
 * every-backend.test.ts (rgwTarget is one of the targets).
 */
import { openStateStore } from '../../src/store/open.js';
import { moveStateStore } from '../../src/migrate/index.js';
import { isStateStoreError, type HistoryEntry, type Lease } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { memoryTarget, rgwTarget, stopAll } from '../backends/targets.js';
import { codeOf } from '../conformance/suite.js';
import { countingVfs } from './counting-vfs.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const cluster = tree.cluster;

async function freshTree(): Promise<{ vfs: Vfs; open: () => Promise<Vfs> }> {
  const { vfs, open } = await rgwTarget.fresh();
  await loadTree(vfs, tree);
  return { vfs, open };
}

async function historyOf(vfs: Vfs): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for await (const entry of (await openStateStore(vfs)).history(cluster)) entries.push(entry);
  return entries;
}

/** The Vfs calls one uncontended merge makes on `vfs` (the store opened beforehand). */
async function oneMerge(vfs: Vfs): Promise<{ attempts: number; calls: Record<string, number> }> {
  const counted = countingVfs(vfs);
  const store = await openStateStore(counted.vfs);
  for (const key of Object.keys(counted.counts)) delete counted.counts[key];
  const result = await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.31.0' } });
  expect(result.changed).toBe(true);
  return { attempts: result.attempts, calls: { ...counted.counts } };
}

describe('mergeConfig on Ceph RADOS Gateway', () => {
  it('succeeds alone in one attempt, with the same calls as on memory', async () => {
    const rgw = await oneMerge((await freshTree()).vfs);
    const { vfs: memory } = await memoryTarget.fresh();
    await loadTree(memory, tree);
    expect(rgw).toEqual({ attempts: 1, calls: (await oneMerge(memory)).calls });
  });

  it('8 writers × 4 merges: all 32 succeed, all 32 changes are kept, one history entry each', async () => {
    const { vfs, open } = await freshTree();
    const stores = await Promise.all(Array.from({ length: 8 }, async () => openStateStore(await open())));
    const results = await Promise.all(
      stores.map(async (store, writer) => {
        const done = [];
        for (let merge = 0; merge < 4; merge++)
          done.push(await store.mergeConfig(cluster, { set: [`spec.cloudLabels.w${writer}-m${merge}=v`] }));
        return done;
      }),
    );
    const all = results.flat();
    expect(all.filter((result) => result.changed)).toHaveLength(32);
    const { value } = await (await openStateStore(vfs)).getCluster(cluster);
    const labels = value.spec?.cloudLabels ?? {};
    expect(Object.keys(labels).filter((label) => /^w\d-m\d$/.test(label))).toHaveLength(32);
    const entries = await historyOf(vfs);
    // Newest first: the 32 merges, then the tree as loaded around statestore (an external revision).
    expect(entries.map((entry) => entry.operation)).toEqual([...Array<string>(32).fill('update'), 'external']);
    const recorded = entries.filter((entry) => entry.operation === 'update');
    expect(new Set(recorded.map((entry) => entry.version))).toEqual(new Set(all.map((result) => result.version)));
    await Promise.all(stores.map((store) => store.close()));
  });

  it('rolls back to an earlier version byte for byte, recorded as a rollback', async () => {
    const { vfs } = await freshTree();
    const store = await openStateStore(vfs);
    const original = (await store.getCluster(cluster)).text;
    await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.31.0' } }, { reason: 'upgrade' });
    // No revision: back one (helm rollback), to the tree as loaded.
    await store.rollback(cluster, undefined, { reason: 'undo', restoreGeneration: true });
    expect((await store.getCluster(cluster)).text).toBe(original);
    expect((await historyOf(vfs)).map((entry) => entry.operation)).toEqual(['rollback', 'update', 'external']);
  });
});

describe('leases on Ceph RADOS Gateway', () => {
  it('of 6 racing acquirers exactly one wins; writes fenced by a lost lease are refused', async () => {
    const { vfs, open } = await freshTree();
    const stores = await Promise.all(Array.from({ length: 6 }, async () => openStateStore(await open())));
    const raced = await Promise.allSettled(
      stores.map((store, i) => store.acquireLease(cluster, { owner: `racer-${i}`, ttlMs: 60_000 })),
    );
    const winners = raced.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(winners).toHaveLength(1);
    for (const result of raced)
      if (result.status === 'rejected') expect(isStateStoreError(result.reason, 'Conflict')).toBe(true);
    const winner: Lease = winners[0]!;
    const store = await openStateStore(vfs);
    expect(
      (await store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.31.0' } }, { lease: winner })).changed,
    ).toBe(true);

    await winner.release();
    const next = await store.acquireLease(cluster, { owner: 'next' });
    const before = (await store.getCluster(cluster)).version;
    expect(await codeOf(store.mergeConfig(cluster, { spec: { kubernetesVersion: '1.99.0' } }, { lease: winner }))).toBe(
      'PreconditionFailed',
    );
    expect((await store.getCluster(cluster)).version).toBe(before);
    await next.release();
    await Promise.all(stores.map((racer) => racer.close()));
  });
});

describe('moveStateStore between two Ceph RADOS Gateway stores', () => {
  it('keeps a different destination file without overwrite, replaces it with, reruns without copying', async () => {
    const { vfs: source } = await freshTree();
    const { vfs: destination } = await rgwTarget.fresh();
    const theirs = `${cluster}/kops-version.txt`;
    await destination.write(theirs, 'something else');
    await expect(moveStateStore({ from: source, to: destination })).rejects.toMatchObject({ code: 'AlreadyExists' });
    expect(new TextDecoder().decode((await destination.read(theirs)).body)).toBe('something else');
    expect(await (await openStateStore(destination)).listClusters()).toEqual([]);

    const moved = await moveStateStore({ from: source, to: destination, overwrite: true });
    expect(moved.clusters[0]!.copied).toBeGreaterThan(0);
    expect(await (await openStateStore(destination)).listClusters()).toEqual([cluster]);
    const rerun = await moveStateStore({ from: source, to: destination });
    expect(rerun.clusters[0]).toMatchObject({ copied: 0 });
    expect(rerun.clusters[0]!.skipped).toBe(moved.clusters[0]!.copied + moved.clusters[0]!.skipped);
  });

  it('stops with Aborted when the signal fires, leaving the cluster unlisted at the destination', async () => {
    const { vfs: source } = await freshTree();
    const { vfs: destination } = await rgwTarget.fresh();
    const controller = new AbortController();
    const moving = moveStateStore({
      from: source,
      to: destination,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'file') controller.abort();
      },
    });
    await expect(moving).rejects.toMatchObject({ code: 'Aborted' });
    expect(await (await openStateStore(destination)).listClusters()).toEqual([]);
  });
});
