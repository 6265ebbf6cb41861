/**
 * `store.apply` on a stored cluster that already breaks one of kops's rules (issue #26: refuse only
 * new violations, as putConfig and the instance-group writes do). The broken bytes are written
 * around the store, as an older tool might have; then the store's own documents (as `export`
 * leaves them) apply with nothing written, an unrelated change applies, and a change adding a
 * violation is still refused with kops's path and source, nothing written. Memory backend.
 */
import { kopsConfigBase } from '../../src/create-cluster/context.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import { layout } from '../../src/store/layout.js';
import type {
  ApplyDocument,
  ClusterConfig,
  InstanceGroupConfig,
  StateStore,
  ValidationIssue,
} from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { snapshot } from './history-helpers.js';
import { CONTROL_PLANE, NODES, exportedDocuments, oneZoneStore } from './one-zone-cluster.js';
import { refused } from './refused.js';

const NAME = 'stale.example.com';

type Spec<T extends ApplyDocument> = NonNullable<T['spec']>;
const withSpec = <T extends ApplyDocument>(doc: T, spec: Partial<Spec<T>>): T => ({
  ...doc,
  spec: { ...doc.spec, ...spec },
});

/** A stored violation: the document it is in, how it breaks it, and kops's issue for it. */
interface Breakage {
  name: string;
  broken: (doc: ApplyDocument) => ApplyDocument;
  issue: ValidationIssue;
}

const BREAKAGES: Record<string, Breakage> = {
  'a subnet outside networkCIDR (validation.go:717)': {
    name: NAME,
    broken: (c) => {
      const subnets = (c as ClusterConfig).spec!.subnets!;
      return withSpec(c as ClusterConfig, { subnets: [{ ...subnets[0]!, cidr: '10.99.0.0/16' }] });
    },
    issue: {
      path: '/spec/subnets/0/cidr',
      message:
        'spec.networking.subnets[0].cidr: Forbidden: subnet "us-test-1a" cidr "10.99.0.0/16" is not a subnet of the networkCIDR "172.20.0.0/16"',
      source: 'pkg/apis/kops/validation/validation.go:717',
    },
  },
  'a control-plane group with maxSize 3 (instancegroup.go:71)': {
    name: CONTROL_PLANE,
    broken: (g) => withSpec(g as InstanceGroupConfig, { maxSize: 3 }),
    issue: {
      path: '/spec/maxSize',
      message:
        'spec.maxSize: Invalid value: 3: controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead',
      source: 'pkg/apis/kops/validation/instancegroup.go:71',
    },
  },
  'a group naming a subnet the cluster lacks (instancegroup.go:284)': {
    name: NODES,
    broken: (g) => withSpec(g as InstanceGroupConfig, { subnets: ['us-test-1z'] }),
    issue: {
      path: '/spec/subnets/0',
      message: 'spec.networking.subnets[0]: Not found: "us-test-1z"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    },
  },
};

/** The one-zone AWS cluster kops's create makes (and its configBase), with `breakage` written into its stored bytes. */
async function brokenStore(breakage: Breakage): Promise<{ store: StateStore; vfs: Vfs }> {
  const { store, vfs } = await oneZoneStore('apply-existing', {
    name: NAME,
    // With the configBase apply sets where it is absent: the documents applied unchanged change nothing.
    config: (cluster, url) => withSpec(cluster, { configBase: kopsConfigBase(url, NAME) }),
    reason: 'setup',
  });
  const key = breakage.name === NAME ? layout.config(NAME) : layout.instanceGroup(NAME, breakage.name);
  const stored = parseYaml(new TextDecoder().decode((await vfs.read(key)).body)).value as ApplyDocument;
  await vfs.write(key, stringifyYaml(breakage.broken(stored)));
  return { store, vfs };
}

/** The stored documents as `export` leaves them (the bytes parsed): the config first. */
const exported = (store: StateStore) => exportedDocuments(store, NAME);

/** `documents` with the one named `name` changed. */
function changing(documents: ApplyDocument[], name: string, change: (doc: ApplyDocument) => ApplyDocument) {
  return documents.map((doc) => (doc.metadata?.name === name ? change(doc) : doc));
}

describe.each(Object.entries(BREAKAGES))('store.apply on a stored cluster with %s', (_rule, breakage) => {
  it('the store applied unchanged writes nothing, and the stored violation is not reported', async () => {
    const { store, vfs } = await brokenStore(breakage);
    const before = await snapshot(vfs);
    for (const prune of [false, true]) {
      const result = await store.apply(await exported(store), { prune });
      expect(result.changed).toBe(false);
      expect(result.documents.every((doc) => doc.action === 'unchanged')).toBe(true);
    }
    expect(await snapshot(vfs)).toEqual(before);
    await store.close();
  });

  it('an unrelated change to the config and to the broken document applies; the violation stays', async () => {
    const { store } = await brokenStore(breakage);
    let documents = changing(await exported(store), NAME, (c) =>
      withSpec(c as ClusterConfig, { kubernetesVersion: 'v1.32.1' }),
    );
    documents = changing(documents, breakage.name, (doc) => ({
      ...doc,
      metadata: { ...doc.metadata, labels: { ...doc.metadata?.labels, team: 'platform' } },
    }));
    const result = await store.apply(documents);
    const updated = result.documents.filter((doc) => doc.action !== 'unchanged').map((doc) => doc.name);
    expect(updated.sort()).toEqual([...new Set([NAME, breakage.name])].sort());
    expect((await store.getCluster(NAME)).value.spec?.kubernetesVersion).toBe('v1.32.1');
    const stored =
      breakage.name === NAME ? await store.getCluster(NAME) : await store.getInstanceGroup(NAME, breakage.name);
    expect(stored.value.metadata?.labels?.team).toBe('platform');
    // Still there as written: the apply neither fixed nor reported it.
    expect(stored.value).toMatchObject(breakage.broken(stored.value as ApplyDocument));
    await store.close();
  });

  it('a change adding a violation is still refused with kops path and source, nothing written', async () => {
    const { store, vfs } = await brokenStore(breakage);
    const documents = await exported(store);
    // A second etcd member: an even count (validation.go:1562) in the config applied.
    const evenEtcd = changing(documents, NAME, (c) => {
      const etcd = (c as ClusterConfig).spec!.etcdClusters!;
      const members = [...etcd[0]!.etcdMembers!, { name: 'b', instanceGroup: CONTROL_PLANE }];
      return withSpec(c as ClusterConfig, { etcdClusters: [{ ...etcd[0]!, etcdMembers: members }, ...etcd.slice(1)] });
    });
    await refused(vfs, () => store.apply(evenEtcd), {
      path: '/spec/etcdClusters/0/etcdMembers',
      message:
        'spec.etcdClusters[0].etcdMembers: Invalid value: 2: Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately',
      source: 'pkg/apis/kops/validation/validation.go:1562',
    });
    // A new group is checked for every rule, even one a stored group already breaks.
    const nodes = documents.find((doc) => doc.metadata?.name === NODES) as InstanceGroupConfig;
    const added = {
      ...nodes,
      metadata: { ...nodes.metadata, name: 'nodes-extra' },
      spec: { ...nodes.spec, subnets: ['us-test-1z'] },
    };
    const withAdded = [...documents, added];
    await refused(vfs, () => store.apply(withAdded), {
      path: `/instanceGroups/${withAdded.length - 2}/spec/subnets/0`,
      message: 'spec.networking.subnets[0]: Not found: "us-test-1z"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    });
    await store.close();
  });
});

describe('store.apply: the cross rules on the resulting set', () => {
  it('a config change that leaves an unchanged stored group naming a missing subnet is refused', async () => {
    const { store, vfs } = await brokenStore(BREAKAGES['a subnet outside networkCIDR (validation.go:717)']!);
    const documents = await exported(store);
    const renamed = changing(documents, NAME, (c) => {
      const subnets = (c as ClusterConfig).spec!.subnets!;
      return withSpec(c as ClusterConfig, { subnets: [{ ...subnets[0]!, name: 'us-test-1b' }] });
    });
    const index = documents.slice(1).findIndex((doc) => doc.metadata?.name === NODES);
    await refused(vfs, () => store.apply(renamed), {
      path: `/instanceGroups/${index}/spec/subnets/0`,
      message: 'spec.networking.subnets[0]: Not found: "us-test-1a"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    });
    await store.close();
  });
});
