/** store.mergeOptions: kops create-cluster options merged into a stored cluster (issue 9). */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { openStateStore } from '../../src/store/open.js';
import type { StateStore } from '../../src/store/state-store.js';
import { countingVfs } from './counting-vfs.js';

const BASE: CreateClusterOptions = {
  clusterName: 'opts.example.com',
  cloud: 'aws',
  zones: ['us-test-1a'],
  kubernetesVersion: 'v1.32.0',
  networking: 'cilium',
} as CreateClusterOptions;
let counter = 0;

async function storeWithCluster(): Promise<StateStore> {
  const store = await openStateStore(await openVfs(`memfs://merge-options-${++counter}`));
  const { cluster, instanceGroups } = clusterFromOptions(BASE);
  await store.createCluster(BASE.clusterName, cluster, instanceGroups);
  return store;
}

describe('store.mergeOptions', () => {
  it('nodeSize changes only the node groups, and leaves the config alone', async () => {
    const store = await storeWithCluster();
    const before = await store.getCluster(BASE.clusterName);
    const result = await store.mergeCreateClusterOptions(BASE.clusterName, {
      clusterName: BASE.clusterName,
      nodeSize: 'm5.large',
    });
    expect(result.config.changed).toBe(false);
    const groups = await store.listInstanceGroups(BASE.clusterName);
    for (const name of groups) {
      const { value } = await store.getInstanceGroup(BASE.clusterName, name);
      if (value.spec?.role === 'Node') {
        expect(value.spec.machineType).toBe('m5.large');
        expect(result.instanceGroups[name]).toBe('changed');
      } else {
        expect(value.spec?.machineType).not.toBe('m5.large');
        expect(result.instanceGroups[name]).toBe('unchanged');
      }
    }
    expect((await store.getCluster(BASE.clusterName)).text).toBe(before.text);
  });

  it('a new zone adds its subnet to the config and creates its node group', async () => {
    const store = await storeWithCluster();
    const groupsBefore = await store.listInstanceGroups(BASE.clusterName);
    const result = await store.mergeCreateClusterOptions(BASE.clusterName, {
      clusterName: BASE.clusterName,
      zones: ['us-test-1a', 'us-test-1b'],
    });
    expect(result.config.changed).toBe(true);
    expect(result.config.diff.operations.some((op) => op.path.startsWith('/spec/subnets'))).toBe(true);
    const { value } = await store.getCluster(BASE.clusterName);
    expect(value.spec?.subnets?.map((s) => s.zone)).toContain('us-test-1b');
    const created = Object.entries(result.instanceGroups)
      .filter(([, outcome]) => outcome === 'created')
      .map(([name]) => name);
    expect(created).toHaveLength(1);
    expect(await store.listInstanceGroups(BASE.clusterName)).toEqual([...groupsBefore, ...created].sort());
  });

  it('writes nothing on a dry run, and changes nothing when run twice', async () => {
    const store = await storeWithCluster();
    const { vfs, counts } = countingVfs(store.vfs);
    const counted = await openStateStore(vfs);
    const dry = await counted.mergeCreateClusterOptions(
      BASE.clusterName,
      { clusterName: BASE.clusterName, nodeSize: 'm5.xlarge', kubernetesVersion: 'v1.33.0' },
      { dryRun: true },
    );
    expect(dry.config.changed).toBe(true);
    expect(counts.write).toBeUndefined();
    await store.mergeCreateClusterOptions(BASE.clusterName, { clusterName: BASE.clusterName, nodeSize: 'm5.xlarge' });
    const again = await store.mergeCreateClusterOptions(BASE.clusterName, {
      clusterName: BASE.clusterName,
      nodeSize: 'm5.xlarge',
    });
    expect(again.config.changed).toBe(false);
    expect(Object.values(again.instanceGroups).every((outcome) => outcome === 'unchanged')).toBe(true);
  });

  it('refuses options for another cluster', async () => {
    const store = await storeWithCluster();
    await expect(
      store.mergeCreateClusterOptions(BASE.clusterName, { clusterName: 'other.example.com', nodeSize: 'x' }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});
