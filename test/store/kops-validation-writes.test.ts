/**
 * kops's validation at every write (src/config/validate/kops-validation/, wired in kops.ts): a
 * change breaking one of kops's rules is refused through each entry point with kops's field path
 * and message, writing nothing; a store already breaking a rule stays readable, and changes that
 * do not add a violation stay possible (fixing it included). Memory backend.
 */
import { openVfs } from '../../src/backends/registry.js';
import { clusterFromOptions } from '../../src/create-cluster/index.js';
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import { openStateStore } from '../../src/store/open.js';
import { layout } from '../../src/store/layout.js';
import type { CloudFacts, ClusterConfig, InstanceGroupConfig, StateStore } from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { rejection } from '../helpers/index.js';
import { refused } from './refused.js';

const NAME = 'kv.example.com';
const OPTIONS = {
  clusterName: NAME,
  cloud: 'aws',
  zones: ['us-test-1a'],
  kubernetesVersion: 'v1.32.0',
} as CreateClusterOptions;
let counter = 0;

async function fresh(): Promise<{ store: StateStore; vfs: Vfs }> {
  const vfs = await openVfs(`memfs://kops-validation-${process.pid}-${++counter}`);
  const store = await openStateStore(vfs);
  const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
  await store.createCluster(NAME, cluster, instanceGroups);
  return { store, vfs };
}

const outside = {
  path: '/spec/subnets/0/cidr',
  message:
    'spec.networking.subnets[0].cidr: Forbidden: subnet "us-test-1a" cidr "10.99.0.0/16" is not a subnet of the networkCIDR "172.20.0.0/16"',
  source: 'pkg/apis/kops/validation/validation.go:717',
};
const withSubnetOutside = (config: ClusterConfig): ClusterConfig => ({
  ...config,
  spec: {
    ...config.spec,
    subnets: config.spec!.subnets!.map((s, i) => (i === 0 ? { ...s, cidr: '10.99.0.0/16' } : s)),
  },
});

describe('kops validation at every write', () => {
  it('mergeConfig and putConfig refuse a subnet outside networkCIDR with kops path and message', async () => {
    const { store, vfs } = await fresh();
    await refused(vfs, () => store.mergeConfig(NAME, { set: ['spec.subnets[0].cidr=10.99.0.0/16'] }), outside);
    const { value } = await store.getCluster(NAME);
    await refused(vfs, () => store.putConfig(NAME, withSubnetOutside(value)), outside);
  });

  it('mergeConfig refuses an even etcd member count and a CIDR with host bits set', async () => {
    const { store, vfs } = await fresh();
    const add = {
      jsonPatch: [
        {
          op: 'add' as const,
          path: '/spec/etcdClusters/0/etcdMembers/-',
          value: { name: 'b', instanceGroup: 'control-plane-us-test-1a' },
        },
      ],
    };
    const err = await rejection(store.mergeConfig(NAME, add));
    expect(err.issues).toContainEqual(
      expect.objectContaining({
        path: '/spec/etcdClusters/0/etcdMembers',
        message: expect.stringMatching(
          /^spec\.etcdClusters\[0\]\.etcdMembers: Invalid value: 2: Should be an odd number/,
        ),
      }),
    );
    await refused(vfs, () => store.mergeConfig(NAME, { set: ['spec.networkCIDR=172.20.0.1/16'] }), {
      path: '/spec/networkCIDR',
      message:
        'spec.networking.networkCIDR: Invalid value: "172.20.0.1/16": Network contains bits outside prefix (did you mean "172.20.0.0/16")',
      source: 'pkg/apis/kops/validation/validation.go:520',
    });
  });

  it("mergeConfig refuses removing an etcd cluster (kops's ValidateClusterUpdate)", async () => {
    const { store, vfs } = await fresh();
    await refused(vfs, () => store.mergeConfig(NAME, { jsonPatch: [{ op: 'remove', path: '/spec/etcdClusters/1' }] }), {
      path: '/spec/etcdClusters',
      message: 'spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed',
      source: 'pkg/apis/kops/validation/cluster.go:53',
    });
  });

  it('createCluster refuses a cluster kops refuses, writing nothing', async () => {
    const vfs = await openVfs(`memfs://kops-validation-${process.pid}-${++counter}`);
    const store = await openStateStore(vfs);
    const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
    await refused(vfs, () => store.createCluster(NAME, withSubnetOutside(cluster), instanceGroups), outside);
    expect(await store.listClusters()).toEqual([]);
  });

  it("createCluster with cloudFacts runs aws.go's EC2 rules: an arm64 machine type for an x86_64 image is refused", async () => {
    const vfs = await openVfs(`memfs://kops-validation-${process.pid}-${++counter}`);
    const store = await openStateStore(vfs);
    const { cluster, instanceGroups } = clusterFromOptions(OPTIONS);
    const index = instanceGroups.findIndex((g) => g.spec?.role === 'Node');
    const groups = instanceGroups.map((g, i) =>
      i === index ? { ...g, spec: { ...g.spec, machineType: 'm6g.large' } } : g,
    );
    // A CloudFacts, as clusterFromOptions takes: each group's image x86_64, m6g.large arm64.
    const cloudFacts: CloudFacts = {
      machineTypes: { 'm6g.large': { architectures: ['arm64'] } },
      images: Object.fromEntries(groups.map((g) => [g.spec!.image!, { architecture: 'x86_64' }])),
    };
    for (const g of groups)
      if (g.spec!.machineType !== 'm6g.large')
        cloudFacts.machineTypes![g.spec!.machineType!] = { architectures: ['x86_64'] };
    await refused(vfs, () => store.createCluster(NAME, cluster, groups, { cloudFacts }), {
      path: `/instanceGroups/${index}/spec/machineType`,
      message: `${groups[index]!.metadata!.name!}.spec.machineType: Invalid value: "m6g.large": machine type architecture "arm64" does not match image architecture "x86_64"`,
      source: 'pkg/apis/kops/validation/aws.go:264',
    });
    expect(await store.listClusters()).toEqual([]);
    // Without the facts the rule cannot run (validateClusterWithInstanceGroups lists it as skipped).
    await store.createCluster(NAME, cluster, groups);
    expect(await store.listClusters()).toEqual([NAME]);
  });

  it('instance group writes refuse a control-plane maxSize of 3 and a subnet the cluster lacks', async () => {
    const { store, vfs } = await fresh();
    const { value: master } = await store.getInstanceGroup(NAME, 'control-plane-us-test-1a');
    await refused(vfs, () => store.putInstanceGroup(NAME, { ...master, spec: { ...master.spec, maxSize: 3 } }), {
      path: '/spec/maxSize',
      message:
        'spec.maxSize: Invalid value: 3: controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead',
      source: 'pkg/apis/kops/validation/instancegroup.go:71',
    });
    await refused(
      vfs,
      () => store.mergeInstanceGroup(NAME, 'nodes-us-test-1a', { set: ['spec.subnets[0]=us-test-1z'] }),
      {
        path: '/spec/subnets/0',
        message: 'spec.networking.subnets[0]: Not found: "us-test-1z"',
        source: 'pkg/apis/kops/validation/instancegroup.go:284',
      },
    );
    const { value: nodes } = await store.getInstanceGroup(NAME, 'nodes-us-test-1a');
    const group: InstanceGroupConfig = {
      ...nodes,
      metadata: { ...nodes.metadata, name: 'more' },
      spec: { ...nodes.spec, taints: ['a:NoSchedule', 'a:NoSchedule'] },
    };
    await refused(vfs, () => store.putInstanceGroup(NAME, group), {
      path: '/spec/taints/1',
      message: 'spec.taints[1]: Duplicate value: "a:NoSchedule"',
      source: 'pkg/apis/kops/validation/instancegroup.go:210',
    });
  });

  it("aws.go's rules: mergeConfig refuses a Classic API load balancer, instance group writes a short instance lifetime", async () => {
    const { store, vfs } = await fresh();
    await refused(vfs, () => store.mergeConfig(NAME, { set: ['spec.api.loadBalancer.class=Classic'] }), {
      path: '/spec/api/loadBalancer/class',
      message:
        'spec.api.loadBalancer.class: Forbidden: AWS Classic Load Balancer for API is no longer supported; migrate to a Network Load Balancer using kOps 1.36 or earlier. See https://github.com/kubernetes/kops/blob/master/permalinks/acm_nlb.md',
      source: 'pkg/apis/kops/validation/aws.go:44',
    });
    // kops names this path with the group (aws.go:153); it points into the group written.
    await refused(
      vfs,
      () => store.mergeInstanceGroup(NAME, 'nodes-us-test-1a', { set: ['spec.maxInstanceLifetime=100s'] }),
      {
        path: '/spec/maxInstanceLifetime',
        message:
          'nodes-us-test-1a.spec.maxInstanceLifetime: Invalid value: "1m40s": max instance lifetime must be greater than 86400 or equal to 0',
        source: 'pkg/apis/kops/validation/aws.go:164',
      },
    );
  });

  it('a stored cluster kops refuses stays readable and editable; a fix is accepted; rollback may not bring the violation back', async () => {
    const { store, vfs } = await fresh();
    const { value } = await store.getCluster(NAME);
    // Written around the store, as an older tool might have.
    await vfs.write(layout.config(NAME), stringifyYaml(withSubnetOutside(value)));
    expect((await store.getCluster(NAME)).value.spec?.subnets?.[0]?.cidr).toBe('10.99.0.0/16');
    // A change that adds nothing kops refuses goes through, the old violation kept.
    await store.mergeConfig(NAME, { set: ['spec.kubernetesVersion=1.32.1'] });
    // A change adding a second violation is refused, with the new one only.
    const err = await rejection(store.mergeConfig(NAME, { set: ['spec.networkCIDR=172.20.0.1/16'] }));
    expect(err.issues?.map((issue) => issue.path)).toEqual(['/spec/networkCIDR']);
    // Fixing it is accepted.
    const fixed = await store.mergeConfig(NAME, { set: ['spec.subnets[0].cidr=172.20.32.0/19'] }, { reason: 'fix' });
    expect(fixed.changed).toBe(true);
    // Back one revision (helm rollback with no number): the version before the fix, which has the violation.
    await refused(vfs, () => store.rollback(NAME), outside);
  });
});
