/**
 * Part 4 of 6 (cilium, rolling updates, node-local DNS, cloud config, service-account permissions).
 * kops's pkg/apis/kops/validation/validation_test.go @268927e, translated: cases in Go order,
 * each citing the line its case opens at, expected strings verbatim, checked with testErrors's
 * semantics (test/helpers/expect-errors.ts). Go builds internal-API values; the inputs here are
 * those values as JSON (kops's internal field names), which is what the ported rules read
 * (src/config/validate/kops-validation/spec.ts turns a stored v1alpha2 document into that shape;
 * test/store/kops-validation-writes.test.ts goes through it, end to end).
 */
import { FieldPath } from '../../../src/config/validate/field/path.js';
import { View } from '../../../src/config/validate/kops-validation/spec.js';
import { validateNetworkingCilium } from '../../../src/config/validate/kops-validation/validation-cni.js';
import {
  validateCloudConfiguration,
  validateNodeLocalDNS,
  validateRollingUpdate,
} from '../../../src/config/validate/kops-validation/validation-addons.js';
import { validateSAExternalPermissions } from '../../../src/config/validate/kops-validation/validation-cloud.js';
import { expectErrors } from '../../helpers/index.js';
import { cluster, type Json, type Case } from './grid.js';

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
