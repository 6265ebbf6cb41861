/** clusterFromOptions: the kops create-cluster flags beyond what kops's integration cases cover (subnets and
 * networks: subnets.test.ts; machine types and cloud-specific flags: clouds.test.ts). */
import { machineArchitecture } from '../../src/create-cluster/architecture.js';
import { parseFeatureGate } from '../../src/create-cluster/spec-parts.js';
import { clusterFromOptions, type CloudFacts, type CreateClusterOptions } from '../../src/create-cluster/index.js';
import { BASE, OPENSTACK, group, groups, spec } from './options.js';

describe('instanceManager (--instance-manager)', () => {
  it('karpenter needs a discovery store, and other managers are refused', () => {
    expect(() => clusterFromOptions({ ...BASE, instanceManager: 'karpenter' })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/discoveryStore/) }),
    );
    expect(() => clusterFromOptions({ ...BASE, instanceManager: 'spot' })).toThrow(/instanceManager/);
  });

  it('karpenter with several node sizes lists them as a mixed policy, on any cloud', () => {
    const o: CreateClusterOptions = {
      ...BASE,
      cloud: 'gce',
      zones: ['us-test1-a'],
      project: 'p',
      instanceManager: 'karpenter',
      discoveryStore: 'gs://d',
      nodeSizes: ['e2-small', 'e2-medium'],
    };
    const nodes = group(o, 'nodes');
    expect(nodes).toMatchObject({
      manager: 'Karpenter',
      machineType: 'e2-small',
      mixedInstancesPolicy: { instances: ['e2-small', 'e2-medium'] },
    });
    expect(nodes).not.toHaveProperty('minSize');
    expect(spec(o).karpenter).toEqual({ enabled: true });
  });
});

describe('kubernetesFeatureGates (--kubernetes-feature-gates)', () => {
  it('parses +, - and bare names, and refuses empty ones', () => {
    expect(parseFeatureGate(' +A ')).toEqual(['A', true]);
    expect(parseFeatureGate('-B')).toEqual(['B', false]);
    expect(parseFeatureGate('C')).toEqual(['C', true]);
    expect(() => parseFeatureGate('  ')).toThrow(/must not be empty/);
    expect(() => parseFeatureGate('-')).toThrow(/no feature name/);
  });

  it('keeps kube-proxy off for Cilium while adding the gates to it', () => {
    const s = spec({ ...BASE, networking: 'cilium', kubernetesFeatureGates: ['-X'] });
    expect(s.kubeProxy).toEqual({ enabled: false, featureGates: { X: 'false' } });
    expect((s.kubelet as Record<string, unknown>).featureGates).toEqual({ X: 'false' });
  });
});

describe('images by architecture', () => {
  it('judges AWS machine types by name when cloud facts do not describe them', () => {
    for (const t of ['m6g.large', 'c7gn.xlarge', 't4g.micro', 'a1.medium', 'r8gd.2xlarge', 'im4gn.large'])
      expect(machineArchitecture('aws', t)).toBe('arm64');
    for (const t of ['m5.large', 'g4dn.xlarge', 'g4ad.16xlarge', 'c6i.large', 't3.micro'])
      expect(machineArchitecture('aws', t)).toBe('amd64');
    expect(machineArchitecture('gce', 't2a-standard-1')).toBe('amd64');
    expect(machineArchitecture('aws', undefined)).toBe('amd64');
  });

  it('follows cloud facts first, taking the first of x86_64 and arm64, and refuses others', () => {
    const facts: CloudFacts = {
      machineTypes: { 'm6g.large': { architectures: ['x86_64'] }, 'odd.large': { architectures: ['i386'] } },
    };
    expect(machineArchitecture('aws', 'm6g.large', facts)).toBe('amd64');
    expect(() => machineArchitecture('aws', 'odd.large', facts)).toThrow(/unsupported architecture/);
  });

  it('picks the arm64 channel image per group; an explicit image wins', () => {
    const o: CreateClusterOptions = { ...BASE, nodeSizes: ['c7g.large'] };
    expect(group(o, 'nodes-us-test-1a').image).toMatch(/ubuntu-noble-24.04-arm64/);
    expect(group(o, 'control-plane-us-test-1a').image).toMatch(/ubuntu-noble-24.04-amd64/);
    expect(group({ ...o, image: 'ami-1' }, 'nodes-us-test-1a').image).toBe('ami-1');
  });
});

describe("networking (--networking), kops's table", () => {
  it('defaults to Cilium with node ports, which turns kube-proxy off', () => {
    const { networking: _n, ...rest } = BASE;
    const s = spec(rest);
    expect(s.networking).toEqual({ cilium: { enableNodePort: true } });
    expect(s.kubeProxy).toEqual({ enabled: false });
  });

  it('maps the other names kops knows and refuses canal', () => {
    expect(spec({ ...BASE, networking: 'kube-router' })).toMatchObject({
      networking: { kuberouter: {} },
      kubeProxy: { enabled: false },
    });
    expect(spec({ ...BASE, networking: 'flannel-udp' }).networking).toEqual({ flannel: { backend: 'udp' } });
    expect(spec({ ...BASE, networking: 'kopeio' }).networking).toEqual({ kopeio: {} });
    expect(spec({ ...BASE, networking: 'gcp' }).networking).toEqual({ gce: {} });
    expect(() => spec({ ...BASE, networking: 'canal' })).toThrow(/unknown networking/);
  });

  it('cilium-etcd adds a "cilium" etcd cluster', () => {
    const s = spec({ ...BASE, networking: 'cilium-etcd' });
    expect(s.networking).toEqual({ cilium: { enableNodePort: true, etcdManaged: true } });
    expect((s.etcdClusters as { name: string; cpuRequest: string }[]).map((e) => [e.name, e.cpuRequest])).toEqual([
      ['main', '200m'],
      ['events', '100m'],
      ['cilium', '100m'],
    ]);
  });

  it('amazonvpc gives pods the default VPC range, but not a --network-cidr one (kops defaults it only with the VPC CIDR)', () => {
    expect(spec({ ...BASE, networking: 'amazonvpc' }).nonMasqueradeCIDR).toBe('172.20.0.0/16');
    expect(spec({ ...BASE, networking: 'amazonvpc', networkCIDRs: ['10.4.0.0/16'] }).nonMasqueradeCIDR).toBe(
      '100.64.0.0/10',
    );
  });

  it('a --set kubeProxy.enabled keeps precedence over Calico eBPF', () => {
    const s = spec({
      ...BASE,
      networking: 'calico',
      sets: ['cluster.spec.networking.calico.bpfEnabled=true', 'cluster.spec.kubeProxy.enabled=true'],
    });
    expect(s.kubeProxy).toEqual({ enabled: true });
  });
});

describe('DNS and API defaults', () => {
  it('a DNS zone alone means public DNS, an API reached by DNS, and a public name', () => {
    const s = spec({ ...BASE, dnsZone: 'example.com' });
    expect(s.topology).toEqual({ dns: { type: 'Public' } });
    expect(s.api).toEqual({ dns: {} });
    expect(s.masterPublicName).toBe('api.flags.example.com');
  });

  it('no DNS means a load balancer and no public name; --api-public-name sets one', () => {
    const s = spec(BASE);
    expect(s.api).toEqual({ loadBalancer: { type: 'Public', class: 'Network' } });
    expect(s).not.toHaveProperty('masterPublicName');
    expect(spec({ ...BASE, apiPublicName: 'k8s.example.com' }).masterPublicName).toBe('k8s.example.com');
  });

  it('a private-DNS bastion still gets a public name (kops: PublishesDNSRecords)', () => {
    const s = spec({ ...BASE, topology: 'private', bastion: true, dnsType: 'private' });
    expect(s.topology).toEqual({
      dns: { type: 'Private' },
      bastion: { bastionPublicName: 'bastion.flags.example.com' },
    });
  });
});

describe('instance-group flags', () => {
  it('associatePublicIP reaches every group; tenancy its role; bastionImage the bastion', () => {
    const o: CreateClusterOptions = {
      ...BASE,
      topology: 'private',
      bastion: true,
      associatePublicIP: false,
      controlPlaneTenancy: 'dedicated',
      nodeTenancy: 'default',
      bastionImage: 'ami-b',
    };
    const all = groups(o);
    expect(all.every((g) => g.spec.associatePublicIp === false)).toBe(true);
    expect(group(o, 'control-plane-us-test-1a').tenancy).toBe('dedicated');
    expect(group(o, 'nodes-us-test-1a').tenancy).toBe('default');
    expect(group(o, 'bastions')).toMatchObject({ image: 'ami-b' });
    expect(group(o, 'bastions')).not.toHaveProperty('tenancy');
  });

  it('several sizes make a mixed instances policy on AWS only', () => {
    expect(group({ ...BASE, nodeSizes: ['m5.large', 'm5a.large'] }, 'nodes-us-test-1a').mixedInstancesPolicy).toEqual({
      instances: ['m5.large', 'm5a.large'],
    });
    const gce: CreateClusterOptions = {
      ...BASE,
      cloud: 'gce',
      zones: ['us-test1-a'],
      project: 'p',
      nodeSizes: ['e2-small', 'e2-medium'],
    };
    expect(group(gce, 'nodes-us-test1-a')).not.toHaveProperty('mixedInstancesPolicy');
  });

  it("etcdStorageType sets each member's volume type", () => {
    const etcd = spec({ ...BASE, etcdStorageType: 'gp3' }).etcdClusters as { etcdMembers: Record<string, unknown>[] }[];
    expect(etcd.every((e) => e.etcdMembers.every((m) => m.volumeType === 'gp3'))).toBe(true);
  });

  it('refuses fewer control-plane nodes than control-plane zones', () => {
    expect(() =>
      clusterFromOptions({
        ...BASE,
        zones: ['us-test-1a', 'us-test-1b'],
        controlPlaneZones: ['us-test-1a', 'us-test-1b'],
        controlPlaneCount: 1,
      }),
    ).toThrow(/controlPlaneCount/);
  });
});

describe('cluster-level flags', () => {
  it("disableSubnetTags is written as v1alpha2's DisableSubnetTags", () => {
    expect(spec({ ...BASE, disableSubnetTags: true }).DisableSubnetTags).toBe(true);
  });

  it('guesses the cloud from the state store scheme, as kops does', () => {
    const { cloud: _c, ...rest } = BASE;
    expect(spec({ ...rest, zones: ['us-test1-a'], project: 'p', stateStore: 'gs://bucket' }).cloudProvider).toBe('gce');
    expect(() => clusterFromOptions({ ...rest, stateStore: 'file:///tmp/x' })).toThrow(/cloud is required/);
  });

  it('applies --unset before --set, as kops does', () => {
    const s = spec({
      ...BASE,
      sets: ['cluster.spec.kubelet.anonymousAuth=true'],
      unsets: ['cluster.spec.kubelet.anonymousAuth'],
    });
    expect(s.kubelet).toEqual({ anonymousAuth: true });
  });

  it('OpenStack: the Octavia provider and the ignore-AZ flag', () => {
    const s = spec({
      ...OPENSTACK,
      apiLoadBalancerType: 'public',
      openstackLBOctavia: true,
      openstackOctaviaProvider: 'ovn',
      openstackStorageIgnoreAZ: true,
    });
    const os = (s.cloudConfig as { openstack: Record<string, Record<string, unknown>> }).openstack;
    expect(os.loadbalancer).toMatchObject({ provider: 'ovn', method: 'SOURCE_IP_PORT', useOctavia: true });
    expect(os.blockStorage?.['ignore-volume-az']).toBe(true);
    const haproxy = spec({
      ...OPENSTACK,
      apiLoadBalancerType: 'public',
    });
    expect(
      (haproxy.cloudConfig as { openstack: Record<string, Record<string, unknown>> }).openstack.loadbalancer,
    ).toMatchObject({ provider: 'haproxy', useOctavia: false });
  });
});
