/** clusterFromOptions: subnets, their CIDRs and networks (kops: setupZones, PerformAssignments), IPv6. */
import type { CloudFacts, CreateClusterOptions } from '../../src/create-cluster/index.js';
import { BASE, OPENSTACK, group, spec } from './options.js';

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
      ...OPENSTACK,
      networkID: 'a',
      openstackNetworkID: 'b',
    });
    expect(s.networkID).toBe('b');
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
