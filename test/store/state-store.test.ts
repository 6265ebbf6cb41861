import { parse as parseYaml } from 'yaml';
import { openStateStore } from '../../src/store/open.js';
import { isStateStoreError } from '../../src/errors.js';
import { fileTarget, memoryTarget, stopAll } from '../backends/targets.js';
import { loadTree, treeFiles, TREES } from './trees.js';

afterAll(stopAll);
const tree = TREES[0]!;
const configKey = `${tree.cluster}/config`;

describe('StateStore', () => {
  it('keeps a comment placed by hand in config when putConfig changes a value', async () => {
    const { vfs } = await fileTarget.fresh();
    await loadTree(vfs, tree);
    const original = Buffer.from((await vfs.read(configKey)).body).toString();
    const commented = original.replace(
      '  kubernetesVersion:',
      '  # pinned until the CNI upgrade, ask #infra\n  kubernetesVersion:',
    );
    await vfs.write(configKey, commented);
    const store = await openStateStore(vfs);
    const { value, version } = await store.getCluster(tree.cluster);
    value.spec!.kubernetesVersion = '1.30.0';
    await store.putConfig(tree.cluster, value, { ifMatch: version });
    const text = (await store.getCluster(tree.cluster)).text;
    // Every other byte is kept; kops's update also bumps metadata.generation for a spec change
    // (kops: pkg/client/simple/vfsclientset/cluster.go), added at the end of metadata.
    expect(text).toBe(
      commented
        .replace(/kubernetesVersion: \S+/, 'kubernetesVersion: 1.30.0')
        .replace(/(\n {2}name: .*\n)/, '$1  generation: 1\n'),
    );
    expect(text).toContain('  # pinned until the CNI upgrade, ask #infra\n  kubernetesVersion: 1.30.0\n');
  });

  it('refuses putConfig at a stale version with PreconditionFailed, and an invalid config with ValidationError', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    const store = await openStateStore(vfs);
    const { value, version } = await store.getCluster(tree.cluster);
    await store.mergeConfig(tree.cluster, { spec: { channel: 'alpha' } });
    await expect(store.putConfig(tree.cluster, value, { ifMatch: version })).rejects.toMatchObject({
      code: 'PreconditionFailed',
    });
    await expect(
      store.putConfig(tree.cluster, { ...value, spec: { ...value.spec, kubernetesVersoin: 'x' } } as never),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    expect((await store.getCluster(tree.cluster)).value.spec?.channel).toBe('alpha');
  });

  it('lets exactly one of two racing createCluster calls win, and the loser writes nothing', async () => {
    const { vfs } = await fileTarget.fresh();
    const files = treeFiles(tree);
    const parse = (key: string) => parseYaml(files.get(key)!.toString()) as never;
    const config = parse(configKey);
    const groups = tree.igs.map((name) => parse(`${tree.cluster}/instancegroup/${name}`));
    const a = await openStateStore(vfs);
    const b = await openStateStore(vfs);
    const results = await Promise.allSettled([
      a.createCluster(tree.cluster, config, groups),
      b.createCluster(tree.cluster, config, groups),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isStateStoreError(loser.reason, 'AlreadyExists')).toBe(true);
    expect(await a.listClusters()).toEqual([tree.cluster]);
    expect((await a.listInstanceGroups(tree.cluster)).sort()).toEqual(tree.igs);
  });

  it('lists only folders that hold a config, and deleteCluster refuses unknown files unless forced', async () => {
    const { vfs } = await memoryTarget.fresh();
    await loadTree(vfs, tree);
    await vfs.write('not-a-cluster/readme.txt', 'x');
    const store = await openStateStore(vfs);
    expect(await store.listClusters()).toEqual([tree.cluster]);
    await vfs.write(`${tree.cluster}/someone-elses-data.bin`, 'keep me');
    await expect(store.deleteCluster(tree.cluster)).rejects.toMatchObject({ code: 'PreconditionFailed' });
    expect(await store.listClusters()).toEqual([tree.cluster]);
    const { deleted } = await store.deleteCluster(tree.cluster, { force: true });
    expect(deleted).toBe(treeFiles(tree).size + 1);
    expect(await store.listClusters()).toEqual([]);
    expect((await vfs.list({ prefix: `${tree.cluster}/` })).objects).toEqual([]);
  });
});
