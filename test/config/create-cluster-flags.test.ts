/** clusterFromOptions: the kops create-cluster flags beyond what kops's integration cases cover. */
import { clusterFromOptions, type CloudFacts, type CreateClusterOptions } from '../../src/create-cluster/index.js';
import { machineArchitecture } from '../../src/create-cluster/architecture.js';
import { parseFeatureGate } from '../../src/create-cluster/spec-parts.js';

const BASE: CreateClusterOptions = {
  clusterName: 'flags.example.com',
  cloud: 'aws',
  zones: ['us-test-1a'],
  networking: 'cni',
  kubernetesVersion: 'v1.32.0',
};
type Loose = { spec: Record<string, unknown>; metadata: { name: string } };
const loose = (v: unknown): Loose => v as Loose;
const spec = (o: CreateClusterOptions, facts?: CloudFacts): Record<string, unknown> =>
  loose(clusterFromOptions(o, facts).cluster).spec;
const groups = (o: CreateClusterOptions, facts?: CloudFacts): Loose[] =>
  clusterFromOptions(o, facts).instanceGroups.map(loose);
const group = (o: CreateClusterOptions, name: string, facts?: CloudFacts): Loose['spec'] => {
  const g = groups(o, facts).find((x) => x.metadata.name === name);
  if (!g) throw new Error(`no group ${name}`);
  return g.spec;
};

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

describe('shared subnets (--subnets) and their network', () => {
  const facts: CloudFacts = {
    networks: { 'vpc-1': { cidr: '10.0.0.0/16' } },
    subnets: {
      's-1': { zone: 'us-test-1a', cidr: '10.0.1.0/24', network: 'vpc-1' },
      's-x': { zone: 'us-test-1a', cidr: '10.9.0.0/24' },
    },
  };

  it('takes networkID from the first subnet, as kops asks the cloud', () => {
    const s = spec({ ...BASE, subnetIDs: ['s-1'] }, facts);
    expect(s.networkID).toBe('vpc-1');
    expect(s.networkCIDR).toBe('10.0.0.0/16');
  });

  it("fails with InvalidArgument when the subnet's network is unknown or different", () => {
    expect(() => spec({ ...BASE, subnetIDs: ['s-x'] }, facts)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/network of subnet "s-x"/) }),
    );
    expect(() =>
      spec(
        { ...BASE, networkID: 'vpc-2', subnetIDs: ['s-1'] },
        { ...facts, networks: { 'vpc-2': { cidr: '10.1.0.0/16' } } },
      ),
    ).toThrow(/not in network "vpc-2"/);
  });

  it('--os-network wins over --network-id on OpenStack', () => {
    const s = spec({
      ...BASE,
      cloud: 'openstack',
      zones: ['nova'],
      image: 'img',
      networkCIDRs: ['10.0.0.0/16'],
      nodeSizes: ['n1'],
      controlPlaneSizes: ['n1'],
      networkID: 'a',
      openstackNetworkID: 'b',
    });
    expect(s.networkID).toBe('b');
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
      ...BASE,
      cloud: 'openstack',
      zones: ['nova'],
      image: 'img',
      networkCIDRs: ['10.0.0.0/16'],
      nodeSizes: ['n1'],
      controlPlaneSizes: ['n1'],
      apiLoadBalancerType: 'public',
      openstackLBOctavia: true,
      openstackOctaviaProvider: 'ovn',
      openstackStorageIgnoreAZ: true,
    });
    const os = (s.cloudConfig as { openstack: Record<string, Record<string, unknown>> }).openstack;
    expect(os.loadbalancer).toMatchObject({ provider: 'ovn', method: 'SOURCE_IP_PORT', useOctavia: true });
    expect(os.blockStorage?.['ignore-volume-az']).toBe(true);
    const haproxy = spec({
      ...BASE,
      cloud: 'openstack',
      zones: ['nova'],
      image: 'img',
      networkCIDRs: ['10.0.0.0/16'],
      nodeSizes: ['n1'],
      controlPlaneSizes: ['n1'],
      apiLoadBalancerType: 'public',
    });
    expect(
      (haproxy.cloudConfig as { openstack: Record<string, Record<string, unknown>> }).openstack.loadbalancer,
    ).toMatchObject({ provider: 'haproxy', useOctavia: false });
  });
});

describe('subnets per cloud (kops: setupZones)', () => {
  it('DigitalOcean and Linode: one subnet for the one region; a second zone is refused', () => {
    const s = spec({ ...BASE, cloud: 'digitalocean', zones: ['nyc1'] });
    expect(s.subnets).toEqual([{ name: 'nyc1', region: 'nyc1', zone: 'nyc1', type: 'Public' }]);
    expect(() => spec({ ...BASE, cloud: 'linode', zones: ['us-east', 'us-west'] })).toThrow(/one region only/);
    expect(() => spec({ ...BASE, cloud: 'hetzner', zones: ['fsn1', 'nbg1'] })).toThrow(/only one zone/);
  });

  it('Azure: one regional subnet named after the cluster, carved from 10.0.0.0/16', () => {
    const o: CreateClusterOptions = { ...BASE, cloud: 'azure', zones: ['eastus-1', 'eastus-2'], image: 'img' };
    const s = spec(o);
    expect(s.subnets).toEqual([{ name: 'flags.example.com', region: 'eastus', type: 'Public', cidr: '10.0.0.0/16' }]);
    expect(s.networkCIDR).toBe('10.0.0.0/16');
    expect(group(o, 'nodes-eastus-2')).toMatchObject({ subnets: ['flags.example.com'], zones: ['eastus-2'] });
  });

  it('GCE: a shared subnet is the regional one; more than one, or a malformed zone, is refused', () => {
    const gce: CreateClusterOptions = { ...BASE, cloud: 'gce', zones: ['us-test1-a'], project: 'p' };
    expect((spec({ ...gce, subnetIDs: ['my-subnet'] }).subnets as Record<string, unknown>[])[0]).toMatchObject({
      name: 'us-test1',
      id: 'my-subnet',
    });
    expect(() => spec({ ...gce, subnetIDs: ['a', 'b'] })).toThrow(/exactly one subnet for GCE/);
    expect(() => spec({ ...gce, zones: ['uswest1'] })).toThrow(/invalid GCE zone/);
  });
});

describe('subnet CIDRs (kops: PerformAssignments, assignCIDRsToSubnets)', () => {
  it('OpenStack has no default network CIDR, so subnets cannot be carved without one', () => {
    expect(() =>
      spec({
        ...BASE,
        cloud: 'openstack',
        zones: ['nova'],
        image: 'img',
        nodeSizes: ['n1'],
        controlPlaneSizes: ['n1'],
      }),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/networkCIDR/) }));
  });

  it('splits into at most 8 blocks, and refuses a ninth zone', () => {
    const zones = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((z) => `us-test-1${z}`);
    const s = spec({ ...BASE, zones });
    expect((s.subnets as { cidr: string }[]).map((x) => x.cidr)).toEqual(
      [0, 32, 64, 96, 128, 160, 192, 224].map((n) => `172.20.${n}.0/19`),
    );
    expect(() => spec({ ...BASE, zones: [...zones, 'us-test-1i'] })).toThrow(/no CIDR left/);
  });

  it('a subnet given a CIDR inside the network by --set keeps it and its block is skipped', () => {
    const s = spec({
      ...BASE,
      zones: ['us-test-1a', 'us-test-1b'],
      sets: ['cluster.spec.subnets[0].cidr=172.20.0.0/24'],
    });
    expect((s.subnets as { cidr: string }[]).map((x) => x.cidr)).toEqual(['172.20.0.0/24', '172.20.128.0/17']);
  });

  it('GCE IP aliases: a /19 node subnet, /14 pod and /16 service ranges from 10.0.0.0/8', () => {
    const s = spec({ ...BASE, cloud: 'gce', zones: ['us-test1-a'], project: 'p', networking: 'gce' });
    expect(s).toMatchObject({
      podCIDR: '10.4.0.0/14',
      serviceClusterIPRange: '10.1.0.0/16',
      nonMasqueradeCIDR: '10.0.0.0/8',
    });
    expect((s.subnets as { cidr: string }[])[0]?.cidr).toBe('10.0.32.0/19');
  });

  it('GCE on a shared network avoids the ranges its subnets use, which are cloud facts', () => {
    const gce: CreateClusterOptions = { ...BASE, cloud: 'gce', zones: ['us-test1-a'], project: 'p', networkID: 'net' };
    expect(() => spec(gce)).toThrow(/usedRanges/);
    const s = spec(gce, { networks: { net: { usedRanges: ['10.0.16.0/20', '10.0.40.0/21'] } } });
    expect((s.subnets as { cidr: string }[])[0]?.cidr).toBe('10.0.48.0/20');
  });
});

describe('default machine types (kops: defaultMachineType)', () => {
  it("AWS: the first preference, or the first offered in all the group's zones; t4g for arm64 images", () => {
    expect(group(BASE, 'control-plane-us-test-1a').machineType).toBe('t3.medium');
    expect(group({ ...BASE, topology: 'private', bastion: true }, 'bastions').machineType).toBe('t3.micro');
    const offered: CloudFacts = {
      instanceTypeZones: { 't3.medium': ['us-test-1b'], 'c5.large': ['us-test-1a', 'us-test-1b'] },
    };
    expect(group(BASE, 'nodes-us-test-1a', offered).machineType).toBe('c5.large');
    expect(() => groups(BASE, { instanceTypeZones: {} })).toThrow(/no default machine type/);
    const arm: CloudFacts = { images: { 'ami-arm': { architecture: 'arm64' } } };
    expect(group({ ...BASE, image: 'ami-arm' }, 'nodes-us-test-1a', arm).machineType).toBe('t4g.medium');
  });

  it('OpenStack: the smallest flavor that fits the role, from cloud facts', () => {
    const facts: CloudFacts = {
      flavors: [
        { name: 'big', ram: 16384, vcpus: 8 },
        { name: 'one-cpu', ram: 4096, vcpus: 1 },
        { name: 'tiny', ram: 1024, vcpus: 1 },
        { name: 'two-cpu', ram: 4096, vcpus: 2 },
      ],
    };
    const o: CreateClusterOptions = {
      ...BASE,
      cloud: 'openstack',
      zones: ['nova'],
      image: 'img',
      networkCIDRs: ['10.0.0.0/16'],
      topology: 'private',
      bastion: true,
    };
    expect(group(o, 'control-plane-nova', facts).machineType).toBe('one-cpu');
    expect(group(o, 'nodes-nova', facts).machineType).toBe('two-cpu');
    expect(group(o, 'bastions', facts).machineType).toBe('tiny');
    expect(() => groups(o)).toThrow(/cloudFacts.flavors/);
  });

  it('GCE leaves API-server-only groups without a type, as kops does', () => {
    const o: CreateClusterOptions = { ...BASE, cloud: 'gce', zones: ['us-test1-a'], project: 'p', apiServerCount: 1 };
    expect(group(o, 'apiserver-us-test1-a')).not.toHaveProperty('machineType');
  });
});

describe('ipv6 (--ipv6)', () => {
  it('off AWS still defaults to private topology with dual-stack subnets, but without IPv6 block numbers', () => {
    const s = spec({ ...BASE, cloud: 'hetzner', zones: ['fsn1'], ipv6: true });
    expect(s).toMatchObject({ nonMasqueradeCIDR: '::/0', cloudControllerManager: {} });
    expect((s.subnets as Record<string, unknown>[]).map((x) => [x.name, x.type, x.ipv6CIDR])).toEqual([
      ['fsn1', 'Private', undefined],
      ['dualstack-fsn1', 'DualStack', undefined],
      ['utility-fsn1', 'Utility', undefined],
    ]);
  });
});

describe('Azure (--azure-*)', () => {
  const azure: CreateClusterOptions = { ...BASE, cloud: 'azure', zones: ['eastus-1'], image: 'img' };

  it("writes cloudConfig.azure with kops's admin user default and an always-present tenant id", () => {
    expect(spec(azure).cloudConfig).toEqual({ azure: { adminUser: 'kops', tenantId: '' } });
    const s = spec({
      ...azure,
      azureSubscriptionID: 'sub',
      azureTenantID: 't',
      azureResourceGroupName: 'rg',
      azureRouteTableName: 'rt',
      azureAdminUser: 'me',
    });
    expect(s.cloudConfig).toEqual({
      azure: { adminUser: 'me', tenantId: 't', subscriptionId: 'sub', resourceGroupName: 'rg', routeTableName: 'rt' },
    });
  });

  it('a shared VNet needs its resource group, and brings its CIDR from cloud facts', () => {
    expect(() => spec({ ...azure, networkID: 'vnet' })).toThrow(/azureResourceGroupName/);
    const s = spec(
      { ...azure, networkID: 'vnet', azureResourceGroupName: 'rg' },
      { networks: { vnet: { cidr: '10.8.0.0/16' } } },
    );
    expect(s.networkCIDR).toBe('10.8.0.0/16');
  });
});

describe('Spotinst (--spotinst-*)', () => {
  it('goes to cloudConfig on AWS and nowhere on other clouds', () => {
    expect(spec({ ...BASE, spotinstProduct: 'Linux/UNIX', spotinstOrientation: 'cost' }).cloudConfig).toEqual({
      spotinstProduct: 'Linux/UNIX',
      spotinstOrientation: 'cost',
    });
    expect(spec({ ...BASE, cloud: 'hetzner', zones: ['fsn1'], spotinstProduct: 'x' })).not.toHaveProperty(
      'cloudConfig',
    );
  });
});
