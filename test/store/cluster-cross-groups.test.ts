/**
 * Cluster writes (putConfig, mergeConfig, and mergeCreateClusterOptions through it, and a rollback
 * of the config) re-check the stored instance groups with kops's cross rules, as kops's DeepValidate
 * does on `kops edit cluster` (cmd/kops/edit_cluster.go:272): removing a subnet a group names is
 * refused with kops's path and source, nothing written; a store whose group already breaks a rule
 * still takes unrelated changes. Memory backend.
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import { layout } from '../../src/store/layout.js';
import { openStateStore } from '../../src/store/open.js';
import type { ClusterConfig, StateStore, ValidationIssue } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';

const NAME = 'cross.example.com';
const ZONES = ['us-test-1a', 'us-test-1b', 'us-test-1c'];
const OPTIONS = { clusterName: NAME, cloud: 'aws', zones: ZONES, kubernetesVersion: 'v1.32.0' };
let counter = 0;

/** kops's issue for a group naming a subnet the cluster no longer has (instancegroup.go, CrossValidateInstanceGroup). */
const SUBNET_GONE: ValidationIssue = {
  path: '/spec/subnets/0',
  message: 'instance group "nodes-us-test-1c": spec.networking.subnets[0]: Not found: "us-test-1c"',
  source: 'pkg/apis/kops/validation/instancegroup.go:284',
};

/** A subnet no group names, in the cluster's networkCIDR. */
const UTILITY = { name: 'utility-us-test-1a', type: 'Utility', zone: 'us-test-1a', cidr: '172.20.128.0/22' };

async function fresh(): Promise<{ store: StateStore; vfs: Vfs; config: ClusterConfig }> {
  const vfs = await openVfs(`memfs://cluster-cross-${process.pid}-${++counter}`);
  const store = await openStateStore(vfs);
  const { cluster, instanceGroups } = clusterFromOptions(OPTIONS as CreateClusterOptions);
  await store.createCluster(NAME, cluster, instanceGroups);
  return { store, vfs, config: (await store.getCluster(NAME)).value };
}

/** Every file of the store: key, version and bytes. */
async function everyFile(vfs: Vfs): Promise<string[]> {
  const files: string[] = [];
  for await (const info of vfs.listAll())
    files.push(`${info.key}@${info.version}\n${new TextDecoder().decode((await vfs.read(info.key)).body)}`);
  return files;
}

/** The config without the subnet of us-test-1c. */
function withoutLastSubnet(config: ClusterConfig): ClusterConfig {
  return { ...config, spec: { ...config.spec, subnets: config.spec!.subnets!.filter((s) => s.name !== 'us-test-1c') } };
}

async function refusedWith(vfs: Vfs, call: () => Promise<unknown>): Promise<void> {
  const before = await everyFile(vfs);
  const err = await rejection(call());
  expect(err.code).toBe('ValidationError');
  expect(err.issues).toContainEqual(SUBNET_GONE);
  expect(await everyFile(vfs)).toEqual(before);
}

describe('cluster writes re-check the stored instance groups', () => {
  it('putConfig refuses removing a subnet a group names, writing nothing', async () => {
    const { store, vfs, config } = await fresh();
    await refusedWith(vfs, () => store.putConfig(NAME, withoutLastSubnet(config)));
  });

  it('mergeConfig refuses it too (dry run included), writing nothing', async () => {
    const { store, vfs } = await fresh();
    const change = { jsonPatch: [{ op: 'remove' as const, path: '/spec/subnets/2' }] };
    await refusedWith(vfs, () => store.mergeConfig(NAME, change));
    await refusedWith(vfs, () => store.mergeConfig(NAME, change, { dryRun: true }));
  });

  it('a change of what the cross rules read that keeps the groups valid is written', async () => {
    const { store } = await fresh();
    const subnet = { name: 'utility-us-test-1a', type: 'Utility', zone: 'us-test-1a', cidr: '172.20.128.0/22' };
    const result = await store.mergeConfig(NAME, {
      jsonPatch: [{ op: 'add', path: '/spec/subnets/-', value: subnet }],
    });
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect((await store.getCluster(NAME)).value.spec?.subnets?.map((s) => s.name)).toContain('utility-us-test-1a');
  });

  it('the subnet goes once no group names it', async () => {
    const { store, config } = await fresh();
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1c');
    await store.putConfig(NAME, withoutLastSubnet(config));
    expect((await store.getCluster(NAME)).value.spec?.subnets?.map((s) => s.name)).toEqual(ZONES.slice(0, 2));
  });

  it('a store whose group already breaks a rule takes an unrelated change; a new break is still refused', async () => {
    const { store, vfs, config } = await fresh();
    // Written around the library, as an older tool could have: the group names a subnet that does not exist.
    const key = layout.instanceGroup(NAME, 'nodes-us-test-1a');
    const group = (await store.getInstanceGroup(NAME, 'nodes-us-test-1a')).value;
    await vfs.write(key, stringifyYaml({ ...group, spec: { ...group.spec, subnets: ['nowhere'] } }));
    await store.mergeConfig(NAME, { set: ['spec.kubernetesVersion=v1.32.1'] });
    const edited = (await store.getCluster(NAME)).value;
    await store.putConfig(NAME, { ...edited, spec: { ...edited.spec, kubernetesVersion: 'v1.32.2' } });
    expect((await store.getCluster(NAME)).value.spec?.kubernetesVersion).toBe('v1.32.2');
    // A change of the subnets (the groups are read and checked): the old break is not the change's.
    const add = { op: 'add' as const, path: '/spec/subnets/-', value: UTILITY };
    expect(await store.mergeConfig(NAME, { jsonPatch: [add] })).toMatchObject({ changed: true });
    const latest = (await store.getCluster(NAME)).value;
    await refusedWith(vfs, () => store.putConfig(NAME, withoutLastSubnet({ ...config, spec: latest.spec })));
  });
});

describe('a rollback of the config re-checks the stored instance groups', () => {
  /**
   * A config revision without us-test-1c's subnet, made while no group named it (revision 2), then
   * the subnet and its group brought back: rolling back to revision 2 would leave the group without it.
   */
  async function revisionWithoutSubnet(): Promise<{ store: StateStore; vfs: Vfs; config: ClusterConfig }> {
    const made = await fresh();
    const { store, config } = made;
    const group = (await store.getInstanceGroup(NAME, 'nodes-us-test-1c')).value;
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1c');
    await store.putConfig(NAME, withoutLastSubnet(config)); // revision 2
    await store.putConfig(NAME, config); // revision 3
    await store.putInstanceGroup(NAME, group);
    return made;
  }

  it('refuses a revision without a subnet a stored group names (dry run too), writing nothing', async () => {
    const { store, vfs } = await revisionWithoutSubnet();
    await refusedWith(vfs, () => store.rollback(NAME, 2, { dryRun: true }));
    await refusedWith(vfs, () => store.rollback(NAME, 2));
    // Without the group, the same rollback is written.
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1c');
    expect(await store.rollback(NAME, 2)).toMatchObject({ changed: true });
    expect((await store.getCluster(NAME)).value.spec?.subnets?.map((s) => s.name)).toEqual(ZONES.slice(0, 2));
  });

  it('a store whose group already breaks a rule still rolls back; a new break is still refused', async () => {
    const { store, vfs } = await revisionWithoutSubnet();
    // A change of the subnets to roll back (revision 4 adds a subnet no group names).
    const add = { op: 'add' as const, path: '/spec/subnets/-', value: UTILITY };
    await store.mergeConfig(NAME, { jsonPatch: [add] });
    // Written around the library: a group naming a subnet that does not exist.
    const key = layout.instanceGroup(NAME, 'nodes-us-test-1a');
    const group = (await store.getInstanceGroup(NAME, 'nodes-us-test-1a')).value;
    await vfs.write(key, stringifyYaml({ ...group, spec: { ...group.spec, subnets: ['nowhere'] } }));
    // Back to revision 3 (the utility subnet goes): the groups are read, the old break is not the rollback's.
    expect(await store.rollback(NAME, 3)).toMatchObject({ changed: true });
    expect((await store.getCluster(NAME)).value.spec?.subnets?.map((s) => s.name)).toEqual(ZONES);
    await refusedWith(vfs, () => store.rollback(NAME, 2));
  });
});
