import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { clusterFromOptions, optionsFromGoFields, type CloudFacts } from '../../src/merge/create-cluster/index.js';
import { errorsOnly, validateClusterWithInstanceGroups } from '../../src/merge/validate/index.js';

const ROOT = join(__dirname, '..', 'fixtures', 'kops', 'create_cluster');

function withoutTimestamp(doc: unknown): unknown {
  const copy = structuredClone(doc) as { metadata?: Record<string, unknown> };
  if (copy.metadata) delete copy.metadata.creationTimestamp;
  return copy;
}

function load(name: string): { options: ReturnType<typeof optionsFromGoFields>; cluster: unknown; instanceGroups: unknown[] } {
  const options = optionsFromGoFields(parse(readFileSync(join(ROOT, name, 'options.yaml'), 'utf8')) as Record<string, unknown>);
  const docs = parseAllDocuments(readFileSync(join(ROOT, name, 'expected-v1alpha2.yaml'), 'utf8'))
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((d): d is { kind?: string } => d !== null);
  return {
    options,
    cluster: withoutTimestamp(docs.find((d) => d.kind === 'Cluster')),
    instanceGroups: docs.filter((d) => d.kind === 'InstanceGroup').map(withoutTimestamp),
  };
}

// The cloud kops's create_cluster integration test mocks (shared VPC and subnets): the VPC and
// subnet CIDRs are the ones its expected outputs show kops reading back.
const KOPS_TEST_CLOUD: CloudFacts = {
  networks: { 'vpc-12345678': { cidr: '10.0.0.0/12' } },
  subnets: { 'subnet-1': { zone: 'us-test-1a', cidr: '10.10.0.0/24' }, 'subnet-2': { zone: 'us-test-1a', cidr: '10.11.0.0/24' } },
};

// Left out:
// - apiserver-gce: its expected images (ubuntu-2404-noble-amd64-v20250606) are in neither copied
//   channel (stable and alpha name v20260615), so the fixture predates the channel data.
const CASES = [
  'minimal-1.32', 'minimal-1.35', 'minimal-1.36', 'ha', 'ha_encrypt', 'ha_shared_zones', 'minimal-irsa', 'overrides',
  'ingwspecified', 'ngwspecified', 'calico_bpf', 'cilium-eni', 'ipv6', 'complex-private', 'different-amis',
  'minimal-gce', 'minimal-gce-dns-none', 'ha_gce', 'experimental-roles', 'private_gce', 'volume_type',
  'shared_vpc', 'shared_subnets', 'private_shared_subnets',
  'minimal_hetzner', 'ha_openstack', 'ha_openstack_octavia', 'ha_openstack_nodns',
];

describe('clusterFromOptions reproduces kops create_cluster fixtures', () => {
  for (const name of CASES) {
    it(name, () => {
      const { options, cluster, instanceGroups } = load(name);
      const out = clusterFromOptions({ stateStore: 'memfs://tests', ...options }, KOPS_TEST_CLOUD);
      expect(out.cluster).toEqual(cluster);
      expect(out.instanceGroups).toEqual(instanceGroups);
    });
  }
});

describe('clusterFromOptions output passes kops schema and cross-field validation', () => {
  for (const name of CASES) {
    it(name, () => {
      const { options } = load(name);
      const out = clusterFromOptions({ stateStore: 'memfs://tests', ...options }, KOPS_TEST_CLOUD);
      expect(errorsOnly(validateClusterWithInstanceGroups(out.cluster, out.instanceGroups))).toEqual([]);
    });
  }
});
