/**
 * kops's pkg/apis/kops/validation/legacy.go @268927e has no table test of its own: each rule is
 * checked here once, citing the line that makes its error, on a cluster that is otherwise valid
 * (test/helpers/kops-valid.ts, read as kops's internal API), with testErrors's semantics
 * (test/helpers/expect-errors.ts); then the paths on stored documents.
 */
import { errorKey } from '../../../src/config/validate/field/errors.js';
import { kopsClusterIssues } from '../../../src/config/validate/kops-validation/index.js';
import {
  deepValidateGroupCounts,
  deepValidateInstanceGroup,
  parseKubernetesVersion,
  validateCluster,
} from '../../../src/config/validate/kops-validation/legacy.js';
import { internalCluster, internalInstanceGroup, View } from '../../../src/config/validate/kops-validation/spec.js';
import { expectErrors, kopsValidSpec } from '../../helpers/index.js';

type Json = Record<string, unknown>;
const stored = (spec: Json): Json => ({
  apiVersion: 'kops.k8s.io/v1alpha2',
  kind: 'Cluster',
  metadata: { name: 'c.example.com' },
  spec: { ...kopsValidSpec(), ...spec },
});
const errors = (spec: Json, strict = false) => validateCluster(internalCluster(stored(spec)), strict);
/** What a completed spec adds (legacy.go:57-77 and validation.go's strict rules), v1alpha2 names. */
const COMPONENTS = {
  kubelet: { cloudProvider: 'aws' },
  masterKubelet: { cloudProvider: 'aws' },
  kubeControllerManager: { cloudProvider: 'aws' },
  kubeDNS: {},
  kubeScheduler: {},
  kubeAPIServer: { cloudProvider: 'aws', serviceClusterIPRange: '100.64.0.0/13' },
  kubeProxy: {},
  podCIDR: '100.96.0.0/11',
  serviceClusterIPRange: '100.64.0.0/13',
};

it('the base cluster passes, strict with its components and not', () => {
  expectErrors(errors({}));
  expectErrors(errors(COMPONENTS, true));
});

describe('kubernetesVersion (legacy.go:41-55): the rest depends on it, so nothing else is reported', () => {
  it.each([
    ['legacy.go:47', {}, 'Required value::spec.kubernetesVersion'],
    ['legacy.go:52', { kubernetesVersion: '1.3x.0' }, 'Invalid value::spec.kubernetesVersion'],
  ])('%s', (_source, version, key) => {
    const spec = { ...kopsValidSpec(), subnets: [], ...version } as Json;
    if (!('kubernetesVersion' in version)) delete spec.kubernetesVersion;
    const errs = validateCluster(internalCluster({ metadata: { name: 'c.example.com' }, spec }), true);
    expect(errs.map(errorKey)).toEqual([key]);
  });

  it('reads versions as kops util.ParseKubernetesVersion does', () => {
    expect(parseKubernetesVersion('v1.30.2')).toMatchObject({ major: 1, minor: 30, patch: 2 });
    expect(parseKubernetesVersion('1.31')).toMatchObject({ major: 1, minor: 31, patch: 0 });
    expect(parseKubernetesVersion('https://example.com/release/v1.29.9-rc.0/')).toMatchObject({ minor: 29 });
    expect(parseKubernetesVersion('latest')).toBeUndefined();
  });
});

// legacy.go:57-77
it('strict: every component is configured', () => {
  const missing = ['kubelet', 'controlPlaneKubelet', 'kubeControllerManager', 'kubeDNS', 'kubeScheduler'];
  missing.push('kubeAPIServer', 'kubeProxy');
  const errs = errors({}, true);
  expectErrors(
    errs,
    missing.map((name) => `Required value::spec.${name}`),
  );
  expect(errs.map((e) => e.detail)).toContain('controlPlaneKubelet not configured');
  expectErrors(errors({}, false));
});

const grid: { source: string; spec: Json; strict?: boolean; expected: string[]; detail?: string }[] = [
  {
    source: 'legacy.go:96',
    spec: { kubeControllerManager: { clusterCIDR: '100.96.0.0' } },
    expected: ['Invalid value::spec.kubeControllerManager.clusterCIDR'],
  },
  {
    source: 'legacy.go:98',
    spec: { kubeControllerManager: { clusterCIDR: '10.96.0.0/11' } },
    expected: ['Forbidden::spec.kubeControllerManager.clusterCIDR'],
    detail: 'kubeControllerManager.clusterCIDR "10.96.0.0/11" must be a subnet of nonMasqueradeCIDR "100.64.0.0/10"',
  },
  { source: 'legacy.go:98 (within)', spec: { kubeControllerManager: { clusterCIDR: '100.96.0.0/11' } }, expected: [] },
  {
    source: 'legacy.go:109',
    spec: { kubeDNS: { serverIP: '100.64.0.300' } },
    expected: ['Invalid value::spec.kubeDNS.serverIP'],
  },
  {
    source: 'legacy.go:112',
    spec: { serviceClusterIPRange: '100.64.0.0/13', kubeDNS: { serverIP: '100.96.0.10' } },
    expected: ['Forbidden::spec.kubeDNS.serverIP'],
    detail: 'ServiceClusterIPRange "100.64.0.0/13" must contain the DNS Server IP "100.96.0.10"',
  },
  {
    source: 'legacy.go:116',
    spec: {
      kubeDNS: { serverIP: '100.64.0.10', nodeLocalDNS: { localIP: '169.254.20.10' } },
      kubelet: { clusterDNS: '1.1.1.1' },
    },
    expected: ['Forbidden::spec.kubelet.clusterDNS'],
  },
  {
    source: 'legacy.go:116 (the node-local IP is fine)',
    spec: {
      kubeDNS: { serverIP: '100.64.0.10', nodeLocalDNS: { localIP: '169.254.20.10' } },
      kubelet: { clusterDNS: '169.254.20.10' },
    },
    expected: [],
  },
  {
    source: 'legacy.go:119',
    spec: {
      kubeDNS: { serverIP: '100.64.0.10', nodeLocalDNS: { localIP: '169.254.20.10' } },
      masterKubelet: { clusterDNS: '1.1.1.1' },
    },
    expected: ['Forbidden::spec.controlPlaneKubelet.clusterDNS'],
  },
  {
    source: 'legacy.go:127',
    spec: { kubeDNS: { serverIP: '100.64.0.10', provider: 'KubeDNS', nodeLocalDNS: { enabled: true } } },
    expected: ['Forbidden::spec.kubeDNS.provider'],
  },
  {
    source: 'legacy.go:130 (validateNodeLocalDNS, validation.go:2072)',
    spec: { kubeDNS: { serverIP: '100.64.0.10', nodeLocalDNS: { enabled: true, localIP: 'x' } } },
    expected: ['Invalid value::spec.spec.kubeDNS.nodeLocalDNS.localIP'],
  },
  {
    source: 'legacy.go:137',
    spec: { kubeDNS: { upstreamNameservers: ['8.8.8.8', 'dns.example.com'] } },
    expected: ['Invalid value::spec.kubeDNS.upstreamNameservers[1]'],
  },
  {
    source: 'legacy.go:144',
    spec: { kubeDNS: { stubDomains: { 'acme.local': [] } } },
    expected: ['Invalid value::spec.kubeDNS.stubDomains[acme.local]'],
  },
  {
    source: 'legacy.go:148',
    spec: { kubeDNS: { stubDomains: { 'acme.local': ['1.1.1.1', 'ns.acme'] } } },
    expected: ['Invalid value::spec.kubeDNS.stubDomains[acme.local][1]'],
  },
  {
    source: 'legacy.go:183',
    spec: { kubelet: { cloudProvider: 'gce' } },
    expected: ['Forbidden::spec.kubelet.cloudProvider'],
  },
  { source: 'legacy.go:182 (external)', spec: { kubelet: { cloudProvider: 'external' } }, expected: [] },
  {
    source: 'legacy.go:181 (strict: an unset cloudProvider must match too)',
    spec: { ...COMPONENTS, kubelet: {} },
    strict: true,
    expected: ['Forbidden::spec.kubelet.cloudProvider'],
  },
  {
    source: 'legacy.go:188',
    spec: { masterKubelet: { cloudProvider: 'azure' } },
    expected: ['Forbidden::spec.controlPlaneKubelet.cloudProvider'],
  },
  {
    source: 'legacy.go:194',
    spec: { kubeAPIServer: { cloudProvider: 'gce' } },
    expected: ['Forbidden::spec.kubeAPIServer.cloudProvider'],
  },
  {
    source: 'legacy.go:192 (not from 1.33.0-alpha.3)',
    spec: { kubernetesVersion: '1.33.0', kubeAPIServer: { cloudProvider: 'gce' } },
    expected: [],
  },
  {
    source: 'legacy.go:200',
    spec: { kubeControllerManager: { cloudProvider: 'openstack' } },
    expected: ['Forbidden::spec.kubeControllerManager.cloudProvider'],
  },
  {
    source: 'legacy.go:224',
    spec: {
      serviceAccountIssuerDiscovery: { discoveryStore: 's3://bucket/x', discoveryService: { url: 'https://x' } },
    },
    expected: ['Forbidden::spec.serviceAccountIssuerDiscovery.discoveryStore'],
  },
  {
    source: 'legacy.go:231',
    spec: { serviceAccountIssuerDiscovery: { discoveryStore: 'ftp://bucket/x' } },
    expected: ['Invalid value::spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryStore'],
    detail: 'not a valid VFS path',
  },
  {
    source: 'legacy.go:237',
    spec: { serviceAccountIssuerDiscovery: { discoveryStore: 's3://my.bucket/x' } },
    expected: ['Invalid value::spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryStore'],
    detail: 'Bucket name cannot contain dots',
  },
  {
    source: 'legacy.go:248',
    spec: { serviceAccountIssuerDiscovery: { discoveryStore: 'file:///tmp/discovery' } },
    expected: ['Invalid value::spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryStore'],
    detail: 'S3 is the only supported VFS for discoveryStore',
  },
  {
    source: 'legacy.go:239-241 (GCS, memfs as kops tests read it)',
    spec: { serviceAccountIssuerDiscovery: { discoveryStore: 'gs://b/x' }, kubeDNS: {} },
    expected: [],
  },
  {
    source: 'legacy.go:256',
    spec: { serviceAccountIssuerDiscovery: { discoveryService: {} } },
    expected: ['Required value::spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryService.url'],
  },
  {
    source: 'legacy.go:263',
    spec: { serviceAccountIssuerDiscovery: { enableAWSOIDCProvider: true } },
    expected: ['Forbidden::spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.enableAWSOIDCProvider'],
  },
];

describe('ValidateCluster (legacy.go:37)', () => {
  it.each(grid)('$source', ({ spec, strict = false, expected, detail }) => {
    expectErrors(errors(spec, strict), expected, detail);
  });

  it('accepts memfs:// discovery stores, as kops fixtures use them', () => {
    const said = { discoveryStore: 'memfs://discovery.example.com/minimal.example.com', enableAWSOIDCProvider: true };
    expectErrors(errors({ serviceAccountIssuerDiscovery: said }));
  });
});

describe('DeepValidate (legacy.go:271)', () => {
  const group = (role: string, extra: Json = {}) =>
    internalInstanceGroup({ metadata: { name: role.toLowerCase() }, spec: { role, ...extra } });
  it.each([
    ['legacy.go:277', [], 'must configure at least one InstanceGroup'],
    ['legacy.go:291', [group('Node')], 'must configure at least one ControlPlane InstanceGroup'],
    ['legacy.go:295', [group('Master')], 'must configure at least one Node InstanceGroup'],
  ])('%s', (rule, groups, message) => {
    expect(deepValidateGroupCounts(groups)).toEqual({ message, rule });
  });

  it('counts every group that is not control plane as a node group (a bastion too), as kops does', () => {
    expect(deepValidateGroupCounts([group('Master'), group('Bastion')])).toBeUndefined();
  });

  it('legacy.go:303: volumes only on AWS', () => {
    const withVolumes = group('Node', { volumes: [{ device: '/dev/xvdd', size: 20 }] });
    const gce = new View({ spec: { cloudProvider: { gce: {} } } });
    expectErrors(deepValidateInstanceGroup(withVolumes, gce), ['Forbidden::spec.volumes']);
    expectErrors(deepValidateInstanceGroup(withVolumes, internalCluster(stored({}))));
  });
});

describe('on stored documents: kops paths as JSON Pointers', () => {
  const messages = (spec: Json) => kopsClusterIssues(stored(spec));

  it('masterKubelet for controlPlaneKubelet, one serviceAccountIssuerDiscovery for kops two', () => {
    const issues = messages({
      masterKubelet: { cloudProvider: 'gce' },
      serviceAccountIssuerDiscovery: { discoveryStore: 's3://a.b/c' },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: '/spec/masterKubelet/cloudProvider',
          message: 'spec.controlPlaneKubelet.cloudProvider: Forbidden: Did not match cluster cloudProvider',
          source: 'pkg/apis/kops/validation/legacy.go:188',
        },
        {
          path: '/spec/serviceAccountIssuerDiscovery/discoveryStore',
          message:
            'spec.serviceAccountIssuerDiscovery.serviceAccountIssuerDiscovery.discoveryStore: Invalid value: "s3://a.b/c": Bucket name cannot contain dots',
          source: 'pkg/apis/kops/validation/legacy.go:237',
        },
      ]),
    );
  });

  it('a missing kubernetesVersion is the one issue kops reports', () => {
    const { kubernetesVersion: _version, ...spec } = kopsValidSpec();
    const doc = { apiVersion: 'kops.k8s.io/v1alpha2', kind: 'Cluster', metadata: { name: 'c.example.com' }, spec };
    expect(kopsClusterIssues(doc)).toEqual([
      {
        path: '/spec/kubernetesVersion',
        message: 'spec.kubernetesVersion: Required value',
        source: 'pkg/apis/kops/validation/legacy.go:47',
      },
    ]);
  });
});
