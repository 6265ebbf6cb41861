/**
 * One matrix: a few of kops's rules, each broken through every library entry point that can
 * express it (createCluster, putConfig, mergeConfig, mergeCreateClusterOptions, putInstanceGroup,
 * mergeInstanceGroup, deleteInstanceGroup, rollback, apply and apply --prune). Each refusal is a
 * ValidationError carrying kops's field path, message and source line, and every file of the
 * store (bytes and version, history and lease files included) is the same afterwards. Memory
 * backend. The CLI's verbs have their own matrix: test/cli/kops-validation-entry-points.test.ts.
 */
import type { CreateClusterOptions } from '../../src/create-cluster/options.js';
import { parseYaml } from '../../src/config/yaml/parse.js';
import { stringifyYaml } from '../../src/config/yaml/stringify.js';
import { layout } from '../../src/store/layout.js';
import type {
  ApplyDocument,
  ClusterConfig,
  ConfigChange,
  InstanceGroupConfig,
  StateStore,
  ValidationIssue,
} from '../../src/index.js';
import type { Vfs } from '../../src/vfs/types.js';
import { CONTROL_PLANE, NODES, exportedDocuments, oneZoneCluster, oneZoneStore } from './one-zone-cluster.js';
import { refused } from './refused.js';

const NAME = 'matrix.example.com';

interface Store {
  store: StateStore;
  vfs: Vfs;
}

/** A fresh memory store; with `create`, holding the one-zone AWS cluster kops's create makes. */
const fresh = (create = true): Promise<Store> =>
  oneZoneStore('kops-entry-points', create ? { name: NAME, reason: 'matrix setup' } : undefined);

// ---- The rules, each with kops's issue and the ways a caller can express breaking it ----

/** A rule of kops and the changes breaking it, per kind of input; an absent one cannot express it. */
interface Rule {
  issue: ValidationIssue;
  /** The cluster config breaking it (createCluster, putConfig, apply, rollback). */
  cluster?: (config: ClusterConfig) => ClusterConfig;
  /** The config breaking it only as a change of the stored one (an update rule: no createCluster). */
  updateOnly?: boolean;
  /** mergeConfig's change. */
  merge?: ConfigChange<ClusterConfig>;
  /** mergeCreateClusterOptions' options. */
  options?: Partial<CreateClusterOptions>;
  /** The instance group broken: its name and the group breaking it. */
  group?: {
    name: string;
    broken: (group: InstanceGroupConfig) => InstanceGroupConfig;
    merge: ConfigChange<InstanceGroupConfig>;
  };
  /** The instance group whose deletion breaks it. */
  deleted?: string;
  /** A rule of the group with its cluster: reported at `/instanceGroups/{index}` where all are checked. */
  cross?: boolean;
  /** A cross rule the cluster breaks: a write of the config alone names this stored group in the message. */
  groupOfCluster?: string;
}

/** The issue an entry point reports: a cross rule checked with all the groups names the group's index. */
function issueOf(rule: Rule, entry: string): ValidationIssue {
  const whole = entry === 'createCluster' || entry === 'apply';
  if (rule.cross && whole) return { ...rule.issue, path: `/instanceGroups/1${rule.issue.path}` };
  const group = rule.groupOfCluster;
  return group ? { ...rule.issue, message: `instance group "${group}": ${rule.issue.message}` } : rule.issue;
}

const withSpec = (config: ClusterConfig, spec: Partial<NonNullable<ClusterConfig['spec']>>): ClusterConfig => ({
  ...config,
  spec: { ...config.spec, ...spec },
});

const RULES: Record<string, Rule> = {
  'a subnet outside networkCIDR (validation.go:717)': {
    issue: {
      path: '/spec/subnets/0/cidr',
      message:
        'spec.networking.subnets[0].cidr: Forbidden: subnet "us-test-1a" cidr "10.99.0.0/16" is not a subnet of the networkCIDR "172.20.0.0/16"',
      source: 'pkg/apis/kops/validation/validation.go:717',
    },
    cluster: (c) =>
      withSpec(c, { subnets: c.spec!.subnets!.map((s, i) => (i === 0 ? { ...s, cidr: '10.99.0.0/16' } : s)) }),
    merge: { set: ['spec.subnets[0].cidr=10.99.0.0/16'] },
    options: { sets: ['spec.subnets[0].cidr=10.99.0.0/16'] },
  },
  'an even etcd member count (validation.go:1562)': {
    issue: {
      path: '/spec/etcdClusters/0/etcdMembers',
      message:
        'spec.etcdClusters[0].etcdMembers: Invalid value: 2: Should be an odd number of control-plane-zones for quorum. Use --zones and --control-plane-zones to declare node zones and control-plane zones separately',
      source: 'pkg/apis/kops/validation/validation.go:1562',
    },
    cluster: (c) =>
      withSpec(c, {
        etcdClusters: c.spec!.etcdClusters!.map((e, i) =>
          i === 0 ? { ...e, etcdMembers: [...e.etcdMembers!, { name: 'b', instanceGroup: CONTROL_PLANE }] } : e,
        ),
      }),
    merge: {
      set: [
        'spec.etcdClusters[0].etcdMembers[1].name=b',
        `spec.etcdClusters[0].etcdMembers[1].instanceGroup=${CONTROL_PLANE}`,
      ],
    },
    options: {
      sets: [
        'spec.etcdClusters[0].etcdMembers[1].name=b',
        `spec.etcdClusters[0].etcdMembers[1].instanceGroup=${CONTROL_PLANE}`,
      ],
    },
  },
  'removing an etcd cluster (cluster.go:53)': {
    issue: {
      path: '/spec/etcdClusters',
      message: 'spec.etcdClusters[events]: Forbidden: EtcdClusters cannot be removed',
      source: 'pkg/apis/kops/validation/cluster.go:53',
    },
    cluster: (c) => withSpec(c, { etcdClusters: c.spec!.etcdClusters!.filter((e) => e.name !== 'events') }),
    updateOnly: true,
    merge: { jsonPatch: [{ op: 'remove', path: '/spec/etcdClusters/1' }] },
    options: { unsets: ['spec.etcdClusters[1]'] },
  },
  'a control-plane group with maxSize 3 (instancegroup.go:71)': {
    issue: {
      path: '/spec/maxSize',
      message:
        'spec.maxSize: Invalid value: 3: controlPlane InstanceGroup must have maxSize set to 1, add more InstanceGroups instead',
      source: 'pkg/apis/kops/validation/instancegroup.go:71',
    },
    group: {
      name: CONTROL_PLANE,
      broken: (g) => ({ ...g, spec: { ...g.spec, maxSize: 3 } }),
      merge: { set: ['spec.maxSize=3'] },
    },
  },
  // A rule needing the cluster (CrossValidateInstanceGroup): where the whole cluster is checked
  // (createCluster, apply) its path starts at the group, /instanceGroups/1 (see issueOf).
  'a group naming a subnet the cluster lacks (instancegroup.go:284)': {
    issue: {
      path: '/spec/subnets/0',
      message: 'spec.networking.subnets[0]: Not found: "us-test-1z"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    },
    group: {
      name: NODES,
      broken: (g) => ({ ...g, spec: { ...g.spec, subnets: ['us-test-1z'] } }),
      merge: { set: ['spec.subnets[0]=us-test-1z'] },
    },
    cross: true,
  },
  // The same rule from the cluster's side (DeepValidate, legacy.go:299): the groups' one subnet renamed.
  'a cluster without the subnet its groups name (instancegroup.go:284)': {
    issue: {
      path: '/spec/subnets/0',
      message: 'spec.networking.subnets[0]: Not found: "us-test-1a"',
      source: 'pkg/apis/kops/validation/instancegroup.go:284',
    },
    cluster: (c) => withSpec(c, { subnets: [{ ...c.spec!.subnets![0]!, name: 'us-test-1b' }] }),
    merge: { set: ['spec.subnets[0].name=us-test-1b'] },
    options: { sets: ['spec.subnets[0].name=us-test-1b'] },
    cross: true,
    groupOfCluster: NODES,
  },
  'a control-plane tenancy kops does not know, through create-cluster options (instancegroup.go:86)': {
    issue: {
      path: '/spec/tenancy',
      message: 'spec.tenancy: Unsupported value: "bogus": supported values: "default", "dedicated", "host"',
      source: 'pkg/apis/kops/validation/instancegroup.go:86',
    },
    // With a cluster change beside it: the config must not be written when a group is refused.
    options: { kubernetesVersion: 'v1.32.1', controlPlaneTenancy: 'bogus' },
  },
  'deleting the only control-plane group (delete_instancegroup.go:165)': {
    issue: {
      path: '/instanceGroups',
      message: 'cannot delete the only control plane instance group',
      source: 'cmd/kops/delete_instancegroup.go:165',
    },
    deleted: CONTROL_PLANE,
  },
};

// ---- The entry points ----

/** The stored documents as `export` leaves them (parsed text), the cluster's and the group's changed. */
async function applyDocuments(store: StateStore, rule: Rule): Promise<ApplyDocument[]> {
  const [config, ...stored] = (await exportedDocuments(store, NAME)) as [ClusterConfig, ...InstanceGroupConfig[]];
  const groups = stored.filter((g) => g.metadata?.name !== rule.deleted);
  const changed = groups.map((g) => (g.metadata?.name === rule.group?.name ? rule.group!.broken(g) : g));
  return [rule.cluster ? rule.cluster(config) : config, ...(changed as ApplyDocument[])];
}

/**
 * A rollback target that breaks the rule: the broken document written around the store (as an
 * older tool might have), then fixed through the store (a recorded revision); rolling back one
 * revision brings the broken one back.
 */
async function brokenRevision(ctx: Store, rule: Rule): Promise<() => Promise<unknown>> {
  const { store, vfs } = ctx;
  if (rule.cluster) {
    const { value, text } = await store.getCluster(NAME);
    await vfs.write(layout.config(NAME), stringifyYaml(rule.cluster(value)));
    await store.putConfig(NAME, parseYaml(text).value as ClusterConfig, { reason: 'fix' });
    return () => store.rollback(NAME);
  }
  const { name, broken } = rule.group!;
  const { value, text } = await store.getInstanceGroup(NAME, name);
  await vfs.write(layout.instanceGroup(NAME, name), stringifyYaml(broken(value)));
  await store.putInstanceGroup(NAME, parseYaml(text).value as InstanceGroupConfig, { reason: 'fix' });
  return () => store.rollback(NAME, undefined, { instanceGroup: name });
}

/**
 * A rollback to the deletion of `group`, which the cluster as it is now cannot lose: the group was
 * deleted (a recorded revision) while a second control-plane group held the etcd members, then
 * restored once the members are back; the second group and the members' move are made and undone
 * around the store.
 */
async function deletionRevision(ctx: Store, group: string): Promise<() => Promise<unknown>> {
  const { store, vfs } = ctx;
  const config = (await store.getCluster(NAME)).text;
  const controlPlane = (await store.getInstanceGroup(NAME, group)).text;
  await vfs.write(layout.instanceGroup(NAME, 'cp-extra'), controlPlane.replace(`name: ${group}`, 'name: cp-extra'));
  await vfs.write(layout.config(NAME), config.replaceAll(`instanceGroup: ${group}`, 'instanceGroup: cp-extra'));
  await store.deleteInstanceGroup(NAME, group); // revision 2 of the group: its deletion
  await vfs.write(layout.config(NAME), config);
  await store.rollback(NAME, 1, { instanceGroup: group });
  await vfs.delete(layout.instanceGroup(NAME, 'cp-extra'));
  return () => store.rollback(NAME, 2, { instanceGroup: group });
}

/** An entry point: which rules it can express, and the call breaking one (after its setup). */
interface Entry {
  expresses: (rule: Rule) => boolean;
  call: (ctx: Store, rule: Rule) => Promise<() => Promise<unknown>>;
}

/** An entry point that needs no setup: the call is made as it is. */
const direct =
  (call: (store: StateStore, rule: Rule) => Promise<unknown>) =>
  async ({ store }: Store, rule: Rule) =>
  () =>
    call(store, rule);

const ENTRIES: Record<string, Entry> = {
  createCluster: {
    expresses: (rule) => (rule.cluster !== undefined || rule.group !== undefined) && !rule.updateOnly,
    async call({ store }, rule) {
      const { cluster, instanceGroups } = oneZoneCluster(NAME);
      const config = rule.cluster ? rule.cluster(cluster) : cluster;
      const groups = instanceGroups.map((g) => (g.metadata?.name === rule.group?.name ? rule.group!.broken(g) : g));
      return () => store.createCluster(NAME, config, groups);
    },
  },
  putConfig: {
    expresses: (rule) => rule.cluster !== undefined,
    async call({ store }, rule) {
      const { value } = await store.getCluster(NAME);
      return () => store.putConfig(NAME, rule.cluster!(value));
    },
  },
  mergeConfig: {
    expresses: (rule) => rule.merge !== undefined,
    call: direct((store, rule) => store.mergeConfig(NAME, rule.merge!)),
  },
  mergeCreateClusterOptions: {
    expresses: (rule) => rule.options !== undefined,
    call: direct((store, rule) => store.mergeCreateClusterOptions(NAME, rule.options!)),
  },
  putInstanceGroup: {
    expresses: (rule) => rule.group !== undefined,
    async call({ store }, rule) {
      const { value } = await store.getInstanceGroup(NAME, rule.group!.name);
      return () => store.putInstanceGroup(NAME, rule.group!.broken(value));
    },
  },
  mergeInstanceGroup: {
    expresses: (rule) => rule.group !== undefined,
    call: direct((store, rule) => store.mergeInstanceGroup(NAME, rule.group!.name, rule.group!.merge)),
  },
  deleteInstanceGroup: {
    expresses: (rule) => rule.deleted !== undefined,
    call: direct((store, rule) => store.deleteInstanceGroup(NAME, rule.deleted!)),
  },
  rollback: {
    expresses: (rule) => rule.cluster !== undefined || rule.group !== undefined || rule.deleted !== undefined,
    call: (ctx, rule) => (rule.deleted ? deletionRevision(ctx, rule.deleted) : brokenRevision(ctx, rule)),
  },
  apply: {
    expresses: (rule) => rule.cluster !== undefined || rule.group !== undefined,
    async call({ store }, rule) {
      // A harmless change of the node group beside it: nothing may be written before the refusal.
      const documents = (await applyDocuments(store, rule)).map((doc) =>
        doc.metadata?.name === NODES ? ({ ...doc, spec: { ...doc.spec, maxSize: 7 } } as ApplyDocument) : doc,
      );
      return () => store.apply(documents);
    },
  },
  'apply --prune': {
    expresses: (rule) => rule.deleted !== undefined,
    async call({ store }, rule) {
      const documents = await applyDocuments(store, rule);
      return () => store.apply(documents, { prune: true });
    },
  },
};

const CLUSTER_ENTRIES = ['createCluster', 'putConfig', 'mergeConfig', 'mergeCreateClusterOptions', 'rollback', 'apply'];
const GROUP_ENTRIES = ['createCluster', 'putInstanceGroup', 'mergeInstanceGroup', 'rollback', 'apply'];

/** Which entry points express each rule: every entry point is in at least one row. */
const EXPECTED: Record<string, string[]> = {
  'a subnet outside networkCIDR (validation.go:717)': CLUSTER_ENTRIES,
  'an even etcd member count (validation.go:1562)': CLUSTER_ENTRIES,
  'removing an etcd cluster (cluster.go:53)': [
    'putConfig',
    'mergeConfig',
    'mergeCreateClusterOptions',
    'rollback',
    'apply',
  ],
  'a control-plane group with maxSize 3 (instancegroup.go:71)': GROUP_ENTRIES,
  'a group naming a subnet the cluster lacks (instancegroup.go:284)': GROUP_ENTRIES,
  'a cluster without the subnet its groups name (instancegroup.go:284)': CLUSTER_ENTRIES,
  'a control-plane tenancy kops does not know, through create-cluster options (instancegroup.go:86)': [
    'mergeCreateClusterOptions',
  ],
  'deleting the only control-plane group (delete_instancegroup.go:165)': [
    'deleteInstanceGroup',
    'rollback',
    'apply --prune',
  ],
};

const CASES = Object.entries(RULES).flatMap(([rule, r]) =>
  Object.entries(ENTRIES)
    .filter(([, entry]) => entry.expresses(r))
    .map(([entry]) => [rule, entry] as const),
);

describe('kops validation through every entry point', () => {
  it('covers every entry point, each rule where it can be expressed', () => {
    const table: Record<string, string[]> = {};
    for (const [rule, entry] of CASES) (table[rule] ??= []).push(entry);
    expect(table).toEqual(EXPECTED);
    expect(new Set(Object.values(EXPECTED).flat())).toEqual(new Set(Object.keys(ENTRIES)));
  });

  it.each(CASES)('%s, through %s: refused with kops path and source, nothing written', async (rule, entry) => {
    const ctx = await fresh(entry !== 'createCluster');
    const call = await ENTRIES[entry]!.call(ctx, RULES[rule]!);
    await refused(ctx.vfs, call, issueOf(RULES[rule]!, entry));
    if (entry === 'createCluster') expect(await ctx.store.listClusters()).toEqual([]);
  });
});

describe('apply writes what it validated', () => {
  it('a new subnet and a group in it, in one apply: each group is checked against the cluster applied', async () => {
    const { store } = await fresh();
    const [config, ...groups] = await applyDocuments(store, {} as Rule);
    const spec = config!.spec as NonNullable<ClusterConfig['spec']>;
    const subnet = { name: 'us-test-1b', zone: 'us-test-1b', cidr: '172.20.64.0/19', type: 'Public' };
    const subnets = [{ ...spec.subnets![0]!, cidr: '172.20.32.0/19' }, subnet];
    const nodes = groups.find((g) => g.metadata?.name === NODES) as InstanceGroupConfig;
    const added: InstanceGroupConfig = {
      ...nodes,
      metadata: { ...nodes.metadata, name: 'nodes-us-test-1b' },
      spec: { ...nodes.spec, subnets: ['us-test-1b'] },
    };
    const result = await store.apply([{ ...config!, spec: { ...spec, subnets } } as ApplyDocument, ...groups, added]);
    expect(result.documents.map((doc) => `${doc.name} ${doc.action}`)).toEqual([
      `${CONTROL_PLANE} unchanged`,
      'nodes-us-test-1a unchanged',
      'nodes-us-test-1b create',
      `${NAME} update`,
    ]);
  });
});
