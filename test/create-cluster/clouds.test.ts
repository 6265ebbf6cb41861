/** clusterFromOptions: default machine types and the cloud-specific flags (Azure, Spotinst). */
import type { CloudFacts, CreateClusterOptions } from '../../src/create-cluster/index.js';
import { BASE, group, groups, spec } from './options.js';

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
