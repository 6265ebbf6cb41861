/**
 * Part 6 of 6 (linode networking, Azure blob accounts, file repository).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateAzureBlobAccountUniformity } from '../../../src/config/validate/kops-validation/validation-etcd.js';
import { validateFileRepository } from '../../../src/config/validate/kops-validation/validation-components.js';
import { expectErrors } from '../../helpers/index.js';
import { cluster, networkingErrors, expectFieldErrors } from './grid.js';

// kops validation_test.go:2148 TestValidateNetworkingLinode
describe('TestValidateNetworkingLinode', () => {
  const valid = () => ({
    networkCIDR: '10.0.0.0/8',
    nonMasqueradeCIDR: '100.64.0.0/10',
    podCIDR: '100.96.0.0/11',
    serviceClusterIPRange: '100.64.0.0/13',
    subnets: [{ name: 'subnet-us-east', cidr: '10.11.0.0/16', type: 'Public', region: 'us-east' }],
  });
  const grid = [
    { source: 'validation_test.go:2154', network: valid(), expected: [] },
    {
      source: 'validation_test.go:2158',
      network: { ...valid(), networkCIDR: '8.8.8.0/24', subnets: [{ ...valid().subnets[0], cidr: '8.8.8.0/25' }] },
      expected: [
        { type: 'Invalid', field: 'networking.networkCIDR', detail: 'networkCIDR must be within a private IP range' },
      ],
    },
    {
      source: 'validation_test.go:2174',
      network: { ...valid(), networkID: '123456' },
      expected: [
        {
          type: 'Forbidden',
          field: 'networking.networkCIDR',
          detail: "Akamai (Linode) doesn't support specifying both NetworkID and NetworkCIDR",
        },
      ],
    },
  ];
  it.each(grid)('$source', ({ network, expected }) => {
    expectFieldErrors(networkingErrors(cluster({ cloudProvider: { linode: {} }, networking: network })), expected);
  });
});

// kops validation_test.go:2200 TestValidateAzureBlobAccountUniformity
describe('TestValidateAzureBlobAccountUniformity', () => {
  const base = 'azureblob://kopsstate/state/cluster.example.com';
  const backup = (backupStore: string) => [{ backups: { backupStore } }];
  const grid = [
    {
      source: 'validation_test.go:2206',
      spec: {
        configStore: { base, keypairs: `${base}/pki`, secrets: `${base}/secrets` },
        etcdClusters: backup(`${base}/backups/etcd/main`),
      },
      expected: [],
    },
    {
      source: 'validation_test.go:2221',
      spec: {
        configStore: { base: 's3://my-bucket/cluster.example.com', keypairs: 's3://my-bucket/cluster.example.com/pki' },
        etcdClusters: backup('s3://my-bucket/cluster.example.com/backups/etcd/main'),
      },
      expected: [],
    },
    {
      source: 'validation_test.go:2235',
      spec: { configStore: { base, keypairs: 'azureblob://otheracct/state/cluster.example.com/pki' } },
      expected: [{ type: 'Invalid', field: 'spec.configStore.keypairs' }],
    },
    {
      source: 'validation_test.go:2250',
      spec: { configStore: { base, secrets: 'azureblob://otheracct/state/cluster.example.com/secrets' } },
      expected: [{ type: 'Invalid', field: 'spec.configStore.secrets' }],
    },
    {
      source: 'validation_test.go:2265',
      spec: { configStore: { base }, etcdClusters: backup('azureblob://otheracct/backups/etcd/main') },
      expected: [{ type: 'Invalid', field: 'spec.etcdClusters[0].backups.backupStore' }],
    },
    {
      source: 'validation_test.go:2284',
      spec: {
        configStore: { base: 's3://my-bucket/cluster.example.com' },
        etcdClusters: backup('azureblob://kopsstate/backups/etcd/main'),
      },
      expected: [{ type: 'Invalid', field: 'spec.etcdClusters[0].backups.backupStore' }],
    },
    {
      source: 'validation_test.go:2303',
      spec: { configStore: { base: 'azureblob://kopsstate' } },
      expected: [{ type: 'Invalid', field: 'spec.configStore.base' }],
    },
    {
      source: 'validation_test.go:2317',
      spec: { configStore: { base, keypairs: 'azureblob://kopsstate' } },
      expected: [{ type: 'Invalid', field: 'spec.configStore.keypairs' }],
    },
    {
      source: 'validation_test.go:2332',
      spec: { configStore: { base }, etcdClusters: backup('memfs://tests/cluster.example.com/backups/etcd/main') },
      expected: [],
    },
  ];
  it.each(grid)('$source', ({ spec, expected }) => {
    expectFieldErrors(validateAzureBlobAccountUniformity(new View(spec), FieldPath.of('spec')), expected);
  });
});

// kops validation_test.go:2355 TestValidateFileRepository
describe('TestValidateFileRepository', () => {
  const invalid = ['Invalid value::spec.assets.fileRepository'];
  const grid = [
    { source: 'validation_test.go:2361', input: 'https://example.com/files', cloud: '' },
    { source: 'validation_test.go:2364', input: 'http://example.com/files', cloud: '' },
    { source: 'validation_test.go:2367', input: 's3://example-k8s-assets/kops', cloud: 'aws' },
    { source: 'validation_test.go:2371', input: 's3://example-k8s-assets/kops', cloud: 'gce', expected: invalid },
    { source: 'validation_test.go:2376', input: 's3://example-k8s-assets/kops', cloud: '', expected: invalid },
    { source: 'validation_test.go:2380', input: 'azureblob://exampleaccount/assets/kops', cloud: 'azure' },
    {
      source: 'validation_test.go:2384',
      input: 'azureblob://exampleaccount/assets/kops',
      cloud: 'gce',
      expected: invalid,
    },
    {
      source: 'validation_test.go:2389',
      input: 'azureblob://exampleaccount/assets/kops',
      cloud: '',
      expected: invalid,
    },
    { source: 'validation_test.go:2393', input: 'azureblob://exampleaccount', cloud: 'azure', expected: invalid },
    { source: 'validation_test.go:2399', input: 'gs://example-k8s-assets/kops', cloud: 'gce' },
    { source: 'validation_test.go:2404', input: 'gs://example-k8s-assets/kops', cloud: 'aws', expected: invalid },
    { source: 'validation_test.go:2409', input: 'gs://example-k8s-assets/kops', cloud: '', expected: invalid },
    { source: 'validation_test.go:2413', input: 'example.com/files', cloud: '', expected: invalid },
    { source: 'validation_test.go:2417', input: '', cloud: '', expected: invalid },
    { source: 'validation_test.go:2421', input: 'https://', cloud: '', expected: invalid },
  ];
  it.each(grid)('$source', ({ input, cloud, expected }) => {
    expectErrors(validateFileRepository(input, FieldPath.of('spec', 'assets', 'fileRepository'), cloud), expected);
  });
});
