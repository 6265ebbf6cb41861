/**
 * Deleting instance groups where kops refuses the cluster left (src/store/deletion-check.ts):
 * `deleteInstanceGroup`, `apply --prune` and a rollback to a deletion refuse, writing nothing, to
 * delete the only control-plane group (kops delete_instancegroup.go:165), the last node group
 * (DeepValidate, legacy.go:295) or a group an etcd member lives in (master_volumes.go:79), with
 * kops's field path; deletions kops accepts, a store kops already refused and a damaged group
 * stay deletable. Memory backend.
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { openStateStore } from '../../src/store/open.js';
import type { ApplyDocument, StateStore, ValidationIssue } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { snapshot } from './history-helpers.js';

const NAME = 'del.example.com';
let counter = 0;

async function fresh(zones: string[], controlPlaneZones = zones): Promise<{ store: StateStore; vfs: Vfs }> {
  const vfs = await openVfs(`memfs://ig-deletion-${process.pid}-${++counter}`);
  const store = await openStateStore(vfs);
  const options = { clusterName: NAME, cloud: 'aws', zones, controlPlaneZones, kubernetesVersion: 'v1.32.0' };
  const { cluster, instanceGroups } = clusterFromOptions(options as CreateClusterOptions);
  await store.createCluster(NAME, cluster, instanceGroups);
  return { store, vfs };
}

/** The call fails with ValidationError listing each of `issues`; nothing in the store changed. */
async function refused(vfs: Vfs, call: () => Promise<unknown>, ...issues: ValidationIssue[]): Promise<string> {
  const before = await snapshot(vfs);
  const err = await rejection(call());
  expect(err.code).toBe('ValidationError');
  for (const issue of issues) expect(err.issues).toContainEqual(issue);
  expect(await snapshot(vfs)).toEqual(before);
  return err.message;
}

// Each with kops's source line (the kops files are in test/fixtures/kops/validation-source/).
const lastNodeGroup = {
  path: '/instanceGroups',
  message: 'must configure at least one Node InstanceGroup',
  source: 'pkg/apis/kops/validation/legacy.go:295',
};
const onlyControlPlane = {
  path: '/instanceGroups',
  message: 'cannot delete the only control plane instance group',
  source: 'cmd/kops/delete_instancegroup.go:165',
};

/** The issue of the etcd member `member` of etcd cluster `etcd` living in the deleted `group`. */
async function etcdIssue(store: StateStore, etcd: number, group: string): Promise<ValidationIssue> {
  const cluster = (await store.getCluster(NAME)).value.spec!.etcdClusters![etcd]!;
  const m = cluster.etcdMembers!.findIndex((member) => member.instanceGroup === group);
  const member = cluster.etcdMembers![m]!;
  return {
    path: `/spec/etcdClusters/${etcd}/etcdMembers/${m}/instanceGroup`,
    message: `spec.etcdClusters[${etcd}].etcdMembers[${m}].instanceGroup: Not found: "${group}": InstanceGroup not found (for etcd ${member.name}/${cluster.name})`,
    source: 'pkg/model/master_volumes.go:79',
  };
}

describe('deleteInstanceGroup', () => {
  it('refuses the only control-plane group, with the etcd members living in it', async () => {
    const { store, vfs } = await fresh(['us-test-1a']);
    const group = 'control-plane-us-test-1a';
    const message = await refused(
      vfs,
      () => store.deleteInstanceGroup(NAME, group),
      onlyControlPlane,
      await etcdIssue(store, 0, group),
      await etcdIssue(store, 1, group),
    );
    expect(message).toMatch(/^cannot delete instance group "control-plane-us-test-1a" of cluster "del.example.com": /);
  });

  it('refuses a control-plane group etcd members live in, though others remain', async () => {
    const { store, vfs } = await fresh(['us-test-1a', 'us-test-1b', 'us-test-1c']);
    const group = 'control-plane-us-test-1b';
    const err = await rejection(store.deleteInstanceGroup(NAME, group));
    expect(err.issues).toEqual([await etcdIssue(store, 0, group), await etcdIssue(store, 1, group)]);
    await refused(vfs, () => store.deleteInstanceGroup(NAME, group), await etcdIssue(store, 0, group));
  });

  it('deletes node groups until the last one, which it refuses', async () => {
    const { store, vfs } = await fresh(['us-test-1a', 'us-test-1b', 'us-test-1c']);
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1a');
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1b');
    const err = await rejection(store.deleteInstanceGroup(NAME, 'nodes-us-test-1c'));
    expect(err.issues).toEqual([lastNodeGroup]);
    await refused(vfs, () => store.deleteInstanceGroup(NAME, 'nodes-us-test-1c'), lastNodeGroup);
    expect(await store.listInstanceGroups(NAME)).toContain('nodes-us-test-1c');
  });

  it('counts a bastion as a node group, as kops does', async () => {
    const { store } = await fresh(['us-test-1a']);
    const nodes = (await store.getInstanceGroup(NAME, 'nodes-us-test-1a')).value;
    const bastion = { ...nodes, metadata: { ...nodes.metadata, name: 'bastions' } };
    await store.putInstanceGroup(NAME, { ...bastion, spec: { ...bastion.spec, role: 'Bastion' } });
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1a');
    await expect(rejection(store.deleteInstanceGroup(NAME, 'bastions'))).resolves.toMatchObject({
      issues: [lastNodeGroup],
    });
  });

  it('lets a cluster kops already refuses lose a group, and deletes a damaged group', async () => {
    const { store, vfs } = await fresh(['us-test-1a']);
    const controlPlane = (await store.getInstanceGroup(NAME, 'control-plane-us-test-1a')).text;
    // Beneath the store: no node group left (kops refuses this cluster), a second control-plane group.
    await vfs.delete(`${NAME}/instancegroup/nodes-us-test-1a`);
    await vfs.write(
      `${NAME}/instancegroup/cp-extra`,
      controlPlane.replace(/name: control-plane-us-test-1a/, 'name: cp-extra'),
    );
    await vfs.write(`${NAME}/instancegroup/damaged`, 'spec: [');
    await store.deleteInstanceGroup(NAME, 'cp-extra');
    await store.deleteInstanceGroup(NAME, 'damaged');
    expect(await store.listInstanceGroups(NAME)).toEqual(['control-plane-us-test-1a']);
  });
});

describe('apply --prune and rollback', () => {
  async function documentsWithout(store: StateStore, ...left: string[]): Promise<ApplyDocument[]> {
    const names = (await store.listInstanceGroups(NAME)).filter((name) => !left.includes(name));
    const groups = await Promise.all(names.map((name) => store.getInstanceGroup(NAME, name)));
    // As `export` leaves them in a folder: the stored bytes parsed.
    return [await store.getCluster(NAME), ...groups].map((doc) => parseYaml(doc.text).value as ApplyDocument);
  }

  it('apply --prune refuses to leave no node group, dry run or not; without prune the group stays', async () => {
    const { store, vfs } = await fresh(['us-test-1a']);
    const documents = await documentsWithout(store, 'nodes-us-test-1a');
    const message = await refused(vfs, () => store.apply(documents, { prune: true }), lastNodeGroup);
    expect(message).toContain('cannot delete instance group "nodes-us-test-1a" of cluster "del.example.com"');
    await refused(vfs, () => store.apply(documents, { prune: true, dryRun: true }), lastNodeGroup);
    const kept = await store.apply(documents);
    expect(kept.documents.filter((doc) => doc.action === 'delete')).toEqual([]);
    expect(await store.listInstanceGroups(NAME)).toContain('nodes-us-test-1a');
  });

  it('apply --prune deletes a node group when another remains', async () => {
    const { store } = await fresh(['us-test-1a', 'us-test-1b'], ['us-test-1a']);
    const result = await store.apply(await documentsWithout(store, 'nodes-us-test-1a'), { prune: true });
    expect(result.documents.filter((doc) => doc.action === 'delete').map((doc) => doc.name)).toEqual([
      'nodes-us-test-1a',
    ]);
  });

  it('a rollback to a deletion is refused where the delete would be', async () => {
    const { store, vfs } = await fresh(['us-test-1a', 'us-test-1b'], ['us-test-1a']);
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1a'); // revision 2 of that group: its deletion
    await store.rollback(NAME, 1, { instanceGroup: 'nodes-us-test-1a' });
    await store.deleteInstanceGroup(NAME, 'nodes-us-test-1b');
    await refused(vfs, () => store.rollback(NAME, 2, { instanceGroup: 'nodes-us-test-1a' }), lastNodeGroup);
  });
});
