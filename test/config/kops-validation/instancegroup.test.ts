/**
 * kops's pkg/apis/kops/validation/instancegroup_test.go @268927e, translated as
 * validation.test.ts is: cases in Go order citing their lines, expected strings verbatim,
 * testErrors's semantics, kops's internal-API values written as JSON.
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import {
  crossValidateInstanceGroup,
  validateInstanceGroup,
} from '../../../src/config/validate/kops-validation/instancegroup.js';
import {
  validateControlPlaneInstanceGroup,
  validateInstanceProfile,
} from '../../../src/config/validate/kops-validation/instancegroup-rules.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateInstanceGroupName } from '../../../src/store/names.js';
import { expectErrors } from '../../helpers/index.js';

type Json = Record<string, unknown>;
const view = (spec: Json, name = 'some-ig') => new View({ metadata: { name }, spec });
const clusterOf = (spec: Json) => new View({ metadata: { name: 'c.example.com' }, spec });
const AWS = clusterOf({ cloudProvider: { aws: {} } });
const GCE = clusterOf({ cloudProvider: { gce: {} } });
/** kops instancegroup_test.go:766 createMinimalInstanceGroup, with `extra` spec fields. */
const minimal = (extra: Json = {}) =>
  view({ cloudLabels: {}, role: 'Node', maxSize: 1, minSize: 1, image: 'my-image', ...extra });

// kops instancegroup_test.go:33 TestValidateInstanceProfile
describe('TestValidateInstanceProfile', () => {
  const detail =
    'Instance Group IAM Instance Profile must be a valid aws arn such as arn:aws:iam::123456789012:instance-profile/KopsExampleRole';
  const grid = [
    { source: 'instancegroup_test.go:39', profile: 'arn:aws:iam::123456789012:instance-profile/S3Access' },
    { source: 'instancegroup_test.go:44', profile: 'arn:aws:iam::123456789012:instance-profile/has/path/S3Access' },
    { source: 'instancegroup_test.go:49', profile: 'arn:aws-cn:iam::123456789012:instance-profile/has/path/S3Access' },
    {
      source: 'instancegroup_test.go:54',
      profile: 'arn:aws-us-gov:iam::123456789012:instance-profile/has/path/S3Access',
    },
    { source: 'instancegroup_test.go:59', profile: '42', expected: ['Invalid value::iam.profile'], detail },
    {
      source: 'instancegroup_test.go:66',
      profile: 'arn:aws:iam::123456789012:group/division_abc/subdivision_xyz/product_A/Developers',
      expected: ['Invalid value::iam.profile'],
      detail,
    },
  ];
  it.each(grid)('$source', ({ profile, expected, detail: want }) => {
    expectErrors(validateInstanceProfile(new View({ profile }), FieldPath.of('iam')), expected, want);
  });
});

// kops instancegroup_test.go:97 TestValidMasterInstanceGroup (counts errors)
describe('TestValidMasterInstanceGroup', () => {
  const cluster = clusterOf({
    etcdClusters: [
      { name: 'main', etcdMembers: ['a', 'b', 'c'].map((m) => ({ name: m, instanceGroup: `eu-central-1${m}` })) },
    ],
  });
  const grid = [
    { source: 'instancegroup_test.go:104', name: 'eu-central-1a', count: 0 },
    { source: 'instancegroup_test.go:139', name: 'eu-central-1d', count: 1 },
  ];
  it.each(grid)('$source', ({ name, count }) => {
    expect(validateControlPlaneInstanceGroup(view({ role: 'ControlPlane' }, name), cluster)).toHaveLength(count);
  });
});

// kops instancegroup_test.go:184 TestValidBootDevice
describe('TestValidBootDevice', () => {
  const unsupported = ['Unsupported value::spec.rootVolume.type'];
  const grid = [
    { source: 'instancegroup_test.go:196', volumeType: 'standard' },
    { source: 'instancegroup_test.go:199', volumeType: 'gp3' },
    { source: 'instancegroup_test.go:202', volumeType: 'gp2' },
    { source: 'instancegroup_test.go:205', volumeType: 'io1' },
    { source: 'instancegroup_test.go:208', volumeType: 'io2' },
    { source: 'instancegroup_test.go:211', volumeType: 'st1', expected: unsupported },
    { source: 'instancegroup_test.go:215', volumeType: 'sc1', expected: unsupported },
  ];
  it.each(grid)('$source', ({ volumeType, expected }) => {
    expectErrors(crossValidateInstanceGroup(minimal({ rootVolume: { type: volumeType } }), AWS, true), expected);
  });
});

// kops instancegroup_test.go:231 TestValidNodeLabels
describe('TestValidNodeLabels', () => {
  const grid = [
    { source: 'instancegroup_test.go:236', label: 'foo' },
    { source: 'instancegroup_test.go:239', label: 'subdomain.domain.tld' },
    { source: 'instancegroup_test.go:242', label: 'subdomain.domain.tld/foo' },
    {
      source: 'instancegroup_test.go:245',
      label: 'subdomain.domain.tld/foo/bar',
      expected: ['Invalid value::spec.nodeLabels'],
    },
  ];
  it.each(grid)('$source', ({ label, expected }) => {
    expectErrors(validateInstanceGroup(minimal({ nodeLabels: { [label]: 'placeholder' } }), true), expected);
  });
});

// kops instancegroup_test.go:261 TestCrossValidateKarpenterInstanceGroup
describe('TestCrossValidateKarpenterInstanceGroup', () => {
  const ami = 'ami-0123456789abcdef0';
  const image = ['Invalid value::spec.image'];
  const grid = [
    { source: 'instancegroup_test.go:284', cluster: AWS, role: 'Node', image: ami },
    {
      source: 'instancegroup_test.go:290',
      cluster: AWS,
      role: 'Node',
      image: 'ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    },
    { source: 'instancegroup_test.go:296', cluster: AWS, role: 'Node', image: 'kops-node-image' },
    {
      source: 'instancegroup_test.go:302',
      cluster: AWS,
      role: 'Node',
      image: 'ubuntu/images/hvm-ssd/ubuntu-noble-24.04-amd64-server-*',
    },
    {
      source: 'instancegroup_test.go:308',
      cluster: GCE,
      role: 'Node',
      image: ami,
      expected: ['Forbidden::spec.manager'],
    },
    {
      source: 'instancegroup_test.go:315',
      cluster: AWS,
      role: 'APIServer',
      image: ami,
      expected: ['Forbidden::spec.role'],
    },
    {
      source: 'instancegroup_test.go:322',
      cluster: AWS,
      role: 'Node',
      image: 'https://example.com/image',
      expected: image,
    },
    { source: 'instancegroup_test.go:329', cluster: AWS, role: 'Node', image: 'ssm:', expected: image },
    { source: 'instancegroup_test.go:336', cluster: AWS, role: 'Node', image: '/missing-owner', expected: image },
    { source: 'instancegroup_test.go:343', cluster: AWS, role: 'Node', image: 'missing-name/', expected: image },
  ];
  it.each(grid)('$source', ({ cluster, role, image: img, expected }) => {
    expectErrors(
      crossValidateInstanceGroup(minimal({ manager: 'Karpenter', role, image: img }), cluster, true),
      expected,
    );
  });
});

// kops instancegroup_test.go:365 TestValidateKarpenterStaticCapacity
describe('TestValidateKarpenterStaticCapacity', () => {
  const forbiddenMin = ['Forbidden::spec.minSize'];
  const grid: { source: string; minSize?: number; maxSize?: number; featureGates?: string; expected?: string[] }[] = [
    { source: 'instancegroup_test.go:373', featureGates: 'StaticCapacity=false' },
    { source: 'instancegroup_test.go:377', minSize: 4 },
    { source: 'instancegroup_test.go:381', minSize: 4, featureGates: 'NodeRepair=false,StaticCapacity=true' },
    { source: 'instancegroup_test.go:386', minSize: 4, featureGates: 'StaticCapacity=false,StaticCapacity=true' },
    { source: 'instancegroup_test.go:391', minSize: 0, expected: ['Invalid value::spec.minSize'] },
    { source: 'instancegroup_test.go:396', minSize: -1, expected: ['Invalid value::spec.minSize'] },
    { source: 'instancegroup_test.go:401', minSize: 4, featureGates: 'NodeRepair=true', expected: forbiddenMin },
    { source: 'instancegroup_test.go:407', minSize: 4, featureGates: ' ', expected: forbiddenMin },
    { source: 'instancegroup_test.go:413', minSize: 4, featureGates: 'StaticCapacity=false', expected: forbiddenMin },
    {
      source: 'instancegroup_test.go:419',
      minSize: 4,
      featureGates: 'StaticCapacity=true,StaticCapacity=false',
      expected: forbiddenMin,
    },
    { source: 'instancegroup_test.go:425', maxSize: 4 },
    { source: 'instancegroup_test.go:429', minSize: 4, maxSize: 4 },
    { source: 'instancegroup_test.go:434', maxSize: 0, expected: ['Invalid value::spec.maxSize'] },
    { source: 'instancegroup_test.go:439', maxSize: -1, expected: ['Invalid value::spec.maxSize'] },
  ];
  it.each(grid)('$source', ({ minSize, maxSize, featureGates = '', expected }) => {
    const cluster = clusterOf({ cloudProvider: { aws: {} }, karpenter: { enabled: true, featureGates } });
    const ig = view({ manager: 'Karpenter', role: 'Node', image: 'my-image', minSize, maxSize });
    expectErrors(crossValidateInstanceGroup(ig, cluster, true), expected);
  });
});

// kops instancegroup_test.go:478 TestValidateIGCloudLabels
describe('TestValidateIGCloudLabels', () => {
  const grid = [
    { source: 'instancegroup_test.go:483', label: 'k8s.io/cluster-autoscaler/test.example.com' },
    {
      source: 'instancegroup_test.go:486',
      label: 'KubernetesCluster',
      expected: ['Forbidden::spec.cloudLabels.KubernetesCluster'],
    },
    { source: 'instancegroup_test.go:490', label: 'MyBillingLabel' },
    { source: 'instancegroup_test.go:493', label: 'subdomain.domain.tld/foo/bar' },
  ];
  it.each(grid)('$source', ({ label, expected }) => {
    expectErrors(validateInstanceGroup(minimal({ cloudLabels: { [label]: 'placeholder' } }), true), expected);
  });
});

// kops instancegroup_test.go:507 TestIGCloudLabelIsIGName
describe('TestIGCloudLabelIsIGName', () => {
  const grid = [
    { source: 'instancegroup_test.go:512', label: 'some-ig' },
    {
      source: 'instancegroup_test.go:515',
      label: 'not-some-ig',
      expected: ['Invalid value::spec.cloudLabels.kops.k8s.io/instancegroup'],
    },
  ];
  it.each(grid)('$source', ({ label, expected }) => {
    expectErrors(
      validateInstanceGroup(minimal({ cloudLabels: { 'kops.k8s.io/instancegroup': label } }), true),
      expected,
    );
  });
});

// kops instancegroup_test.go:530 TestValidTaints
describe('TestValidTaints', () => {
  const grid = [
    { source: 'instancegroup_test.go:535', taints: ['nvidia.com/gpu:NoSchedule'] },
    { source: 'instancegroup_test.go:540', taints: ['nvidia.com/gpu:NoSchedule', 'nvidia.com/gpu:NoExecute'] },
    {
      source: 'instancegroup_test.go:546',
      taints: ['nvidia.com/gpu:NoSchedule', 'nvidia.com/gpu:NoSchedule'],
      expected: ['Duplicate value::spec.taints[1]'],
    },
  ];
  it.each(grid)('$source', ({ taints, expected }) => {
    expectErrors(validateInstanceGroup(minimal({ taints }), true), expected);
  });
});

// kops instancegroup_test.go:564 TestIGUpdatePolicy
describe('TestIGUpdatePolicy', () => {
  const unsupported = ['Unsupported value::spec.updatePolicy'];
  const grid = [
    { source: 'instancegroup_test.go:571', policy: undefined },
    { source: 'instancegroup_test.go:574', policy: 'automatic' },
    { source: 'instancegroup_test.go:578', policy: 'external' },
    { source: 'instancegroup_test.go:582', policy: '', expected: unsupported },
    { source: 'instancegroup_test.go:587', policy: 'something-else', expected: unsupported },
  ];
  it.each(grid)('$source', ({ policy, expected }) => {
    expectErrors(validateInstanceGroup(minimal({ updatePolicy: policy }), true), expected);
  });
});

// kops instancegroup_test.go:603 TestValidateInstanceGroupGVisorWorkerOnly
describe('TestValidateInstanceGroupGVisorWorkerOnly', () => {
  const forbidden = ['Forbidden::spec.containerd.gvisor'];
  const grid = [
    { source: 'instancegroup_test.go:610', role: 'Node', enabled: true },
    { source: 'instancegroup_test.go:615', role: 'ControlPlane', enabled: true, expected: forbidden },
    { source: 'instancegroup_test.go:621', role: 'APIServer', enabled: true, expected: forbidden },
    { source: 'instancegroup_test.go:627', role: 'Bastion', enabled: true, expected: forbidden },
    { source: 'instancegroup_test.go:633', role: 'APIServer', enabled: false },
  ];
  it.each(grid)('$source', ({ role, enabled, expected }) => {
    const ig = minimal({ role, subnets: ['eu-central-1a'], containerd: { gvisor: { enabled } } });
    expectErrors(validateInstanceGroup(ig, true), expected);
  });
});

// kops instancegroup_test.go:655 TestValidInstanceGroup
describe('TestValidInstanceGroup', () => {
  const ig = (role: string, size: number, image?: string) =>
    view(
      { role, subnets: ['eu-central-1a'], maxSize: size, minSize: size, ...(image ? { image } : {}) },
      'eu-central-1a',
    );
  const grid = [
    { source: 'instancegroup_test.go:661', ig: ig('ControlPlane', 1, 'my-image'), expected: [] },
    { source: 'instancegroup_test.go:677', ig: ig('APIServer', 1, 'my-image'), expected: [] },
    { source: 'instancegroup_test.go:693', ig: ig('Node', 1, 'my-image'), expected: [] },
    { source: 'instancegroup_test.go:709', ig: ig('Bastion', 1, 'my-image'), expected: [] },
    { source: 'instancegroup_test.go:725', ig: ig('Bastion', 1), expected: ['Forbidden::spec.image'] },
    {
      source: 'instancegroup_test.go:740',
      ig: ig('ControlPlane', 2, 'my-image'),
      expected: ['Invalid value::spec.minSize', 'Invalid value::spec.maxSize'],
    },
  ];
  it.each(grid)('$source', ({ ig: group, expected }) => {
    expectErrors(validateInstanceGroup(group, true), expected);
  });
});

// kops instancegroup_test.go:782 TestCrossValidateAPIServerRole (counts errors)
describe('TestCrossValidateAPIServerRole', () => {
  const none = { topology: { dns: 'None' } };
  const grid = [
    { source: 'instancegroup_test.go:789', cloud: { aws: {} }, networking: {}, count: 0 },
    { source: 'instancegroup_test.go:800', cloud: { gce: {} }, networking: {}, count: 0 },
    { source: 'instancegroup_test.go:811', cloud: { gce: {} }, networking: none, count: 0 },
    { source: 'instancegroup_test.go:823', cloud: { aws: {} }, networking: none, count: 1 },
    { source: 'instancegroup_test.go:835', cloud: { do: {} }, networking: {}, count: 1 },
  ];
  it.each(grid)('$source', ({ cloud, networking, count }) => {
    const subnets = [{ name: 'eu-central-1a', region: 'eu-central-1' }];
    const cluster = clusterOf({ cloudProvider: cloud, networking: { ...networking, subnets } });
    const ig = view(
      { role: 'APIServer', subnets: ['eu-central-1a'], maxSize: 1, minSize: 1, image: 'my-image' },
      'apiserver',
    );
    expect(crossValidateInstanceGroup(ig, cluster, true)).toHaveLength(count);
  });
});

// kops instancegroup_test.go:873 TestValidateInstanceGroupName. kops's ValidateInstanceGroupName
// (instancegroup.go:40) is not ported: src/store/names.ts validateInstanceGroupName is our
// counterpart (apimachinery's NameIsDNSSubdomain too), checked against kops's cases.
describe('TestValidateInstanceGroupName (against src/store/names.ts)', () => {
  const grid = [
    { source: 'instancegroup_test.go:882', input: '', wantError: true },
    { source: 'instancegroup_test.go:885', input: 'nodes', wantError: false },
    { source: 'instancegroup_test.go:886', input: 'nodes-us-east-1a', wantError: false },
    { source: 'instancegroup_test.go:887', input: 'control-plane-us-east-1a', wantError: false },
    { source: 'instancegroup_test.go:888', input: 'nodes.example.k8s.local', wantError: false },
    { source: 'instancegroup_test.go:889', input: 'nodes1', wantError: false },
    { source: 'instancegroup_test.go:892', input: '..', wantError: true },
    { source: 'instancegroup_test.go:893', input: '../master-foo', wantError: true },
    { source: 'instancegroup_test.go:894', input: 'nodes/../master-foo', wantError: true },
    { source: 'instancegroup_test.go:895', input: 'nodes/foo', wantError: true },
    { source: 'instancegroup_test.go:896', input: 'nodes\\foo', wantError: true },
    { source: 'instancegroup_test.go:897', input: '/etc/passwd', wantError: true },
    { source: 'instancegroup_test.go:900', input: '.nodes', wantError: true },
    { source: 'instancegroup_test.go:901', input: 'nodes.', wantError: true },
    { source: 'instancegroup_test.go:902', input: 'Nodes', wantError: true },
    { source: 'instancegroup_test.go:903', input: 'nodes foo', wantError: true },
    { source: 'instancegroup_test.go:904', input: 'nodes\x00', wantError: true },
  ];
  it.each(grid)('$source', ({ input, wantError }) => {
    if (wantError) expect(() => validateInstanceGroupName(input)).toThrow();
    else expect(() => validateInstanceGroupName(input)).not.toThrow();
  });
});
