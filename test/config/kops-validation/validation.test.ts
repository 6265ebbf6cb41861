/**
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * the end-to-end cases at the bottom go through it).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { isDNS1123Subdomain, validateClusterSpec } from '../../../src/config/validate/kops-validation/validation.js';
import { validateCIDR } from '../../../src/config/validate/kops-validation/validation-cidr.js';
import {
  validateCloudDNSTopology,
  validateNetworking,
  validateSubnets,
  type CloudProviderConstraints,
} from '../../../src/config/validate/kops-validation/validation-networking.js';
import {
  validateKubeAPIServer,
  validateKubeControllerManager,
} from '../../../src/config/validate/kops-validation/validation-components.js';
import {
  validateNetworkingCalico,
  validateNetworkingCilium,
} from '../../../src/config/validate/kops-validation/validation-cni.js';
import {
  validateCloudConfiguration,
  validateContainerdConfig,
  validateNodeLocalDNS,
  validateNriConfig,
  validateNvidiaConfig,
  validateRollingUpdate,
} from '../../../src/config/validate/kops-validation/validation-addons.js';
import { validateSAExternalPermissions } from '../../../src/config/validate/kops-validation/validation-cloud.js';
import { validateAzureBlobAccountUniformity } from '../../../src/config/validate/kops-validation/validation-etcd.js';
import { validateFileRepository } from '../../../src/config/validate/kops-validation/validation-components.js';
import { parseCIDRGo } from '../../../src/config/validate/kops-validation/go-net.js';
import { expectErrors } from '../../helpers/index.js';

type Json = Record<string, unknown>;
const cluster = (spec: Json, name = '') => new View({ metadata: { name }, spec });
/** Go's `&cloudProviderConstraints{}`: every constraint false. */
const NO_CONSTRAINTS: CloudProviderConstraints = {
  requiresSubnets: false,
  requiresNetworkCIDR: false,
  prohibitsNetworkCIDR: false,
  prohibitsMultipleNetworkCIDRs: false,
  requiresNonMasqueradeCIDR: false,
  requiresSubnetCIDR: false,
  requiresSubnetRegion: false,
};

interface Case {
  source: string;
  input: unknown;
  expected?: string[];
  detail?: string;
}

// kops validation_test.go:33 Test_Validate_DNS (apimachinery's IsDNS1123Subdomain, which
// validation.go:59 calls)
describe('Test_Validate_DNS', () => {
  it.each(['test.-', '!', '-'])('validation_test.go:34 %s', (name) => {
    expect(isDNS1123Subdomain(name).length).toBeGreaterThan(0);
  });
});

// kops validation_test.go:42 Test_Validate_CloudDNSTopology
describe('Test_Validate_CloudDNSTopology', () => {
  const grid = [
    {
      source: 'validation_test.go:49',
      name: 'cluster.k8s.local',
      cloud: { aws: {} },
      dns: 'Public',
      expected: ['Forbidden::spec.networking.topology.dns.type'],
    },
    { source: 'validation_test.go:56', name: 'cluster.k8s.local', cloud: { aws: {} }, dns: 'None' },
    { source: 'validation_test.go:62', name: 'cluster.example.com', cloud: { aws: {} }, dns: 'Public' },
    {
      source: 'validation_test.go:67',
      name: 'cluster.example.com',
      cloud: { azure: {} },
      dns: 'Public',
      expected: ['Forbidden::spec.networking.topology.dns.type'],
    },
  ];
  it.each(grid)('$source', ({ name, cloud, dns, expected }) => {
    const c = cluster({ cloudProvider: cloud, networking: { topology: { dns } } }, name);
    expectErrors(validateCloudDNSTopology(c, FieldPath.of('spec', 'networking', 'topology', 'dns', 'type')), expected);
  });
});

// kops validation_test.go:94 Test_Validate_GossipConfig
describe('Test_Validate_GossipConfig', () => {
  const grid = [
    { source: 'validation_test.go:95', input: { gossipConfig: {} }, expected: ['Forbidden::spec.gossipConfig'] },
    {
      source: 'validation_test.go:104',
      input: { dnsControllerGossipConfig: {} },
      expected: ['Forbidden::spec.dnsControllerGossipConfig'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    const spec = { cloudProvider: { aws: {} }, ...input };
    expectErrors(validateClusterSpec(new View(spec), cluster(spec), FieldPath.of('spec'), false), expected);
  });
});

// kops validation_test.go:114 TestValidateCIDR
describe('TestValidateCIDR', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:120', input: '192.168.0.1/32' },
    {
      source: 'validation_test.go:123',
      input: '192.168.0.1',
      expected: ['Invalid value::CIDR'],
      detail: 'Could not be parsed as a CIDR (did you mean "192.168.0.1/32")',
    },
    {
      source: 'validation_test.go:128',
      input: '10.128.0.0/8',
      expected: ['Invalid value::CIDR'],
      detail: 'Network contains bits outside prefix (did you mean "10.0.0.0/8")',
    },
    { source: 'validation_test.go:133', input: '', expected: ['Invalid value::CIDR'] },
    {
      source: 'validation_test.go:137',
      input: 'invalid.example.com',
      expected: ['Invalid value::CIDR'],
      detail: 'Could not be parsed as a CIDR',
    },
  ];
  it.each(grid)('$source', ({ input, expected, detail }) => {
    expectErrors(validateCIDR(FieldPath.of('CIDR'), input as string), expected, detail);
  });
});

// kops validation_test.go:186 TestValidateSubnets
describe('TestValidateSubnets', () => {
  const pub = (s: Json) => ({ ...s, type: 'Public' });
  const grid: Case[] = [
    { source: 'validation_test.go:191', input: [pub({ name: 'a' })] },
    { source: 'validation_test.go:196', input: [pub({ name: 'a', cidr: '10.0.0.0/8' })] },
    { source: 'validation_test.go:201', input: [pub({ name: '' })], expected: ['Required value::subnets[0].name'] },
    {
      source: 'validation_test.go:207',
      input: [pub({ name: 'a' }), pub({ name: 'a' })],
      expected: ['Duplicate value::subnets[1].name'],
    },
    { source: 'validation_test.go:214', input: [pub({ name: 'a', id: 'a' }), pub({ name: 'b', id: 'b' })] },
    {
      source: 'validation_test.go:220',
      input: [pub({ name: 'a', id: 'a' }), pub({ name: 'b', id: '' })],
      expected: ['Forbidden::subnets[1].id'],
    },
    {
      source: 'validation_test.go:227',
      input: [pub({ name: 'a', cidr: '10.128.0.0/8' })],
      expected: ['Invalid value::subnets[0].cidr'],
    },
    { source: 'validation_test.go:233', input: [pub({ name: 'a', ipv6CIDR: '2001:db8::/56' })] },
    {
      source: 'validation_test.go:238',
      input: [pub({ name: 'a', ipv6CIDR: '10.0.0.0/8' })],
      expected: ['Invalid value::subnets[0].ipv6CIDR'],
    },
    {
      source: 'validation_test.go:244',
      input: [pub({ name: 'a', ipv6CIDR: '::ffff:10.128.0.0' })],
      expected: ['Invalid value::subnets[0].ipv6CIDR'],
    },
    {
      source: 'validation_test.go:250',
      input: [pub({ name: 'a', ipv6CIDR: '::ffff:10.128.0.0/8' })],
      expected: ['Invalid value::subnets[0].ipv6CIDR'],
    },
    {
      source: 'validation_test.go:256',
      input: [pub({ name: 'a', cidr: '::ffff:10.128.0.0/8' })],
      expected: ['Invalid value::subnets[0].cidr'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    const c = cluster({ cloudProvider: { aws: {} }, networking: { networkCIDR: '10.0.0.0/8', subnets: input } });
    const ranges = {
      networkCIDRs: [parseCIDRGo('10.0.0.0/8')!.net],
      podCIDR: undefined,
      serviceClusterIPRange: undefined,
    };
    const subnets = new View(input).list();
    expectErrors(validateSubnets(c, subnets, FieldPath.of('subnets'), true, NO_CONSTRAINTS, ranges), expected);
  });
});

// kops validation_test.go:281 TestValidateKubeAPIServer
describe('TestValidateKubeAPIServer', () => {
  const str = 'foobar';
  const rbacOnAWS = { authorization: { rbac: {} }, kubernetesVersion: '1.35.0', cloudProvider: { aws: {} } };
  const grid: (Case & { cluster?: Json })[] = [
    {
      source: 'validation_test.go:291',
      input: { proxyClientCertFile: str },
      expected: ['Forbidden::KubeAPIServer'],
      detail: 'proxyClientCertFile and proxyClientKeyFile must both be specified (or neither)',
    },
    {
      source: 'validation_test.go:300',
      input: { proxyClientKeyFile: str },
      expected: ['Forbidden::KubeAPIServer'],
      detail: 'proxyClientCertFile and proxyClientKeyFile must both be specified (or neither)',
    },
    {
      source: 'validation_test.go:309',
      input: { serviceNodePortRange: str },
      expected: ['Invalid value::KubeAPIServer.serviceNodePortRange'],
    },
    {
      source: 'validation_test.go:317',
      input: { authorizationMode: 'RBAC,Webhook' },
      expected: ['Required value::KubeAPIServer.authorizationWebhookConfigFile'],
      detail: 'Authorization mode Webhook requires authorizationWebhookConfigFile to be specified',
    },
    {
      source: 'validation_test.go:326',
      input: { authorizationMode: 'RBAC' },
      cluster: rbacOnAWS,
      expected: ['Required value::KubeAPIServer.authorizationMode'],
    },
    { source: 'validation_test.go:345', input: { authorizationMode: 'RBAC,Node' }, cluster: rbacOnAWS },
    {
      source: 'validation_test.go:361',
      input: { authorizationMode: 'RBAC,Node,Bogus' },
      cluster: rbacOnAWS,
      expected: ['Unsupported value::KubeAPIServer.authorizationMode'],
    },
    {
      source: 'validation_test.go:380',
      input: { logFormat: 'no-json' },
      expected: ['Unsupported value::KubeAPIServer.logFormat'],
    },
    {
      source: 'validation_test.go:386',
      input: { authenticationConfigFile: '/foo/bar' },
      cluster: { authentication: { oidc: { clientID: 'foo' } } },
      expected: ['Forbidden::KubeAPIServer.authenticationConfigFile'],
    },
  ];
  it.each(grid)('$source', ({ input, cluster: spec, expected, detail }) => {
    const c = cluster(spec ?? { kubernetesVersion: '1.35.0' });
    expectErrors(validateKubeAPIServer(new View(input), c, FieldPath.of('KubeAPIServer'), true), expected, detail);
  });
});

// kops validation_test.go:432 TestValidateKubeControllermanager
describe('TestValidateKubeControllermanager', () => {
  const grid: Case[] = [
    {
      source: 'validation_test.go:439',
      input: { experimentalClusterSigningDuration: '1h0m0s' },
      expected: ['Forbidden::kubeControllerManager.experimentalClusterSigningDuration'],
      detail: 'experimentalClusterSigningDuration has been replaced with clusterSigningDuration as of kubernetes 1.25',
    },
  ];
  it.each(grid)('$source', ({ input, expected, detail }) => {
    expectErrors(
      validateKubeControllerManager(new View(input), FieldPath.of('kubeControllerManager')),
      expected,
      detail,
    );
  });
});

/** The cluster of Test_Validate_Networking_Flannel and _Kindnet, with `extra` networking. */
function networkingCluster(extra: Json) {
  return cluster({
    kubernetesVersion: '1.35.0',
    networking: {
      networkCIDR: '10.0.0.0/8',
      nonMasqueradeCIDR: '100.64.0.0/10',
      podCIDR: '100.96.0.0/11',
      serviceClusterIPRange: '100.64.0.0/13',
      subnets: [{ name: 'sg-test', cidr: '10.11.0.0/16', type: 'Public' }],
      ...extra,
    },
  });
}

const networkingErrors = (c: View) =>
  validateNetworking(c, c.get('spec', 'networking'), FieldPath.of('networking'), true, NO_CONSTRAINTS);

// kops validation_test.go:479 Test_Validate_Networking_Flannel
describe('Test_Validate_Networking_Flannel', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:484', input: { backend: 'udp' } },
    { source: 'validation_test.go:489', input: { backend: 'vxlan' } },
    {
      source: 'validation_test.go:494',
      input: { backend: '' },
      expected: ['Required value::networking.flannel.backend'],
    },
    {
      source: 'validation_test.go:500',
      input: { backend: 'nope' },
      expected: ['Unsupported value::networking.flannel.backend'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(networkingErrors(networkingCluster({ flannel: input })), expected);
  });
});

// kops validation_test.go:533 Test_Validate_Networking_Kindnet
describe('Test_Validate_Networking_Kindnet', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:538', input: { masquerade: { enabled: true } } },
    {
      source: 'validation_test.go:545',
      input: { masquerade: { enabled: true, nonMasqueradeCIDRs: ['10.0.0.0/24', '2001:db8::/64'] } },
    },
    {
      source: 'validation_test.go:553',
      input: { masquerade: { enabled: true, nonMasqueradeCIDRs: ['a.b.c.d/24', '2001:db8::/64'] } },
      expected: ['Invalid value::networking.kindnet'],
    },
    {
      source: 'validation_test.go:562',
      input: { masquerade: { enabled: false, nonMasqueradeCIDRs: ['a.b.c.d/24', '2001:db8::/64'] } },
      expected: [],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(networkingErrors(networkingCluster({ kindnet: input })), expected);
  });
});

// kops validation_test.go:599 Test_Validate_Networking_OverlappingCIDR (testFieldErrors, 681:
// no more errors than expected, each expected type, detail and field found)
describe('Test_Validate_Networking_OverlappingCIDR', () => {
  const net = (podCIDR: string, serviceClusterIPRange: string, subnetCIDR: string) => ({
    networkCIDR: '10.0.0.0/8',
    nonMasqueradeCIDR: '100.64.0.0/10',
    podCIDR,
    serviceClusterIPRange,
    subnets: [{ name: 'subnet-test', cidr: subnetCIDR, type: 'Public' }],
  });
  const grid = [
    {
      source: 'validation_test.go:605',
      networking: net('100.64.10.0/24', '100.64.20.0/24', '10.10.0.0/16'),
      expected: [],
    },
    {
      source: 'validation_test.go:621',
      networking: net('100.64.0.0/10', '100.64.0.0/13', '10.10.0.0/16'),
      expected: [],
    },
    {
      source: 'validation_test.go:637',
      networking: net('100.64.10.0/24', '100.64.20.0/24', '100.64.20.0/28'),
      expected: [
        {
          type: 'Forbidden',
          detail: 'subnet "subnet-test" cidr "100.64.20.0/28" is not a subnet of the networkCIDR "10.0.0.0/8"',
          field: 'networking.subnets[0].cidr',
        },
        {
          type: 'Forbidden',
          detail: 'subnet "subnet-test" cidr "100.64.20.0/28" must not overlap serviceClusterIPRange "100.64.20.0/24"',
          field: 'networking.subnets[0].cidr',
        },
      ],
    },
  ];
  it.each(grid)('$source', ({ networking, expected }) => {
    const errs = networkingErrors(cluster({ kubernetesVersion: '1.35.0', networking }));
    expect(errs.length).toBeLessThanOrEqual(expected.length);
    const got = errs.map((e) => ({ type: e.type, detail: e.detail, field: e.field.toString() }));
    for (const want of expected) expect(got).toContainEqual(want);
  });
});

/** The spec of Test_Validate_AdditionalPolicies and Test_Validate_Addons, with `extra`. */
function policySpec(extra: Json): Json {
  return {
    kubernetesVersion: '1.35.0',
    cloudProvider: { aws: {} },
    networking: {
      networkCIDR: '10.10.0.0/16',
      nonMasqueradeCIDR: '100.64.0.0/10',
      podCIDR: '100.96.0.0/11',
      serviceClusterIPRange: '100.64.0.0/13',
      subnets: [{ name: 'subnet1', type: 'Public', cidr: '10.10.10.0/24' }],
    },
    etcdClusters: [{ name: 'main', etcdMembers: [{ name: 'us-test-1a', instanceGroup: 'master-us-test-1a' }] }],
    ...extra,
  };
}

const specErrors = (spec: Json) => validateClusterSpec(new View(spec), cluster(spec), FieldPath.of('spec'), true);

// kops validation_test.go:708 Test_Validate_AdditionalPolicies
describe('Test_Validate_AdditionalPolicies', () => {
  const allow = '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ], "Effect": "Allow" } ]';
  const grid: Case[] = [
    { source: 'validation_test.go:713', input: {} },
    { source: 'validation_test.go:716', input: { 'control-plane': allow } },
    {
      source: 'validation_test.go:721',
      input: { notarole: allow },
      expected: ['Unsupported value::spec.additionalPolicies'],
    },
    {
      source: 'validation_test.go:727',
      input: { 'control-plane': 'badjson' },
      expected: ['Invalid value::spec.additionalPolicies[control-plane]'],
    },
    {
      source: 'validation_test.go:733',
      input: { 'control-plane': '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ] } ]' },
      expected: ['Required value::spec.additionalPolicies[control-plane][0].Effect'],
    },
    {
      source: 'validation_test.go:739',
      input: { 'control-plane': '[ { "Action": [ "s3:GetObject" ], "Resource": [ "*" ], "Effect": "allow" } ]' },
      expected: ['Unsupported value::spec.additionalPolicies[control-plane][0].Effect'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(specErrors(policySpec({ additionalPolicies: input })), expected);
  });
});

// kops validation_test.go:783 Test_Validate_Addons
describe('Test_Validate_Addons', () => {
  const grid: Case[] = [
    { source: 'validation_test.go:788', input: undefined },
    { source: 'validation_test.go:789', input: [{ manifest: 's3://somebucket/example.yaml' }] },
    {
      source: 'validation_test.go:792',
      input: [{ manifest: 'file:///etc/kubernetes/kops/config/addons/extra.yaml' }],
      expected: ['Invalid value::spec.addons[0].manifest'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(specErrors(policySpec({ addons: input })), expected);
  });
});

// kops validation_test.go:832 Test_Validate_Calico
describe('Test_Validate_Calico', () => {
  const v4 = { networking: { nonMasqueradeCIDR: '100.64.0.0/10' } };
  const v6 = { networking: { nonMasqueradeCIDR: '::/0' } };
  const grid: (Case & { cluster?: Json })[] = [
    { source: 'validation_test.go:838', input: {} },
    { source: 'validation_test.go:844', input: { typhaReplicas: 3 } },
    {
      source: 'validation_test.go:852',
      input: { typhaReplicas: -1 },
      expected: ['Invalid value::calico.typhaReplicas'],
    },
    { source: 'validation_test.go:861', input: {} },
    { source: 'validation_test.go:867', input: { ipv4AutoDetectionMethod: 'first-found' } },
    { source: 'validation_test.go:875', input: { ipv6AutoDetectionMethod: 'first-found' } },
    { source: 'validation_test.go:883', input: { ipv4AutoDetectionMethod: 'can-reach=8.8.8.8' } },
    { source: 'validation_test.go:891', input: { ipv6AutoDetectionMethod: 'can-reach=2001:4860:4860::8888' } },
    {
      source: 'validation_test.go:899',
      input: { ipv4AutoDetectionMethod: 'bogus' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:908',
      input: { ipv6AutoDetectionMethod: 'bogus' },
      expected: ['Invalid value::calico.ipv6AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:917',
      input: { ipv6AutoDetectionMethod: 'interface=' },
      expected: ['Invalid value::calico.ipv6AutoDetectionMethod'],
    },
    { source: 'validation_test.go:926', input: { ipv4AutoDetectionMethod: 'interface=en.*,eth0' } },
    { source: 'validation_test.go:934', input: { ipv6AutoDetectionMethod: 'skip-interface=en.*,eth0' } },
    {
      source: 'validation_test.go:942',
      input: { ipv4AutoDetectionMethod: 'interface=(,en1' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:951',
      input: { ipv4AutoDetectionMethod: 'interface=foo=bar' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:960',
      input: { ipv4AutoDetectionMethod: '=en0,eth.*' },
      expected: ['Invalid value::calico.ipv4AutoDetectionMethod'],
    },
    {
      source: 'validation_test.go:969',
      cluster: {},
      input: { awsSrcDstCheck: 'off' },
      expected: ['Unsupported value::calico.awsSrcDstCheck'],
    },
    { source: 'validation_test.go:979', cluster: {}, input: { awsSrcDstCheck: 'Enable' } },
    { source: 'validation_test.go:988', cluster: {}, input: { awsSrcDstCheck: 'Disable' } },
    { source: 'validation_test.go:997', cluster: {}, input: { awsSrcDstCheck: 'DoNothing' } },
    {
      source: 'validation_test.go:1006',
      cluster: v4,
      input: { encapsulationMode: 'none' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1020',
      cluster: v6,
      input: { encapsulationMode: 'ipip' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1034',
      cluster: v6,
      input: { encapsulationMode: 'vxlan' },
      expected: ['Forbidden::calico.encapsulationMode'],
    },
    {
      source: 'validation_test.go:1048',
      input: { ipipMode: 'unknown' },
      expected: ['Unsupported value::calico.ipipMode'],
    },
    { source: 'validation_test.go:1059', input: { ipipMode: 'Always' } },
    { source: 'validation_test.go:1067', input: { ipipMode: 'CrossSubnet' } },
    { source: 'validation_test.go:1075', input: { ipipMode: 'Never' } },
    { source: 'validation_test.go:1083', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'Always' } },
    { source: 'validation_test.go:1097', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'CrossSubnet' } },
    { source: 'validation_test.go:1111', cluster: v4, input: { encapsulationMode: 'ipip', ipipMode: 'Never' } },
    {
      source: 'validation_test.go:1125',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'Always' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    {
      source: 'validation_test.go:1140',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'Always' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    {
      source: 'validation_test.go:1155',
      cluster: v4,
      input: { encapsulationMode: 'vxlan', ipipMode: 'CrossSubnet' },
      expected: ['Forbidden::calico.ipipMode'],
    },
    { source: 'validation_test.go:1170', cluster: v4, input: { encapsulationMode: 'vxlan', ipipMode: 'Never' } },
    {
      source: 'validation_test.go:1184',
      cluster: v6,
      input: { encapsulationMode: 'none', ipipMode: 'Never', vxlanMode: 'Never' },
    },
    { source: 'validation_test.go:1199', cluster: { kubeProxy: { enabled: false } }, input: { bpfEnabled: true } },
    {
      source: 'validation_test.go:1208',
      cluster: { kubeProxy: {} },
      input: { bpfEnabled: true },
      expected: ['Forbidden::spec.kubeProxy.enabled'],
    },
    {
      source: 'validation_test.go:1218',
      cluster: { kubeProxy: { enabled: true } },
      input: { bpfEnabled: true },
      expected: ['Forbidden::spec.kubeProxy.enabled'],
    },
  ];
  it.each(grid)('$source', ({ cluster: spec, input, expected }) => {
    expectErrors(validateNetworkingCalico(new View(spec), new View(input), FieldPath.of('calico')), expected);
  });
});

// kops validation_test.go:1238 Test_Validate_Cilium
describe('Test_Validate_Cilium', () => {
  const aws = { cloudProvider: { aws: {} } };
  const grid: (Case & { spec?: Json })[] = [
    { source: 'validation_test.go:1244', input: {} },
    { source: 'validation_test.go:1247', input: { ipam: 'crd' } },
    { source: 'validation_test.go:1252', input: { ipam: 'eni' }, spec: aws },
    { source: 'validation_test.go:1262', input: { clusterID: 253 } },
    { source: 'validation_test.go:1267', input: { masquerade: true, ipam: 'eni' }, spec: aws },
    { source: 'validation_test.go:1278', input: { ipam: 'foo' }, expected: ['Unsupported value::cilium.ipam'] },
    { source: 'validation_test.go:1284', input: { masquerade: false, ipam: 'eni' }, spec: aws },
    {
      source: 'validation_test.go:1295',
      input: { enableL7Proxy: true, installIptablesRules: false },
      spec: aws,
      expected: ['Forbidden::cilium.enableL7Proxy'],
    },
    {
      source: 'validation_test.go:1307',
      input: { ipam: 'eni' },
      spec: { cloudProvider: { gce: {} } },
      expected: ['Forbidden::cilium.ipam'],
    },
    {
      source: 'validation_test.go:1318',
      input: { identityAllocationMode: 'kvstore' },
      expected: ['Forbidden::cilium.identityAllocationMode'],
    },
    {
      source: 'validation_test.go:1324',
      input: { version: 'v1.0.0' },
      spec: { kubernetesVersion: '1.35.0' },
      expected: ['Invalid value::cilium.version'],
    },
    { source: 'validation_test.go:1333', input: { version: '1.7.0' }, expected: ['Invalid value::cilium.version'] },
    {
      source: 'validation_test.go:1339',
      input: { version: 'v1.8.0', hubble: { enabled: true } },
      expected: ['Forbidden::cilium.hubble.enabled'],
    },
    {
      source: 'validation_test.go:1348',
      input: { version: 'v1.18.0', ingress: { enabled: true, defaultLoadBalancerMode: 'bad-value' } },
      expected: ['Unsupported value::cilium.ingress.defaultLoadBalancerMode'],
    },
    {
      source: 'validation_test.go:1358',
      input: { version: 'v1.18.0', ingress: { enabled: true, defaultLoadBalancerMode: 'dedicated' } },
    },
    {
      source: 'validation_test.go:1367',
      input: { version: 'v1.18.0', gatewayAPI: { enabled: true, enableSecretsSync: true } },
    },
    {
      source: 'validation_test.go:1376',
      input: { version: 'v1.18.0', hubble: { enabled: true } },
      spec: { certManager: { enabled: true } },
    },
    {
      source: 'validation_test.go:1389',
      input: { bpfLBSock: false, bpfLBSockHostNSOnly: true },
      expected: ['Forbidden::cilium.bpfLBSockHostNSOnly'],
    },
    { source: 'validation_test.go:1396', input: { bpfLBSock: true, bpfLBSockHostNSOnly: true } },
  ];
  it.each(grid)('$source', ({ input, spec = {}, expected }) => {
    const c = cluster({ kubernetesVersion: '1.17.0', ...spec, networking: { cilium: input } });
    expectErrors(validateNetworkingCilium(c, new View(input), FieldPath.of('cilium')), expected);
  });
});

// kops validation_test.go:1416 Test_Validate_RollingUpdate
describe('Test_Validate_RollingUpdate', () => {
  const grid: (Case & { onMasterIG?: boolean })[] = [
    { source: 'validation_test.go:1422', input: {} },
    { source: 'validation_test.go:1425', input: { maxUnavailable: 0 } },
    { source: 'validation_test.go:1430', input: { maxUnavailable: '0%' } },
    {
      source: 'validation_test.go:1435',
      input: { maxUnavailable: 'nope' },
      expected: ['Invalid value::testField.maxUnavailable'],
    },
    {
      source: 'validation_test.go:1441',
      input: { maxUnavailable: -1 },
      expected: ['Invalid value::testField.maxUnavailable'],
    },
    {
      source: 'validation_test.go:1447',
      input: { maxUnavailable: '-1%' },
      expected: ['Invalid value::testField.maxUnavailable'],
    },
    { source: 'validation_test.go:1453', input: { maxSurge: 0 } },
    { source: 'validation_test.go:1458', input: { maxSurge: '0%' } },
    { source: 'validation_test.go:1463', input: { maxSurge: 1 } },
    { source: 'validation_test.go:1468', input: { maxSurge: '1%' } },
    { source: 'validation_test.go:1473', input: { maxSurge: 'nope' }, expected: ['Invalid value::testField.maxSurge'] },
    { source: 'validation_test.go:1479', input: { maxSurge: -1 }, expected: ['Invalid value::testField.maxSurge'] },
    { source: 'validation_test.go:1485', input: { maxSurge: '-1%' }, expected: ['Invalid value::testField.maxSurge'] },
    { source: 'validation_test.go:1491', input: { maxSurge: 0 }, onMasterIG: true },
    { source: 'validation_test.go:1497', input: { maxSurge: '0%' }, onMasterIG: true },
    {
      source: 'validation_test.go:1503',
      input: { maxSurge: 1 },
      onMasterIG: true,
      expected: ['Forbidden::testField.maxSurge'],
    },
    {
      source: 'validation_test.go:1510',
      input: { maxSurge: '1%' },
      onMasterIG: true,
      expected: ['Forbidden::testField.maxSurge'],
    },
    {
      source: 'validation_test.go:1517',
      input: { maxSurge: 'nope' },
      onMasterIG: true,
      expected: ['Invalid value::testField.maxSurge'],
    },
    {
      source: 'validation_test.go:1524',
      input: { maxSurge: -1 },
      onMasterIG: true,
      expected: ['Forbidden::testField.maxSurge'],
    },
    {
      source: 'validation_test.go:1531',
      input: { maxSurge: '-1%' },
      onMasterIG: true,
      expected: ['Forbidden::testField.maxSurge'],
    },
    {
      source: 'validation_test.go:1538',
      input: { maxUnavailable: 0, maxSurge: 0 },
      expected: ['Forbidden::testField.maxSurge'],
    },
  ];
  it.each(grid)('$source', ({ input, onMasterIG = false, expected }) => {
    expectErrors(validateRollingUpdate(new View(input), FieldPath.of('testField'), onMasterIG), expected);
  });
});

// kops validation_test.go:1556 Test_Validate_NodeLocalDNS
describe('Test_Validate_NodeLocalDNS', () => {
  const dns = (localIP?: string) => ({
    provider: 'CoreDNS',
    nodeLocalDNS: { enabled: true, ...(localIP ? { localIP } : {}) },
  });
  const grid: Case[] = [
    {
      source: 'validation_test.go:1561',
      input: { kubeProxy: { proxyMode: 'iptables' }, kubeDNS: dns() },
      expected: [],
    },
    {
      source: 'validation_test.go:1575',
      input: { kubelet: { clusterDNS: '100.64.0.10' }, kubeProxy: { proxyMode: 'ipvs' }, kubeDNS: dns() },
      expected: ['Forbidden::spec.kubelet.clusterDNS'],
    },
    {
      source: 'validation_test.go:1592',
      input: {
        kubelet: { clusterDNS: '100.64.0.10' },
        kubeProxy: { proxyMode: 'ipvs' },
        kubeDNS: dns(),
        networking: { cilium: {} },
      },
      expected: ['Forbidden::spec.kubelet.clusterDNS'],
    },
    {
      source: 'validation_test.go:1612',
      input: {
        kubelet: { clusterDNS: '169.254.20.10' },
        kubeProxy: { proxyMode: 'iptables' },
        kubeDNS: dns('169.254.20.10'),
        networking: { cilium: {} },
      },
      expected: [],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    expectErrors(validateNodeLocalDNS(new View(input), FieldPath.of('spec')), expected);
  });
});

// kops validation_test.go:1641 Test_Validate_CloudConfiguration
describe('Test_Validate_CloudConfiguration', () => {
  const os = (createStorageClass: boolean) => ({ openstack: { blockStorage: { createStorageClass } } });
  const grid: (Case & { cloud?: Json })[] = [
    { source: 'validation_test.go:1648', input: {} },
    { source: 'validation_test.go:1652', input: { manageStorageClasses: false } },
    { source: 'validation_test.go:1658', input: { manageStorageClasses: true } },
    { source: 'validation_test.go:1664', input: {}, cloud: os(false) },
    { source: 'validation_test.go:1675', input: {}, cloud: os(true) },
    { source: 'validation_test.go:1686', input: { manageStorageClasses: false }, cloud: os(false) },
    {
      source: 'validation_test.go:1699',
      input: { manageStorageClasses: false },
      cloud: os(true),
      expected: ['Forbidden::cloudConfig.manageStorageClasses'],
    },
    {
      source: 'validation_test.go:1713',
      input: { manageStorageClasses: true },
      cloud: os(false),
      expected: ['Forbidden::cloudConfig.manageStorageClasses'],
    },
    { source: 'validation_test.go:1727', input: { manageStorageClasses: true }, cloud: os(true) },
  ];
  it.each(grid)('$source', ({ input, cloud = {}, expected }) => {
    expectErrors(
      validateCloudConfiguration(new View(input), new View({ cloudProvider: cloud }), FieldPath.of('cloudConfig')),
      expected,
    );
  });
});

// kops validation_test.go:1754 TestValidateSAExternalPermissions
describe('TestValidateSAExternalPermissions', () => {
  const both = { policyARNs: ['-'], inlinePolicy: '-' };
  const grid: Case[] = [
    {
      source: 'validation_test.go:1760',
      input: [
        { name: 'MySA', namespace: 'MyNS', aws: { policyARNs: ['-'] } },
        { name: 'MySA', namespace: 'MyNS', aws: { policyARNs: ['-'] } },
      ],
      expected: ['Duplicate value::iam.serviceAccountExternalPermissions[MyNS/MySA]'],
    },
    {
      source: 'validation_test.go:1780',
      input: [{ name: 'MySA', namespace: 'MyNS' }],
      expected: ['Required value::iam.serviceAccountExternalPermissions[MyNS/MySA].aws'],
    },
    {
      source: 'validation_test.go:1790',
      input: [{ name: 'MySA', namespace: 'MyNS', aws: both }],
      expected: ['Forbidden::iam.serviceAccountExternalPermissions[MyNS/MySA].aws'],
    },
    {
      source: 'validation_test.go:1804',
      input: [{ namespace: 'MyNS', aws: both }],
      expected: ['Required value::iam.serviceAccountExternalPermissions[MyNS/].name'],
    },
    {
      source: 'validation_test.go:1817',
      input: [{ name: 'MySA', aws: both }],
      expected: ['Required value::iam.serviceAccountExternalPermissions[/MySA].namespace'],
    },
  ];
  it.each(grid)('$source', ({ input, expected }) => {
    // kops passes the dotted name to field.NewPath as one element (validation_test.go:1832).
    expectErrors(
      validateSAExternalPermissions(new View(input).list(), FieldPath.of('iam.serviceAccountExternalPermissions')),
      expected,
    );
  });
});

// kops validation_test.go:1841 Test_Validate_Nvidia_Cluster and 1893 Test_Validate_Nvidia_Ig
describe('Test_Validate_Nvidia_Cluster / Test_Validate_Nvidia_Ig', () => {
  const grid = [
    { source: 'validation_test.go:1846', cloud: { aws: {} }, inCluster: true, expected: [] },
    {
      source: 'validation_test.go:1858',
      cloud: { openstack: {} },
      inCluster: true,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
    {
      source: 'validation_test.go:1871',
      cloud: { gce: {} },
      inCluster: true,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
    { source: 'validation_test.go:1898', cloud: { aws: {} }, inCluster: false, expected: [] },
    { source: 'validation_test.go:1910', cloud: { openstack: {} }, inCluster: false, expected: [] },
    {
      source: 'validation_test.go:1922',
      cloud: { gce: {} },
      inCluster: false,
      expected: ['Forbidden::containerd.nvidiaGPU'],
    },
  ];
  it.each(grid)('$source', ({ cloud, inCluster, expected }) => {
    const nvidia = { enabled: true };
    const c = cluster({ containerd: { nvidiaGPU: nvidia }, cloudProvider: cloud });
    expectErrors(
      validateNvidiaConfig(c, new View(nvidia), FieldPath.of('containerd', 'nvidiaGPU'), inCluster),
      expected,
    );
  });
});

// kops validation_test.go:1944 Test_Validate_GVisor
describe('Test_Validate_GVisor', () => {
  const grid = [
    {
      source: 'validation_test.go:1951',
      inClusterConfig: true,
      enabled: true,
      expected: ['Forbidden::containerd.gvisor'],
    },
    {
      source: 'validation_test.go:1957',
      inClusterConfig: true,
      enabled: false,
      expected: ['Forbidden::containerd.gvisor'],
    },
    { source: 'validation_test.go:1963', inClusterConfig: false, enabled: true, expected: [] },
  ];
  it.each(grid)('$source', ({ inClusterConfig, enabled, expected }) => {
    const containerd = new View({ gvisor: { enabled } });
    expectErrors(
      validateContainerdConfig(cluster({}), containerd, FieldPath.of('containerd'), inClusterConfig),
      expected,
    );
  });
});

// kops validation_test.go:1981 Test_Validate_ContainerdVersion
describe('Test_Validate_ContainerdVersion', () => {
  const grid = [
    { source: 'validation_test.go:1986', version: 'not-a-semver', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1990', version: '1.7.32', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1994', version: '2.0.7', expected: ['Invalid value::containerd.version'] },
    { source: 'validation_test.go:1998', version: '2.1.0', expected: [] },
    { source: 'validation_test.go:2001', version: '2.3.4', expected: [] },
  ];
  it.each(grid)('$source', ({ version, expected }) => {
    expectErrors(
      validateContainerdConfig(cluster({}), new View({ version }), FieldPath.of('containerd'), true),
      expected,
    );
  });
});

// kops validation_test.go:2016 Test_Validate_NriConfig
describe('Test_Validate_NriConfig', () => {
  const grid: (Case & { version: string })[] = [
    {
      source: 'validation_test.go:2023',
      input: { enabled: true },
      version: '1.6.0',
      expected: ['Forbidden::containerd.nri'],
    },
    { source: 'validation_test.go:2034', input: {}, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2043', input: {}, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2054', input: { enabled: false }, version: '1.6.0', expected: [] },
    { source: 'validation_test.go:2065', input: { enabled: true }, version: '1.7.0', expected: [] },
    {
      source: 'validation_test.go:2076',
      input: { enabled: true, pluginRequestTimeout: '2s', pluginRegistrationTimeout: '5s' },
      version: '1.7.0',
      expected: [],
    },
    {
      source: 'validation_test.go:2089',
      input: { enabled: true, pluginRequestTimeout: '-1s' },
      version: '1.7.0',
      expected: ['Invalid value::containerd.nri.pluginRequestTimeout'],
    },
    {
      source: 'validation_test.go:2101',
      input: { enabled: true, pluginRegistrationTimeout: '0s' },
      version: '1.7.0',
      expected: ['Invalid value::containerd.nri.pluginRegistrationTimeout'],
    },
  ];
  it.each(grid)('$source', ({ input, version, expected }) => {
    expectErrors(validateNriConfig(new View({ nri: input, version }), FieldPath.of('containerd', 'nri')), expected);
  });
});

/** kops's testFieldErrors (validation_test.go:681). */
function expectFieldErrors(
  errs: ReturnType<typeof validateCIDR>,
  expected: { type: string; field: string; detail?: string }[],
) {
  expect(errs.length).toBeLessThanOrEqual(expected.length);
  for (const want of expected)
    expect(errs).toContainEqual(
      expect.objectContaining({ type: want.type, ...(want.detail ? { detail: want.detail } : {}) }),
    );
  for (const want of expected) expect(errs.map((e) => e.field.toString())).toContain(want.field);
}

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
