/**
 * The kops rules that need the cloud run with the facts the caller gives and are listed as
 * skipped without them: aws.go's six rules asking EC2 (`cloudFacts`: machine types and images, as
 * `CloudFacts` spells them) and cluster.go's three on created etcd clusters (`createdEtcdClusters`).
 */
import {
  validateClusterUpdate,
  validateClusterWithInstanceGroups,
  type CloudFacts,
  type ClusterConfig,
  type InstanceGroupConfig,
  type SkippedRule,
} from '../../../src/index.js';
import { kopsValidGroups, kopsValidSpec } from '../../helpers/index.js';
import { kopsLine } from '../../helpers/kops-sources.js';

const IMAGE = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250610';
const cluster = (cloudProvider = 'aws'): ClusterConfig => ({
  apiVersion: 'kops.k8s.io/v1alpha2',
  kind: 'Cluster',
  metadata: { name: 'c.example.com' },
  spec: { ...kopsValidSpec(), cloudProvider },
});
const groups = (spec: Partial<NonNullable<InstanceGroupConfig['spec']>> = {}): InstanceGroupConfig[] =>
  kopsValidGroups().map((g) => ({ ...g, spec: { ...g.spec, image: IMAGE, ...spec } }) as InstanceGroupConfig);
const AWS = 'pkg/apis/kops/validation/aws.go';
const sources = (skipped: SkippedRule[]) => skipped.map((s) => s.source);

function run(gs: InstanceGroupConfig[], cloudFacts?: CloudFacts, c = cluster()) {
  const skipped: SkippedRule[] = [];
  const issues = validateClusterWithInstanceGroups(c, gs, { cloudFacts, skipped });
  return { issues, skipped };
}

describe("aws.go's rules asking EC2", () => {
  it('are listed as skipped without cloud facts, each with a kops line making its error', () => {
    const { issues, skipped } = run(groups());
    expect(issues).toEqual([]);
    expect(sources(skipped)).toEqual([`${AWS}:236`, `${AWS}:245`, `${AWS}:264`]);
    expect(skipped[0]!.reason).toMatch(/no cloud facts given/);
    for (const source of sources(skipped)) expect(kopsLine(source)).toMatch(/field\.Invalid\(/);
    const mixed = run(groups({ mixedInstancesPolicy: { instances: ['m5.large', 'g4dn.xlarge'] } }));
    expect(sources(mixed.skipped)).toEqual([236, 245, 264, 297, 311, 315].map((line) => `${AWS}:${line}`));
    expect(kopsLine(`${AWS}:315`)).toMatch(/field\.Forbidden\(fld, "Cannot mix GPU/);
  });

  it('are not listed on another cloud, where kops does not run them', () => {
    expect(run(groups(), undefined, cluster('gce')).skipped).toEqual([]);
  });

  it('run with CloudFacts: a machine type without the image architecture is refused (aws.go:264)', () => {
    const facts: CloudFacts = {
      machineTypes: { 'm5.large': { architectures: ['x86_64'] }, 'm6g.large': { architectures: ['arm64'] } },
      images: { [IMAGE]: { architecture: 'x86_64' } },
    };
    expect(run(groups(), facts)).toEqual({ issues: [], skipped: [] });
    const arm = run(groups({ machineType: 'm6g.large' }), facts);
    expect(arm.skipped).toEqual([]);
    expect(arm.issues).toEqual([
      {
        path: '/instanceGroups/0/spec/machineType',
        message:
          'master-a.spec.machineType: Invalid value: "m6g.large": machine type architecture "arm64" does not match image architecture "x86_64"',
        source: `${AWS}:264`,
      },
    ]);
  });

  it('list what the facts do not describe, naming it', () => {
    const noImage = run(groups(), { machineTypes: { 'm5.large': { architectures: ['x86_64'] } } });
    expect(noImage.issues).toEqual([]);
    expect(noImage.skipped).toEqual(
      [236, 245, 264].map((line) => ({
        source: `${AWS}:${line}`,
        reason: `needs EC2's ResolveImage of image "${IMAGE}": not in CloudFacts.images`,
      })),
    );
    const noType = run(groups({ machineType: 'c7i.large' }), { images: { [IMAGE]: { architecture: 'x86_64' } } });
    expect(noType.skipped).toEqual(
      [245, 264].map((line) => ({
        source: `${AWS}:${line}`,
        reason: `needs EC2's DescribeInstanceTypes of machine type "c7i.large": not in CloudFacts.machineTypes`,
      })),
    );
  });

  it('mixed-instance GPU rule (aws.go:315) runs when the facts say which types have a GPU, skipped otherwise', () => {
    const mixed = groups({ mixedInstancesPolicy: { instances: ['g4dn.xlarge'] } });
    const facts = (gpu?: boolean): CloudFacts => ({
      machineTypes: {
        'm5.large': { architectures: ['x86_64'], gpu: false },
        'g4dn.xlarge': { architectures: ['x86_64'], ...(gpu === undefined ? {} : { gpu }) },
      },
      images: { [IMAGE]: { architecture: 'x86_64' } },
    });
    expect(run(mixed, facts(true)).issues).toEqual([
      {
        path: '/instanceGroups/0/spec/mixedInstancesPolicy/instances/0',
        message:
          'spec.mixedInstancesPolicy.instances[0]: Forbidden: Cannot mix GPU and non-GPU machine types in the same Instance Group',
        source: `${AWS}:315`,
      },
    ]);
    expect(run(mixed, facts(false))).toEqual({ issues: [], skipped: [] });
    const unknown = run(mixed, facts(undefined));
    expect(unknown.issues).toEqual([]);
    expect(unknown.skipped).toEqual([
      {
        source: `${AWS}:315`,
        reason:
          'needs whether machine type "g4dn.xlarge" has a GPU (DescribeInstanceTypes): CloudFacts.machineTypes["g4dn.xlarge"].gpu not given',
      },
    ]);
  });
});

describe("cluster.go's rules on created etcd clusters", () => {
  const moved = (c: ClusterConfig): ClusterConfig => ({
    ...c,
    spec: {
      ...c.spec,
      etcdClusters: c.spec!.etcdClusters!.map((e) => ({ ...e, etcdMembers: [{ name: 'a', instanceGroup: 'other' }] })),
    },
  });

  it('are listed as skipped without createdEtcdClusters, and run with it', () => {
    const skipped: SkippedRule[] = [];
    expect(validateClusterUpdate(cluster(), moved(cluster()), { skipped })).toEqual([]);
    expect(sources(skipped)).toEqual([83, 86, 118].map((line) => `pkg/apis/kops/validation/cluster.go:${line}`));
    expect(skipped[0]!.reason).toMatch(/createdEtcdClusters/);
    for (const source of sources(skipped)) expect(kopsLine(source)).toMatch(/field\.Forbidden\(/);
    const withFact: SkippedRule[] = [];
    const issues = validateClusterUpdate(cluster(), moved(cluster()), {
      createdEtcdClusters: ['main'],
      skipped: withFact,
    });
    expect(withFact).toEqual([]);
    expect(issues.map((i) => i.source)).toEqual(['pkg/apis/kops/validation/cluster.go:118']);
  });
});
