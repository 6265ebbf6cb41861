/**
 * Part 1 of 6 (names, CIDRs, subnets, kube-apiserver, kube-controller-manager).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { isDNS1123Subdomain, validateClusterSpec } from '../../../src/config/validate/kops-validation/validation.js';
import { validateCIDR } from '../../../src/config/validate/kops-validation/validation-cidr.js';
import {
  validateCloudDNSTopology,
  validateSubnets,
} from '../../../src/config/validate/kops-validation/validation-networking.js';
import {
  validateKubeAPIServer,
  validateKubeControllerManager,
} from '../../../src/config/validate/kops-validation/validation-components.js';
import { parseCIDRGo } from '../../../src/config/validate/kops-validation/go-net.js';
import { expectErrors } from '../../helpers/index.js';
import { cluster, NO_CONSTRAINTS, type Json, type Case } from './grid.js';

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
