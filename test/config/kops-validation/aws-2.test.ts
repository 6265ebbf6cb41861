/**
 * Part 2 of 2.
 * kops's pkg/apis/kops/validation/aws_test.go @268927e (Apache-2.0, Copyright 2017 The
 * Kubernetes Authors), translated as validation-*.test.ts are: cases in Go order, each citing the
 * line its case opens at, expected strings verbatim, testErrors's semantics
 * (test/helpers/expect-errors.ts), kops's internal-API values as JSON. kops's tests hand the
 * instance group rules its mock AWS cloud (awsup.BuildMockAWSCloud with one mock image); MOCK_CLOUD
 * answers as that mock does (aws-grid.ts). aws-2.test.ts ends with stored v1alpha2 documents.
 */
import {
  awsValidateCluster,
  awsValidateNLBSecurityGroupMode,
  awsValidateUseIPBasedNodeNames,
  supportsS3BootstrapEndpoint,
} from '../../../src/config/validate/kops-validation/aws.js';
import {
  awsValidateInstanceGroup,
  type AwsCloudLookup,
} from '../../../src/config/validate/kops-validation/aws-instancegroup.js';
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { kopsClusterIssues, kopsCrossInstanceGroupIssues } from '../../../src/config/validate/kops-validation/index.js';
import { validateNetworking } from '../../../src/config/validate/kops-validation/validation-networking.js';
import { expectErrors } from '../../helpers/index.js';
import { awsSpec, group, x86 } from './aws-grid.js';
import { cluster, NO_CONSTRAINTS, type Json } from './grid.js';

// kops aws_test.go:646 TestAWSAuthentication
describe('TestAWSAuthentication', () => {
  const role = { arn: 'arn:aws:iam::123456789012:role/KopsExampleRole', username: 'foo' };
  const user = { arn: 'arn:aws:iam::123456789012:user/KopsExampleUser', username: 'foo' };
  const grid = [
    { source: 'aws_test.go:652', backendMode: 'CRD', identityMappings: [role, user] },
    { source: 'aws_test.go:665', backendMode: 'CRD,MountedFile', identityMappings: [role, user] },
    {
      source: 'aws_test.go:678',
      backendMode: 'MountedFile',
      identityMappings: [role],
      expected: ['Forbidden::spec.authentication.aws.backendMode'],
    },
    {
      source: 'aws_test.go:688',
      backendMode: 'CRD',
      identityMappings: [{ arn: 'arn:aws:iam::123456789012:policy/KopsExampleRole', username: 'foo' }],
      expected: ['Invalid value::spec.authentication.aws.identityMappings[0].arn'],
    },
  ];
  it.each(grid)('$source', ({ backendMode, identityMappings, expected }) => {
    const spec = awsSpec({ authentication: { aws: { backendMode, identityMappings } } });
    expectErrors(awsValidateCluster(cluster(spec), true), expected);
  });
});

// kops aws_test.go:719 TestAWSAdditionalRoutes (validateNetworking, non-strict, no constraints)
describe('TestAWSAdditionalRoutes', () => {
  const route = (cidr: string, target: string) => ({ cidr, target });
  const routes = (i: number, field: string) => `spec.networking.subnets[0].additionalRoutes[${i}]${field}`;
  const grid: {
    source: string;
    clusterCIDR?: string;
    additionalClusterCIDRs?: string[];
    providerId?: string;
    subnetType?: string;
    route: Json[];
    expected?: string[];
  }[] = [
    { source: 'aws_test.go:729 valid pcx', route: [route('10.0.0.0/8', 'pcx-abcdef')] },
    { source: 'aws_test.go:740 valid instance', route: [route('10.0.0.0/8', 'i-abcdef')] },
    { source: 'aws_test.go:751 valid nat', route: [route('10.0.0.0/8', 'nat-abcdef')] },
    { source: 'aws_test.go:762 valid transit gateway', route: [route('10.0.0.0/8', 'tgw-abcdef')] },
    { source: 'aws_test.go:773 valid internet gateway', route: [route('10.0.0.0/8', 'igw-abcdef')] },
    { source: 'aws_test.go:784 valid egress only internet gateway', route: [route('10.0.0.0/8', 'eigw-abcdef')] },
    {
      source: 'aws_test.go:795 bad cluster cidr',
      clusterCIDR: 'not cidr',
      route: [route('10.0.0.0/8', 'pcx-abcdef')],
      expected: ['Invalid value::spec.networking.networkCIDR'],
    },
    {
      source: 'aws_test.go:807 bad cidr',
      route: [route('bad cidr', 'pcx-abcdef')],
      expected: [`Invalid value::${routes(0, '.cidr')}`],
    },
    {
      source: 'aws_test.go:819 bad target',
      route: [route('10.0.0.0/8', 'unknown-abcdef')],
      expected: [`Invalid value::${routes(0, '.target')}`],
    },
    {
      source: 'aws_test.go:831 target more specific',
      route: [route('100.64.1.0/24', 'pcx-abcdef')],
      expected: [`Forbidden::${routes(0, '.target')}`],
    },
    {
      source: 'aws_test.go:843 target more specific additionalCIDR',
      clusterCIDR: '100.64.0.0/16',
      additionalClusterCIDRs: ['100.66.0.0/16', '100.67.0.0/16'],
      route: [route('100.66.2.0/24', 'pcx-abcdef')],
      expected: [`Forbidden::${routes(0, '.target')}`],
    },
    {
      source: 'aws_test.go:856 duplicates cidr',
      route: [route('10.0.0.0/8', 'pcx-abcdef'), route('10.0.0.0/8', 'tgw-abcdef')],
      expected: [`Duplicate value::${routes(1, '.cidr')}`],
    },
    {
      source: 'aws_test.go:872 shared subnet',
      providerId: '123456',
      route: [route('10.0.0.0/8', 'pcx-abcdef')],
      expected: ['Forbidden::spec.networking.subnets[0].additionalRoutes'],
    },
    {
      source: 'aws_test.go:885 not a private subnet',
      subnetType: 'Public',
      route: [route('10.0.0.0/8', 'pcx-abcdef')],
      expected: ['Forbidden::spec.networking.subnets[0].additionalRoutes'],
    },
  ];
  it.each(grid)('$source', (test) => {
    const { clusterCIDR = '100.64.0.0/10', additionalClusterCIDRs, providerId, subnetType = 'Private' } = test;
    const subnet = {
      name: 'us-east-1a',
      type: subnetType,
      additionalRoutes: test.route,
      ...(providerId ? { id: providerId } : {}),
    };
    const networking = { networkCIDR: clusterCIDR, additionalNetworkCIDRs: additionalClusterCIDRs, subnets: [subnet] };
    const c = cluster(awsSpec({ networking }));
    const errs = validateNetworking(
      c,
      c.get('spec', 'networking'),
      FieldPath.of('spec', 'networking'),
      false,
      NO_CONSTRAINTS,
    );
    expectErrors(errs, test.expected);
  });
});

// kops aws_test.go:926 TestAWSValidateS3FileRepository
describe('TestAWSValidateS3FileRepository', () => {
  const s3 = 's3://example-k8s-assets/kops';
  const forbidden = ['Forbidden::spec.assets.fileRepository'];
  const grid = [
    { source: 'aws_test.go:933 commercial partition', region: 'us-east-1', fileRepository: s3 },
    { source: 'aws_test.go:938 GovCloud partition', region: 'us-gov-west-1', fileRepository: s3 },
    { source: 'aws_test.go:943 China partition', region: 'cn-north-1', fileRepository: s3, expected: forbidden },
    { source: 'aws_test.go:949 ISO partition', region: 'us-iso-east-1', fileRepository: s3, expected: forbidden },
    {
      source: 'aws_test.go:955 HTTPS repository in ISO partition',
      region: 'us-iso-east-1',
      fileRepository: 'https://example.com/kops',
    },
  ];
  it.each(grid)('$source', ({ region, fileRepository, expected }) => {
    const spec = awsSpec({
      assets: { fileRepository },
      networking: { subnets: [{ name: 'subnet', zone: `${region}a` }] },
    });
    expectErrors(awsValidateCluster(cluster(spec), false), expected);
  });
});

// kops aws_test.go:979 TestAWSValidateNLBSecurityGroupMode
describe('TestAWSValidateNLBSecurityGroupMode', () => {
  const unsupported = ['Unsupported value::spec.cloudProvider.aws.nlbSecurityGroupMode'];
  const grid = [
    { source: 'aws_test.go:984', aws: { nlbSecurityGroupMode: 'Managed' } },
    { source: 'aws_test.go:993', aws: { nlbSecurityGroupMode: '' }, expected: unsupported },
    { source: 'aws_test.go:1003', aws: {} },
    { source: 'aws_test.go:1010', aws: { nlbSecurityGroupMode: 'Invalid' }, expected: unsupported },
    { source: 'aws_test.go:1020', aws: { nlbSecurityGroupMode: 'managed' }, expected: unsupported },
  ];
  it.each(grid)('$source', ({ aws, expected }) => {
    expectErrors(awsValidateNLBSecurityGroupMode(cluster({ cloudProvider: { aws } })), expected);
  });
});

// kops aws_test.go:1038 TestAWSValidateUseIPBasedNodeNames
describe('TestAWSValidateUseIPBasedNodeNames', () => {
  const ipv6 = { nonMasqueradeCIDR: '::/0' };
  const grid = [
    { source: 'aws_test.go:1043', aws: {}, networking: {} },
    { source: 'aws_test.go:1050', aws: { useIPBasedNodeNames: true }, networking: {} },
    {
      source: 'aws_test.go:1059',
      aws: { useIPBasedNodeNames: true },
      networking: ipv6,
      expected: ['Forbidden::spec.cloudProvider.aws.useIPBasedNodeNames'],
    },
    { source: 'aws_test.go:1072', aws: { useIPBasedNodeNames: false }, networking: ipv6 },
  ];
  it.each(grid)('$source', ({ aws, networking, expected }) => {
    expectErrors(awsValidateUseIPBasedNodeNames(cluster({ cloudProvider: { aws }, networking })), expected);
  });
});

// Beyond kops's tables: the stored v1alpha2 documents the writes validate, and the cloud left out.
describe('aws.go on stored documents', () => {
  const stored = (spec: Json): Json => ({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: 'c.example.com' },
    spec: {
      cloudProvider: 'aws',
      kubernetesVersion: '1.35.0',
      networkCIDR: '172.20.0.0/16',
      nonMasqueradeCIDR: '100.64.0.0/10',
      subnets: [{ name: 'us-test-1a', zone: 'us-test-1a', cidr: '172.20.32.0/19', type: 'Public' }],
      etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'a', instanceGroup: 'master-us-test-1a' }] }],
      ...spec,
    },
  });

  it('reports kops errors at the stored fields (renamed ones at their v1alpha2 names)', () => {
    const issues = kopsClusterIssues(
      stored({
        api: { loadBalancer: { class: 'Classic', type: 'Public', useForInternalApi: true } },
        cloudConfig: { nlbSecurityGroupMode: 'managed', awsEBSCSIDriver: { enabled: false } },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/spec/api/loadBalancer/class',
          message: expect.stringMatching(/^spec\.api\.loadBalancer\.class: Forbidden: AWS Classic Load Balancer/),
        }),
        {
          path: '/spec/cloudConfig/nlbSecurityGroupMode',
          message:
            'spec.cloudProvider.aws.nlbSecurityGroupMode: Unsupported value: "managed": supported values: "Managed"',
          didYouMean: 'Managed',
          source: 'pkg/apis/kops/validation/aws.go:114',
        },
        {
          path: '/spec/cloudConfig/awsEBSCSIDriver/enabled',
          message: 'spec.cloudProvider.aws.ebsCSIDriver.enabled: Forbidden: must not be disabled',
          source: 'pkg/apis/kops/validation/aws.go:104',
        },
      ]),
    );
  });

  it('runs no aws.go rule for another cloud', () => {
    const spec = stored({ cloudProvider: 'gce', api: { loadBalancer: { class: 'Classic', type: 'Public' } } });
    expect(
      kopsClusterIssues(spec)
        .map((i) => i.message)
        .filter((m) => m.includes('Classic')),
    ).toEqual([]);
  });

  it('checks additional routes of stored subnets against the network CIDR', () => {
    const subnets = [
      {
        name: 'us-test-1a',
        zone: 'us-test-1a',
        cidr: '172.20.32.0/19',
        type: 'Private',
        additionalRoutes: [{ cidr: '172.20.1.0/24', target: 'pcx-1' }],
      },
    ];
    expect(kopsClusterIssues(stored({ subnets }))).toContainEqual({
      path: '/spec/subnets/0/additionalRoutes/0/target',
      message:
        'spec.networking.subnets[0].additionalRoutes[0].target: Forbidden: target is more specific than a network CIDR block. This route can target only an interface or an instance.',
      source: 'pkg/apis/kops/validation/aws.go:469',
    });
  });

  it("cross-validates a stored group of an AWS cluster; paths kops starts with the group's name map to the group", () => {
    const ig = {
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'InstanceGroup',
      metadata: { name: 'nodes' },
      spec: {
        role: 'Node',
        subnets: ['us-test-1a'],
        maxInstanceLifetime: '100s',
        additionalSecurityGroups: ['sg-1', 'sg-1'],
        mixedInstancesPolicy: { onDemandBase: 5, spotAllocationStrategy: 'cheapest' },
        machineType: 'no-such-type', // no cloud lookup: not judged
      },
    };
    const messages = kopsCrossInstanceGroupIssues(ig, stored({})).map((i) => `${i.path} ${i.message}`);
    expect(messages).toEqual([
      '/spec/additionalSecurityGroups/1 spec.additionalSecurityGroups[1]: Duplicate value: "sg-1"',
      '/spec/mixedInstancesPolicy/onDemandBase spec.mixedInstancesPolicy.onDemandBase: Invalid value: 5: cannot be greater than max size',
      '/spec/mixedInstancesPolicy/spotAllocationStrategy spec.mixedInstancesPolicy.spotAllocationStrategy: Unsupported value: "cheapest": supported values: "lowest-price", "diversified", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized"',
      '/spec/maxInstanceLifetime nodes.spec.maxInstanceLifetime: Invalid value: "1m40s": max instance lifetime must be greater than 86400 or equal to 0',
    ]);
    // The same group in a GCE cluster: aws.go does not run.
    const gce = kopsCrossInstanceGroupIssues(ig, stored({ cloudProvider: 'gce' })).map((i) => i.message);
    expect(gce.filter((m) => m.includes('maxInstanceLifetime'))).toEqual([]);
  });

  it('resolves the EC2 endpoint of every partition offline, as the SDK does', () => {
    const regions = ['eu-west-1', 'us-gov-east-1', 'cn-northwest-1', 'eusc-de-east-1', 'us-isob-east-1', 'xx-new-1'];
    expect(regions.map(supportsS3BootstrapEndpoint)).toEqual([true, true, false, false, false, true]);
    expect(supportsS3BootstrapEndpoint('us east')).toBe(
      'resolving EC2 endpoint for region "us east": Failed to parse uri: https://ec2.us east.amazonaws.com',
    );
  });

  it('asks the cloud lookup only for what it knows, and reports what the cloud refuses', () => {
    const partial: AwsCloudLookup = {
      resolveImage: (image) => (image === 'arm-image' ? { architecture: 'arm64' } : undefined),
      describeInstanceType: (t) => (t === 'm5.large' ? x86() : t === 'bad' ? { error: 'no such type' } : undefined),
    };
    const errs = (spec: Json) =>
      awsValidateInstanceGroup(group(spec, 'ig'), partial).map((e) => `${e.field.toString()}: ${e.detail}`);
    expect(errs({ machineType: 'm5.large,unknown,bad', image: 'arm-image' })).toEqual([
      'ig.spec.machineType: machine type architecture "x86_64" does not match image architecture "arm64"',
      'ig.spec.machineType: machine type "bad" is invalid: no such type',
    ]);
    expect(errs({ machineType: 'm5.large', image: 'unknown-image' })).toEqual([]);
  });
});
