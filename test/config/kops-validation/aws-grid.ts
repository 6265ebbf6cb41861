/** Shared by the aws_test.go translations (aws-1.test.ts, aws-2.test.ts). */
import type {
  AwsCloudLookup,
  AwsInstanceTypeInfo,
} from '../../../src/config/validate/kops-validation/aws-instancegroup.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import type { Json } from './grid.js';

export const UBUNTU_AMI = 'ami-073c8c0760395aab8';
export const x86 = (gpu = false): AwsInstanceTypeInfo => ({ architectures: ['x86_64'], gpu });

// mock_aws_cloud.go:332: the x86_64 types of the mock
const X86_TYPES = 'c5.large m3.medium m4.large m5.large m5.xlarge t3.micro t3.medium t3.large c4.large'.split(' ');

/** kops upup/pkg/fi/cloudup/awsup/mock_aws_cloud.go:304 DescribeInstanceType, with aws_test.go's one image. */
export const MOCK_CLOUD: AwsCloudLookup = {
  resolveImage: (name) =>
    name === UBUNTU_AMI ? { architecture: 'x86_64' } : { error: `could not find Image for "${name}"` },
  describeInstanceType(instanceType) {
    if (instanceType === 't2.invalidType') return { error: 'invalid instance type "t2.invalidType" specified' };
    if (X86_TYPES.includes(instanceType)) return x86();
    if (['a1.large', 'm6g.xlarge'].includes(instanceType)) return { architectures: ['arm64'], gpu: false };
    if (['t2.micro', 't2.medium'].includes(instanceType)) return { architectures: ['i386', 'x86_64'], gpu: false };
    if (['g4dn.xlarge', 'g4ad.16xlarge'].includes(instanceType)) return x86(true);
    return { architectures: [], gpu: false };
  },
};

export const group = (spec: Json, name = 'test-nodes') => new View({ metadata: { name }, spec });
export const awsSpec = (extra: Json = {}): Json => ({ cloudProvider: { aws: {} }, ...extra });
