import { isStateStoreError } from '../../src/errors.js';
import {
  assertValidClusterConfig,
  validateClusterConfig,
  validateClusterWithInstanceGroups,
  validateInstanceGroup,
} from '../../src/config/validate/kops.js';
import { kopsClusterIssues, kopsInstanceGroupIssues } from '../../src/config/validate/kops-validation/index.js';

const base = { apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'c.example.com' } };

/** A spec kops's own rules accept (kops-validation/): the smallest AWS cluster. */
const kopsValidSpec = {
  kubernetesVersion: '1.30.0',
  cloudProvider: 'aws',
  networkCIDR: '172.20.0.0/16',
  nonMasqueradeCIDR: '100.64.0.0/10',
  subnets: [{ name: 'a', zone: 'us-east-1a', cidr: '172.20.32.0/19', type: 'Public' }],
  etcdClusters: ['main', 'events'].map((name) => ({ name, etcdMembers: [{ name: 'a', instanceGroup: 'master-a' }] })),
};

/**
 * The issues that do not come from kops's own rules (kops-validation/, tested in
 * test/config/kops-validation/): these tests are about the schema and our hand rules.
 */
function schemaIssues(config: unknown, options?: { strict?: boolean }) {
  const kops = new Set(kopsClusterIssues(config).map((issue) => issue.message));
  return validateClusterConfig(config, options).filter((issue) => !kops.has(issue.message));
}

/** As {@link schemaIssues}, for an InstanceGroup. */
function groupSchemaIssues(group: unknown) {
  const kops = new Set(kopsInstanceGroupIssues(group).map((issue) => issue.message));
  return validateInstanceGroup(group).filter((issue) => !kops.has(issue.message));
}

describe('validation against kops schemas', () => {
  it('accepts a minimal cluster', () => {
    expect(validateClusterConfig({ ...base, spec: kopsValidSpec })).toEqual([]);
  });

  it('rejects a misspelt Cluster field with a did-you-mean', () => {
    const issues = schemaIssues({ ...base, spec: { kubernetesVersoin: '1.30.0' } });
    expect(issues).toEqual([
      expect.objectContaining({ path: '/spec/kubernetesVersoin', didYouMean: 'kubernetesVersion' }),
    ]);
    expect(issues[0]!.severity).toBeUndefined();
  });

  it('rejects a misspelt InstanceGroup field with a did-you-mean', () => {
    const issues = validateInstanceGroup({
      apiVersion: 'kops.k8s.io/v1alpha2',
      kind: 'InstanceGroup',
      metadata: { name: 'nodes' },
      spec: { machinetype: 't3.medium', role: 'Node' },
    });
    expect(issues).toEqual([expect.objectContaining({ path: '/spec/machinetype', didYouMean: 'machineType' })]);
  });

  it('reports a wrong type with its path, on both schemas', () => {
    expect(schemaIssues({ ...base, spec: { subnets: [{ name: 'a', zone: 5 }] } })).toEqual([
      expect.objectContaining({ path: '/spec/subnets/0/zone', message: expect.stringContaining('string') }),
    ]);
    expect(groupSchemaIssues({ kind: 'InstanceGroup', spec: { maxSize: 'three' } })).toEqual([
      expect.objectContaining({ path: '/spec/maxSize' }),
    ]);
  });

  it('warns (does not fail) on an unknown field that resembles nothing, as kops ignores it; strict makes it an error', () => {
    const config = { ...base, spec: { ...kopsValidSpec, someFutureField: { x: 1 } } };
    expect(validateClusterConfig(config)).toEqual([
      expect.objectContaining({ path: '/spec/someFutureField', severity: 'warning' }),
    ]);
    expect(() => assertValidClusterConfig(config)).not.toThrow();
    expect(validateClusterConfig(config, { strict: true })[0]!.severity).toBeUndefined();
  });

  it('enforces kops cross-field rules: unique subnet, etcd cluster and member names', () => {
    const issues = schemaIssues({
      ...base,
      spec: {
        subnets: [{ name: 'a' }, { name: 'a' }],
        etcdClusters: [
          {
            name: 'main',
            etcdMembers: [
              { name: 'm', instanceGroup: 'x' },
              { name: 'm', instanceGroup: 'y' },
            ],
          },
          { name: 'main', etcdMembers: [] },
        ],
      },
    });
    // Subnet names are kops's own rule now (validation.go:645), tested in test/config/kops-validation/.
    expect(issues.map((i) => i.path).sort()).toEqual([
      '/spec/etcdClusters/0/etcdMembers/1/name',
      '/spec/etcdClusters/1/name',
    ]);
  });

  it('checks that etcd members name existing instance groups', () => {
    const cluster = {
      ...base,
      spec: {
        etcdClusters: [
          {
            name: 'main',
            etcdMembers: [
              { name: 'a', instanceGroup: 'master-a' },
              { name: 'b', instanceGroup: 'missing' },
            ],
          },
        ],
      },
    };
    const issues = validateClusterWithInstanceGroups(cluster, [{ metadata: { name: 'master-a' } }]);
    expect(issues).toEqual([expect.objectContaining({ path: '/spec/etcdClusters/0/etcdMembers/1/instanceGroup' })]);
  });

  it('throws ValidationError with every issue listed', () => {
    let caught: unknown;
    try {
      assertValidClusterConfig({ ...base, kind: 'Nope', spec: { ...kopsValidSpec, subnets: 'x' } });
    } catch (err) {
      caught = err;
    }
    expect(isStateStoreError(caught, 'ValidationError')).toBe(true);
    // kind, the schema's type, and kops's "must configure at least one subnet" (validation.go:631).
    expect((caught as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual([
      '/kind',
      '/spec/subnets',
      '/spec/subnets',
    ]);
  });
});

describe('schema details', () => {
  it('suggests a top-level field and a field deep in a list', () => {
    expect(schemaIssues({ ...base, specs: {} })).toEqual([
      expect.objectContaining({ path: '/specs', didYouMean: 'spec' }),
    ]);
    const issues = schemaIssues({
      ...base,
      spec: { etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'a', instanceGropu: 'x' }] }] },
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: '/spec/etcdClusters/0/etcdMembers/0/instanceGropu',
        didYouMean: 'instanceGroup',
      }),
    ]);
    expect(issues[0]!.message).toContain('did you mean "instanceGroup"?');
  });

  it('keeps maps open where kops has maps (labels, nodeLabels, additionalPolicies)', () => {
    expect(
      validateInstanceGroup({
        kind: 'InstanceGroup',
        metadata: { name: 'n', labels: { anything: 'x' } },
        spec: { role: 'Node', nodeLabels: { 'my/label': 'v' } },
      }),
    ).toEqual([]);
    expect(
      validateClusterConfig({ ...base, spec: { ...kopsValidSpec, additionalPolicies: { node: '[]', master: '[]' } } }),
    ).toEqual([]);
  });

  it('treats IntOrString fields as whole numbers or strings, and quantities as numbers or quantity strings', () => {
    const rolling = (maxSurge: unknown) =>
      groupSchemaIssues({ kind: 'InstanceGroup', spec: { rollingUpdate: { maxSurge } } });
    expect(rolling(2)).toEqual([]);
    expect(rolling('25%')).toEqual([]);
    expect(rolling(1.5)).toEqual([
      expect.objectContaining({
        path: '/spec/rollingUpdate/maxSurge',
        message: expect.stringContaining('whole number'),
      }),
    ]);
    const cpu = (cpuRequest: unknown) => schemaIssues({ ...base, spec: { kubeAPIServer: { cpuRequest } } });
    expect(cpu(0.5)).toEqual([]);
    expect(cpu('500m')).toEqual([]);
    expect(cpu('lots')).toEqual([
      expect.objectContaining({ path: '/spec/kubeAPIServer/cpuRequest', message: expect.stringContaining('quantity') }),
    ]);
  });

  it('checks the values kops accepts for an instance group role and a subnet type', () => {
    // kops's own rule (instancegroup.go:81), with a did-you-mean among the values it lists.
    const group = (role: string) => ({ kind: 'InstanceGroup', metadata: { name: 'g' }, spec: { role } });
    expect(validateInstanceGroup(group('Boss'))).toEqual([
      {
        path: '/spec/role',
        message:
          'spec.role: Unsupported value: "Boss": supported values: "ControlPlane", "APIServer", "Node", "Bastion", "Etcd", "Scheduler", "KubeControllerManager"',
        source: 'pkg/apis/kops/validation/instancegroup.go:81',
      },
    ]);
    expect(validateInstanceGroup(group('node'))).toEqual([
      expect.objectContaining({ path: '/spec/role', didYouMean: 'Node' }),
    ]);
    const spec = { ...kopsValidSpec, subnets: [{ ...kopsValidSpec.subnets[0], type: 'Privat' }] };
    expect(validateClusterConfig({ ...base, spec })).toEqual([
      {
        path: '/spec/subnets/0/type',
        message:
          'spec.networking.subnets[0].type: Unsupported value: "Privat": supported values: "Public", "Private", "DualStack", "Utility"',
        source: 'pkg/apis/kops/validation/validation.go:744',
        didYouMean: 'Private',
      },
    ]);
    for (const role of ['APIServer', 'Node', 'Bastion']) expect(validateInstanceGroup(group(role))).toEqual([]);
    // v1alpha2's "Master" is kops's ControlPlane, which needs a subnet (instancegroup.go:65).
    for (const role of ['Master', 'ControlPlane'])
      expect(validateInstanceGroup({ ...group(role), spec: { role, subnets: ['a'] } })).toEqual([]);
  });

  it('refuses a value that is not a map, and the wrong apiVersion', () => {
    expect(validateClusterConfig('config')).toEqual([expect.objectContaining({ path: '/' })]);
    expect(validateInstanceGroup({ apiVersion: 'kops.k8s.io/v1alpha3', kind: 'InstanceGroup' })).toEqual([
      expect.objectContaining({ path: '/apiVersion' }),
    ]);
  });

  it('checks that instance groups name cluster subnets and have unique names', () => {
    const cluster = { ...base, spec: { subnets: [{ name: 'us-east-1a' }] } };
    const groups = [
      { metadata: { name: 'nodes' }, spec: { subnets: ['us-east-1a', 'us-east-1z'] } },
      { metadata: { name: 'nodes' }, spec: { subnets: ['us-east-1a'] } },
    ];
    expect(
      validateClusterWithInstanceGroups(cluster, groups)
        .map((issue) => issue.path)
        .sort(),
    ).toEqual(['/instanceGroups/0/spec/subnets/1', '/instanceGroups/1/metadata/name']);
  });
});
