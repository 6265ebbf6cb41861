/**
 * metadata.name is where a document lives (the cluster's folder, the group's file): a change to it
 * is refused by every write path, and nothing is written (issue 27 item 2).
 */
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError } from '../../src/errors.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { loadTree, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('metadata.name', () => {
  it('cannot change through mergeConfig, mergeInstanceGroup or putConfig; the same name written back is no change', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const before = await store.getCluster(tree.cluster);
    const [groupName] = await store.listInstanceGroups(tree.cluster);
    const refusals = [
      store.mergeConfig(tree.cluster, { set: ['metadata.name=other.example.com'] }),
      store.mergeConfig(tree.cluster, { unset: ['metadata.name'] }),
      store.mergeInstanceGroup(tree.cluster, groupName!, { set: ['metadata.name=renamed'] }),
      store.putConfig(tree.cluster, { ...before.value, metadata: { ...before.value.metadata, name: 'b.example.com' } }),
    ];
    for (const refused of refusals) {
      const err = await failure(refused);
      expect(isStateStoreError(err, 'ValidationError')).toBe(true);
      expect((err as Error).message).toMatch(/metadata\.name cannot change from "/);
    }
    expect((await store.getCluster(tree.cluster)).version).toBe(before.version);
    expect(await store.listClusters()).toEqual([tree.cluster]);
    // The same name, written back, is no rename.
    const kept = await store.mergeConfig(tree.cluster, { set: [`metadata.name=${tree.cluster}`] });
    expect(kept.changed).toBe(false);
  });
});
