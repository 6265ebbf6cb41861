/**
 * Part 1 of 2.
 * kops's pkg/apis/kops/validation/aws_test.go @268927e (Apache-2.0, Copyright 2017 The
 * Kubernetes Authors), translated as validation-*.test.ts are: cases in Go order, each citing the
 * line its case opens at, expected strings verbatim, testErrors's semantics
 * (test/helpers/expect-errors.ts), kops's internal-API values as JSON. kops's tests hand the
 * instance group rules its mock AWS cloud (awsup.BuildMockAWSCloud with one mock image); MOCK_CLOUD
 * answers as that mock does (aws-grid.ts). aws-2.test.ts ends with stored v1alpha2 documents.
 */
import { awsValidateCluster, awsValidateEBSCSIDriver } from '../../../src/config/validate/kops-validation/aws.js';
import { awsValidateInstanceGroup } from '../../../src/config/validate/kops-validation/aws-instancegroup.js';
import { validateInstanceGroup } from '../../../src/config/validate/kops-validation/instancegroup.js';
import { expectErrors } from '../../helpers/index.js';
import { awsSpec, group, MOCK_CLOUD, UBUNTU_AMI } from './aws-grid.js';
import { cluster, type Json } from './grid.js';

// kops aws_test.go:34 TestAWSValidateEBSCSIDriver
describe('TestAWSValidateEBSCSIDriver', () => {
  const ccm = { externalCloudControllerManager: {}, kubernetesVersion: '1.35.0' };
  const grid = [
    {
      source: 'aws_test.go:39',
      spec: { ...ccm, cloudProvider: { aws: { ebsCSIDriver: { enabled: false } } } },
      expected: ['Forbidden::spec.cloudProvider.aws.ebsCSIDriver.enabled'],
    },
    { source: 'aws_test.go:52', spec: { ...ccm, cloudProvider: { aws: { ebsCSIDriver: { enabled: true } } } } },
    {
      source: 'aws_test.go:64',
      spec: { ...ccm, cloudProvider: { aws: {} }, kubeControllerManager: { externalCloudVolumePlugin: 'aws' } },
    },
  ];
  it.each(grid)('$source', ({ spec, expected }) => {
    expectErrors(awsValidateEBSCSIDriver(cluster(spec)), expected);
  });
});

// kops aws_test.go:87 TestValidateInstanceGroupSpec
describe('TestValidateInstanceGroupSpec', () => {
  const sg0 = 'Invalid value::spec.additionalSecurityGroups[0]';
  const sg1 = 'Invalid value::spec.additionalSecurityGroups[1]';
  const machineType = ['Invalid value::test-nodes.spec.machineType'];
  const spot = ['Unsupported value::test-nodes.spec.spotDurationInMinutes'];
  const interruption = ['Unsupported value::test-nodes.spec.instanceInterruptionBehavior'];
  const grid: { source: string; spec: Json; expected?: string[] }[] = [
    { source: 'aws_test.go:92', spec: { additionalSecurityGroups: [] } },
    { source: 'aws_test.go:97', spec: { additionalSecurityGroups: ['sg-1234abcd'] } },
    { source: 'aws_test.go:102', spec: { additionalSecurityGroups: ['sg-1234abcd', ''] }, expected: [sg1] },
    { source: 'aws_test.go:108', spec: { additionalSecurityGroups: [' ', ''] }, expected: [sg0, sg1] },
    { source: 'aws_test.go:117', spec: { additionalSecurityGroups: ['--invalid'] }, expected: [sg0] },
    { source: 'aws_test.go:123', spec: { machineType: 't2.micro', image: UBUNTU_AMI } },
    { source: 'aws_test.go:129', spec: { machineType: 't2.invalidType', image: UBUNTU_AMI }, expected: machineType },
    { source: 'aws_test.go:136', spec: { machineType: 'm4.large', image: UBUNTU_AMI }, expected: [] },
    { source: 'aws_test.go:143', spec: { machineType: 'c5.large', image: UBUNTU_AMI }, expected: [] },
    { source: 'aws_test.go:150', spec: { machineType: 'a1.large', image: UBUNTU_AMI }, expected: machineType },
    { source: 'aws_test.go:159', spec: { spotDurationInMinutes: 55 }, expected: spot },
    { source: 'aws_test.go:167', spec: { spotDurationInMinutes: 380 }, expected: spot },
    { source: 'aws_test.go:175', spec: { spotDurationInMinutes: 125 }, expected: spot },
    { source: 'aws_test.go:183', spec: { spotDurationInMinutes: 120 }, expected: [] },
    { source: 'aws_test.go:189', spec: { instanceInterruptionBehavior: 'invalidValue' }, expected: interruption },
    { source: 'aws_test.go:197', spec: { instanceInterruptionBehavior: 'terminate' }, expected: [] },
    { source: 'aws_test.go:203', spec: { instanceInterruptionBehavior: 'hibernate' }, expected: [] },
    { source: 'aws_test.go:209', spec: { instanceInterruptionBehavior: 'stop' }, expected: [] },
    // metav1.Duration{100s}, {86400s}, {0s} as the stored text Go's decoder parses.
    {
      source: 'aws_test.go:215',
      spec: { maxInstanceLifetime: '100s' },
      expected: ['Invalid value::test-nodes.spec.maxInstanceLifetime'],
    },
    { source: 'aws_test.go:223', spec: { maxInstanceLifetime: '24h0m0s' }, expected: [] },
    { source: 'aws_test.go:229', spec: { maxInstanceLifetime: '0s' }, expected: [] },
  ];
  it.each(grid)('$source', ({ spec, expected }) => {
    expectErrors(awsValidateInstanceGroup(group(spec), MOCK_CLOUD), expected);
  });
});

// kops aws_test.go:262 TestMixedInstancePolicies
describe('TestMixedInstancePolicies', () => {
  const m4 = { machineType: 'm4.large', image: UBUNTU_AMI };
  const g4 = { machineType: 'g4dn.xlarge', image: UBUNTU_AMI };
  const grid: { source: string; spec: Json; expected?: string[] }[] = [
    {
      source: 'aws_test.go:267',
      spec: { ...m4, mixedInstancesPolicy: { instances: ['m4.large', 't3.medium', 'c5.large'] } },
    },
    {
      source: 'aws_test.go:281',
      spec: { ...m4, mixedInstancesPolicy: { instances: ['a1.large', 'c4.large', 'c5.large'] } },
      expected: ['Invalid value::spec.mixedInstancesPolicy.instances[0]'],
    },
    {
      source: 'aws_test.go:295',
      spec: { ...g4, mixedInstancesPolicy: { instances: ['g4dn.xlarge', 'g4ad.16xlarge'] } },
    },
    {
      source: 'aws_test.go:307',
      spec: { ...g4, mixedInstancesPolicy: { instances: ['g4dn.xlarge', 'g4ad.16xlarge', 'c4.xlarge'] } },
      expected: ['Forbidden::spec.mixedInstancesPolicy.instances[2]'],
    },
    {
      source: 'aws_test.go:321',
      spec: {
        ...m4,
        mixedInstancesPolicy: { instances: ['t3.medium', 'c4.large', 'c5.large'], onDemandAboveBase: 231 },
      },
      expected: ['Invalid value::spec.mixedInstancesPolicy.onDemandAboveBase'],
    },
  ];
  it.each(grid)('$source', ({ spec, expected }) => {
    expectErrors(awsValidateInstanceGroup(group(spec), MOCK_CLOUD), expected);
  });
});

// kops aws_test.go:363 TestInstanceMetadataOptions (ValidateInstanceGroup with the AWS cloud, strict)
describe('TestInstanceMetadataOptions', () => {
  const grid = [
    {
      source: 'aws_test.go:382',
      instanceMetadata: { httpPutResponseHopLimit: 1, httpTokens: 'abc' },
      expected: ['Unsupported value::spec.instanceMetadata.httpTokens'],
    },
    {
      source: 'aws_test.go:398',
      instanceMetadata: { httpPutResponseHopLimit: -1, httpTokens: 'required' },
      expected: ['Invalid value::spec.instanceMetadata.httpPutResponseHopLimit'],
    },
  ];
  it.each(grid)('$source', ({ instanceMetadata, expected }) => {
    const ig = group({ role: 'Node', instanceMetadata, machineType: 't3.medium' }, 'some-ig');
    expectErrors([...validateInstanceGroup(ig, true), ...awsValidateInstanceGroup(ig, MOCK_CLOUD)], expected);
  });
});

// kops aws_test.go:422 TestLoadBalancerSubnets
describe('TestLoadBalancerSubnets', () => {
  const path = (i: number, field: string) => `spec.api.loadBalancer.subnets[${i}].${field}`;
  const grid: { source: string; class?: string; type?: string; lbSubnets: Json[]; expected?: string[] }[] = [
    { source: 'aws_test.go:431', lbSubnets: [{ name: 'a' }, { name: 'b' }] },
    { source: 'aws_test.go:446', lbSubnets: [{ name: 'a', privateIPv4Address: '10.0.0.10' }, { name: 'b' }] },
    { source: 'aws_test.go:461', lbSubnets: [{ name: '' }], expected: [`Required value::${path(0, 'name')}`] },
    { source: 'aws_test.go:472', lbSubnets: [{ name: 'd' }], expected: [`Not found::${path(0, 'name')}`] },
    {
      source: 'aws_test.go:483',
      lbSubnets: [{ name: 'a', privateIPv4Address: '' }],
      expected: [`Required value::${path(0, 'privateIPv4Address')}`],
    },
    {
      source: 'aws_test.go:494',
      lbSubnets: [{ name: 'a', allocationID: '' }],
      expected: [`Required value::${path(0, 'allocationID')}`],
    },
    {
      source: 'aws_test.go:505',
      lbSubnets: [{ name: 'a', privateIPv4Address: 'invalidip' }],
      expected: [`Invalid value::${path(0, 'privateIPv4Address')}`],
    },
    {
      source: 'aws_test.go:516',
      lbSubnets: [{ name: 'a', privateIPv4Address: '11.0.0.10' }],
      expected: [`Invalid value::${path(0, 'privateIPv4Address')}`],
    },
    {
      source: 'aws_test.go:527',
      class: 'Classic',
      lbSubnets: [{ name: 'a', privateIPv4Address: '10.0.0.10' }],
      expected: [`Forbidden::${path(0, 'privateIPv4Address')}`],
    },
    {
      source: 'aws_test.go:539',
      class: 'Classic',
      lbSubnets: [{ name: 'a', allocationID: 'eipalloc-222ghi789' }],
      expected: [`Forbidden::${path(0, 'allocationID')}`],
    },
    {
      source: 'aws_test.go:551',
      type: 'Public',
      lbSubnets: [{ name: 'a', privateIPv4Address: '10.0.0.10' }],
      expected: [`Forbidden::${path(0, 'privateIPv4Address')}`],
    },
    {
      source: 'aws_test.go:563',
      type: 'Internal',
      lbSubnets: [{ name: 'a', allocationID: 'eipalloc-222ghi789' }],
      expected: [`Forbidden::${path(0, 'allocationID')}`],
    },
  ];
  it.each(grid)('$source', ({ class: lbClass = 'Network', type = 'Internal', lbSubnets, expected }) => {
    const spec = awsSpec({
      api: { loadBalancer: { class: lbClass, type, subnets: lbSubnets } },
      networking: { subnets: ['a', 'b', 'c'].map((name) => ({ name, cidr: '10.0.0.0/24' })) },
    });
    expectErrors(awsValidateCluster(cluster(spec), true), expected);
  });
});

// kops aws_test.go:609 TestAPILoadBalancerClass
describe('TestAPILoadBalancerClass', () => {
  const grid = [
    { source: 'aws_test.go:614', class: 'Network' },
    { source: 'aws_test.go:617', class: 'Classic', expected: ['Forbidden::spec.api.loadBalancer.class'] },
    { source: 'aws_test.go:621', class: 'Foo', expected: ['Unsupported value::spec.api.loadBalancer.class'] },
  ];
  it.each(grid)('$source', ({ class: lbClass, expected }) => {
    const spec = awsSpec({ api: { loadBalancer: { class: lbClass, type: 'Public' } } });
    expectErrors(awsValidateCluster(cluster(spec), true), expected);
  });
});
