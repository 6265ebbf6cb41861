/**
 * Issue #14.9 on a StateStore over memfs and file: `listInstanceGroups` of a missing cluster is
 * NotFound (it returned [], so a typo looked like a cluster without instance groups).
 */
import { openVfs } from '../../src/backends/registry.js';
import { openStateStore } from '../../src/store/open.js';
import { treeFiles, TREES } from '../store/trees.js';
import { removeTempDirs, tempDir } from '../helpers/index.js';

afterAll(removeTempDirs);

const STORES: Array<[string, () => Promise<string>]> = [
  ['memory', async () => `memfs://igs-${process.pid}-${Math.random().toString(36).slice(2)}`],
  ['file', async () => `file://${await tempDir('statestore-igs-')}`],
];

describe.each(STORES)('listInstanceGroups (%s)', (_name, fresh) => {
  const tree = TREES[0]!;

  it('is NotFound for a cluster that does not exist, even when files are left under its name', async () => {
    const vfs = await openVfs(await fresh());
    for (const [key, body] of treeFiles(tree)) await vfs.write(key, body);
    const store = await openStateStore(vfs);
    expect((await store.listInstanceGroups(tree.cluster)).sort()).toEqual(tree.igs);
    await expect(store.listInstanceGroups('typo.example.com')).rejects.toMatchObject({
      code: 'NotFound',
      message: 'cluster "typo.example.com" not found',
    });
    // Instance groups without a config are not a cluster (listClusters agrees).
    await vfs.delete(`${tree.cluster}/config`);
    await expect(store.listInstanceGroups(tree.cluster)).rejects.toMatchObject({ code: 'NotFound' });
    expect(await store.listClusters()).toEqual([]);
  });
});
