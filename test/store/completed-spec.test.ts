/**
 * Readers for what `kops update cluster` writes beside the config (kops: pkg/model/config.go,
 * pkg/apis/kops/registry/registry.go): `cluster-completed.spec` and `kops-version.txt`, read from
 * kops's own state-store trees (test/fixtures/kops/state-stores).
 */
import { isStateStoreError } from '../../src/errors.js';
import { openStateStore } from '../../src/store/open.js';
import { memoryTarget, stopAll } from '../backends/targets.js';
import { loadTree, TREES, treeFiles } from './trees.js';

afterAll(stopAll);

describe.each(TREES.map((t) => [t.name, t]))('readers on the %s tree', (_name, tree) => {
  it("getCompletedCluster returns kops's completed spec, text byte for byte; getKopsVersion the version kops wrote", async () => {
    const { vfs } = await memoryTarget.fresh();
    try {
      await loadTree(vfs, tree);
      const store = await openStateStore(vfs);
      const expected = treeFiles(tree).get(`${tree.cluster}/cluster-completed.spec`)!.toString('utf8');
      const completed = await store.getCompletedCluster(tree.cluster);
      expect(completed.text).toBe(expected);
      expect(completed.value.kind).toBe('Cluster');
      expect(completed.value.metadata?.name).toBe(tree.cluster);
      // Completed: defaults the config leaves out are filled in.
      const config = (await store.getCluster(tree.cluster)).value;
      expect(Object.keys(completed.value.spec ?? {}).length).toBeGreaterThan(Object.keys(config.spec ?? {}).length);
      expect(await store.getKopsVersion(tree.cluster)).toBe('1.34.0-beta.1');

      await vfs.delete(`${tree.cluster}/cluster-completed.spec`);
      await vfs.delete(`${tree.cluster}/kops-version.txt`);
      for (const call of [store.getCompletedCluster(tree.cluster), store.getKopsVersion(tree.cluster)]) {
        const err = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStateStoreError(err, 'NotFound')).toBe(true);
      }
      await expect(store.getKopsVersion('Not_A_Name')).rejects.toMatchObject({ code: 'InvalidArgument' });
    } finally {
      await vfs.close();
    }
  });
});
