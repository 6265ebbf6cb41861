import fc from 'fast-check';
import { errorsOnly, validateClusterWithInstanceGroups } from '../../src/config/validate/index.js';
import {
  clusterFromOptions,
  mergeOptionsIntoCluster,
  type CreateClusterOptions,
} from '../../src/create-cluster/index.js';
import { parseCloudLabels } from '../../src/create-cluster/cloud-labels.js';

const BASE: CreateClusterOptions = {
  clusterName: 'dev.example.com',
  cloud: 'aws',
  zones: ['us-test-1a'],
  networking: 'cni',
  kubernetesVersion: 'v1.32.0',
  configBase: 'memfs://tests/dev.example.com',
};

type Loose = Record<string, unknown> & { spec: Record<string, unknown>; metadata: { name: string } };
const loose = (v: unknown): Loose => v as Loose;

function created() {
  return clusterFromOptions(BASE);
}

describe('mergeOptionsIntoCluster', () => {
  it('leaves everything as it was when the same options are merged again', () => {
    const current = created();
    expect(mergeOptionsIntoCluster(current, BASE)).toEqual(current);
  });

  it("nodeSize changes only the node groups' machineType", () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, nodeSize: 'm5.large' });
    expect(next.cluster).toEqual(current.cluster);
    const expected = structuredClone(current.instanceGroups).map((g) => {
      const l = loose(g);
      if (l.spec.role === 'Node') l.spec.machineType = 'm5.large';
      return g;
    });
    expect(next.instanceGroups).toEqual(expected);
    expect(loose(next.instanceGroups.find((g) => loose(g).spec.role === 'Master')).spec.machineType).toBe('t3.medium');
  });

  it('kubernetesVersion sets spec.kubernetesVersion and nothing else', () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, kubernetesVersion: 'v1.33.1' });
    const expected = structuredClone(current.cluster);
    loose(expected).spec.kubernetesVersion = 'v1.33.1';
    expect(next.cluster).toEqual(expected);
    expect(next.instanceGroups).toEqual(current.instanceGroups);
  });

  it('a new zone adds its subnet and node group and keeps the existing ones', () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, {
      clusterName: BASE.clusterName,
      zones: ['us-test-1a', 'us-test-1b'],
    });
    const subnets = loose(next.cluster).spec.subnets as Record<string, unknown>[];
    expect(subnets).toHaveLength(2);
    expect(subnets[0]).toEqual((loose(current.cluster).spec.subnets as unknown[])[0]);
    expect(subnets[1]).toEqual({ name: 'us-test-1b', zone: 'us-test-1b', type: 'Public' });
    expect(next.instanceGroups.slice(0, current.instanceGroups.length)).toEqual(current.instanceGroups);
    const added = loose(next.instanceGroups[current.instanceGroups.length]);
    expect(added.metadata.name).toBe('nodes-us-test-1b');
    expect(added.spec).toMatchObject({
      role: 'Node',
      subnets: ['us-test-1b'],
      minSize: 1,
      maxSize: 1,
      machineType: 't3.medium',
    });
    expect(added.spec.nodeLabels).toEqual({ 'kops.k8s.io/instancegroup': 'nodes-us-test-1b' });
  });

  it('a new GCE zone in a known region adds a node group but no subnet', () => {
    const current = clusterFromOptions({ ...BASE, cloud: 'gce', zones: ['us-test1-a'], project: 'p' });
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, zones: ['us-test1-b'] });
    expect(loose(next.cluster).spec.subnets).toEqual(loose(current.cluster).spec.subnets);
    const added = loose(next.instanceGroups.find((g) => loose(g).metadata.name === 'nodes-us-test1-b'));
    expect(added.spec).toMatchObject({ subnets: ['us-test1'], zones: ['us-test1-b'] });
  });

  it('applies sets and unsets to the cluster only', () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, {
      clusterName: BASE.clusterName,
      sets: ['cluster.spec.nodePortAccess=1.2.3.4/32'],
      unsets: ['spec.kubelet.anonymousAuth'],
    });
    const expected = loose(structuredClone(current.cluster));
    expected.spec.nodePortAccess = ['1.2.3.4/32'];
    expected.spec.kubelet = {};
    expect(next.cluster).toEqual(expected);
    expect(next.instanceGroups).toEqual(current.instanceGroups);
  });

  it('nodeCount spreads over the existing node groups', () => {
    const current = clusterFromOptions({ ...BASE, zones: ['us-test-1a', 'us-test-1b'] });
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, nodeCount: 5 });
    const sizes = next.instanceGroups.filter((g) => loose(g).spec.role === 'Node').map((g) => loose(g).spec.minSize);
    expect(sizes).toEqual([3, 2]);
  });

  it('never mutates its inputs', () => {
    const current = created();
    const before = structuredClone(current);
    const options: CreateClusterOptions = {
      ...BASE,
      zones: ['us-test-1a', 'us-test-1c'],
      nodeSize: 'x',
      sets: ['spec.channel=alpha'],
    };
    const optionsBefore = structuredClone(options);
    mergeOptionsIntoCluster(current, options);
    expect(current).toEqual(before);
    expect(options).toEqual(optionsBefore);
  });
});

describe('clusterFromOptions errors', () => {
  it('requires a cluster name, zones and a cloud', () => {
    expect(() => clusterFromOptions({ ...BASE, clusterName: '' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(() => clusterFromOptions({ ...BASE, zones: [] })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    const { cloud: _omit, ...noCloud } = BASE;
    expect(() => clusterFromOptions(noCloud)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('rejects unknown networking, DNS types and channels', () => {
    expect(() => clusterFromOptions({ ...BASE, networking: 'nope' })).toThrow(/unknown networking/);
    expect(() => clusterFromOptions({ ...BASE, dnsType: 'weird' })).toThrow(/unknown DNS type/);
    expect(() => clusterFromOptions({ ...BASE, channel: 'nightly' })).toThrow(/unknown channel/);
  });

  it('takes the channel recommended version and image when no version is given', () => {
    const { kubernetesVersion: _v, ...rest } = BASE;
    const out = clusterFromOptions(rest);
    // kops writes the channel's version as semver prints it, without a "v".
    expect(loose(out.cluster).spec.kubernetesVersion).toBe('1.36.3');
    expect(loose(out.instanceGroups[0]).spec.image).toMatch(/ubuntu-noble-24.04-amd64/);
  });
});

describe('parseCloudLabels (kops: cmd/kops/create_cluster.go parseCloudLabels)', () => {
  it('splits on every comma, trims only leading spaces, and lets quotes hold "="', () => {
    expect(parseCloudLabels('a=1, b = x ,c=,d="p=q",d2="say ""hi"""')).toEqual({
      a: '1',
      'b ': 'x ',
      c: '',
      d: 'p=q',
      d2: 'say "hi"',
    });
    expect(parseCloudLabels('k=1,k=2,,')).toEqual({ k: '2' });
  });

  it("a quoted comma becomes a line break, as Go's csv reads the comma-split text", () => {
    expect(parseCloudLabels('a="x,y"')).toEqual({ a: 'x\ny' });
  });

  it('refuses records without exactly one key and value, stray quotes, and prototype keys', () => {
    expect(() => parseCloudLabels('novalue')).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/key=value/) }),
    );
    expect(() => parseCloudLabels('a=b=c')).toThrow(/malformed/);
    expect(() => parseCloudLabels('a=b"c')).toThrow(/bare "/);
    expect(() => parseCloudLabels('a="b"c')).toThrow(/extraneous or missing "/);
    expect(() => parseCloudLabels('a="b')).toThrow(/extraneous or missing "/);
    expect(() => parseCloudLabels('__proto__=x')).toThrow(/not allowed/);
  });
});

describe('mergeOptionsIntoCluster: networking, labels and guards', () => {
  it('networking replaces spec.networking and turns kube-proxy off for cilium-eni', () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, networking: 'cilium-eni' });
    const expected = loose(structuredClone(current.cluster));
    expected.spec.networking = { cilium: { enableNodePort: true, ipam: 'eni' } };
    expected.spec.kubeProxy = { enabled: false };
    expect(next.cluster).toEqual(expected);
    expect(next.instanceGroups).toEqual(current.instanceGroups);
  });

  it('cloudLabels add to the existing labels', () => {
    const current = clusterFromOptions({ ...BASE, cloudLabels: 'team=a,env=dev' });
    const next = mergeOptionsIntoCluster(current, { clusterName: BASE.clusterName, cloudLabels: 'env=prod' });
    expect(loose(next.cluster).spec.cloudLabels).toEqual({ team: 'a', env: 'prod' });
  });

  it('refuses options for another cluster or cloud', () => {
    const current = created();
    expect(() => mergeOptionsIntoCluster(current, { clusterName: 'other.example.com' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    expect(() => mergeOptionsIntoCluster(current, { cloud: 'gce' })).toThrow(/cannot move a cluster/);
  });
});

describe('clusterFromOptions: API load balancer and DNS zone', () => {
  it('writes the requested load balancer type and class, and the DNS zone', () => {
    const out = clusterFromOptions({
      ...BASE,
      apiLoadBalancerType: 'internal',
      apiLoadBalancerClass: 'classic',
      dnsZone: 'example.com',
    });
    expect(loose(out.cluster).spec.api).toEqual({ loadBalancer: { type: 'Internal', class: 'Classic' } });
    expect(loose(out.cluster).spec.dnsZone).toBe('example.com');
    expect(() => clusterFromOptions({ ...BASE, apiLoadBalancerType: 'sideways' })).toThrow(/load balancer type/);
  });
});

describe('clusterFromOptions: option checks kops makes', () => {
  it('derives configBase from the state store, or leaves it out', () => {
    const { configBase: _c, ...rest } = BASE;
    expect(loose(clusterFromOptions({ ...rest, stateStore: 's3://bucket/' }).cluster).spec.configBase).toBe(
      's3://bucket/dev.example.com',
    );
    expect(loose(clusterFromOptions(rest).cluster).spec).not.toHaveProperty('configBase');
  });

  it('refuses a bastion without private topology, kubenet with it, and unknown topologies', () => {
    expect(() => clusterFromOptions({ ...BASE, bastion: true })).toThrow(/bastion/);
    expect(() => clusterFromOptions({ ...BASE, networking: 'kubenet', topology: 'private' })).toThrow(/kubenet/);
    expect(() => clusterFromOptions({ ...BASE, topology: 'mesh' })).toThrow(/unknown topology/);
  });

  it('refuses, as kops does, when neither the channel nor the cloud has a default image', () => {
    expect(() =>
      clusterFromOptions({ ...BASE, cloud: 'azure', zones: ['eastus-1'], kubernetesVersion: 'v1.10.0' }),
    ).toThrow(
      expect.objectContaining({
        code: 'InvalidArgument',
        message: expect.stringMatching(/default image for cloud provider "azure"/),
      }),
    );
    const out = clusterFromOptions({
      ...BASE,
      cloud: 'azure',
      zones: ['eastus-1'],
      kubernetesVersion: 'v1.10.0',
      image: 'img',
    });
    expect(loose(out.instanceGroups[0]).spec.image).toBe('img');
  });

  it("uses kops's cloud defaults where the channel has no image, and refuses unknown clouds", () => {
    const out = clusterFromOptions({ ...BASE, cloud: 'digitalocean', zones: ['nyc1'] });
    expect(loose(out.instanceGroups[0]).spec).toMatchObject({
      image: 'ubuntu-24-04-x64',
      machineType: 's-2vcpu-4gb-amd',
    });
    expect(() => clusterFromOptions({ ...BASE, cloud: 'vsphere' })).toThrow(/unsupported cloud provider/);
  });
});

describe('properties', () => {
  const zoneSets = fc.subarray(['us-test-1a', 'us-test-1b', 'us-test-1c', 'us-test-1d'], { minLength: 1 });
  const optionSets = fc.record({
    zones: zoneSets,
    topology: fc.constantFrom('public', 'private'),
    controlPlaneCount: fc.integer({ min: 1, max: 5 }),
    nodeCount: fc.integer({ min: 0, max: 12 }),
  });

  it('every generated cluster validates, and merging its own options again changes nothing', () => {
    fc.assert(
      fc.property(optionSets, (o) => {
        const options: CreateClusterOptions = { ...BASE, ...o };
        const out = clusterFromOptions(options);
        expect(errorsOnly(validateClusterWithInstanceGroups(out.cluster, out.instanceGroups))).toEqual([]);
        expect(mergeOptionsIntoCluster(out, options)).toEqual(out);
      }),
      { numRuns: 60 },
    );
  });

  it('adding zones by merge keeps the result valid and the old groups untouched', () => {
    fc.assert(
      fc.property(zoneSets, zoneSets, (first, second) => {
        const current = clusterFromOptions({ ...BASE, zones: first });
        const next = mergeOptionsIntoCluster(current, { zones: second });
        expect(errorsOnly(validateClusterWithInstanceGroups(next.cluster, next.instanceGroups))).toEqual([]);
        expect(next.instanceGroups.slice(0, current.instanceGroups.length)).toEqual(current.instanceGroups);
        const names = new Set(next.instanceGroups.map((g) => loose(g).metadata.name));
        for (const zone of second) expect(names.has(`nodes-${zone}`)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('mergeOptionsIntoCluster: group flags and DNS type as kops create applies them', () => {
  it('nodeVolumeType and nodeTenancy reach only the node groups', () => {
    const current = created();
    const next = mergeOptionsIntoCluster(current, {
      clusterName: BASE.clusterName,
      nodeVolumeType: 'gp3',
      nodeTenancy: 'dedicated',
    });
    for (const g of next.instanceGroups.map(loose)) {
      if (g.spec.role === 'Node') expect(g.spec).toMatchObject({ rootVolumeType: 'gp3', tenancy: 'dedicated' });
      else expect(g.spec).not.toHaveProperty('tenancy');
    }
    expect(next.cluster).toEqual(current.cluster);
  });

  it('refuses an unknown DNS type instead of writing it', () => {
    expect(() => mergeOptionsIntoCluster(created(), { clusterName: BASE.clusterName, dnsType: 'weird' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    const next = mergeOptionsIntoCluster(created(), { clusterName: BASE.clusterName, dnsType: 'private' });
    expect(loose(next.cluster).spec.topology).toEqual({ dns: { type: 'Private' } });
  });
});

describe('mergeOptionsIntoCluster: kubernetesFeatureGates', () => {
  it('adds gates to every component, keeping the ones already there', () => {
    const current = clusterFromOptions({ ...BASE, kubernetesFeatureGates: ['A', '-B'] });
    const next = mergeOptionsIntoCluster(current, {
      clusterName: BASE.clusterName,
      kubernetesFeatureGates: ['B', '-C'],
    });
    const spec = loose(next.cluster).spec as Record<string, { featureGates?: Record<string, string> }>;
    for (const component of ['kubeAPIServer', 'kubeControllerManager', 'kubeProxy', 'kubeScheduler', 'kubelet']) {
      expect(spec[component]?.featureGates).toEqual({ A: 'true', B: 'true', C: 'false' });
    }
    expect((spec.kubelet as Record<string, unknown>).anonymousAuth).toBe(false);
  });
});
